package dev.cairn.ledger.store;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Hash;
import java.math.BigInteger;

/** Key and value encodings shared by the store's records. Stateless. */
final class Codec {
  private Codec() {}

  static byte[] u64(long v) {
    byte[] out = new byte[8];
    for (int i = 7; i >= 0; i--) {
      out[i] = (byte) v;
      v >>>= 8;
    }
    return out;
  }

  static long readU64(byte[] b, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[offset + i] & 0xFF);
    }
    return v;
  }

  /** An unsigned integer below 2^256 as exactly 32 big-endian bytes. */
  static byte[] u256(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }

  static byte[] addressSeqKey(Address address, long sequence) {
    byte[] a = address.toByteArray();
    byte[] key = new byte[Address.SIZE + 8];
    System.arraycopy(a, 0, key, 0, Address.SIZE);
    System.arraycopy(u64(sequence), 0, key, Address.SIZE, 8);
    return key;
  }

  static byte[] key(Hash hash) {
    return hash.toByteArray();
  }
}
