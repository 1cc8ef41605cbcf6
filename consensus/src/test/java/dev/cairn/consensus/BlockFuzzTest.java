package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.testkit.Mutator;
import dev.cairn.testkit.TestChain;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutations of valid blocks fed to a real chain: only typed rejections come out, and a
 * rejected block changes nothing (tip and every account as before). A mutation that happens to
 * make another valid block (regtest's trivial proof of work lets a changed nonce pass) must leave
 * state equal to a replay of the best chain.
 */
@Tag("fuzz")
class BlockFuzzTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0xF0221L, 4);

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void mutatedBlocksAreRejectedWithoutSideEffects(long seed) {
    Mutator m = new Mutator(seed);
    try (ChainHarness h = ChainHarness.inMemory(ChainHarness.funded(KEYS))) {
      h.mine(3);
      int accepted = 0;
      for (int i = 0; i < Mutator.iterations(1_500); i++) {
        BlockBuilder b = h.onTip();
        for (int k = 0; k < 3; k++) {
          b.pay(KEYS.get(k), KEYS.get((k + 1) % 4).address(), ChainHarness.coins(1));
        }
        Block valid = h.build(b);
        byte[] mutated = m.mutate(valid.encode());
        Block block;
        try {
          block = Block.decode(mutated);
        } catch (DecodeException expected) {
          continue;
        }
        BlockIndexEntry tipBefore = h.chain.tip();
        SortedMap<Address, Account> before = h.accounts();
        try {
          h.submit(block);
          accepted++;
          new ReplayOracle().check(h.chain.store());
        } catch (RejectedException expected) {
          assertThat(h.chain.tip()).as("case %d (%s)", i, expected.reason()).isEqualTo(tipBefore);
          assertThat(h.accounts()).as("case %d (%s)", i, expected.reason()).isEqualTo(before);
        }
      }
      assertThat(accepted).isLessThan(Mutator.iterations(1_500));
    }
  }
}
