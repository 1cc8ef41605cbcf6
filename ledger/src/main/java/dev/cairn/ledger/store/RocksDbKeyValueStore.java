package dev.cairn.ledger.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.HistogramType;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Statistics;
import org.rocksdb.StatsLevel;
import org.rocksdb.TickerType;
import org.rocksdb.Status;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB {@link KeyValueStore}: one database, one column family per {@link Column}, one
 * shared LRU block cache with memtables charged to it (a WriteBufferManager), index and filter
 * blocks in the cache.
 *
 * <p>Thread-safe. Every call holds a read lock and checks a closed flag; {@link #close()} takes the
 * write lock, so it waits for calls in flight and no call ever touches a released handle (which
 * would crash the JVM). This object owns every native handle it creates and releases them all.
 */
public final class RocksDbKeyValueStore implements KeyValueStore {
  private static final Logger LOG = LoggerFactory.getLogger(RocksDbKeyValueStore.class);

  static {
    RocksDB.loadLibrary();
  }

  private final Path directory;
  private final LRUCache cache;
  private final WriteBufferManager writeBufferManager;
  private final BloomFilter bloomFilter;
  /** Backs {@link Batch#add}: counters are bumped without a read (merge operands). */
  private final UInt64AddOperator addOperator;
  /** Ticker counters only (every histogram ignored, no timers): for the block cache hit rate. */
  private final Statistics statistics;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions columnOptions;
  private final WriteOptions syncWrites;
  private final WriteOptions bufferedWrites;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handleList;
  private final Map<Column, ColumnFamilyHandle> handles;
  /** Column family ids, for batches staged in Java (they name families by id, not by handle). */
  private final Map<Column, Integer> columnIds;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private RocksDbKeyValueStore(Path directory, StoreConfig config) {
    this.directory = directory;
    List<AutoCloseable> created = new ArrayList<>();
    try {
      cache = track(created, new LRUCache(config.cacheBytes()));
      writeBufferManager = track(created, new WriteBufferManager(config.writeBufferBytes(), cache));
      bloomFilter = track(created, new BloomFilter(10));
      addOperator = track(created, new UInt64AddOperator());
      statistics = track(created, new Statistics(EnumSet.allOf(HistogramType.class)));
      statistics.setStatsLevel(StatsLevel.EXCEPT_DETAILED_TIMERS);
      BlockBasedTableConfig table =
          new BlockBasedTableConfig()
              .setBlockCache(cache)
              .setFilterPolicy(bloomFilter)
              .setCacheIndexAndFilterBlocks(true)
              .setPinL0FilterAndIndexBlocksInCache(true);
      columnOptions =
          track(
              created,
              new ColumnFamilyOptions()
                  .setTableFormatConfig(table)
                  .setMergeOperator(addOperator)
                  .setWriteBufferSize(Math.max(1L << 20, config.writeBufferBytes() / 4))
                  .optimizeLevelStyleCompaction());
      dbOptions =
          track(
              created,
              new DBOptions()
                  .setCreateIfMissing(true)
                  .setCreateMissingColumnFamilies(true)
                  .setWriteBufferManager(writeBufferManager)
                  .setMaxOpenFiles(config.maxOpenFiles())
                  .setMaxBackgroundJobs(2)
                  .setStatistics(statistics)
                  .setKeepLogFileNum(3));
      syncWrites = track(created, new WriteOptions().setSync(true));
      bufferedWrites = track(created, new WriteOptions());

      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions));
      for (Column c : Column.values()) {
        descriptors.add(
            new ColumnFamilyDescriptor(c.familyName().getBytes(StandardCharsets.US_ASCII), columnOptions));
      }
      handleList = new ArrayList<>();
      db = RocksDB.open(dbOptions, directory.toString(), descriptors, handleList);
      handles = new EnumMap<>(Column.class);
      columnIds = new EnumMap<>(Column.class);
      for (Column c : Column.values()) {
        handles.put(c, handleList.get(c.ordinal() + 1));
        columnIds.put(c, handleList.get(c.ordinal() + 1).getID());
      }
    } catch (RocksDBException e) {
      closeAll(created);
      throw translateOpenFailure(directory, e);
    } catch (RuntimeException e) {
      closeAll(created);
      throw e;
    }
  }

  /** Opens (creating if needed) the database in {@code directory}. */
  public static RocksDbKeyValueStore open(Path directory, StoreConfig config) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new StoreException("cannot create data directory " + directory + ": " + e.getMessage(), e);
    }
    return new RocksDbKeyValueStore(directory, config);
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> created, T resource) {
    created.add(resource);
    return resource;
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing a RocksDB resource failed: {}", e.toString());
      }
    }
  }

  private static StoreException translateOpenFailure(Path directory, RocksDBException e) {
    String message = String.valueOf(e.getMessage());
    // Held by another process: "While lock file: .../LOCK: Resource temporarily unavailable"; by
    // this one: "lock hold by current process". Not being able to open or create the LOCK file
    // at all ("While open a file for lock: .../LOCK: Operation not permitted") is an I/O problem
    // of the directory and is reported as such below, not as a lock someone holds.
    if (message.contains("While lock file") || message.contains("lock hold by current process")) {
      return new StoreLockedException(
          "data directory " + directory + " is in use by another process (its RocksDB LOCK is held): "
              + "stop the other cairn node or choose another --data-dir",
          e);
    }
    return new StoreException("cannot open the chain store in " + directory + ": " + message, e);
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException();
    }
  }

  @Override
  public Optional<byte[]> get(Column column, byte[] key) {
    lock.readLock().lock();
    try {
      checkOpen();
      return Optional.ofNullable(db.get(handles.get(column), key));
    } catch (RocksDBException e) {
      throw failure("read from " + column.familyName(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Optional<ValueHead> getHead(Column column, byte[] key, int maxBytes) {
    lock.readLock().lock();
    try {
      checkOpen();
      // RocksDB copies at most the buffer's length and returns the value's whole length.
      byte[] buffer = new byte[maxBytes];
      int length = db.get(handles.get(column), key, buffer);
      if (length == RocksDB.NOT_FOUND) {
        return Optional.empty();
      }
      return Optional.of(new ValueHead(length < maxBytes ? Arrays.copyOf(buffer, length) : buffer, length));
    } catch (RocksDBException e) {
      throw failure("read from " + column.familyName(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void scan(Column column, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor) {
    lock.readLock().lock();
    try {
      checkOpen();
      if (Arrays.compareUnsigned(from, to) >= 0) {
        return;
      }
      try (ReadOptions options = new ReadOptions();
          RocksIterator it = db.newIterator(handles.get(column), options)) {
        if (reverse) {
          it.seekForPrev(to);
          if (it.isValid() && Arrays.equals(it.key(), to)) {
            it.prev();
          }
          for (; it.isValid(); it.prev()) {
            byte[] key = it.key();
            if (Arrays.compareUnsigned(key, from) < 0 || !visitor.visit(key, it.value())) {
              break;
            }
          }
        } else {
          for (it.seek(from); it.isValid(); it.next()) {
            byte[] key = it.key();
            if (Arrays.compareUnsigned(key, to) >= 0 || !visitor.visit(key, it.value())) {
              break;
            }
          }
        }
        it.status();
      }
    } catch (RocksDBException e) {
      throw failure("scan " + column.familyName(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Batch batch() {
    return new RocksBatch();
  }

  @Override
  public long approximateSize(Column column) {
    lock.readLock().lock();
    try {
      checkOpen();
      return db.getLongProperty(handles.get(column), "rocksdb.total-sst-files-size")
          + db.getLongProperty(handles.get(column), "rocksdb.cur-size-all-mem-tables");
    } catch (RocksDBException e) {
      throw failure("read the size of " + column.familyName(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Flushes the memtables and compacts every column into its bottom level, waiting until done:
   * for tools and benchmarks that want a settled store (no compaction left to run in the
   * background) before they measure or copy it. A node never needs to call it.
   */
  public void compactFully() {
    lock.readLock().lock();
    try {
      checkOpen();
      for (Column column : Column.values()) {
        db.compactRange(handles.get(column));
      }
    } catch (RocksDBException e) {
      throw failure("compact", e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Bytes held by the shared block cache, memtables included. */
  public long cacheUsage() {
    lock.readLock().lock();
    try {
      checkOpen();
      return cache.getUsage();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Optional<CacheStats> blockCacheStats() {
    lock.readLock().lock();
    try {
      checkOpen();
      return Optional.of(
          new CacheStats(
              statistics.getTickerCount(TickerType.BLOCK_CACHE_HIT),
              statistics.getTickerCount(TickerType.BLOCK_CACHE_MISS),
              cache.getUsage()));
    } finally {
      lock.readLock().unlock();
    }
  }

  public Path directory() {
    return directory;
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (ColumnFamilyHandle h : handleList) {
        h.close();
      }
      try {
        db.syncWal();
      } catch (RocksDBException e) {
        LOG.warn("syncing the write-ahead log on close failed: {}", e.getMessage());
      }
      try {
        db.closeE();
      } catch (RocksDBException e) {
        LOG.warn("closing the chain store failed: {}", e.getMessage());
      }
      closeAll(List.of(cache, writeBufferManager, bloomFilter, addOperator, columnOptions, dbOptions, statistics, syncWrites, bufferedWrites));
    } finally {
      lock.writeLock().unlock();
    }
  }

  private StoreException failure(String what, RocksDBException e) {
    Status status = e.getStatus();
    String detail = status != null ? status.getCodeString() + ": " + e.getMessage() : e.getMessage();
    return new StoreException("cannot " + what + " in " + directory + " (" + detail + ")", e);
  }

  /** The column family id RocksDB records a write to {@code column} under. */
  int columnFamilyId(Column column) {
    return columnIds.get(column);
  }

  /**
   * Not thread-safe. Stages writes in Java ({@link WriteBatchRep}) and crosses into RocksDB once,
   * at commit; staging touches no native handle, so it needs no lock.
   */
  private final class RocksBatch implements Batch {
    private final WriteBatchRep rep = new WriteBatchRep();

    @Override
    public Batch put(Column column, byte[] key, byte[] value) {
      rep.put(columnIds.get(column), key, value);
      return this;
    }

    @Override
    public Batch delete(Column column, byte[] key) {
      rep.delete(columnIds.get(column), key);
      return this;
    }

    @Override
    public Batch add(Column column, byte[] key, long delta) {
      rep.merge(columnIds.get(column), key, Counters.encode(delta));
      return this;
    }

    @Override
    public void commit(boolean sync) {
      lock.readLock().lock();
      try (WriteBatch batch = new WriteBatch(rep.toByteArray())) {
        checkOpen();
        db.write(sync ? syncWrites : bufferedWrites, batch);
        rep.clear();
      } catch (RocksDBException e) {
        throw failure("write a batch", e);
      } finally {
        lock.readLock().unlock();
      }
    }

    @Override
    public void close() {
      rep.clear();
    }
  }
}
