package dev.cairn.p2p;

import dev.cairn.ledger.store.ChainStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Known peer addresses in two tables, persisted in the chain store's peers column: "new"
 * (heard of, never connected) and "tried" (an outbound connection to it succeeded). Bounded;
 * failed dials back off exponentially. Not thread-safe: used on the network loop.
 *
 * <p>Record: table u8 (0 new, 1 tried) ‖ last seen u64 ‖ last attempt u64 ‖ failures u32, keyed by
 * the address text.
 */
final class AddressBook {
  static final int MAX_NEW = 4_096;
  static final int MAX_TRIED = 1_024;

  record Entry(HostPort address, boolean tried, long lastSeen, long lastAttempt, int failures) {
    long retryAt() {
      if (failures == 0) {
        return lastAttempt;
      }
      long backoff = Math.min(3_600_000L, 1_000L << Math.min(failures, 12));
      return lastAttempt + backoff;
    }
  }

  private final ChainStore store;
  private final Map<HostPort, Entry> entries = new HashMap<>();
  private final Random random;

  AddressBook(ChainStore store, Random random) {
    this.store = store;
    this.random = random;
    store.forEachPeer(
        (key, value) -> {
          try {
            HostPort hp = HostPort.parse(new String(key, StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.wrap(value);
            entries.put(hp, new Entry(hp, b.get() == 1, b.getLong(), b.getLong(), b.getInt()));
          } catch (RuntimeException e) {
            store.deletePeer(key);
          }
        });
  }

  int size() {
    return entries.size();
  }

  Optional<Entry> get(HostPort hp) {
    return Optional.ofNullable(entries.get(hp));
  }

  /** Adds an address heard from a peer or configured; never demotes a tried one. */
  void addNew(HostPort hp, long seenMillis) {
    Entry e = entries.get(hp);
    if (e != null) {
      if (seenMillis > e.lastSeen()) {
        put(new Entry(hp, e.tried(), seenMillis, e.lastAttempt(), e.failures()));
      }
      return;
    }
    if (count(false) >= MAX_NEW) {
      evict(false);
    }
    put(new Entry(hp, false, seenMillis, 0, 0));
  }

  /** A successful outbound connection: the address moves to "tried". */
  void markTried(HostPort hp, long now) {
    if (!entries.containsKey(hp) && count(true) >= MAX_TRIED) {
      evict(true);
    }
    put(new Entry(hp, true, now, now, 0));
  }

  /**
   * A dial to {@code hp} started ({@code failed} false) or failed. Only a successful connection
   * ({@link #markTried}) clears the failure count, so repeated failures back off exponentially.
   */
  void markAttempt(HostPort hp, long now, boolean failed) {
    Entry e = entries.getOrDefault(hp, new Entry(hp, false, now, 0, 0));
    put(new Entry(hp, e.tried(), e.lastSeen(), now, failed ? e.failures() + 1 : e.failures()));
  }

  /** An address worth dialling now, tried ones preferred, not in {@code exclude}. */
  Optional<HostPort> pick(long now, java.util.Set<HostPort> exclude) {
    List<Entry> ready = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (!exclude.contains(e.address()) && e.retryAt() <= now) {
        ready.add(e);
      }
    }
    if (ready.isEmpty()) {
      return Optional.empty();
    }
    List<Entry> tried = ready.stream().filter(Entry::tried).toList();
    List<Entry> from = !tried.isEmpty() && (random.nextInt(2) == 0 || tried.size() == ready.size()) ? tried : ready;
    return Optional.of(from.get(random.nextInt(from.size())).address());
  }

  /** Up to {@code max} addresses, most recently seen first, for a GetAddresses answer. */
  List<Entry> sample(int max) {
    List<Entry> all = new ArrayList<>(entries.values());
    Collections.shuffle(all, random);
    all.sort(Comparator.comparingLong(Entry::lastSeen).reversed());
    return all.subList(0, Math.min(max, all.size()));
  }

  private long count(boolean tried) {
    return entries.values().stream().filter(e -> e.tried() == tried).count();
  }

  private void evict(boolean tried) {
    entries.values().stream()
        .filter(e -> e.tried() == tried)
        .min(Comparator.comparingLong(Entry::lastSeen))
        .ifPresent(
            e -> {
              entries.remove(e.address());
              store.deletePeer(e.address().toString().getBytes(StandardCharsets.UTF_8));
            });
  }

  private void put(Entry e) {
    entries.put(e.address(), e);
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 4);
    b.put((byte) (e.tried() ? 1 : 0)).putLong(e.lastSeen()).putLong(e.lastAttempt()).putInt(e.failures());
    store.putPeer(e.address().toString().getBytes(StandardCharsets.UTF_8), b.array());
  }
}
