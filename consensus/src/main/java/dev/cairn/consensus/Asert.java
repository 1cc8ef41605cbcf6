package dev.cairn.consensus;

import dev.cairn.ledger.CompactTarget;
import java.math.BigInteger;

/**
 * ASERT difficulty (aserti3-2d, the rule Bitcoin Cash adopted in November 2020) as one pure
 * function: the target moves exponentially with how far the chain is ahead of or behind an ideal
 * schedule anchored at one block, doubling for every half-life behind. Integer fixed point with 16
 * fractional bits, truncating division, and the spec's cubic approximation of 2^x, so every node
 * computes the same bits.
 */
public final class Asert {
  private static final int RADIX_BITS = 16;
  private static final BigInteger C1 = BigInteger.valueOf(195_766_423_245_049L);
  private static final BigInteger C2 = BigInteger.valueOf(971_821_376L);
  private static final BigInteger C3 = BigInteger.valueOf(5_127L);
  private static final BigInteger HALF = BigInteger.ONE.shiftLeft(47);

  private Asert() {}

  /**
   * The target for the block after the evaluation block.
   *
   * @param anchorTarget the anchor block's target
   * @param timeDelta evaluation block's timestamp minus the anchor's parent's timestamp
   * @param heightDelta evaluation block's height minus the anchor's height
   * @param spacing ideal seconds between blocks
   * @param halfLife seconds behind schedule that double the target
   * @param powLimit the easiest target allowed
   */
  public static CompactTarget nextTarget(
      BigInteger anchorTarget, long timeDelta, long heightDelta, long spacing, long halfLife, BigInteger powLimit) {
    if (anchorTarget.signum() <= 0 || spacing <= 0 || halfLife <= 0 || heightDelta < 0) {
      throw new IllegalArgumentException("invalid ASERT input");
    }
    // (timeDelta - spacing * (heightDelta + 1)) * 2^16 / halfLife, truncated toward zero.
    BigInteger behind =
        BigInteger.valueOf(timeDelta)
            .subtract(BigInteger.valueOf(spacing).multiply(BigInteger.valueOf(heightDelta).add(BigInteger.ONE)));
    BigInteger exponent = behind.shiftLeft(RADIX_BITS).divide(BigInteger.valueOf(halfLife));
    // Arithmetic shift: floor, so the fraction below is always in 0..65535.
    BigInteger shifts = exponent.shiftRight(RADIX_BITS);
    BigInteger frac = exponent.subtract(shifts.shiftLeft(RADIX_BITS));
    BigInteger factor =
        C1.multiply(frac)
            .add(C2.multiply(frac.pow(2)))
            .add(C3.multiply(frac.pow(3)))
            .add(HALF)
            .shiftRight(48)
            .add(BigInteger.ONE.shiftLeft(RADIX_BITS));
    BigInteger next = anchorTarget.multiply(factor);
    // Shifts beyond the width of any target saturate: avoid building enormous numbers.
    long s = shifts.max(BigInteger.valueOf(-512)).min(BigInteger.valueOf(512)).longValue() - RADIX_BITS;
    next = s < 0 ? next.shiftRight((int) -s) : next.shiftLeft((int) s);
    if (next.signum() == 0) {
      return CompactTarget.fromTarget(BigInteger.ONE);
    }
    if (next.compareTo(powLimit) > 0) {
      return CompactTarget.fromTarget(powLimit);
    }
    return CompactTarget.fromTarget(next);
  }
}
