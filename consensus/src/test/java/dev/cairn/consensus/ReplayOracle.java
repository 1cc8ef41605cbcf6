package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import java.util.List;
import java.util.SortedMap;

/**
 * The state a node that never saw a fork would reach: a second Blockchain over a fresh in-memory
 * store, fed the best chain's blocks (read from the store's bodies) in height order. After every
 * step the node under test must hold exactly that state. By default every check replays from
 * genesis on a fresh node. {@link #incremental()} keeps the replay node while the best chain under
 * test only extends it (feeding just the new blocks: the same blocks in the same order, so the
 * same state) and starts a fresh one after any reorganisation; the long scenarios use it. Not
 * thread-safe.
 */
final class ReplayOracle implements AutoCloseable {
  private final SignatureCache cache = new SignatureCache(100_000);
  private final boolean incremental;
  private ChainStore replayStore;
  private Blockchain replay;
  private int freshReplays;

  ReplayOracle() {
    this(false);
  }

  private ReplayOracle(boolean incremental) {
    this.incremental = incremental;
  }

  /** An oracle that keeps its replay node while the best chain only grows. */
  static ReplayOracle incremental() {
    return new ReplayOracle(true);
  }

  /** Checks the store under test against a replay of its best chain. */
  void check(ChainStore underTest) {
    List<Hash> best = ChainHarness.bestChain(underTest);
    assertThat(best.get(0)).isEqualTo(underTest.spec().genesisHash());
    if (!incremental
        || replay == null
        || replay.tip().height() > underTest.tip().height()
        || !best.get((int) replay.tip().height()).equals(replay.tip().hash())) {
      fresh(underTest);
    }
    for (long h = replay.tip().height() + 1; h < best.size(); h++) {
      Hash hash = best.get((int) h);
      Block body = underTest.body(hash).orElseThrow(() -> new AssertionError("best-chain block " + hash + " has no body"));
      assertThat(body.header().height()).isEqualTo(h);
      try {
        Blockchain.BlockResult r = replay.processBlock(body);
        assertThat(r.outcome()).as("replaying %s", body).isEqualTo(Blockchain.Outcome.CONNECTED);
      } catch (RejectedException e) {
        throw new AssertionError("the best chain does not replay: block " + body + " rejected: " + e.getMessage(), e);
      }
    }
    assertThat(replay.tip().hash()).as("replayed tip").isEqualTo(underTest.tip().hash());
    SortedMap<Address, Account> expected = ChainHarness.accountsOf(replayStore);
    SortedMap<Address, Account> actual = ChainHarness.accountsOf(underTest);
    assertThat(actual).as("accounts at the tip vs. a replay of the best chain").isEqualTo(expected);
    for (Address a : expected.keySet()) {
      assertThat(underTest.addressTxCount(a)).as("address history length of %s", a).isEqualTo(replayStore.addressTxCount(a));
    }
  }

  private void fresh(ChainStore underTest) {
    close();
    freshReplays++;
    replayStore = ChainStore.open(new InMemoryKeyValueStore(), underTest.spec());
    // No executor: the replay verifies on the test thread. Its own cache, never the node's.
    replay = new Blockchain(replayStore, () -> Long.MAX_VALUE / 4, new SignatureVerifier(cache, null, 1));
  }

  int freshReplays() {
    return freshReplays;
  }

  @Override
  public void close() {
    if (replayStore != null) {
      replayStore.close();
      replayStore = null;
      replay = null;
    }
  }
}
