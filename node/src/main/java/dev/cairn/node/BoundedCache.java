package dev.cairn.node;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Remembers values that never change for their key (a block's timestamp or median time past by
 * its hash), up to a capacity; on reaching it, forgets everything and starts again. Cruder than
 * an LRU, but reads take no lock, and a reader's working set (the recent blocks) is back within
 * a few requests. Thread-safe.
 */
final class BoundedCache<K, V> {
  private final int capacity;
  private final ConcurrentHashMap<K, V> values = new ConcurrentHashMap<>();

  BoundedCache(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.capacity = capacity;
  }

  /** The remembered value, or {@code load}'s (remembered only if present). */
  Optional<V> get(K key, Function<K, Optional<V>> load) {
    V known = values.get(key);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<V> loaded = load.apply(key);
    loaded.ifPresent(
        v -> {
          if (values.size() >= capacity) {
            values.clear();
          }
          values.put(key, v);
        });
    return loaded;
  }

  int size() {
    return values.size();
  }
}
