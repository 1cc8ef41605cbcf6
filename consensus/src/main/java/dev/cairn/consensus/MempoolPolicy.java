package dev.cairn.consensus;

import dev.cairn.ledger.Amount;

/**
 * The mempool's policy knobs (not consensus: nodes may differ).
 *
 * @param minFeePerByte minimum relay fee in base units per byte of transaction
 * @param maxBytes total size of all pooled transactions
 * @param maxPerSender pending transactions one sender may have
 * @param replacementPercent how much more a replacement (same sender and nonce) must pay, in percent
 * @param expirySeconds how long a transaction may wait before it is dropped
 * @param maxQueuedPerSender transactions one sender may have waiting behind a nonce gap (not
 *     yet executable, never mined or relayed until the gap fills)
 */
public record MempoolPolicy(
    long minFeePerByte, long maxBytes, int maxPerSender, int replacementPercent, long expirySeconds,
    int maxQueuedPerSender) {
  public static final MempoolPolicy DEFAULT = new MempoolPolicy(10, 64L << 20, 64, 10, 14 * 24 * 3600, 16);

  public MempoolPolicy {
    if (minFeePerByte < 0 || maxBytes <= 0 || maxPerSender <= 0 || replacementPercent < 0 || expirySeconds <= 0
        || maxQueuedPerSender < 0) {
      throw new IllegalArgumentException("invalid mempool policy");
    }
  }

  /** A policy without queued slots: a nonce gap is refused outright. */
  public MempoolPolicy(long minFeePerByte, long maxBytes, int maxPerSender, int replacementPercent, long expirySeconds) {
    this(minFeePerByte, maxBytes, maxPerSender, replacementPercent, expirySeconds, 0);
  }

  /** The smallest fee a transaction of {@code size} bytes may pay. */
  public Amount minFee(int size) {
    return Amount.units(Math.multiplyExact(minFeePerByte, size));
  }
}
