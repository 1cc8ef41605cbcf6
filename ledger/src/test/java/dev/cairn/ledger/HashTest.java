package dev.cairn.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HashTest {
  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void hexRoundTripsInByteOrder(long seed) {
    byte[] raw = TestSupport.bytes(new Random(seed), 32);
    Hash h = Hash.of(raw);
    assertThat(h.toHex()).isEqualTo(TestSupport.hex(raw)).isEqualTo(h.toString());
    assertThat(Hash.parse(h.toHex())).isEqualTo(h).hasSameHashCodeAs(h);
    assertThat(h.toBigInteger()).isEqualTo(new BigInteger(1, raw));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "00", "zz00000000000000000000000000000000000000000000000000000000000000"})
  void parseRefusesWrongLengthOrNonHex(String text) {
    assertThatThrownBy(() -> Hash.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofChecksLengthAndCopies() {
    assertThatThrownBy(() -> Hash.of(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    byte[] raw = new byte[32];
    Hash h = Hash.of(raw);
    raw[0] = 1;
    assertThat(h).isEqualTo(Hash.ZERO);
    h.toByteArray()[0] = 1;
    assertThat(h).isEqualTo(Hash.ZERO);
  }

  @Test
  void comparesAsUnsignedBigEndian() {
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    a[0] = 0x7f;
    b[0] = (byte) 0x80;
    assertThat(Hash.of(a)).isLessThan(Hash.of(b));
    assertThat(Hash.of(a).toBigInteger()).isLessThan(Hash.of(b).toBigInteger());
    assertThat(Hash.ZERO.toBigInteger()).isZero();
  }

  @Test
  void sha256OfPartsIsSha256OfTheConcatenation() {
    byte[] x = {1, 2, 3};
    byte[] y = {4, 5};
    assertThat(Hashes.sha256(x, y)).isEqualTo(Hashes.sha256(new byte[] {1, 2, 3, 4, 5}));
    assertThat(Hashes.sha256(new byte[] {1, 2, 3, 4, 5}).toByteArray())
        .isEqualTo(TestSupport.sha256(new byte[] {1, 2, 3, 4, 5}));
    assertThat(Hashes.doubleSha256(x).toByteArray()).isEqualTo(TestSupport.sha256(TestSupport.sha256(x)));
  }
}
