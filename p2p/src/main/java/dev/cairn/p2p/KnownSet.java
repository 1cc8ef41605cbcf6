package dev.cairn.p2p;

import dev.cairn.ledger.Hash;
import java.util.LinkedHashMap;
import java.util.Map;

/** A bounded set of hashes, oldest forgotten first. Not thread-safe: used on the network loop. */
final class KnownSet {
  private final LinkedHashMap<Hash, Boolean> items;

  KnownSet(int capacity) {
    this.items =
        new LinkedHashMap<>(64, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Hash, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Adds {@code h}; returns whether it was new. */
  boolean add(Hash h) {
    return items.put(h, Boolean.TRUE) == null;
  }

  boolean contains(Hash h) {
    return items.containsKey(h);
  }

  void remove(Hash h) {
    items.remove(h);
  }

  void clear() {
    items.clear();
  }

  int size() {
    return items.size();
  }
}
