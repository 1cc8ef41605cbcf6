package dev.cairn.ledger.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ByteReader;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.Mutator;
import dev.cairn.testkit.TestChain;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutation fuzzing of every decoder: whatever the bytes, decoding either fails with a
 * {@link DecodeException} (a typed rejection) or yields an object whose encoding is exactly the
 * input (one canonical encoding). No other exception escapes. 40,000 cases in the default build;
 * {@code mvn -Pfuzz} runs many more ({@code cairn.fuzz.iterations}).
 */
@Tag("fuzz")
class DecoderFuzzTest {
  private static final TestChain CHAIN = new TestChain(0xF022L, 4);
  private static final List<Block> BLOCKS = new ArrayList<>();

  static {
    for (int i = 0; i < 6; i++) {
      BLOCKS.add(CHAIN.next(5).block());
    }
  }

  private interface Decoder {
    byte[] decodeAndEncode(byte[] bytes) throws DecodeException;
  }

  private static void fuzz(long seed, int cases, List<byte[]> corpus, Decoder decoder) {
    Mutator m = new Mutator(seed);
    int decoded = 0;
    for (int i = 0; i < cases; i++) {
      byte[] input = m.mutate(corpus.get(m.random().nextInt(corpus.size())));
      try {
        byte[] again = decoder.decodeAndEncode(input);
        assertThat(again).as("a decoded input re-encodes to itself (case %d)", i).isEqualTo(input);
        decoded++;
      } catch (DecodeException expected) {
        assertThat(expected.reason()).isNotNull();
      }
    }
    // Some mutations keep the structure (a flipped amount bit): both paths are exercised.
    assertThat(decoded).isPositive();
  }

  private static List<byte[]> encodings(List<? extends Object> items, Function<Object, byte[]> encode) {
    List<byte[]> out = new ArrayList<>();
    items.forEach(o -> out.add(encode.apply(o)));
    return out;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void transactions(long seed) {
    List<byte[]> corpus = new ArrayList<>();
    for (Block b : BLOCKS) {
      for (Transaction t : b.transactions()) {
        corpus.add(t.encoded());
      }
    }
    corpus.add(CHAIN.spec().allocations().get(0).encoded());
    fuzz(seed, Mutator.iterations(4_000), corpus, bytes -> Transaction.decode(bytes).encoded());
  }

  /** What a damaged transaction index entry could hold: the validated decoder fails cleanly too. */
  @ParameterizedTest
  @ValueSource(longs = {5, 6})
  void validatedTransactions(long seed) {
    List<byte[]> corpus = new ArrayList<>();
    for (Block b : BLOCKS) {
      for (Transaction t : b.transactions()) {
        corpus.add(t.encoded());
      }
    }
    fuzz(
        seed,
        Mutator.iterations(4_000),
        corpus,
        bytes -> {
          ByteReader in = new ByteReader(bytes);
          Transaction t = Transaction.decodeValidated(in);
          in.requireEnd("transaction");
          return t.encoded();
        });
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13})
  void headers(long seed) {
    List<byte[]> corpus = encodings(BLOCKS, b -> ((Block) b).header().encoded());
    fuzz(seed, Mutator.iterations(4_000), corpus, bytes -> BlockHeader.decode(bytes).encoded());
  }

  @ParameterizedTest
  @ValueSource(longs = {21, 22, 23})
  void blocks(long seed) {
    List<byte[]> corpus = encodings(BLOCKS, b -> ((Block) b).encode());
    fuzz(seed, Mutator.iterations(3_000), corpus, bytes -> Block.decode(bytes).encode());
  }

  /** Damaged stored bodies, read without re-checking keys (the explorer's reads). */
  @ParameterizedTest
  @ValueSource(longs = {24, 25})
  void storedBlocks(long seed) {
    List<byte[]> corpus = encodings(BLOCKS, b -> ((Block) b).encode());
    fuzz(seed, Mutator.iterations(2_000), corpus, bytes -> Block.decodeStored(bytes).encode());
  }

  @ParameterizedTest
  @ValueSource(longs = {31, 32})
  void accounts(long seed) {
    List<byte[]> corpus =
        List.of(new Account(Amount.coins(5), Amount.coins(1), 7).encode(), Account.EMPTY.encode());
    fuzz(seed, Mutator.iterations(3_000), corpus, bytes -> Account.decode(bytes).encode());
  }

  @ParameterizedTest
  @ValueSource(longs = {41, 42})
  void signaturesOfMutatedTransfersNeverVerify(long seed) {
    Mutator m = new Mutator(seed);
    List<Transfer> transfers = new ArrayList<>();
    for (Block b : BLOCKS) {
      for (Transaction t : b.transactions()) {
        if (t instanceof Transfer tr) {
          transfers.add(tr);
        }
      }
    }
    Hash genesis = CHAIN.spec().genesisHash();
    for (int i = 0; i < Mutator.iterations(1_500); i++) {
      Transfer original = transfers.get(m.random().nextInt(transfers.size()));
      byte[] mutated = m.mutate(original.encoded());
      try {
        Transaction t = Transaction.decode(mutated);
        if (t instanceof Transfer tr && !tr.id().equals(original.id())) {
          assertThat(tr.hasValidSignature(genesis)).as("case %d", i).isFalse();
        }
      } catch (DecodeException expected) {
        // typed rejection
      }
    }
  }
}
