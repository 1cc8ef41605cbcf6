package dev.cairn.ledger;

import static dev.cairn.ledger.TestSupport.assertReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The compact "nBits" form, against Bitcoin Core's arith_uint256 SetCompact/GetCompact cases. */
class CompactTargetTest {
  private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);

  private static BigInteger big(String hex) {
    return new BigInteger(hex, 16);
  }

  @ParameterizedTest
  @ValueSource(
      longs = {
        0L,
        0x00123456L,
        0x01003456L,
        0x02000056L,
        0x03000000L,
        0x04000000L,
        0x00923456L,
        0x01803456L,
        0x02800056L,
        0x03800000L,
        0x04800000L
      })
  void compactsThatDecodeToZeroAreRefused(long bits) {
    // Bitcoin decodes these to 0 (some with the sign bit set); a zero target is invalid here.
    assertReason(() -> new CompactTarget(bits).toTarget(), RejectedException.class, Reason.BAD_COMPACT_TARGET);
  }

  @ParameterizedTest
  @CsvSource({
    // bits, target (hex), canonical compact of that target (Bitcoin's GetCompact)
    "01123456, 12, 01120000",
    "02123456, 1234, 02123400",
    "03123456, 123456, 03123456",
    "04123456, 12345600, 04123456",
    "05009234, 92340000, 05009234",
    "20123456, 1234560000000000000000000000000000000000000000000000000000000000, 20123456",
    "1d00ffff, ffff0000000000000000000000000000000000000000000000000000, 1d00ffff",
    "207fffff, 7fffff0000000000000000000000000000000000000000000000000000000000, 207fffff"
  })
  void bitcoinCompactCases(String bits, String target, String canonical) throws Exception {
    CompactTarget c = new CompactTarget(Long.parseLong(bits, 16));
    assertThat(c.toTarget()).isEqualTo(big(target));
    assertThat(CompactTarget.fromTarget(big(target)).bits()).isEqualTo(Long.parseLong(canonical, 16));
  }

  @Test
  void aMantissaWithTheSignBitMovesIntoTheExponent() throws Exception {
    // GetCompact never sets 0x00800000: 0x80 becomes 0x02008000 (Bitcoin Core's case).
    assertThat(CompactTarget.fromTarget(BigInteger.valueOf(0x80)).bits()).isEqualTo(0x02008000L);
    assertThat(new CompactTarget(0x02008000L).toTarget()).isEqualTo(BigInteger.valueOf(0x80));
    // 2^256 - 1 needs exponent 33 (0x21) with mantissa 0x00ffff.
    BigInteger max = TWO_256.subtract(BigInteger.ONE);
    CompactTarget c = CompactTarget.fromTarget(max);
    assertThat(c.bits()).isEqualTo(0x2100ffffL);
    assertThat(c.toTarget()).isEqualTo(big("ffff").shiftLeft(240));
  }

  @ParameterizedTest
  @ValueSource(longs = {0x04923456L, 0x01fedcbaL, 0x20800001L, 0x1d80ffffL})
  void negativeCompactsAreRefused(long bits) {
    assertReason(() -> new CompactTarget(bits).toTarget(), RejectedException.class, Reason.BAD_COMPACT_TARGET);
  }

  @ParameterizedTest
  @ValueSource(longs = {0xff123456L, 0x23000001L, 0x22000100L, 0x21010000L, 0xff000001L})
  void overflowingCompactsAreRefused(long bits) {
    assertReason(() -> new CompactTarget(bits).toTarget(), RejectedException.class, Reason.BAD_COMPACT_TARGET);
  }

  @ParameterizedTest
  @ValueSource(longs = {0x2100ffffL, 0x22000001L, 0x210000ffL})
  void theLargestTargetsStillFit(long bits) throws Exception {
    assertThat(new CompactTarget(bits).toTarget().bitLength()).isLessThanOrEqualTo(256);
  }

  @ParameterizedTest
  @ValueSource(longs = {0x1d00ffffL, 0x207fffffL, 0x1f00ffffL, 0x2000ffffL, 0x1b0404cbL, 0x03123456L, 0x01010000L})
  void canonicalFormsRoundTrip(long bits) throws Exception {
    CompactTarget c = new CompactTarget(bits);
    assertThat(CompactTarget.fromTarget(c.toTarget())).isEqualTo(c);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void fromTargetRoundsDownToTheTopThreeBytes(long seed) throws Exception {
    Random r = new Random(seed);
    for (int i = 0; i < 100; i++) {
      BigInteger target = new BigInteger(1 + r.nextInt(256), r).setBit(0);
      CompactTarget c = CompactTarget.fromTarget(target);
      BigInteger back = c.toTarget();
      assertThat(back).isLessThanOrEqualTo(target).isPositive();
      // Only bits below the 16 or 24 most significant ones are lost.
      int kept = Math.max(0, target.bitLength() - 24);
      assertThat(target.subtract(back)).isLessThan(BigInteger.ONE.shiftLeft(kept + 8));
      assertThat(back.shiftRight(kept + 8)).isEqualTo(target.shiftRight(kept + 8));
      // Idempotent: the rounded target is its own canonical form.
      assertThat(CompactTarget.fromTarget(back)).isEqualTo(c);
      assertThat(c.bits() & 0x0080_0000L).isZero();
    }
  }

  @Test
  void fromTargetRefusesZeroNegativeAndTooLarge() {
    assertThatThrownBy(() -> CompactTarget.fromTarget(BigInteger.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactTarget.fromTarget(BigInteger.ONE.negate())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactTarget.fromTarget(TWO_256)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bitsMustBeAU32() {
    assertThatThrownBy(() -> new CompactTarget(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CompactTarget(1L << 32)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new CompactTarget(0xFFFF_FFFFL).bits()).isEqualTo(0xFFFF_FFFFL);
    assertThat(new CompactTarget(0x1d00ffffL)).hasToString("0x1d00ffff");
    assertThat(new CompactTarget(0x03000001L)).hasToString("0x03000001");
  }

  @Test
  void workIsTwoTo256OverTargetPlusOne() throws Exception {
    assertThat(CompactTarget.workFor(TWO_256.subtract(BigInteger.ONE))).isEqualTo(BigInteger.ONE);
    assertThat(CompactTarget.workFor(BigInteger.ONE)).isEqualTo(TWO_256.shiftRight(1));
    assertThat(CompactTarget.workFor(BigInteger.ZERO)).isEqualTo(TWO_256);
    // Bitcoin's genesis target 0x1d00ffff: 0x100010001 expected hashes (its chainwork at block 0).
    assertThat(CompactTarget.workFor(new CompactTarget(0x1d00ffffL).toTarget())).isEqualTo(big("100010001"));
    // Regtest's 0x207fffff: about two hashes per block.
    assertThat(CompactTarget.workFor(new CompactTarget(0x207fffffL).toTarget())).isEqualTo(BigInteger.TWO);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void workMatchesItsDefinition(long seed) {
    Random r = new Random(seed);
    BigInteger target = new BigInteger(1 + r.nextInt(256), r);
    BigInteger work = CompactTarget.workFor(target);
    // work = floor(2^256 / (target + 1)): work * (target + 1) <= 2^256 < (work + 1) * (target + 1).
    BigInteger t1 = target.add(BigInteger.ONE);
    assertThat(work.multiply(t1)).isLessThanOrEqualTo(TWO_256);
    assertThat(work.add(BigInteger.ONE).multiply(t1)).isGreaterThan(TWO_256);
  }
}
