package dev.cairn.ledger.store;

import java.util.Arrays;

/**
 * A RocksDB WriteBatch built in Java, in RocksDB's own serialized form ({@code WriteBatch::rep_},
 * the bytes that also go to the write-ahead log): fixed64 sequence (0 here; the DB assigns it) ‖
 * fixed32 count ‖ records, each a type byte ‖ varint32 column family id ‖ varint32 length ‖ key
 * [‖ varint32 length ‖ value]. Staging a block connect's ~14,000 writes this way and handing the
 * bytes over once ({@code new WriteBatch(byte[])}) replaces one JNI call per write. The type bytes
 * are RocksDB's persisted {@code ValueType}s (write-ahead logs of older versions stay readable, so
 * they do not change). Not thread-safe.
 */
final class WriteBatchRep {
  /** kTypeColumnFamilyDeletion, kTypeColumnFamilyValue, kTypeColumnFamilyMerge. */
  static final byte DELETE = 0x4;
  static final byte PUT = 0x5;
  static final byte MERGE = 0x6;
  private static final int HEADER = 12;

  private byte[] buf = new byte[256];
  private int size = HEADER;
  private int count;

  void put(int columnFamily, byte[] key, byte[] value) {
    record(PUT, columnFamily, key);
    bytes(value);
  }

  void delete(int columnFamily, byte[] key) {
    record(DELETE, columnFamily, key);
  }

  void merge(int columnFamily, byte[] key, byte[] operand) {
    record(MERGE, columnFamily, key);
    bytes(operand);
  }

  int count() {
    return count;
  }

  void clear() {
    size = HEADER;
    count = 0;
  }

  /** The serialized batch: header (sequence 0, count) and records. */
  byte[] toByteArray() {
    byte[] out = Arrays.copyOf(buf, size);
    for (int i = 0; i < 4; i++) {
      out[8 + i] = (byte) (count >>> (8 * i));
    }
    return out;
  }

  private void record(byte type, int columnFamily, byte[] key) {
    if (count == Integer.MAX_VALUE) {
      throw new IllegalStateException("too many writes in one batch");
    }
    count++;
    ensure(1 + 5);
    buf[size++] = type;
    varint(columnFamily);
    bytes(key);
  }

  private void bytes(byte[] b) {
    ensure(5 + b.length);
    varint(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
  }

  private void varint(int v) {
    while ((v & ~0x7F) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  private void ensure(int more) {
    if (more > buf.length - size) {
      long wanted = Math.max((long) buf.length * 2, (long) size + more);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("batch larger than 2 GB");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }
}
