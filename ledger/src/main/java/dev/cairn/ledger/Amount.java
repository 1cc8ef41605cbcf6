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

  private static final java.util.regex.Pattern PLAIN_DECIMAL = java.util.regex.Pattern.compile("[0-9]+(\\.[0-9]+)?");

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

  /**
   * Parses a plain decimal coin amount such as {@code 12.5} or {@code 0.00000001}: digits, an
   * optional point and at most eight decimals. No sign, no exponent: {@code 1e2} is refused rather
   * than read as 100 coins.
   */
  public static Amount parseCoins(String text) {
    String s = text.trim();
    if (!PLAIN_DECIMAL.matcher(s).matches()) {
      throw new IllegalArgumentException("not an amount of coins (like 12.5): '" + text + "'");
    }
    BigDecimal value = new BigDecimal(s).stripTrailingZeros();
    if (value.scale() > 8) {
      throw new IllegalArgumentException("more than 8 decimals: " + text);
    }
    if (value.compareTo(BigDecimal.valueOf(MAX_MONEY, 8)) > 0) {
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
