package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.RejectedException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sanity properties of {@link Asert#nextTarget}, independent of the published vectors
 * ({@code AsertVectorsTest}): on schedule keeps the target, each half-life behind doubles it and
 * ahead halves it (within compact rounding), the exponent truncates toward zero, more time never
 * makes mining harder, and the result is clamped to powLimit and to 1.
 */
class AsertPropertiesTest {
  private static final long SPACING = 600;
  private static final long HALF_LIFE = 172_800;
  private static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(236).subtract(BigInteger.ONE);
  /** 0x1c0fffff: a canonical target well inside the limit, whose doublings stay exact for a while. */
  private static final BigInteger ANCHOR = value(0x1c0fffffL);

  private static BigInteger value(long bits) {
    try {
      return new CompactTarget(bits).toTarget();
    } catch (RejectedException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The target after the block at {@code height} (anchor = 0) stamped {@code behind} s off schedule. */
  private static BigInteger next(long height, long behind) {
    long timeDelta = SPACING * (height + 1) + behind;
    return value(Asert.nextTarget(ANCHOR, timeDelta, height, SPACING, HALF_LIFE, LIMIT).bits());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 2, 143, 10_000, 1_000_000_000L})
  void onScheduleKeepsTheTarget(long height) {
    assertThat(next(height, 0)).isEqualTo(ANCHOR);
  }

  @Test
  void theExponentTruncatesTowardZero() {
    // 1 s off schedule is 65536/172800 of a 1/65536 step: truncated to 0 both ways (a floor
    // would make the 1 s early case one step harder).
    assertThat(next(7, 1)).isEqualTo(ANCHOR);
    assertThat(next(7, -1)).isEqualTo(ANCHOR);
    assertThat(next(7, 2)).isEqualTo(ANCHOR);
    assertThat(next(7, -2)).isEqualTo(ANCHOR);
    // 3 s is one step of 2^(1/65536) either way; truncated, so it rounds back into the same compact.
    assertThat(next(7, 3)).isGreaterThanOrEqualTo(ANCHOR);
    assertThat(next(7, -3)).isLessThanOrEqualTo(ANCHOR);
  }

  @Test
  void halfLivesBehindDoubleAndAheadHalve() {
    for (int n = 1; n <= 8; n++) {
      // Exactly 2^n times the anchor, as far as the compact form holds it (0x0fffff << 4 needs a
      // fourth mantissa byte).
      BigInteger behind = next(100, n * HALF_LIFE);
      assertThat(behind).as("%d half-lives behind", n).isEqualTo(value(CompactTarget.fromTarget(ANCHOR.shiftLeft(n)).bits()));
      assertThat(behind).isLessThanOrEqualTo(ANCHOR.shiftLeft(n));
      assertThat(behind).isGreaterThan(ANCHOR.shiftLeft(n).subtract(ANCHOR.shiftLeft(n).shiftRight(15)));
      BigInteger ahead = next(100, -n * HALF_LIFE);
      BigInteger exact = ANCHOR.shiftRight(n);
      // Halving can only lose the bits the compact form cannot hold.
      assertThat(ahead).as("%d half-lives ahead", n).isLessThanOrEqualTo(exact);
      assertThat(ahead).isEqualTo(value(CompactTarget.fromTarget(exact).bits()));
    }
  }

  @Test
  void halfAHalfLifeIsTheSquareRootOfTwoWithinTheApproximation() {
    BigDecimal ratio = new BigDecimal(next(5, HALF_LIFE / 2)).divide(new BigDecimal(ANCHOR), MathContext.DECIMAL64);
    assertThat(ratio.doubleValue()).isCloseTo(Math.sqrt(2), org.assertj.core.data.Offset.offset(2e-4));
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14})
  void moreTimeNeverMakesItHarder(long seed) {
    Random r = new Random(seed);
    long height = r.nextInt(1_000_000);
    long behind = -20 * HALF_LIFE;
    BigInteger previous = next(height, behind);
    while (behind < 20 * HALF_LIFE) {
      behind += 1 + r.nextInt((int) (HALF_LIFE / 7));
      BigInteger t = next(height, behind);
      assertThat(t).as("%d s behind", behind).isGreaterThanOrEqualTo(previous);
      previous = t;
    }
  }

  @Test
  void clampsToTheLimitAndToOne() {
    assertThat(next(3, 100 * HALF_LIFE)).isEqualTo(value(CompactTarget.fromTarget(LIMIT).bits()));
    assertThat(next(3, Long.MAX_VALUE / 4)).isEqualTo(value(CompactTarget.fromTarget(LIMIT).bits()));
    assertThat(next(3, -300 * HALF_LIFE)).isEqualTo(BigInteger.ONE);
    assertThat(Asert.nextTarget(ANCHOR, Long.MIN_VALUE / 4, 3, SPACING, HALF_LIFE, LIMIT)).isEqualTo(CompactTarget.fromTarget(BigInteger.ONE));
    // An anchor at the limit stays there when behind, and falls when ahead.
    assertThat(Asert.nextTarget(LIMIT, SPACING * 11 + HALF_LIFE, 10, SPACING, HALF_LIFE, LIMIT))
        .isEqualTo(CompactTarget.fromTarget(LIMIT));
    assertThat(value(Asert.nextTarget(LIMIT, SPACING * 11 - HALF_LIFE, 10, SPACING, HALF_LIFE, LIMIT).bits()))
        .isLessThanOrEqualTo(LIMIT.shiftRight(1));
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> Asert.nextTarget(BigInteger.ZERO, 600, 0, SPACING, HALF_LIFE, LIMIT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Asert.nextTarget(ANCHOR, 600, -1, SPACING, HALF_LIFE, LIMIT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Asert.nextTarget(ANCHOR, 600, 0, 0, HALF_LIFE, LIMIT)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Asert.nextTarget(ANCHOR, 600, 0, SPACING, 0, LIMIT)).isInstanceOf(IllegalArgumentException.class);
  }
}
