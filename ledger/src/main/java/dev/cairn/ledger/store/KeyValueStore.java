package dev.cairn.ledger.store;

import java.util.Optional;

/**
 * The storage the chain needs: byte keys and values in {@link Column}s, ordered by unsigned
 * lexicographic key, point reads, range scans, and atomic batches. Implemented by RocksDB for
 * nodes and in memory for tests; both must pass {@code KeyValueStoreContractTest}.
 *
 * <p>Implementations are thread-safe. After {@link #close()} every call fails with {@link
 * StoreClosedException}; none touches a released native handle.
 */
public interface KeyValueStore extends AutoCloseable {

  Optional<byte[]> get(Column column, byte[] key);

  /**
   * The first {@code maxBytes} bytes of the value under {@code key} (all of it if shorter) and its
   * whole length, without copying the rest: for readers of a large value's fixed-size head.
   */
  Optional<ValueHead> getHead(Column column, byte[] key, int maxBytes);

  /** The first bytes of a value, and how long the whole value is. */
  record ValueHead(byte[] bytes, int length) {}

  /**
   * Visits the entries with {@code from <= key < to} in ascending key order, or in descending
   * order when {@code reverse}, until the visitor returns false.
   */
  void scan(Column column, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor);

  /** A new batch; nothing is visible until {@link Batch#commit(boolean)}. */
  Batch batch();

  /** Approximate bytes on disk (or in memory) per column, for metrics and operators. */
  long approximateSize(Column column);

  /** The block cache's counters since the store opened, for metrics; empty if the store has no cache. */
  default Optional<CacheStats> blockCacheStats() {
    return Optional.empty();
  }

  /** Block cache lookups that hit and missed, and the bytes the cache holds (memtables included). */
  record CacheStats(long hits, long misses, long usageBytes) {}

  @Override
  void close();

  /** Receives scanned entries; returns whether to continue. */
  @FunctionalInterface
  interface EntryVisitor {
    boolean visit(byte[] key, byte[] value);
  }

  /** Writes applied all together or not at all. Not thread-safe; close it when done. */
  interface Batch extends AutoCloseable {
    Batch put(Column column, byte[] key, byte[] value);

    Batch delete(Column column, byte[] key);

    /**
     * Adds {@code delta} to the counter under {@code key}, modulo 2^64, without reading it first:
     * a counter is 8 bytes, an unsigned little-endian integer (RocksDB's {@code uint64add} merge
     * operator, whose format this is); an absent key, or a value of any other length, counts as 0.
     * A {@link #put} or {@link #delete} of the key earlier in the batch is seen, and so is an
     * earlier add. A negative delta subtracts.
     */
    Batch add(Column column, byte[] key, long delta);

    /**
     * Applies every write atomically. With {@code sync}, returns only once the writes are durable
     * (fsync), so a crash right after cannot lose them.
     */
    void commit(boolean sync);

    @Override
    void close();
  }
}
