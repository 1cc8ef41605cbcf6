package dev.cairn.p2p;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;

/**
 * The peer layer's one source of randomness (connection nonces, address picks, download order,
 * future salts and keys): SHA-256 of a 32-byte seed and a counter, so the same seed gives the same
 * sequence (a simulation replays from its seed) and, seeded from a strong source, its output
 * cannot be predicted from earlier output (unlike {@link Random}'s 48-bit state). Not thread-safe:
 * used by the peer core only.
 */
final class SeededRandom extends Random {
  private static final long serialVersionUID = 1L;

  private final byte[] seed;
  private final transient MessageDigest sha256;
  private long counter;
  private final byte[] block = new byte[32];
  private int used = block.length;

  SeededRandom(byte[] seed) {
    super(0); // the superclass's own state is never used: next() is replaced below
    if (seed.length != 32) {
      throw new IllegalArgumentException("seed must be 32 bytes, got " + seed.length);
    }
    this.seed = seed.clone();
    this.sha256 = dev.cairn.ledger.Hashes.newSha256();
  }

  /** A generator for a simulation or test: its 32-byte seed derived from {@code seed}. */
  static SeededRandom fromLong(long seed) {
    return new SeededRandom(dev.cairn.ledger.Hashes.sha256(ByteBuffer.allocate(8).putLong(seed).array()).toByteArray());
  }

  @Override
  protected int next(int bits) {
    int value = 0;
    for (int i = 0; i < 4; i++) {
      if (used == block.length) {
        refill();
      }
      value = (value << 8) | (block[used++] & 0xFF);
    }
    return value >>> (32 - bits);
  }

  private void refill() {
    sha256.reset();
    sha256.update(seed);
    sha256.update(ByteBuffer.allocate(8).putLong(counter++).array());
    byte[] digest = sha256.digest();
    System.arraycopy(digest, 0, block, 0, block.length);
    Arrays.fill(digest, (byte) 0);
    used = 0;
  }

  @Override
  public synchronized void setSeed(long ignored) {
    // Random's constructor calls this; the seed is fixed at construction.
  }
}
