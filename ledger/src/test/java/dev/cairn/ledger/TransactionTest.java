package dev.cairn.ledger;

import static dev.cairn.ledger.TestSupport.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Coinbase, Transfer and Allocation: canonical encoding, decoding, ids and signatures. */
class TransactionTest {
  // Field offsets of the documented layouts.
  private static final int TRANSFER_AMOUNT = 2 + 32 + 20;
  private static final int TRANSFER_FEE = TRANSFER_AMOUNT + 8;
  private static final int TRANSFER_NONCE = TRANSFER_FEE + 8;
  private static final int TRANSFER_SIG = TRANSFER_NONCE + 8;
  private static final int COINBASE_HEIGHT = 2;
  private static final int COINBASE_AMOUNT = 2 + 8 + 20;
  private static final int ALLOCATION_AMOUNT = 2 + 20;

  private static final Hash GENESIS_A = ChainSpec.regtest().genesisHash();
  private static final Hash GENESIS_B = ChainSpec.main().genesisHash();

  private static Hash genesis(Random r) {
    return TestSupport.hash(r);
  }

  // ------------------------------------------------------------------- layouts and sizes

  @Test
  void sizesAreAsDocumented() {
    assertThat(Transfer.UNSIGNED_SIZE).isEqualTo(78);
    assertThat(Transfer.SIZE).isEqualTo(142);
    assertThat(Coinbase.SIZE).isEqualTo(38);
    assertThat(Allocation.SIZE).isEqualTo(30);
    assertThat(Transaction.Kind.COINBASE).isEqualTo(1);
    assertThat(Transaction.Kind.TRANSFER).isEqualTo(2);
    assertThat(Transaction.Kind.ALLOCATION).isEqualTo(3);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void transferLayoutIsBigEndianFixedFields(long seed) {
    Random r = new Random(seed);
    Transfer t = TestSupport.transfer(r, genesis(r));
    byte[] expected =
        ByteBuffer.allocate(142)
            .put((byte) 1)
            .put((byte) 2)
            .put(t.sender().toByteArray())
            .put(t.recipient().toByteArray())
            .putLong(t.amount().units())
            .putLong(t.fee().units())
            .putLong(t.nonce())
            .put(t.signature().toByteArray())
            .array();
    assertThat(t.encoded()).isEqualTo(expected);
    assertThat(t.size()).isEqualTo(142);
    assertThat(t.id().toByteArray()).isEqualTo(TestSupport.sha256(expected));
    assertThat(t.senderAddress()).isEqualTo(t.sender().address());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void coinbaseAndAllocationLayouts(long seed) {
    Random r = new Random(seed);
    Coinbase c = TestSupport.coinbase(r);
    byte[] cb =
        ByteBuffer.allocate(38)
            .put((byte) 1)
            .put((byte) 1)
            .putLong(c.height())
            .put(c.recipient().toByteArray())
            .putLong(c.amount().units())
            .array();
    assertThat(c.encoded()).isEqualTo(cb);
    assertThat(c.id().toByteArray()).isEqualTo(TestSupport.sha256(cb));

    Allocation a = TestSupport.allocation(r);
    byte[] al =
        ByteBuffer.allocate(30)
            .put((byte) 1)
            .put((byte) 3)
            .put(a.recipient().toByteArray())
            .putLong(a.amount().units())
            .array();
    assertThat(a.encoded()).isEqualTo(al);
    assertThat(a.id().toByteArray()).isEqualTo(TestSupport.sha256(al));
  }

  // ---------------------------------------------------------------------- round trips

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void randomTransactionsRoundTrip(long seed) throws Exception {
    Random r = new Random(seed);
    Hash genesis = genesis(r);
    for (int i = 0; i < 30; i++) {
      Transaction tx = TestSupport.transaction(r, genesis);
      byte[] bytes = tx.encoded().clone();
      Transaction back = Transaction.decode(bytes);
      assertThat(back).isEqualTo(tx).hasSameHashCodeAs(tx).hasSameClassAs(tx);
      assertThat(back.id()).isEqualTo(tx.id());
      assertThat(back.encoded()).isEqualTo(bytes);
      assertThat(back.touchedAddresses()).isEqualTo(tx.touchedAddresses());
      if (back instanceof Transfer t) {
        Transfer o = (Transfer) tx;
        assertThat(t.sender()).isEqualTo(o.sender());
        assertThat(t.recipient()).isEqualTo(o.recipient());
        assertThat(t.amount()).isEqualTo(o.amount());
        assertThat(t.fee()).isEqualTo(o.fee());
        assertThat(t.nonce()).isEqualTo(o.nonce());
        assertThat(t.signature()).isEqualTo(o.signature());
        assertThat(t.hasValidSignature(genesis)).isTrue();
      } else if (back instanceof Coinbase c) {
        assertThat(c.height()).isEqualTo(((Coinbase) tx).height());
        assertThat(c.recipient()).isEqualTo(((Coinbase) tx).recipient());
        assertThat(c.amount()).isEqualTo(((Coinbase) tx).amount());
      } else {
        Allocation a = (Allocation) back;
        assertThat(a.recipient()).isEqualTo(((Allocation) tx).recipient());
        assertThat(a.amount()).isEqualTo(((Allocation) tx).amount());
      }
    }
  }

  @Test
  void boundaryValuesRoundTrip() throws Exception {
    Random r = new Random(42);
    Amount max = Amount.units(Amount.MAX_MONEY);
    Transfer t = Transfer.sign(TestSupport.key(r), TestSupport.address(r), max, max, Long.MAX_VALUE, GENESIS_A);
    assertThat(Transaction.decode(t.encoded())).isEqualTo(t);
    Coinbase c = Coinbase.create(Long.MAX_VALUE, TestSupport.address(r), max);
    assertThat(Transaction.decode(c.encoded())).isEqualTo(c);
    Allocation a = Allocation.create(TestSupport.address(r), Amount.ZERO);
    assertThat(Transaction.decode(a.encoded())).isEqualTo(a);
  }

  @Test
  void differentContentsHaveDifferentIds() {
    Random r = new Random(5);
    Address to = TestSupport.address(r);
    assertThat(Coinbase.create(1, to, Amount.coins(50)).id()).isNotEqualTo(Coinbase.create(2, to, Amount.coins(50)).id());
    // A coinbase and an allocation with the same recipient and amount are different transactions.
    assertThat(Coinbase.create(0, to, Amount.coins(50))).isNotEqualTo(Allocation.create(to, Amount.coins(50)));
  }

  // --------------------------------------------------------------------- decode errors

  static java.util.stream.Stream<Transaction> oneOfEachKind() {
    Random r = new Random(99);
    return java.util.stream.Stream.of(
        TestSupport.transfer(r, GENESIS_A), TestSupport.coinbase(r), TestSupport.allocation(r));
  }

  @ParameterizedTest
  @MethodSource("oneOfEachKind")
  void truncationAtEveryLengthIsTruncated(Transaction tx) {
    for (int len = 0; len < tx.size(); len++) {
      byte[] prefix = Arrays.copyOf(tx.encoded(), len);
      assertRejected(() -> Transaction.decode(prefix), Reason.DECODE_TRUNCATED);
    }
  }

  @ParameterizedTest
  @MethodSource("oneOfEachKind")
  void trailingBytesAreRefused(Transaction tx) {
    for (int extra : new int[] {0x00, 0x01, 0xff}) {
      byte[] longer = Arrays.copyOf(tx.encoded(), tx.size() + 1);
      longer[tx.size()] = (byte) extra;
      assertRejected(() -> Transaction.decode(longer), Reason.DECODE_TRAILING_BYTES);
    }
    byte[] twice = TestSupport.concat(tx.encoded(), tx.encoded());
    assertRejected(() -> Transaction.decode(twice), Reason.DECODE_TRAILING_BYTES);
  }

  @ParameterizedTest
  @MethodSource("oneOfEachKind")
  void unknownVersionAndKindAreRefused(Transaction tx) {
    for (int version : new int[] {0, 2, 0x7f, 0x80, 0xff}) {
      byte[] b = tx.encoded().clone();
      b[0] = (byte) version;
      assertRejected(() -> Transaction.decode(b), Reason.DECODE_UNKNOWN_VERSION);
    }
    for (int kind : new int[] {0, 4, 0x7f, 0x80, 0xff}) {
      byte[] b = tx.encoded().clone();
      b[1] = (byte) kind;
      assertRejected(() -> Transaction.decode(b), Reason.DECODE_UNKNOWN_KIND);
    }
  }

  private static byte[] withLong(byte[] encoded, int offset, long value) {
    byte[] b = encoded.clone();
    ByteBuffer.wrap(b).putLong(offset, value);
    return b;
  }

  @ParameterizedTest
  @ValueSource(longs = {Amount.MAX_MONEY + 1, Long.MAX_VALUE, -1, Long.MIN_VALUE})
  void amountFieldsAboveMaxMoneyAreRefused(long units) {
    Random r = new Random(units);
    Transfer t = TestSupport.transfer(r, GENESIS_A);
    assertRejected(() -> Transaction.decode(withLong(t.encoded(), TRANSFER_AMOUNT, units)), Reason.AMOUNT_OUT_OF_RANGE);
    assertRejected(() -> Transaction.decode(withLong(t.encoded(), TRANSFER_FEE, units)), Reason.AMOUNT_OUT_OF_RANGE);
    Coinbase c = TestSupport.coinbase(r);
    assertRejected(() -> Transaction.decode(withLong(c.encoded(), COINBASE_AMOUNT, units)), Reason.AMOUNT_OUT_OF_RANGE);
    Allocation a = TestSupport.allocation(r);
    assertRejected(
        () -> Transaction.decode(withLong(a.encoded(), ALLOCATION_AMOUNT, units)), Reason.AMOUNT_OUT_OF_RANGE);
  }

  @Test
  void amountFieldsOfExactlyMaxMoneyDecode() throws Exception {
    Random r = new Random(1);
    Transfer t = TestSupport.transfer(r, GENESIS_A);
    Transfer decoded = (Transfer) Transaction.decode(withLong(t.encoded(), TRANSFER_FEE, Amount.MAX_MONEY));
    assertThat(decoded.fee().units()).isEqualTo(Amount.MAX_MONEY);
  }

  @ParameterizedTest
  @ValueSource(longs = {Long.MIN_VALUE, -1, Long.MIN_VALUE + 12345})
  void nonceAndHeightWithTheTopBitSetAreNonCanonical(long value) {
    Random r = new Random(value);
    Transfer t = TestSupport.transfer(r, GENESIS_A);
    assertRejected(() -> Transaction.decode(withLong(t.encoded(), TRANSFER_NONCE, value)), Reason.DECODE_NON_CANONICAL);
    Coinbase c = TestSupport.coinbase(r);
    assertRejected(() -> Transaction.decode(withLong(c.encoded(), COINBASE_HEIGHT, value)), Reason.DECODE_NON_CANONICAL);
  }

  @Test
  void transferFromASmallOrderKeyIsRefused() {
    Transfer t = TestSupport.transfer(new Random(3), GENESIS_A);
    byte[] b = t.encoded().clone();
    byte[] identity = new byte[32];
    identity[0] = 1;
    System.arraycopy(identity, 0, b, 2, 32);
    assertRejected(() -> Transaction.decode(b), Reason.BAD_PUBLIC_KEY);
  }

  @Test
  void aValidatedTransferDecodesToTheSameTransactionAndStillVerifies() throws Exception {
    Random r = new Random(5);
    for (int i = 0; i < 20; i++) {
      Transfer t = TestSupport.transfer(r, GENESIS_A);
      Transfer stored = (Transfer) Transaction.decodeValidated(new ByteReader(t.encoded()));
      assertThat(stored).isEqualTo(t);
      assertThat(stored.sender()).isEqualTo(t.sender());
      assertThat(stored.senderAddress()).isEqualTo(t.senderAddress());
      assertThat(stored.hasValidSignature(GENESIS_A)).isTrue();
      assertThat(stored.hasValidSignature(GENESIS_B)).isFalse();
    }
  }

  @Test
  void aValidatedTransferWithABadKeyDecodesButNeverVerifies() throws Exception {
    // Only a damaged store could hold one: it must not verify, and must not throw.
    Transfer t = TestSupport.transfer(new Random(3), GENESIS_A);
    byte[] b = t.encoded().clone();
    byte[] identity = new byte[32];
    identity[0] = 1;
    System.arraycopy(identity, 0, b, 2, 32);
    Transfer stored = (Transfer) Transaction.decodeValidated(new ByteReader(b));
    assertThat(stored.hasValidSignature(GENESIS_A)).isFalse();
    assertThat(stored.hasValidSignature(GENESIS_A)).isFalse();
  }

  @Test
  void decodeRefusesEmptyInput() {
    assertRejected(() -> Transaction.decode(new byte[0]), Reason.DECODE_TRUNCATED);
  }

  // -------------------------------------------------------------------------- mutations

  private static final String DECODED_BUT_DIFFERENT = "decoded, different id, signature invalid";

  /**
   * Decodes a mutated encoding: either a DecodeException (counted by reason) or a transaction
   * that is visibly not the original. Any other exception escapes and fails the test.
   */
  private static void checkMutant(
      byte[] mutant, Transaction original, Hash genesis, Map<String, Integer> outcomes) {
    Transaction decoded;
    try {
      decoded = Transaction.decode(mutant);
    } catch (DecodeException e) {
      outcomes.merge(e.reason().code(), 1, Integer::sum);
      return;
    }
    assertThat(decoded.id()).isNotEqualTo(original.id());
    assertThat(decoded.encoded()).isEqualTo(mutant);
    if (decoded instanceof Transfer t) {
      assertThat(t.hasValidSignature(genesis)).as("mutant %s", TestSupport.hex(mutant)).isFalse();
    }
    outcomes.merge(DECODED_BUT_DIFFERENT, 1, Integer::sum);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void randomSingleByteMutationsOfASignedTransferNeverVerify(long seed) {
    Random r = new Random(seed);
    Hash genesis = genesis(r);
    Transfer t = TestSupport.transfer(r, genesis);
    assertThat(t.hasValidSignature(genesis)).isTrue();
    Map<String, Integer> outcomes = new HashMap<>();
    for (int i = 0; i < 150; i++) {
      byte[] mutant = t.encoded().clone();
      int pos = r.nextInt(mutant.length);
      mutant[pos] ^= (byte) (1 + r.nextInt(255));
      checkMutant(mutant, t, genesis, outcomes);
    }
    // Most positions are amounts, keys and signature bytes: most mutants decode and fail to verify.
    assertThat(outcomes.getOrDefault(DECODED_BUT_DIFFERENT, 0)).isPositive();
  }

  @Test
  void everySingleBitFlipOfASignedTransferIsCaught() {
    Random r = new Random(2024);
    Hash genesis = genesis(r);
    Transfer t = TestSupport.transfer(r, genesis);
    Map<String, Integer> outcomes = new HashMap<>();
    for (int bit = 0; bit < Transfer.SIZE * 8; bit++) {
      byte[] mutant = t.encoded().clone();
      mutant[bit / 8] ^= (byte) (1 << (bit % 8));
      checkMutant(mutant, t, genesis, outcomes);
    }
    assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(Transfer.SIZE * 8);
    assertThat(outcomes)
        .containsKeys(
            DECODED_BUT_DIFFERENT,
            Reason.DECODE_UNKNOWN_VERSION.code(),
            Reason.DECODE_UNKNOWN_KIND.code(),
            Reason.AMOUNT_OUT_OF_RANGE.code(),
            Reason.DECODE_NON_CANONICAL.code());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void mutationsOfCoinbasesAndAllocationsDecodeOrFailCleanly(long seed) {
    Random r = new Random(seed);
    Map<String, Integer> outcomes = new HashMap<>();
    for (Transaction tx : new Transaction[] {TestSupport.coinbase(r), TestSupport.allocation(r)}) {
      for (int i = 0; i < 60; i++) {
        byte[] mutant = tx.encoded().clone();
        mutant[r.nextInt(mutant.length)] ^= (byte) (1 + r.nextInt(255));
        checkMutant(mutant, tx, GENESIS_A, outcomes);
      }
    }
  }

  // ------------------------------------------------------------------------- signatures

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void signingBytesAreTagThenGenesisThenUnsignedEncoding(long seed) {
    Random r = new Random(seed);
    Hash genesis = genesis(r);
    Transfer t = TestSupport.transfer(r, genesis);
    byte[] tag = "CAIRN/tx/v1".getBytes(StandardCharsets.US_ASCII);
    byte[] expected = TestSupport.concat(tag, genesis.toByteArray(), Arrays.copyOf(t.encoded(), 78));
    assertThat(t.signingBytes(genesis)).isEqualTo(expected);
    // The signature is a plain RFC 8032 signature over exactly those bytes.
    assertThat(
            Ed25519.verify(
                t.signature().toByteArray(), 0, t.sender().toByteArray(), 0, expected, 0, expected.length))
        .isTrue();
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void aSignatureForOneNetworkDoesNotVerifyOnAnother(long seed) throws Exception {
    Random r = new Random(seed);
    Transfer onA = TestSupport.transfer(r, GENESIS_A);
    assertThat(onA.hasValidSignature(GENESIS_A)).isTrue();
    assertThat(onA.hasValidSignature(GENESIS_B)).isFalse();
    assertThat(onA.hasValidSignature(genesis(r))).isFalse();
    // Replayed byte for byte on network B it decodes, but its signature is not valid there.
    Transfer replayed = (Transfer) Transaction.decode(onA.encoded());
    assertThat(replayed.hasValidSignature(GENESIS_B)).isFalse();
  }

  @Test
  void aSignatureOfAnotherTransferIsInvalid() {
    Random r = new Random(11);
    PrivateKey key = TestSupport.key(r);
    Address to = TestSupport.address(r);
    Transfer a = Transfer.sign(key, to, Amount.coins(1), Amount.units(100), 0, GENESIS_A);
    Transfer b = Transfer.sign(key, to, Amount.coins(2), Amount.units(100), 0, GENESIS_A);
    Transfer forged = Transfer.withSignature(key.publicKey(), to, Amount.coins(2), Amount.units(100), 0, a.signature());
    assertThat(forged.hasValidSignature(GENESIS_A)).isFalse();
    assertThat(forged).isNotEqualTo(b);
    Transfer rebuilt = Transfer.withSignature(key.publicKey(), to, Amount.coins(2), Amount.units(100), 0, b.signature());
    assertThat(rebuilt).isEqualTo(b);
    assertThat(rebuilt.hasValidSignature(GENESIS_A)).isTrue();
  }

  @Test
  void touchedAddresses() {
    Random r = new Random(8);
    PrivateKey key = TestSupport.key(r);
    Address other = TestSupport.address(r);
    Transfer toSelf = Transfer.sign(key, key.address(), Amount.coins(1), Amount.ZERO, 0, GENESIS_A);
    assertThat(toSelf.touchedAddresses()).containsExactly(key.address());
    Transfer toOther = Transfer.sign(key, other, Amount.coins(1), Amount.ZERO, 0, GENESIS_A);
    assertThat(toOther.touchedAddresses()).containsExactlyInAnyOrder(key.address(), other);
    assertThat(Coinbase.create(1, other, Amount.ZERO).touchedAddresses()).containsExactly(other);
    assertThat(Allocation.create(other, Amount.ZERO).touchedAddresses()).containsExactly(other);
  }

  @Test
  void negativeNonceOrHeightIsAnIllegalArgument() {
    Random r = new Random(9);
    assertThatThrownBy(() -> Transfer.sign(TestSupport.key(r), TestSupport.address(r), Amount.ZERO, Amount.ZERO, -1, GENESIS_A))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Coinbase.create(-1, TestSupport.address(r), Amount.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
