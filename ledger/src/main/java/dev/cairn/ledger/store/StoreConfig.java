package dev.cairn.ledger.store;

/**
 * Memory bounds of the RocksDB store. All block reads share one LRU cache of {@code cacheBytes};
 * memtables across all column families are charged to that same cache and capped at {@code
 * writeBufferBytes}, and index and filter blocks live in the cache too, so the store's native
 * memory stays near {@code cacheBytes}.
 */
public record StoreConfig(long cacheBytes, long writeBufferBytes, int maxOpenFiles) {
  public static final StoreConfig DEFAULT = new StoreConfig(128L << 20, 32L << 20, 512);
  /** A small store for tests, where many nodes share one machine. */
  public static final StoreConfig SMALL = new StoreConfig(16L << 20, 4L << 20, 64);

  public StoreConfig {
    if (cacheBytes < (8L << 20)) {
      throw new IllegalArgumentException("cache must be at least 8 MiB");
    }
    if (writeBufferBytes < (1L << 20) || writeBufferBytes > cacheBytes) {
      throw new IllegalArgumentException("write buffers must be between 1 MiB and the cache size");
    }
    if (maxOpenFiles < 16 && maxOpenFiles != -1) {
      throw new IllegalArgumentException("maxOpenFiles must be -1 or at least 16");
    }
  }
}
