package dev.cairn.ledger;

import static dev.cairn.ledger.TestSupport.assertReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressTest {
  private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  private static final String HRP = "cairn";

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void addressIsTheFirst20BytesOfSha256OfTheKey(long seed) {
    PublicKey key = TestSupport.key(new Random(seed)).publicKey();
    byte[] expected = Arrays.copyOf(TestSupport.sha256(key.toByteArray()), 20);
    assertThat(key.address().toByteArray()).isEqualTo(expected);
    assertThat(Address.of(key)).isEqualTo(key.address());
    assertThat(key.address().toHex()).isEqualTo(TestSupport.hex(expected));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void textRoundTrips(long seed) throws Exception {
    Address a = TestSupport.key(new Random(seed)).address();
    String text = a.toText(HRP);
    assertThat(text).startsWith("cairn1").hasSize(5 + 1 + 32 + 6).isLowerCase();
    assertThat(Address.parse(text, HRP)).isEqualTo(a);
    assertThat(Address.parse("  " + text + "\n", HRP)).isEqualTo(a);
    // The uppercase form (QR codes) is the same address.
    assertThat(Address.parse(text.toUpperCase(Locale.ROOT), HRP)).isEqualTo(a);
    // Another network's text for the same account differs, and only parses there.
    assertThat(a.toText("rcairn")).isNotEqualTo(text);
    assertThat(Address.parse(a.toText("rcairn"), "rcairn")).isEqualTo(a);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void wrongNetworkIsRefused(long seed) {
    Address a = TestSupport.address(new Random(seed));
    assertReason(
        () -> Address.parse(a.toText("rcairn"), HRP),
        Address.InvalidAddressException.class,
        Reason.ADDRESS_WRONG_NETWORK);
    assertReason(
        () -> Address.parse(a.toText(HRP), "dcairn"),
        Address.InvalidAddressException.class,
        Reason.ADDRESS_WRONG_NETWORK);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void everySingleCharacterTypoIsAChecksumError(long seed) {
    Random r = new Random(seed);
    String text = TestSupport.address(r).toText(HRP);
    int separator = text.lastIndexOf('1');
    for (int pos = 0; pos < text.length(); pos++) {
      if (pos == separator) {
        continue;
      }
      char original = text.charAt(pos);
      char replacement;
      do {
        replacement = CHARSET.charAt(r.nextInt(CHARSET.length()));
      } while (replacement == original);
      String typo = text.substring(0, pos) + replacement + text.substring(pos + 1);
      int at = pos;
      assertThatThrownBy(() -> Address.parse(typo, HRP))
          .as("typo at %d: %s", at, typo)
          .isInstanceOfSatisfying(
              Address.InvalidAddressException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.ADDRESS_CHECKSUM));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void swappedAdjacentCharactersAreChecksumErrors(long seed) {
    Random r = new Random(seed);
    String text = TestSupport.address(r).toText(HRP);
    int sep = text.lastIndexOf('1');
    int pos;
    do {
      pos = sep + 1 + r.nextInt(text.length() - sep - 2);
    } while (text.charAt(pos) == text.charAt(pos + 1));
    String swapped =
        text.substring(0, pos) + text.charAt(pos + 1) + text.charAt(pos) + text.substring(pos + 2);
    assertReason(
        () -> Address.parse(swapped, HRP), Address.InvalidAddressException.class, Reason.ADDRESS_CHECKSUM);
  }

  @Test
  void replacingTheSeparatorIsMalformed() {
    String text = TestSupport.address(new Random(7)).toText(HRP);
    String noSeparator = text.replace('1', 'q');
    assertReason(
        () -> Address.parse(noSeparator, HRP), Address.InvalidAddressException.class, Reason.ADDRESS_MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "hello",
        "cairn1",
        "cairn1qqqqq",
        "cairn1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
        "cairn 1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
        "0x00112233445566778899aabbccddeeff00112233"
      })
  void garbageIsMalformed(String garbage) {
    assertReason(
        () -> Address.parse(garbage, HRP), Address.InvalidAddressException.class, Reason.ADDRESS_MALFORMED);
  }

  @Test
  void aLongInputIsEchoedCutShort() {
    String text = "rcairn1" + "q".repeat(10_000);
    assertThatThrownBy(() -> Address.parse(text, HRP))
        .isInstanceOf(Address.InvalidAddressException.class)
        .message()
        .hasSizeLessThan(200)
        .contains("rcairn1qqq", "...");
  }

  @Test
  void mixedCaseIsMalformed() {
    String text = TestSupport.address(new Random(3)).toText(HRP);
    String mixed = "C" + text.substring(1);
    assertReason(
        () -> Address.parse(mixed, HRP), Address.InvalidAddressException.class, Reason.ADDRESS_MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 19, 21, 32})
  void validBech32mOfTheWrongLengthIsMalformed(int length) throws Exception {
    String text = Bech32m.encode(HRP, Bech32m.convertBits(new byte[length], 8, 5, true));
    // It is well-formed bech32m; only the payload size is wrong.
    assertThat(Bech32m.decode(text).hrp()).isEqualTo(HRP);
    assertReason(
        () -> Address.parse(text, HRP), Address.InvalidAddressException.class, Reason.ADDRESS_MALFORMED);
  }

  @Test
  void excessPaddingGroupIsMalformed() throws Exception {
    // 33 five-bit groups: 20 bytes plus 5 stray bits.
    byte[] groups = Arrays.copyOf(Bech32m.convertBits(new byte[20], 8, 5, true), 33);
    String text = Bech32m.encode(HRP, groups);
    assertReason(
        () -> Address.parse(text, HRP), Address.InvalidAddressException.class, Reason.ADDRESS_MALFORMED);
  }

  @Test
  void addressReasonsAreNeverPunishable() {
    // Addresses come from people, not peers.
    assertThat(Reason.ADDRESS_MALFORMED.punishable()).isFalse();
    assertThat(Reason.ADDRESS_CHECKSUM.punishable()).isFalse();
    assertThat(Reason.ADDRESS_WRONG_NETWORK.punishable()).isFalse();
  }

  @Test
  void fromBytesChecksLengthAndCopies() {
    assertThatThrownBy(() -> Address.fromBytes(new byte[19])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Address.fromBytes(new byte[21])).isInstanceOf(IllegalArgumentException.class);
    byte[] raw = new byte[20];
    Address a = Address.fromBytes(raw);
    raw[0] = 1;
    assertThat(a.toByteArray()[0]).isZero();
  }

  @Test
  void addressesCompareAsUnsignedBytes() {
    byte[] low = new byte[20];
    byte[] high = new byte[20];
    high[0] = (byte) 0x80; // negative as a signed byte
    low[0] = 0x7f;
    assertThat(Address.fromBytes(low)).isLessThan(Address.fromBytes(high));
    assertThat(Address.fromBytes(low).compareTo(Address.fromBytes(low.clone()))).isZero();
  }
}
