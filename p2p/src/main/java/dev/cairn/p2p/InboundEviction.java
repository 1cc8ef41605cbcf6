package dev.cairn.p2p;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Which inbound peer makes room for a new one when inbound is full, in the manner of Bitcoin
 * Core's eviction: protect the peers an attacker finds hardest to imitate (a few network groups
 * picked by a secret key, the lowest ping times, the latest to bring us a new transaction or a
 * valid block, then the longest connected half of the rest), and from what is left evict the
 * youngest of the network group with the most connections. If nothing is left, the newcomer is
 * refused. Holding every slot therefore takes connections from many networks that behave better
 * than honest peers. Not thread-safe: part of the peer core.
 */
final class InboundEviction {
  static final int PROTECT_BY_GROUP = 4;
  static final int PROTECT_BY_PING = 8;
  static final int PROTECT_BY_TX = 4;
  static final int PROTECT_BY_BLOCK = 4;

  private final byte[] key = new byte[32];

  InboundEviction(Random random) {
    random.nextBytes(key);
  }

  /** The inbound peer to evict, or empty if every one is protected. */
  Optional<Peer> select(Collection<Peer> inbound) {
    List<Peer> candidates = new ArrayList<>();
    for (Peer p : inbound) {
      if (!p.disconnecting) {
        candidates.add(p);
      }
    }
    Comparator<Peer> byId = Comparator.comparing(p -> p.id);
    protect(candidates, Comparator.comparingLong((Peer p) -> keyedGroup(p.networkGroup)).reversed().thenComparing(byId), PROTECT_BY_GROUP);
    protect(candidates, Comparator.comparingLong((Peer p) -> p.minPingMillis).thenComparing(byId), PROTECT_BY_PING);
    protect(candidates, Comparator.comparingLong((Peer p) -> p.lastUsefulTxMillis).reversed().thenComparing(byId), PROTECT_BY_TX);
    protect(candidates, Comparator.comparingLong((Peer p) -> p.lastUsefulBlockMillis).reversed().thenComparing(byId), PROTECT_BY_BLOCK);
    protect(candidates, Comparator.comparingLong((Peer p) -> p.connectedSince).thenComparing(byId), candidates.size() / 2);
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    Map<String, List<Peer>> groups = new LinkedHashMap<>();
    for (Peer p : candidates) {
      groups.computeIfAbsent(p.networkGroup, g -> new ArrayList<>()).add(p);
    }
    Comparator<Peer> youngest = Comparator.comparingLong((Peer p) -> p.connectedSince).thenComparing(byId);
    List<Peer> largest = null;
    for (List<Peer> g : groups.values()) {
      if (largest == null || g.size() > largest.size()
          || (g.size() == largest.size() && youngest.compare(g.stream().max(youngest).orElseThrow(), largest.stream().max(youngest).orElseThrow()) > 0)) {
        largest = g;
      }
    }
    return largest.stream().max(youngest);
  }

  /** Takes the first {@code count} candidates in {@code order} out of the running. */
  private static void protect(List<Peer> candidates, Comparator<Peer> order, int count) {
    candidates.sort(order);
    candidates.subList(0, Math.min(count, candidates.size())).clear();
  }

  /** A network group's rank under the secret key: which groups are protected cannot be predicted. */
  private long keyedGroup(String group) {
    MessageDigest sha = dev.cairn.ledger.Hashes.newSha256();
    sha.update(key);
    sha.update(group.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(sha.digest()).getLong();
  }
}
