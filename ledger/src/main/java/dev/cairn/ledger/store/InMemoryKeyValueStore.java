package dev.cairn.ledger.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link KeyValueStore} in memory, for tests and tools that need no durability. Thread-safe: a
 * batch is applied under a write lock, so readers see all of it or none.
 */
public final class InMemoryKeyValueStore implements KeyValueStore {
  private final Map<Column, NavigableMap<byte[], byte[]>> columns = new EnumMap<>(Column.class);
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  public InMemoryKeyValueStore() {
    for (Column c : Column.values()) {
      columns.put(c, new TreeMap<>(Arrays::compareUnsigned));
    }
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
      byte[] v = columns.get(column).get(key);
      return v == null ? Optional.empty() : Optional.of(v.clone());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Optional<ValueHead> getHead(Column column, byte[] key, int maxBytes) {
    return get(column, key).map(v -> new ValueHead(Arrays.copyOf(v, Math.min(maxBytes, v.length)), v.length));
  }

  @Override
  public void scan(Column column, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor) {
    List<Map.Entry<byte[], byte[]>> snapshot;
    lock.readLock().lock();
    try {
      checkOpen();
      if (Arrays.compareUnsigned(from, to) >= 0) {
        return;
      }
      NavigableMap<byte[], byte[]> range = columns.get(column).subMap(from, true, to, false);
      snapshot = new ArrayList<>((reverse ? range.descendingMap() : range).entrySet());
    } finally {
      lock.readLock().unlock();
    }
    // Visit outside the lock, as RocksDB iterators do not block writers either.
    for (Map.Entry<byte[], byte[]> e : snapshot) {
      if (!visitor.visit(e.getKey().clone(), e.getValue().clone())) {
        return;
      }
    }
  }

  @Override
  public Batch batch() {
    return new MemoryBatch();
  }

  @Override
  public long approximateSize(Column column) {
    lock.readLock().lock();
    try {
      checkOpen();
      long size = 0;
      for (Map.Entry<byte[], byte[]> e : columns.get(column).entrySet()) {
        size += e.getKey().length + e.getValue().length;
      }
      return size;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A put (value), a delete (neither) or a counter add (delta). */
  private record Op(Column column, byte[] key, byte[] value, Optional<Long> delta) {}

  private final class MemoryBatch implements Batch {
    private final List<Op> ops = new ArrayList<>();

    @Override
    public Batch put(Column column, byte[] key, byte[] value) {
      ops.add(new Op(column, key.clone(), value.clone(), Optional.empty()));
      return this;
    }

    @Override
    public Batch delete(Column column, byte[] key) {
      ops.add(new Op(column, key.clone(), null, Optional.empty()));
      return this;
    }

    @Override
    public Batch add(Column column, byte[] key, long delta) {
      ops.add(new Op(column, key.clone(), null, Optional.of(delta)));
      return this;
    }

    @Override
    public void commit(boolean sync) {
      lock.writeLock().lock();
      try {
        checkOpen();
        for (Op op : ops) {
          if (op.delta().isPresent()) {
            NavigableMap<byte[], byte[]> c = columns.get(op.column());
            c.put(op.key(), Counters.encode(Counters.decode(c.get(op.key())) + op.delta().get()));
          } else if (op.value() == null) {
            columns.get(op.column()).remove(op.key());
          } else {
            columns.get(op.column()).put(op.key(), op.value());
          }
        }
        ops.clear();
      } finally {
        lock.writeLock().unlock();
      }
    }

    @Override
    public void close() {
      ops.clear();
    }
  }
}
