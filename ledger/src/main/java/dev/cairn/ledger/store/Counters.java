package dev.cairn.ledger.store;

/**
 * The counter format of {@link KeyValueStore.Batch#add}: 8 bytes, unsigned, little-endian, as
 * RocksDB's {@code uint64add} merge operator reads and writes it (its fixed 64-bit encoding is
 * little-endian on every platform). Stateless.
 */
final class Counters {
  static final int SIZE = 8;

  private Counters() {}

  static byte[] encode(long v) {
    byte[] out = new byte[SIZE];
    for (int i = 0; i < SIZE; i++) {
      out[i] = (byte) v;
      v >>>= 8;
    }
    return out;
  }

  /** The counter's value; 0 for null or any other length, as the merge operator treats them. */
  static long decode(byte[] b) {
    if (b == null || b.length != SIZE) {
      return 0;
    }
    long v = 0;
    for (int i = SIZE - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    return v;
  }
}
