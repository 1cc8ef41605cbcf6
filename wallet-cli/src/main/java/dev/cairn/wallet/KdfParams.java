package dev.cairn.wallet;

import java.util.Optional;

/**
 * scrypt cost parameters. New keys get {@link #DEFAULT}; a keystore file carries its own, which
 * are checked against {@link #problem()} before use, so an edited file cannot make the wallet
 * allocate gigabytes.
 */
record KdfParams(int n, int r, int p) {
  /** N = 2^15, r = 8, p = 1: 32 MiB and a fraction of a second per unlock. */
  static final KdfParams DEFAULT = new KdfParams(1 << 15, 8, 1);

  /** Cheap parameters, for tests only: they make a key as weak as its password. */
  static final KdfParams TESTING = new KdfParams(1 << 4, 8, 1);

  private static final long MAX_MEMORY_BYTES = 256L << 20;

  /** Why these parameters cannot be used, if they cannot. */
  Optional<String> problem() {
    if (n < 2 || Integer.bitCount(n) != 1) {
      return Optional.of("scrypt n " + n + " is not a power of two of at least 2");
    }
    if (r < 1 || r > 32 || p < 1 || p > 16) {
      return Optional.of("scrypt r " + r + " or p " + p + " out of range");
    }
    if (128L * n * r > MAX_MEMORY_BYTES) {
      return Optional.of("scrypt n " + n + " and r " + r + " need more than 256 MiB");
    }
    return Optional.empty();
  }
}
