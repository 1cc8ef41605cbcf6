package dev.cairn.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AmountTest {
  private static final Amount MAX = Amount.units(Amount.MAX_MONEY);
  private static final Amount ONE_UNIT = Amount.units(1);

  @Test
  void maxMoneyIsTwentyOneMillionCoins() {
    assertThat(Amount.MAX_MONEY).isEqualTo(2_100_000_000_000_000L);
    assertThat(Amount.coins(21_000_000)).isEqualTo(MAX);
    assertThat(Amount.units(0)).isEqualTo(Amount.ZERO);
    assertThat(Amount.ZERO.isZero()).isTrue();
    assertThat(ONE_UNIT.isZero()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(longs = {-1, Long.MIN_VALUE, Amount.MAX_MONEY + 1, Long.MAX_VALUE})
  void unitsOutsideTheRangeAreRefused(long units) {
    assertThatThrownBy(() -> Amount.units(units))
        .isInstanceOfSatisfying(
            Amount.AmountOutOfRangeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.AMOUNT_OUT_OF_RANGE));
  }

  @Test
  void coinsOutsideTheRangeAreRefused() {
    assertThatThrownBy(() -> Amount.coins(21_000_001)).isInstanceOf(Amount.AmountOutOfRangeException.class);
    assertThatThrownBy(() -> Amount.coins(-1)).isInstanceOf(Amount.AmountOutOfRangeException.class);
    // 10^11 coins overflows a long of units: still an arithmetic failure, never a wrapped value.
    assertThatThrownBy(() -> Amount.coins(100_000_000_000L)).isInstanceOf(ArithmeticException.class);
  }

  @Test
  void plusAndMinusStayInRange() {
    assertThat(MAX.minus(ONE_UNIT).plus(ONE_UNIT)).isEqualTo(MAX);
    assertThat(ONE_UNIT.minus(ONE_UNIT)).isEqualTo(Amount.ZERO);
    assertThatThrownBy(() -> MAX.plus(ONE_UNIT)).isInstanceOf(Amount.AmountOutOfRangeException.class);
    assertThatThrownBy(() -> MAX.plus(MAX)).isInstanceOf(Amount.AmountOutOfRangeException.class);
    assertThatThrownBy(() -> Amount.ZERO.minus(ONE_UNIT)).isInstanceOf(Amount.AmountOutOfRangeException.class);
    assertThatThrownBy(() -> Amount.ZERO.minus(MAX)).isInstanceOf(Amount.AmountOutOfRangeException.class);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void arithmeticAgreesWithExactIntegers(long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < 200; i++) {
      Amount a = TestSupport.amount(r);
      Amount b = TestSupport.amount(r);
      java.math.BigInteger sum = java.math.BigInteger.valueOf(a.units()).add(java.math.BigInteger.valueOf(b.units()));
      if (sum.compareTo(java.math.BigInteger.valueOf(Amount.MAX_MONEY)) <= 0) {
        assertThat(a.plus(b).units()).isEqualTo(sum.longValueExact());
      } else {
        assertThatThrownBy(() -> a.plus(b)).isInstanceOf(Amount.AmountOutOfRangeException.class);
      }
      if (a.units() >= b.units()) {
        assertThat(a.minus(b).units()).isEqualTo(a.units() - b.units());
      } else {
        assertThatThrownBy(() -> a.minus(b)).isInstanceOf(Amount.AmountOutOfRangeException.class);
      }
      assertThat(a.lessThan(b)).isEqualTo(a.units() < b.units());
      assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Long.signum(a.units() - b.units()));
      // The coin string parses back to the same amount.
      assertThat(Amount.parseCoins(a.toCoinString())).isEqualTo(a);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "1, 100000000",
    "0.00000001, 1",
    "21000000, 2100000000000000",
    "21000000.00000000, 2100000000000000",
    "0, 0",
    "0.0, 0",
    "12.5, 1250000000",
    "1.000000010, 100000001",
    "' 3 ', 300000000"
  })
  void parseCoinsAcceptsDecimals(String text, long units) {
    assertThat(Amount.parseCoins(text).units()).isEqualTo(units);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"21000000.00000001", "21000001", "99999999999999999999999"})
  void parseCoinsRefusesAmountsOutOfRange(String text) {
    assertThatThrownBy(() -> Amount.parseCoins(text)).isInstanceOf(Amount.AmountOutOfRangeException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1.000000001", "0.000000001", "abc", "", "1,5", "0x10", "1 000", "NaN", "1e-2147483648", "-1", "-0",
        "-0.00000001", "+5", "1e8", "1e2", "1e-8", "1e2147483647", "100e2147483647", "0e2147483647", ".5", "5."
      })
  void parseCoinsRefusesWhatIsNotAnAmount(String text) {
    assertThatThrownBy(() -> Amount.parseCoins(text))
        .isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(Amount.AmountOutOfRangeException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "1, 0.00000001",
    "10, 0.0000001",
    "100000000, 1",
    "150000000, 1.5",
    "2100000000000000, 21000000",
    "1234567890123456, 12345678.90123456"
  })
  void toCoinStringHasNoTrailingZerosAndNoExponent(long units, String expected) {
    assertThat(Amount.units(units).toCoinString()).isEqualTo(expected);
    assertThat(Amount.units(units).toString()).isEqualTo(expected);
    assertThat(new BigDecimal(expected).movePointRight(8).longValueExact()).isEqualTo(units);
  }
}
