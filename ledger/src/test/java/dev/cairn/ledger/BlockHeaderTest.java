package dev.cairn.ledger;

import static dev.cairn.ledger.TestSupport.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BlockHeaderTest {
  private static final int HEIGHT_OFFSET = 4;
  private static final int TIMESTAMP_OFFSET = 4 + 8 + 32 * 3;

  static BlockHeader randomHeader(Random r) {
    return BlockHeader.of(
        r.nextInt(4) == 0 ? 0xFFFF_FFFFL : r.nextInt() & 0xFFFF_FFFFL,
        TestSupport.u63(r),
        TestSupport.hash(r),
        TestSupport.hash(r),
        TestSupport.hash(r),
        TestSupport.u63(r),
        new CompactTarget(r.nextInt() & 0xFFFF_FFFFL),
        r.nextLong());
  }

  @Test
  void sizeIs128AndTheNonceIsLast() {
    assertThat(BlockHeader.SIZE).isEqualTo(128);
    assertThat(BlockHeader.NONCE_OFFSET).isEqualTo(120);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void layoutIsBigEndianFixedFieldsAndHashIsDoubleSha256(long seed) {
    BlockHeader h = randomHeader(new Random(seed));
    byte[] expected =
        ByteBuffer.allocate(128)
            .putInt((int) h.version())
            .putLong(h.height())
            .put(h.previousHash().toByteArray())
            .put(h.merkleRoot().toByteArray())
            .put(h.stateCommitment().toByteArray())
            .putLong(h.timestamp())
            .putInt((int) h.target().bits())
            .putLong(h.nonce())
            .array();
    assertThat(h.encoded()).isEqualTo(expected);
    assertThat(h.hash().toByteArray()).isEqualTo(TestSupport.sha256(TestSupport.sha256(expected)));
    assertThat(h.hash()).isEqualTo(Hashes.doubleSha256(expected));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void roundTrips(long seed) throws Exception {
    BlockHeader h = randomHeader(new Random(seed));
    BlockHeader back = BlockHeader.decode(h.encoded().clone());
    assertThat(back).isEqualTo(h).hasSameHashCodeAs(h);
    assertThat(back.encoded()).isEqualTo(h.encoded());
    assertThat(back.version()).isEqualTo(h.version());
    assertThat(back.height()).isEqualTo(h.height());
    assertThat(back.previousHash()).isEqualTo(h.previousHash());
    assertThat(back.merkleRoot()).isEqualTo(h.merkleRoot());
    assertThat(back.stateCommitment()).isEqualTo(h.stateCommitment());
    assertThat(back.timestamp()).isEqualTo(h.timestamp());
    assertThat(back.target()).isEqualTo(h.target());
    assertThat(back.nonce()).isEqualTo(h.nonce());
  }

  @Test
  void truncationAtEveryLengthAndTrailingBytesAreRefused() {
    BlockHeader h = randomHeader(new Random(1));
    for (int len = 0; len < BlockHeader.SIZE; len++) {
      byte[] prefix = Arrays.copyOf(h.encoded(), len);
      assertRejected(() -> BlockHeader.decode(prefix), Reason.DECODE_TRUNCATED);
    }
    byte[] longer = Arrays.copyOf(h.encoded(), BlockHeader.SIZE + 1);
    assertRejected(() -> BlockHeader.decode(longer), Reason.DECODE_TRAILING_BYTES);
  }

  @Test
  void heightAndTimestampWithTheTopBitSetAreNonCanonical() {
    BlockHeader h = randomHeader(new Random(2));
    for (int offset : new int[] {HEIGHT_OFFSET, TIMESTAMP_OFFSET}) {
      byte[] b = h.encoded().clone();
      b[offset] |= (byte) 0x80;
      assertRejected(() -> BlockHeader.decode(b), Reason.DECODE_NON_CANONICAL);
    }
  }

  @Test
  void theNonceUsesAll64Bits() throws Exception {
    BlockHeader h = randomHeader(new Random(3)).withNonce(-1L);
    assertThat(BlockHeader.decode(h.encoded()).nonce()).isEqualTo(-1L);
    assertThat(h.toString()).contains("nonce=18446744073709551615");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void withNonceChangesOnlyTheLastEightBytes(long seed) {
    Random r = new Random(seed);
    BlockHeader h = randomHeader(r);
    long nonce;
    do {
      nonce = r.nextLong();
    } while (nonce == h.nonce());
    BlockHeader n = h.withNonce(nonce);
    assertThat(Arrays.copyOf(n.encoded(), 120)).isEqualTo(Arrays.copyOf(h.encoded(), 120));
    assertThat(Arrays.copyOfRange(n.encoded(), 120, 128))
        .isEqualTo(ByteBuffer.allocate(8).putLong(nonce).array());
    assertThat(n.nonce()).isEqualTo(nonce);
    assertThat(n.hash()).isNotEqualTo(h.hash());
    assertThat(n).isNotEqualTo(h);
    assertThat(n.withNonce(h.nonce())).isEqualTo(h);
  }

  @Test
  void meetsTargetComparesTheHashAsAnUnsignedInteger() {
    BlockHeader h = randomHeader(new Random(4));
    BigInteger value = new BigInteger(1, h.hash().toByteArray());
    assertThat(h.hash().toBigInteger()).isEqualTo(value);
    assertThat(h.meetsTarget(value)).isTrue();
    assertThat(h.meetsTarget(value.add(BigInteger.ONE))).isTrue();
    assertThat(h.meetsTarget(value.subtract(BigInteger.ONE))).isFalse();
    assertThat(h.meetsTarget(BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE))).isTrue();
  }

  @Test
  void constructorRefusesOutOfRangeFields() {
    CompactTarget t = new CompactTarget(0x207fffffL);
    assertThatThrownBy(() -> BlockHeader.of(-1, 0, Hash.ZERO, Hash.ZERO, Hash.ZERO, 0, t, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BlockHeader.of(1L << 32, 0, Hash.ZERO, Hash.ZERO, Hash.ZERO, 0, t, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BlockHeader.of(1, -1, Hash.ZERO, Hash.ZERO, Hash.ZERO, 0, t, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BlockHeader.of(1, 0, Hash.ZERO, Hash.ZERO, Hash.ZERO, -1, t, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
