package dev.cairn.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bech32m against the test vectors of BIP-350. */
class Bech32mTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "A1LQFN3A",
        "a1lqfn3a",
        "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
        "?1v759aa"
      })
  void bip350ValidVectorsDecodeAndReencode(String valid) throws Exception {
    Bech32m.Decoded decoded = Bech32m.decode(valid);
    String lower = valid.toLowerCase(Locale.ROOT);
    assertThat(decoded.hrp()).isEqualTo(lower.substring(0, lower.lastIndexOf('1')));
    assertThat(Bech32m.encode(decoded.hrp(), decoded.data())).isEqualTo(lower);
  }

  @Test
  void validVectorDataIsWhatTheCharactersSay() throws Exception {
    // "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx": data is the charset in reverse order.
    Bech32m.Decoded decoded = Bech32m.decode("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx");
    assertThat(decoded.hrp()).isEqualTo("abcdef");
    byte[] expected = new byte[32];
    for (int i = 0; i < 32; i++) {
      expected[i] = (byte) (31 - i);
    }
    assertThat(decoded.data()).isEqualTo(expected);
    assertThat(Bech32m.decode("a1lqfn3a").data()).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "' 1xj0phk'|HRP character out of range|false",
        "'\u007f1g6xzxy'|HRP character out of range|false",
        "'\u00801vctc34'|HRP character out of range|false",
        "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4|overall max length exceeded|false",
        "qyrz8wqd2c9m|no separator character|false",
        "1qyrz8wqd2c9m|empty HRP|false",
        "y1b0jsk6g|invalid data character|false",
        "lt1igcx5c0|invalid data character|false",
        "in1muywd|too short checksum|false",
        "mm1crxm3i|invalid character in checksum|false",
        "au1s5cgom|invalid character in checksum|false",
        "M1VUXWEZ|checksum calculated with uppercase form of HRP|true",
        "16plkw9|empty HRP|false",
        "1p2gdwpf|empty HRP|false",
        "abcdef1l7aum6echk45nj2s0wdvt2fg8x9yrzpqzd3ryx|one character changed: checksum error|true"
      })
  void bip350InvalidVectorsAreRejected(String invalid, String why, boolean checksumError) {
    assertThatThrownBy(() -> Bech32m.decode(invalid))
        .as(why)
        .isInstanceOfSatisfying(
            Bech32m.FormatException.class,
            e -> assertThat(e.isChecksumError()).as(why + ": " + e.getMessage()).isEqualTo(checksumError));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a12uel5l", "A12UEL5L", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"})
  void originalBech32IsRejectedWithAChecksumError(String bip173Valid) {
    // Valid under BIP-173's constant 1 (checked independently below), so the only thing wrong
    // is the bech32m checksum.
    assertThat(bech32Polymod(bip173Valid.toLowerCase(Locale.ROOT))).isEqualTo(1);
    assertThatThrownBy(() -> Bech32m.decode(bip173Valid))
        .isInstanceOfSatisfying(
            Bech32m.FormatException.class, e -> assertThat(e.isChecksumError()).isTrue());
  }

  @Test
  void mixedCaseIsRejected() {
    assertThatThrownBy(() -> Bech32m.decode("A1lqfn3a"))
        .isInstanceOfSatisfying(
            Bech32m.FormatException.class, e -> assertThat(e.isChecksumError()).isFalse());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void randomDataRoundTripsAndEverySubstitutionIsACaughtTypo(long seed) throws Exception {
    String charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    Random r = new Random(seed);
    byte[] bytes = TestSupport.bytes(r, r.nextInt(40));
    byte[] data = Bech32m.convertBits(bytes, 8, 5, true);
    String text = Bech32m.encode("test", data);
    Bech32m.Decoded decoded = Bech32m.decode(text);
    assertThat(decoded.hrp()).isEqualTo("test");
    assertThat(Bech32m.convertBits(decoded.data(), 5, 8, false)).isEqualTo(bytes);
    assertThat(Bech32m.decode(text.toUpperCase(Locale.ROOT)).data()).isEqualTo(data);

    for (int pos = 5; pos < text.length(); pos++) {
      char original = text.charAt(pos);
      char replacement;
      do {
        replacement = charset.charAt(r.nextInt(32));
      } while (replacement == original);
      String typo = text.substring(0, pos) + replacement + text.substring(pos + 1);
      int at = pos;
      assertThatThrownBy(() -> Bech32m.decode(typo))
          .as("substitution at %d", at)
          .isInstanceOfSatisfying(
              Bech32m.FormatException.class, e -> assertThat(e.isChecksumError()).isTrue());
    }
  }

  @Test
  void convertBitsRejectsExcessAndNonZeroPadding() throws Exception {
    // 20 bytes are exactly 32 groups of 5 bits; a 33rd group is excess padding.
    byte[] groups = Bech32m.convertBits(new byte[20], 8, 5, true);
    assertThat(groups).hasSize(32);
    byte[] excess = java.util.Arrays.copyOf(groups, 33);
    assertThatThrownBy(() -> Bech32m.convertBits(excess, 5, 8, false))
        .isInstanceOf(Bech32m.FormatException.class);
    // 19 bytes: 31 groups with 3 padding bits, which must be zero.
    byte[] nineteen = Bech32m.convertBits(new byte[19], 8, 5, true);
    assertThat(nineteen).hasSize(31);
    assertThat(Bech32m.convertBits(nineteen, 5, 8, false)).hasSize(19);
    nineteen[30] = 1;
    assertThatThrownBy(() -> Bech32m.convertBits(nineteen, 5, 8, false))
        .isInstanceOf(Bech32m.FormatException.class);
    // A "5-bit" value of 32 does not fit.
    assertThatThrownBy(() -> Bech32m.convertBits(new byte[] {32}, 5, 8, true))
        .isInstanceOf(Bech32m.FormatException.class);
  }

  @Test
  void encodeRefusesUppercaseOrEmptyHrpAndOverlongOutput() {
    assertThatThrownBy(() -> Bech32m.encode("Cairn", new byte[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Bech32m.encode("", new byte[0])).isInstanceOf(IllegalArgumentException.class);
    // hrp 1 + separator 1 + data 83 + checksum 6 = 91 > 90.
    assertThatThrownBy(() -> Bech32m.encode("a", new byte[83])).isInstanceOf(IllegalArgumentException.class);
    assertThat(Bech32m.encode("a", new byte[82])).hasSize(90);
  }

  /** BIP-173's reference polymod over hrp-expansion and data, written out independently. */
  private static int bech32Polymod(String s) {
    String charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    int[] gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    int sep = s.lastIndexOf('1');
    java.util.List<Integer> values = new java.util.ArrayList<>();
    for (char c : s.substring(0, sep).toCharArray()) {
      values.add(c >> 5);
    }
    values.add(0);
    for (char c : s.substring(0, sep).toCharArray()) {
      values.add(c & 31);
    }
    for (char c : s.substring(sep + 1).toCharArray()) {
      values.add(charset.indexOf(c));
    }
    int chk = 1;
    for (int v : values) {
      int b = chk >>> 25;
      chk = (chk & 0x1ffffff) << 5 ^ v;
      for (int i = 0; i < 5; i++) {
        chk ^= ((b >>> i) & 1) != 0 ? gen[i] : 0;
      }
    }
    return chk;
  }

  @Test
  void independentPolymodAgreesOnBech32mVectors() {
    // Sanity for the helper: BIP-350 strings have polymod 0x2bc830a3.
    assertThat(bech32Polymod("a1lqfn3a")).isEqualTo(0x2bc830a3);
    assertThat(bech32Polymod("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx")).isEqualTo(0x2bc830a3);
  }
}
