package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.testkit.TestChain;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A body that breaks a rule is marked invalid even when its header was indexed first (headers-first
 * sync, PROTOCOL §12), with its descendants, and is never a candidate again: the header is not left
 * looking valid, waiting for a body that can never be good, while a mutated body (one that fails
 * its commitments) is only dropped and the real one still welcome.
 */
class HeadersFirstInvalidBodyTest {
  private static final ChainSpec SPEC = ChainHarness.funded(TestChain.keys(0x1B0DL, 2));

  private static List<Transaction> withSecondCoinbase(List<Transaction> txs, long height) {
    List<Transaction> out = new ArrayList<>(txs);
    out.add(Coinbase.create(height, TestChain.keys(0x1B0DL, 2).get(1).address(), Amount.ZERO));
    return out;
  }

  @Test
  void aBodyBreakingARuleMarksItsIndexedHeaderAndItsDescendantsFailed() throws Exception {
    try (ChainHarness h = ChainHarness.inMemory(SPEC)) {
      h.mine(2);
      Block bad = h.build(h.onTip().editTransactions(l -> withSecondCoinbase(l, 3)));
      Block child = h.build(h.on(bad));
      h.chain.checkHeaders(List.of(), List.of(bad.header(), child.header()));
      h.chain.acceptHeaders(List.of(bad.header(), child.header()));
      assertThat(h.status(bad.hash())).hasValueSatisfying(s -> assertThat(s.isFailed()).isFalse());

      assertThatThrownBy(() -> h.chain.processBlock(bad))
          .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.COINBASE_MULTIPLE));
      assertThat(h.status(bad.hash())).hasValueSatisfying(s -> assertThat(s.isFailed()).as("the indexed header").isTrue());
      assertThat(h.status(child.hash())).hasValueSatisfying(s -> assertThat(s.isFailed()).as("its descendant").isTrue());
      assertThat(h.chain.blocksToDownload(10)).as("nothing on the failed branch is fetched").isEmpty();
      assertThatThrownBy(() -> h.chain.processBlock(bad))
          .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KNOWN_INVALID));
      assertThat(h.chain.tip().height()).isEqualTo(2);
    }
  }

  @Test
  void aMutatedBodyLeavesItsIndexedHeaderValidAndTheRealBodyConnects() throws Exception {
    try (ChainHarness h = ChainHarness.inMemory(SPEC)) {
      h.mine(2);
      Block real = h.build(h.onTip().pay(TestChain.keys(0x1B0DL, 2).get(0), TestChain.keys(0x1B0DL, 2).get(1).address(), Amount.coins(1)));
      h.chain.checkHeaders(List.of(), List.of(real.header()));
      h.chain.acceptHeaders(List.of(real.header()));
      List<Transaction> reordered = new ArrayList<>(real.transactions());
      reordered.add(reordered.remove(0));
      Block mutated = Block.of(real.header(), reordered);

      assertThatThrownBy(() -> h.chain.processBlock(mutated))
          .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_MERKLE_ROOT));
      assertThat(h.status(real.hash())).hasValueSatisfying(s -> assertThat(s.isFailed()).isFalse());
      h.chain.processBlock(real);
      assertThat(h.chain.tip().hash()).isEqualTo(real.hash());
    }
  }
}
