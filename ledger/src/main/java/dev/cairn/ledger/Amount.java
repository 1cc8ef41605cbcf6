package dev.cairn.ledger;

import java.math.BigDecimal;

/**
 * A quantity of money in base units, always within 0..{@link #MAX_MONEY}. Arithmetic is exact and
 * fails rather than wrapping or leaving the range (CVE-2010-5139 was an unchecked sum). Shown as
 * whole coins with up to eight decimals, like Bitcoin. Immutable.
 */
public record Amount(long units) implements Comparable<Amount> {
  /** Base units in one coin. */
  public static final long UNITS_PER_COIN = 100_000_000L;
  /** No amount, balance or sum of fees may exceed 21 million coins. */
  public static final long MAX_MONEY = 21_000_000L * UNITS_PER_COIN;

  public static final Amount ZERO = new Amount(0);

  public Amount {
    if (units < 0 || units > MAX_MONEY) {
      throw new AmountOutOfRangeException(units + " units is outside 0.." + MAX_MONEY);
    }
  }

  public static Amount units(long units) {
    return new Amount(units);
  }

  public static Amount coins(long coins) {
    return new Amount(Math.multiplyExact(coins, UNITS_PER_COIN));
  }

  /** Parses a decimal coin amount such as {@code 12.5} or {@code 0.00000001}. */
  public static Amount parseCoins(String text) {
    BigDecimal value;
    try {
      value = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: " + text);
    }
    // Stripped, a zero has scale 0 and any other value in range a scale movePointRight cannot
    // overflow: "1e2147483647" and "0e2147483647" are out of range and zero, not an overflow.
    try {
      value = value.stripTrailingZeros();
    } catch (ArithmeticException e) {
      // Only a magnitude of at least 10^(2^31) has more trailing zeros than a scale can hold.
      throw new AmountOutOfRangeException(text + " is outside 0..21000000");
    }
    if (value.scale() > 8) {
      throw new IllegalArgumentException("more than 8 decimals: " + text);
    }
    if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(MAX_MONEY, 8)) > 0) {
      throw new AmountOutOfRangeException(text + " is outside 0..21000000");
    }
    return new Amount(value.movePointRight(8).longValueExact());
  }

  public Amount plus(Amount other) {
    return new Amount(Math.addExact(units, other.units));
  }

  public Amount minus(Amount other) {
    return new Amount(Math.subtractExact(units, other.units));
  }

  public boolean isZero() {
    return units == 0;
  }

  public boolean lessThan(Amount other) {
    return units < other.units;
  }

  @Override
  public int compareTo(Amount other) {
    return Long.compare(units, other.units);
  }

  /** The amount in coins with trailing zeros removed, e.g. {@code 1.5}. */
  public String toCoinString() {
    return BigDecimal.valueOf(units, 8).stripTrailingZeros().toPlainString();
  }

  @Override
  public String toString() {
    return toCoinString();
  }

  /** An amount, balance or sum left 0..MAX_MONEY. */
  public static final class AmountOutOfRangeException extends ArithmeticException {
    public AmountOutOfRangeException(String message) {
      super(message);
    }

    public Reason reason() {
      return Reason.AMOUNT_OUT_OF_RANGE;
    }
  }
}
