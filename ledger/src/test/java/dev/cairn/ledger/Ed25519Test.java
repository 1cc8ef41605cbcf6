package dev.cairn.ledger;

import static dev.cairn.ledger.TestSupport.hex;
import static dev.cairn.ledger.TestSupport.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ed25519 as Cairn uses it (PublicKey, PrivateKey, Signature). Which signatures and keys are
 * accepted is a consensus rule: these vectors pin it, so that a Bouncy Castle upgrade that changes
 * the outcome of any edge case fails here instead of forking the chain.
 */
class Ed25519Test {
  /** The prime order of the base point, L = 2^252 + 27742317777372353535851937790883648493. */
  private static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
  /** The field prime p = 2^255 - 19. */
  private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));

  // ---------------------------------------------------------------- RFC 8032 section 7.1

  static Stream<Arguments> rfc8032() {
    return Stream.of(
        Arguments.of(
            "TEST 1",
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        Arguments.of(
            "TEST 2",
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        Arguments.of(
            "TEST 3",
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
        Arguments.of(
            "TEST SHA(abc)",
            "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
            "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rfc8032")
  void rfc8032Vectors(String name, String secret, String pub, String msg, String sig)
      throws Exception {
    PrivateKey key = PrivateKey.fromSeed(hex(secret));
    byte[] message = hex(msg);

    assertThat(key.publicKey().toHex()).isEqualTo(pub);
    assertThat(hex(key.sign(message).toByteArray())).isEqualTo(sig);
    assertThat(PublicKey.fromBytes(hex(pub)).verify(message, Signature.of(hex(sig)))).isTrue();
    assertThat(key.seedBytes()).isEqualTo(hex(secret));
  }

  @Test
  void shaAbcVectorSignsTheSha512OfAbc() throws Exception {
    // The RFC's "SHA(abc)" message is SHA-512("abc"): check the transcription independently.
    byte[] digest =
        MessageDigest.getInstance("SHA-512").digest("abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(hex(digest))
        .isEqualTo(
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  }

  // ------------------------------------------------- "Taming the many EdDSAs" (speccheck)

  /** What Cairn does with a vector: refuse the key, or accept it and verify true/false. */
  enum Outcome {
    BAD_KEY,
    VALID,
    INVALID
  }

  /**
   * The 12 vectors of novifinancial/ed25519-speccheck (cases.txt), with Cairn's pinned outcome.
   * Measured with Bouncy Castle 1.87: raw verify accepts 2, 3, 4, 5; the partial key check
   * refuses 0, 1, 10, 11. Vectors 4 and 5 only pass the cofactored equation 8SB = 8R + 8kA, so
   * Bouncy Castle 1.87 verifies cofactored.
   */
  static Stream<Arguments> speccheck() {
    return Stream.of(
        Arguments.of(
            0,
            "S = 0, small-order A, small-order R: refused at the key (small-order A)",
            "8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000",
            Outcome.BAD_KEY),
        Arguments.of(
            1,
            "0 < S < L, small-order A, mixed-order R: refused at the key (small-order A)",
            "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
            Outcome.BAD_KEY),
        Arguments.of(
            2,
            "0 < S < L, mixed-order A, small-order R: passes both equations; accepted",
            "aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e",
            Outcome.VALID),
        Arguments.of(
            3,
            "0 < S < L, mixed-order A, mixed-order R: passes both equations; accepted",
            "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
            "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
            "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009",
            Outcome.VALID),
        Arguments.of(
            4,
            "0 < S < L, mixed-order A and R: passes ONLY the cofactored equation; accepted",
            "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
            "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
            "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09",
            Outcome.VALID),
        Arguments.of(
            5,
            "0 < S < L, mixed-order A, L-order R: cofactored without pre-reducing 8k; accepted",
            "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
            "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
            "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405",
            Outcome.VALID),
        Arguments.of(
            6,
            "S > L (S - L would verify), L-order A and R: S >= L refused",
            "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
            "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
            "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514",
            Outcome.INVALID),
        Arguments.of(
            7,
            "S >> L (top bits set), L-order A and R: S >= L refused",
            "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
            "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
            "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22",
            Outcome.INVALID),
        Arguments.of(
            8,
            "non-canonical R (x = 0 with the sign bit set), hash over the reduced R: refused",
            "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f",
            Outcome.INVALID),
        Arguments.of(
            9,
            "non-canonical R (x = 0 with the sign bit set), hash over R as sent: refused",
            "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908",
            Outcome.INVALID),
        Arguments.of(
            10,
            "non-canonical (and small-order) A, hash over the reduced A: refused at the key",
            "e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
            Outcome.BAD_KEY),
        Arguments.of(
            11,
            "non-canonical (and small-order) A, hash over A as sent: refused at the key",
            "39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
            Outcome.BAD_KEY));
  }

  private static Outcome cairnOutcome(String msg, String pub, String sig) {
    PublicKey key;
    try {
      key = PublicKey.fromBytes(hex(pub));
    } catch (DecodeException e) {
      assertThat(e.reason()).isEqualTo(Reason.BAD_PUBLIC_KEY);
      return Outcome.BAD_KEY;
    }
    return key.verify(hex(msg), Signature.of(hex(sig))) ? Outcome.VALID : Outcome.INVALID;
  }

  @ParameterizedTest(name = "vector {0}: {1}")
  @MethodSource("speccheck")
  void speccheckVectorsHaveThePinnedOutcome(
      int index, String what, String msg, String pub, String sig, Outcome expected) {
    assertThat(cairnOutcome(msg, pub, sig)).as("vector %d: %s", index, what).isEqualTo(expected);
  }

  @Test
  void speccheckOutcomesAsOneRow() {
    // The same pin as one row, so a library upgrade shows the whole changed pattern at once.
    List<Outcome> outcomes = new ArrayList<>();
    speccheck()
        .map(Arguments::get)
        .forEach(a -> outcomes.add(cairnOutcome((String) a[2], (String) a[3], (String) a[4])));
    assertThat(outcomes)
        .containsExactly(
            Outcome.BAD_KEY, Outcome.BAD_KEY,
            Outcome.VALID, Outcome.VALID, Outcome.VALID, Outcome.VALID,
            Outcome.INVALID, Outcome.INVALID, Outcome.INVALID, Outcome.INVALID,
            Outcome.BAD_KEY, Outcome.BAD_KEY);
  }

  @Test
  void speccheckVector6And7ReallyHaveSAtLeastL() {
    // Guards the comments above: S is the little-endian second half of the signature.
    assertThat(scalarS(hex(sigOf(6)))).isGreaterThanOrEqualTo(L);
    assertThat(scalarS(hex(sigOf(7)))).isGreaterThanOrEqualTo(L);
    for (int i : new int[] {1, 2, 3, 4, 5, 8, 9}) {
      assertThat(scalarS(hex(sigOf(i)))).as("vector %d", i).isLessThan(L);
    }
  }

  private static String sigOf(int index) {
    return (String) speccheck().skip(index).findFirst().orElseThrow().get()[4];
  }

  // ------------------------------------------------------------------ scalar S edge cases

  private static BigInteger littleEndian(byte[] b, int off, int len) {
    byte[] be = new byte[len];
    for (int i = 0; i < len; i++) {
      be[i] = b[off + len - 1 - i];
    }
    return new BigInteger(1, be);
  }

  private static byte[] toLittleEndian32(BigInteger v) {
    byte[] be = v.toByteArray();
    assertThat(v.bitLength()).isLessThanOrEqualTo(256);
    byte[] le = new byte[32];
    for (int i = 0; i < 32 && i < be.length; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  private static BigInteger scalarS(byte[] sig) {
    return littleEndian(sig, 32, 32);
  }

  private static byte[] withS(byte[] sig, BigInteger s) {
    byte[] out = sig.clone();
    System.arraycopy(toLittleEndian32(s), 0, out, 32, 32);
    return out;
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void sPlusLIsRejected(long seed) {
    Random r = new Random(seed);
    PrivateKey key = TestSupport.key(r);
    byte[] msg = TestSupport.bytes(r, r.nextInt(100));
    byte[] sig = key.sign(msg).toByteArray();
    BigInteger s = scalarS(sig);
    assertThat(s).isLessThan(L);
    assertThat(key.publicKey().verify(msg, Signature.of(sig))).isTrue();

    // S + L is the same scalar mod L: a verifier that reduces S would accept this malleated copy.
    byte[] malleated = withS(sig, s.add(L));
    assertThat(key.publicKey().verify(msg, Signature.of(malleated))).isFalse();
    // And S + 2L, S + 7L: still below 2^256 (S < L < 2^253), still refused.
    assertThat(key.publicKey().verify(msg, Signature.of(withS(sig, s.add(L.shiftLeft(1)))))).isFalse();
    assertThat(key.publicKey().verify(msg, Signature.of(withS(sig, s.add(L.multiply(BigInteger.valueOf(7)))))))
        .isFalse();
  }

  @Test
  void sEqualToLAndSEqualToZeroAreRejected() {
    PrivateKey key = PrivateKey.fromSeed(new byte[32]);
    byte[] msg = "cairn".getBytes(StandardCharsets.US_ASCII);
    byte[] sig = key.sign(msg).toByteArray();
    assertThat(key.publicKey().verify(msg, Signature.of(sig))).isTrue();
    assertThat(key.publicKey().verify(msg, Signature.of(withS(sig, L)))).isFalse();
    assertThat(key.publicKey().verify(msg, Signature.of(withS(sig, L.subtract(BigInteger.ONE)))))
        .isFalse();
    assertThat(key.publicKey().verify(msg, Signature.of(withS(sig, BigInteger.ZERO)))).isFalse();
  }

  // ------------------------------------------------------------------- public key checks

  /** Encodes y (< 2^255) little-endian with the x sign bit. */
  private static byte[] encodePoint(BigInteger y, boolean xSign) {
    byte[] enc = toLittleEndian32(y);
    if (xSign) {
      enc[31] |= (byte) 0x80;
    }
    return enc;
  }

  /** The canonical encodings of all eight points of order dividing 8. */
  static Stream<Arguments> smallOrderPoints() {
    // y of a point of order 8, taken from speccheck vector 0's public key (canonical, sign bit 1).
    BigInteger y8 = littleEndian(hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"), 0, 32);
    return Stream.of(
        Arguments.of("identity (0, 1)", encodePoint(BigInteger.ONE, false)),
        Arguments.of("order 2 (0, -1)", encodePoint(P.subtract(BigInteger.ONE), false)),
        Arguments.of("order 4 (+sqrt(-1), 0): the all-zero key", encodePoint(BigInteger.ZERO, false)),
        Arguments.of("order 4 (-sqrt(-1), 0)", encodePoint(BigInteger.ZERO, true)),
        Arguments.of("order 8, y", encodePoint(y8, false)),
        Arguments.of("order 8, y, other x", encodePoint(y8, true)),
        Arguments.of("order 8, -y", encodePoint(P.subtract(y8), false)),
        Arguments.of("order 8, -y, other x", encodePoint(P.subtract(y8), true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("smallOrderPoints")
  void smallOrderPublicKeysAreRefused(String what, byte[] encoded) {
    assertRejected(() -> PublicKey.fromBytes(encoded), Reason.BAD_PUBLIC_KEY);
  }

  @Test
  void smallOrderEncodingsAreTheKnownOnes() {
    // Cross-check the derivation above against literal encodings.
    List<String> encodings = smallOrderPoints().map(a -> hex((byte[]) a.get()[1])).toList();
    assertThat(encodings)
        .contains(
            "0100000000000000000000000000000000000000000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
  }

  @Test
  void nonCanonicalYIsRefused() {
    // Every encoding with y in p..2^255-1 (19 values), with either sign bit: 38 encodings.
    int refused = 0;
    for (BigInteger y = P; y.bitLength() <= 255; y = y.add(BigInteger.ONE)) {
      for (boolean sign : new boolean[] {false, true}) {
        byte[] enc = encodePoint(y, sign);
        assertRejected(() -> PublicKey.fromBytes(enc), Reason.BAD_PUBLIC_KEY);
        refused++;
      }
    }
    assertThat(refused).isEqualTo(38);
    // y = p exactly is the brief's example: ed ff .. ff 7f.
    assertRejected(
        () -> PublicKey.fromBytes(hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")),
        Reason.BAD_PUBLIC_KEY);
  }

  /** Whether some x satisfies -x^2 + y^2 = 1 + d x^2 y^2, i.e. (y^2 - 1) / (d y^2 + 1) is a square. */
  private static boolean onCurve(BigInteger y) {
    BigInteger d =
        BigInteger.valueOf(-121665).mod(P).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    BigInteger u = y.multiply(y).subtract(BigInteger.ONE).mod(P);
    BigInteger v = d.multiply(y).multiply(y).add(BigInteger.ONE).mod(P);
    BigInteger x2 = u.multiply(v.modInverse(P)).mod(P);
    return x2.signum() == 0 || x2.modPow(P.subtract(BigInteger.ONE).shiftRight(1), P).equals(BigInteger.ONE);
  }

  @Test
  void yNotOnTheCurveIsRefused() {
    for (int y : new int[] {2, 7, 8}) {
      assertThat(onCurve(BigInteger.valueOf(y))).as("y = %d", y).isFalse();
      for (boolean sign : new boolean[] {false, true}) {
        byte[] enc = encodePoint(BigInteger.valueOf(y), sign);
        assertRejected(() -> PublicKey.fromBytes(enc), Reason.BAD_PUBLIC_KEY);
      }
    }
  }

  @Test
  void anyCanonicalPointOfLargeOrderIsAccepted() throws Exception {
    // Keys need not come from a seed: y = 3, 4, 5 are on the curve and not small-order (their
    // order may have a torsion component: mixed-order keys are accepted, as documented).
    for (int y : new int[] {3, 4, 5}) {
      assertThat(onCurve(BigInteger.valueOf(y))).as("y = %d", y).isTrue();
      for (boolean sign : new boolean[] {false, true}) {
        byte[] enc = encodePoint(BigInteger.valueOf(y), sign);
        assertThat(PublicKey.fromBytes(enc).toByteArray()).isEqualTo(enc);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 31, 33, 64})
  void wrongLengthPublicKeyIsRefused(int length) {
    assertRejected(() -> PublicKey.fromBytes(new byte[length]), Reason.BAD_PUBLIC_KEY);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void derivedPublicKeysAreAcceptedAndRoundTrip(long seed) throws Exception {
    PrivateKey key = TestSupport.key(new Random(seed));
    PublicKey decoded = PublicKey.fromBytes(key.publicKey().toByteArray());
    assertThat(decoded).isEqualTo(key.publicKey()).hasSameHashCodeAs(key.publicKey());
    assertThat(decoded.toHex()).isEqualTo(key.publicKey().toString());
    assertThat(PrivateKey.fromSeed(key.seedBytes())).isEqualTo(key);
  }

  @Test
  void fromBytesCopiesItsInput() throws Exception {
    byte[] encoded = PrivateKey.fromSeed(new byte[32]).publicKey().toByteArray();
    PublicKey key = PublicKey.fromBytes(encoded);
    encoded[0] ^= 1;
    assertThat(key.toByteArray()).isNotEqualTo(encoded);
    byte[] out = key.toByteArray();
    out[0] ^= 1;
    assertThat(key.toByteArray()).isNotEqualTo(out);
  }

  // ---------------------------------------------------------- bit flips and determinism

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void everySignatureBitFlipFailsToVerify(long seed) {
    Random r = new Random(seed);
    PrivateKey key = TestSupport.key(r);
    byte[] msg = TestSupport.bytes(r, 1 + r.nextInt(200));
    byte[] sig = key.sign(msg).toByteArray();
    assertThat(key.publicKey().verify(msg, Signature.of(sig))).isTrue();
    for (int bit = 0; bit < Signature.SIZE * 8; bit++) {
      byte[] flipped = sig.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(key.publicKey().verify(msg, Signature.of(flipped))).as("bit %d", bit).isFalse();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void messageBitFlipsAndOtherKeysFailToVerify(long seed) {
    Random r = new Random(seed);
    PrivateKey key = TestSupport.key(r);
    byte[] msg = TestSupport.bytes(r, 1 + r.nextInt(200));
    Signature sig = key.sign(msg);
    assertThat(key.publicKey().verify(msg, sig)).isTrue();
    for (int i = 0; i < 32; i++) {
      int bit = r.nextInt(msg.length * 8);
      byte[] flipped = msg.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(key.publicKey().verify(flipped, sig)).as("message bit %d", bit).isFalse();
    }
    assertThat(key.publicKey().verify(java.util.Arrays.copyOf(msg, msg.length + 1), sig)).isFalse();
    assertThat(key.publicKey().verify(java.util.Arrays.copyOf(msg, msg.length - 1), sig)).isFalse();
    assertThat(TestSupport.key(r).publicKey().verify(msg, sig)).isFalse();
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void signingIsDeterministic(long seed) {
    Random r = new Random(seed);
    byte[] seedBytes = TestSupport.bytes(r, 32);
    byte[] msg = TestSupport.bytes(r, r.nextInt(64));
    Signature a = PrivateKey.fromSeed(seedBytes).sign(msg);
    Signature b = PrivateKey.fromSeed(seedBytes).sign(msg);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toString()).isEqualTo(hex(b.toByteArray()));
  }

  @Test
  void privateKeyToStringNeverShowsTheSeed() {
    byte[] seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    PrivateKey key = PrivateKey.fromSeed(seed);
    assertThat(key.toString())
        .doesNotContain(hex(seed))
        .doesNotContain(hex(seed).substring(0, 16))
        .contains(key.publicKey().toHex());
  }

  @Test
  void wrongSizesAreIllegalArguments() {
    assertThatThrownBy(() -> PrivateKey.fromSeed(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signature.of(new byte[63])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signature.of(new byte[65])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signatureOfCopiesItsInput() {
    byte[] raw = new byte[64];
    Signature sig = Signature.of(raw);
    raw[0] = 1;
    assertThat(sig.toByteArray()[0]).isZero();
  }
}
