package dev.cairn.ledger;

import static dev.cairn.ledger.TestSupport.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class BlockTest {
  private static Block randomBlock(Random r, int txCount) {
    Hash genesis = TestSupport.hash(r);
    List<Transaction> txs = new ArrayList<>();
    txs.add(TestSupport.coinbase(r));
    for (int i = 1; i < txCount; i++) {
      txs.add(TestSupport.transaction(r, genesis));
    }
    BlockHeader header = BlockHeaderTest.randomHeader(r);
    return Block.of(header, txs);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void mixedBlocksRoundTrip(long seed) throws Exception {
    Random r = new Random(seed);
    Block b = randomBlock(r, 1 + r.nextInt(30));
    byte[] bytes = b.encode();
    assertThat(bytes).hasSize(b.size());
    Block back = Block.decode(bytes);
    assertThat(back).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(back.hash()).isEqualTo(b.header().hash());
    assertThat(back.transactions()).containsExactlyElementsOf(b.transactions());
    assertThat(back.transactionIds()).isEqualTo(b.transactions().stream().map(Transaction::id).toList());
    assertThat(back.computeMerkleRoot()).isEqualTo(MerkleTree.root(b.transactionIds()));
    assertThat(back.encode()).isEqualTo(bytes);
    // A stored block read back without re-checking its keys is the same block.
    Block stored = Block.decodeStored(bytes);
    assertThat(stored).isEqualTo(b);
    assertThat(stored.transactionIds()).isEqualTo(b.transactionIds());
    assertThat(stored.encode()).isEqualTo(bytes);
  }

  @Test
  void aStoredBlockIsCheckedForStructureAsAnyOther() {
    Block b = randomBlock(new Random(4), 5);
    byte[] bytes = b.encode();
    assertRejected(() -> Block.decodeStored(Arrays.copyOf(bytes, bytes.length - 1)), Reason.DECODE_TRUNCATED);
    assertRejected(() -> Block.decodeStored(Arrays.copyOf(bytes, bytes.length + 1)), Reason.DECODE_TRAILING_BYTES);
    assertRejected(() -> Block.decodeStored(new byte[Block.MAX_ENCODED_SIZE + 1]), Reason.DECODE_TOO_LARGE);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void theCountFieldAloneGivesTheTransactionCount(long seed) throws Exception {
    Random r = new Random(seed);
    Block b = randomBlock(r, 1 + r.nextInt(30));
    byte[] bytes = b.encode();
    byte[] head = Arrays.copyOf(bytes, Block.COUNT_END);
    assertThat(Block.transactionCount(head, bytes.length)).isEqualTo(b.transactions().size());
    assertThat(Block.transactionCount(bytes, bytes.length)).isEqualTo(b.transactions().size());
    // A count the stated size cannot hold is refused, as is a head shorter than the count field.
    int tooSmall = Block.COUNT_END + b.transactions().size() * Allocation.SIZE - 1;
    assertRejected(() -> Block.transactionCount(head, tooSmall), Reason.DECODE_TRUNCATED);
    assertRejected(() -> Block.transactionCount(Arrays.copyOf(bytes, Block.COUNT_END - 1), bytes.length), Reason.DECODE_TRUNCATED);
  }

  @Test
  void layoutIsHeaderThenCountThenTransactions() {
    Block b = randomBlock(new Random(1), 4);
    ByteBuffer expected = ByteBuffer.allocate(b.size());
    expected.put(b.header().encoded()).putInt(4);
    for (Transaction tx : b.transactions()) {
      expected.put(tx.encoded());
    }
    assertThat(b.encode()).isEqualTo(expected.array());
    int size = BlockHeader.SIZE + 4 + b.transactions().stream().mapToInt(Transaction::size).sum();
    assertThat(b.size()).isEqualTo(size);
  }

  @Test
  void emptyBlockRoundTrips() throws Exception {
    Block b = Block.of(BlockHeaderTest.randomHeader(new Random(2)), List.of());
    assertThat(b.encode()).hasSize(BlockHeader.SIZE + 4);
    assertThat(Block.decode(b.encode())).isEqualTo(b);
    assertThat(b.computeMerkleRoot()).isEqualTo(MerkleTree.EMPTY_ROOT);
  }

  @Test
  void truncationAtEveryLengthIsTruncated() {
    Block b = randomBlock(new Random(3), 5);
    byte[] bytes = b.encode();
    for (int len = 0; len < bytes.length; len++) {
      byte[] prefix = Arrays.copyOf(bytes, len);
      assertRejected(() -> Block.decode(prefix), Reason.DECODE_TRUNCATED);
    }
  }

  @Test
  void trailingBytesAreRefused() {
    byte[] bytes = randomBlock(new Random(4), 3).encode();
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertRejected(() -> Block.decode(longer), Reason.DECODE_TRAILING_BYTES);
    // A count one too small leaves the last transaction as trailing data.
    byte[] undercount = bytes.clone();
    ByteBuffer.wrap(undercount).putInt(BlockHeader.SIZE, 2);
    assertRejected(() -> Block.decode(undercount), Reason.DECODE_TRAILING_BYTES);
  }

  @ParameterizedTest
  @ValueSource(longs = {0xFFFF_FFFFL, 0x8000_0000L, 0x7FFF_FFFFL, 1_000_000L, 4})
  void aCountTheBytesCannotHoldIsRefusedBeforeAllocating(long count) {
    // Header, a lying count, and 100 bytes: at most 3 transactions of 30 bytes could follow.
    // A decoder that trusted the count would allocate a list of up to 2^32 entries (or throw
    // on the negative int cast) instead of failing cleanly.
    byte[] bytes = new byte[BlockHeader.SIZE + 4 + 100];
    System.arraycopy(BlockHeaderTest.randomHeader(new Random(5)).encoded(), 0, bytes, 0, BlockHeader.SIZE);
    ByteBuffer.wrap(bytes).putInt(BlockHeader.SIZE, (int) count);
    assertRejected(() -> Block.decode(bytes), Reason.DECODE_TRUNCATED);
  }

  @Test
  void blocksAboveTheDecodingCeilingAreRefusedUnread() {
    assertRejected(() -> Block.decode(new byte[Block.MAX_ENCODED_SIZE + 1]), Reason.DECODE_TOO_LARGE);
    // Exactly at the ceiling it is read: zeros are a valid header and an empty list, then junk.
    assertRejected(() -> Block.decode(new byte[Block.MAX_ENCODED_SIZE]), Reason.DECODE_TRAILING_BYTES);
  }

  @Test
  void aBadTransactionInsideABlockIsReportedAsSuch() {
    Block b = randomBlock(new Random(6), 2);
    byte[] bytes = b.encode();
    // The first transaction (the coinbase) starts right after the count: break its version.
    bytes[BlockHeader.SIZE + 4] = 9;
    assertRejected(() -> Block.decode(bytes), Reason.DECODE_UNKNOWN_VERSION);
  }

  @Test
  void equalityCoversTransactions() {
    Random r = new Random(7);
    Block b = randomBlock(r, 3);
    Block fewer = Block.of(b.header(), b.transactions().subList(0, 2));
    assertThat(fewer).isNotEqualTo(b);
    assertThat(Block.of(b.header(), new ArrayList<>(b.transactions()))).isEqualTo(b);
  }
}
