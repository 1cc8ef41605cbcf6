package dev.cairn.ledger;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte hash: a transaction id, a block hash, a Merkle node. Shown and parsed as lowercase hex
 * in byte order (no Bitcoin-style reversal). Compared as an unsigned big-endian integer when
 * checked against a proof-of-work target. Immutable.
 */
public final class Hash implements Comparable<Hash> {
  public static final int SIZE = 32;
  public static final Hash ZERO = new Hash(new byte[SIZE]);

  private final byte[] bytes;

  private Hash(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies {@code bytes}, which must be exactly 32 long. */
  public static Hash of(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("hash must be 32 bytes, got " + bytes.length);
    }
    return new Hash(bytes.clone());
  }

  /** Takes ownership of {@code bytes} without copying; callers must not modify it afterwards. */
  static Hash wrap(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("hash must be 32 bytes, got " + bytes.length);
    }
    return new Hash(bytes);
  }

  /** Parses 64 hex characters. */
  public static Hash parse(String hex) {
    if (hex.length() != SIZE * 2) {
      throw new IllegalArgumentException("hash must be 64 hex characters, got " + hex.length());
    }
    try {
      return new Hash(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("hash is not hex: " + e.getMessage(), e);
    }
  }

  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The backing array, for hashing and encoding without a copy. Never modify it. */
  byte[] bytesUnsafe() {
    return bytes;
  }

  /** The hash as an unsigned 256-bit big-endian integer. */
  public BigInteger toBigInteger() {
    return new BigInteger(1, bytes);
  }

  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public int compareTo(Hash other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hash h && Arrays.equals(bytes, h.bytes);
  }

  @Override
  public int hashCode() {
    // Hashes are uniformly distributed: four bytes are as good as all 32.
    return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
