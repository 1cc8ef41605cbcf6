package dev.cairn.ledger;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 64-byte Ed25519 signature (R ‖ S). Its validity is only known against a key and a message,
 * see {@link PublicKey#verify}. Immutable.
 */
public final class Signature {
  public static final int SIZE = 64;

  private final byte[] bytes;

  private Signature(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Signature of(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("signature must be 64 bytes, got " + bytes.length);
    }
    return new Signature(bytes.clone());
  }

  static Signature wrap(byte[] bytes) {
    return new Signature(bytes);
  }

  public byte[] toByteArray() {
    return bytes.clone();
  }

  byte[] bytesUnsafe() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Signature s && Arrays.equals(bytes, s.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
