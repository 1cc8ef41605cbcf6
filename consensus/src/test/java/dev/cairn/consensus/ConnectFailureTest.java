package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.store.Column;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.ledger.store.KeyValueStore;
import dev.cairn.testkit.TestChain;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A block whose connection fails for a reason that is not a rule (the store refuses its write, a
 * bug that this block's contents trigger) is not marked invalid, and it stops being a best-chain
 * candidate, so the chain is not held hostage to it: a competing block connects instead of every
 * later activation failing on the same block. Reconsidering it tries it again.
 */
class ConnectFailureTest {
  private static final ChainSpec SPEC = ChainHarness.funded(TestChain.keys(0xC0FFL, 2));

  /** An in-memory store whose commit connecting {@link #poisoned} fails, every time. */
  private static final class FailingConnects implements KeyValueStore {
    private final InMemoryKeyValueStore inner = new InMemoryKeyValueStore();
    Optional<Hash> poisoned = Optional.empty();
    int failures;

    @Override
    public Optional<byte[]> get(Column column, byte[] key) {
      return inner.get(column, key);
    }

    @Override
    public Optional<ValueHead> getHead(Column column, byte[] key, int maxBytes) {
      return inner.getHead(column, key, maxBytes);
    }

    @Override
    public void scan(Column column, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor) {
      inner.scan(column, from, to, reverse, visitor);
    }

    @Override
    public Batch batch() {
      Batch b = inner.batch();
      return new Batch() {
        private boolean connects;

        @Override
        public Batch put(Column column, byte[] key, byte[] value) {
          connects |= column == Column.MAIN_CHAIN && poisoned.map(p -> Arrays.equals(p.toByteArray(), value)).orElse(false);
          b.put(column, key, value);
          return this;
        }

        @Override
        public Batch delete(Column column, byte[] key) {
          b.delete(column, key);
          return this;
        }

        @Override
        public Batch add(Column column, byte[] key, long delta) {
          b.add(column, key, delta);
          return this;
        }

        @Override
        public void commit(boolean sync) {
          if (connects) {
            failures++;
            throw new IllegalStateException("simulated: No space left on device");
          }
          b.commit(sync);
        }

        @Override
        public void close() {
          b.close();
        }
      };
    }

    @Override
    public long approximateSize(Column column) {
      return inner.approximateSize(column);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @Test
  void aBlockThatCannotBeConnectedIsNoLongerTriedAtEveryActivationNorMarkedInvalid() throws Exception {
    FailingConnects kv = new FailingConnects();
    try (ChainHarness h = ChainHarness.over(SPEC, kv)) {
      h.mine(2);
      Block stuck = h.build(h.onTip());
      kv.poisoned = Optional.of(stuck.hash());
      assertThatThrownBy(() -> h.chain.processBlock(stuck)).hasMessageContaining("No space left on device");
      assertThat(h.chain.tip().height()).isEqualTo(2);
      assertThat(h.status(stuck.hash())).hasValueSatisfying(s -> assertThat(s.isFailed()).as("not invalid").isFalse());
      assertThat(kv.failures).isEqualTo(1);

      // A competing block of equal work, seen later: it connects; the stuck one is not tried again.
      Block sibling = h.build(h.on(h.chain.tip().hash()).miner(TestChain.keys(0xC0FFL, 2).get(1).address()));
      assertThat(sibling.hash()).isNotEqualTo(stuck.hash());
      h.chain.processBlock(sibling);
      assertThat(h.chain.tip().hash()).isEqualTo(sibling.hash());
      Block next = h.build(h.onTip());
      h.chain.processBlock(next);
      assertThat(h.chain.tip().hash()).isEqualTo(next.hash());
      assertThat(kv.failures).as("the stuck block was tried once").isEqualTo(1);

      // Fixed (here: the store accepts it again), reconsidering tries it once more; it has less work now.
      kv.poisoned = Optional.empty();
      h.chain.reconsiderBlock(stuck.hash());
      assertThat(h.chain.tip().hash()).isEqualTo(next.hash());
      assertThat(h.status(stuck.hash())).hasValueSatisfying(s -> assertThat(s.isFailed()).isFalse());
    }
  }
}
