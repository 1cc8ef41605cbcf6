package dev.cairn.ledger;

import java.math.BigInteger;

/**
 * Bitcoin's 32-bit "nBits" form of a 256-bit proof-of-work target: an exponent byte and a 23-bit
 * mantissa, value = mantissa * 256^(exponent-3). Bit 23 is a sign bit. A compact target that is
 * negative, zero or larger than 2^256-1 is invalid ({@code bad-diffbits}). Immutable.
 */
public record CompactTarget(long bits) {
  private static final BigInteger MAX_256 = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
  private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);

  public CompactTarget {
    if (bits < 0 || bits > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("compact target must be a u32: " + bits);
    }
  }

  /** The target this encodes, if it is positive and fits in 256 bits. */
  public BigInteger toTarget() throws RejectedException {
    int exponent = (int) (bits >>> 24);
    long mantissa = bits & 0x007F_FFFFL;
    boolean negative = (bits & 0x0080_0000L) != 0;
    if (negative && mantissa != 0) {
      throw new RejectedException(Reason.BAD_COMPACT_TARGET, String.format("0x%08x is negative", bits));
    }
    BigInteger target =
        exponent <= 3
            ? BigInteger.valueOf(mantissa >>> (8 * (3 - exponent)))
            : BigInteger.valueOf(mantissa).shiftLeft(8 * (exponent - 3));
    if (target.signum() == 0) {
      throw new RejectedException(Reason.BAD_COMPACT_TARGET, String.format("0x%08x is zero", bits));
    }
    if (target.compareTo(MAX_256) > 0) {
      throw new RejectedException(Reason.BAD_COMPACT_TARGET, String.format("0x%08x overflows 256 bits", bits));
    }
    return target;
  }

  /** The canonical compact form of a positive target below 2^256, rounding down as Bitcoin does. */
  public static CompactTarget fromTarget(BigInteger target) {
    if (target.signum() <= 0 || target.compareTo(MAX_256) > 0) {
      throw new IllegalArgumentException("target must be in 1..2^256-1: " + target);
    }
    int size = (target.bitLength() + 7) / 8;
    long mantissa =
        size <= 3
            ? target.longValueExact() << (8 * (3 - size))
            : target.shiftRight(8 * (size - 3)).longValueExact();
    // Bit 23 would read as a sign: shift one byte into the exponent instead.
    if ((mantissa & 0x0080_0000L) != 0) {
      mantissa >>>= 8;
      size++;
    }
    return new CompactTarget(((long) size << 24) | mantissa);
  }

  /** Expected number of hashes to meet {@code target}: 2^256 / (target + 1). */
  public static BigInteger workFor(BigInteger target) {
    return TWO_256.divide(target.add(BigInteger.ONE));
  }

  @Override
  public String toString() {
    return String.format("0x%08x", bits);
  }
}
