package dev.cairn.consensus;

import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hashes;
import java.math.BigInteger;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * The proof-of-work inner loop: double SHA-256 of the 128-byte header with each nonce written into
 * its last 8 bytes, compared with the target as 32 big-endian bytes. Allocation-free per hash.
 * Not thread-safe: one instance per mining thread.
 */
public final class NonceSearch {
  private final MessageDigest sha = Hashes.newSha256();
  private final byte[] header;
  private final byte[] target;
  private final byte[] first = new byte[32];
  private final byte[] second = new byte[32];

  public NonceSearch(BlockHeader template, BigInteger targetValue) {
    this.header = template.encoded().clone();
    this.target = toBytes(targetValue);
  }

  private static byte[] toBytes(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }

  /** Tries {@code count} nonces from {@code start}; returns the first that meets the target. */
  public OptionalLong search(long start, long count) {
    try {
      for (long i = 0; i < count; i++) {
        long nonce = start + i;
        for (int b = 0; b < 8; b++) {
          header[BlockHeader.NONCE_OFFSET + b] = (byte) (nonce >>> (56 - 8 * b));
        }
        sha.update(header);
        sha.digest(first, 0, 32);
        sha.update(first);
        sha.digest(second, 0, 32);
        if (Arrays.compareUnsigned(second, target) <= 0) {
          return OptionalLong.of(nonce);
        }
      }
    } catch (DigestException e) {
      throw new IllegalStateException("a 32-byte buffer always holds a SHA-256 digest", e);
    }
    return OptionalLong.empty();
  }
}
