package dev.cairn.consensus;

import static dev.cairn.consensus.ChainHarness.coins;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.store.BlockStatus;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node on RocksDB that stops and starts again: it keeps its tip, state and verdicts without
 * replaying, and a store left part-way through a reorganisation (a kill between two of its atomic
 * batches, simulated by disconnecting blocks behind the chain's back) is brought back to the best
 * valid chain when the chain is constructed.
 */
class RestartTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0x2E57_0001L, 4);
  private static final ChainSpec SPEC = ChainHarness.funded(KEYS);

  @TempDir Path dir;
  private ChainHarness h;
  private final ReplayOracle oracle = new ReplayOracle();

  @AfterEach
  void close() {
    oracle.close();
    if (h != null) {
      h.close();
    }
  }

  private static Address addr(int i) {
    return KEYS.get(i).address();
  }

  @Test
  void aReopenedNodeKeepsItsTipStateAndVerdicts() throws Exception {
    Path db = dir.resolve("node");
    h = ChainHarness.rocksDb(SPEC, db);
    List<Block> main = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      main.add(h.accept(h.build(h.onTip().pay(KEYS.get(i % 4), addr((i + 1) % 4), coins(1 + i)))));
    }
    Block side = h.build(h.on(main.get(2)).miner(KEYS.get(3).address()));
    assertThat(h.submit(side).outcome()).isEqualTo(Blockchain.Outcome.SIDE_CHAIN);
    Block badState = h.build(h.onTip().stateCommitment(Hashes.sha256(new byte[] {9})));
    assertThat(h.reject(badState)).isEqualTo(Reason.BAD_STATE_COMMITMENT);
    Block tooOld = h.build(h.onTip().timestamp(SPEC.genesisTimestamp()));
    assertThat(h.reject(tooOld)).isEqualTo(Reason.TIME_TOO_OLD);
    SortedMap<Address, Account> accounts = h.accounts();

    h.reopenRocksDb(db);
    assertThat(h.chain.tip().hash()).isEqualTo(main.get(4).hash());
    assertThat(h.accounts()).isEqualTo(accounts);
    assertThat(h.submit(side).outcome()).isEqualTo(Blockchain.Outcome.ALREADY_KNOWN);
    assertThat(h.reject(badState)).isEqualTo(Reason.KNOWN_INVALID);
    assertThat(h.reject(tooOld)).isEqualTo(Reason.KNOWN_INVALID);
    assertThat(h.status(badState.hash()).orElseThrow().has(BlockStatus.FAILED)).isTrue();
    assertThat(h.reject(h.build(h.on(badState)))).isEqualTo(Reason.PREV_BLOCK_INVALID);
    oracle.check(h.store);

    // The node goes on, and the side branch stored before the restart can still win.
    h.accept(h.build(h.onTip().pay(KEYS.get(1), addr(2), coins(7))));
    Block s4 = h.build(h.on(side).miner(KEYS.get(3).address()));
    Block s5 = h.build(h.on(s4).miner(KEYS.get(3).address()));
    Block s6 = h.build(h.on(s5).miner(KEYS.get(3).address()));
    Block s7 = h.build(h.on(s6).miner(KEYS.get(3).address()));
    h.submit(s4);
    h.submit(s5);
    h.submit(s6);
    assertThat(h.submit(s7).outcome()).isEqualTo(Blockchain.Outcome.CONNECTED);
    oracle.check(h.store);
    h.reopenRocksDb(db);
    assertThat(h.chain.tip().hash()).isEqualTo(s7.hash());
    oracle.check(h.store);
  }

  /** a1..a5 then a heavier fork b3..b8 from a2: the node is on b8. */
  private List<Block> reorganised() throws Exception {
    List<Block> a = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      a.add(h.accept(h.build(h.onTip().pay(KEYS.get(i % 2), addr(2), coins(1 + i)))));
    }
    List<Block> b = new ArrayList<>();
    Block tip = a.get(1);
    for (int i = 0; i < 6; i++) {
      tip = h.build(h.on(tip).pay(KEYS.get(2 + i % 2), addr(0), coins(3 + i)).miner(KEYS.get(3).address()));
      b.add(tip);
      h.submit(tip);
    }
    assertThat(h.chain.tip().hash()).isEqualTo(tip.hash());
    List<Block> out = new ArrayList<>(a);
    out.addAll(b);
    return out; // a1..a5, b3..b8
  }

  @ParameterizedTest(name = "{0} blocks disconnected behind the chain's back")
  @ValueSource(ints = {0, 1, 2, 3, 5, 6, 7, 8})
  void aStoreLeftMidReorganisationReturnsToTheBestChain(int disconnects) throws Exception {
    Path db = dir.resolve("node");
    h = ChainHarness.rocksDb(SPEC, db);
    List<Block> blocks = reorganised();
    Block best = blocks.get(blocks.size() - 1);
    SortedMap<Address, Account> accounts = h.accounts();
    for (int i = 0; i < disconnects; i++) {
      h.store.disconnectTip(); // each is one atomic batch, as a reorganisation writes them
    }
    assertThat(h.store.tip().height()).isEqualTo(8 - disconnects);
    if (disconnects % 2 == 0) {
      h.reopenRocksDb(db); // a restart
    } else {
      h.attach(h.store); // or just a new Blockchain over the same store
    }
    assertThat(h.chain.tip().hash()).isEqualTo(best.hash());
    assertThat(h.accounts()).isEqualTo(accounts);
    oracle.check(h.store);
  }

  @Test
  void aStoreLeftOnTheLighterBranchMidReorganisationMovesBack() throws Exception {
    Path db = dir.resolve("node");
    h = ChainHarness.rocksDb(SPEC, db);
    List<Block> blocks = reorganised();
    Block best = blocks.get(blocks.size() - 1);
    SortedMap<Address, Account> accounts = h.accounts();
    // Killed while reorganising the other way: back to a2, then a3 and a4 connected again.
    for (int i = 0; i < 6; i++) {
      h.store.disconnectTip();
    }
    for (Block a : blocks.subList(2, 4)) {
      h.store.connect(a, h.model.node(a.hash()).changes());
    }
    assertThat(h.store.tip().hash()).isEqualTo(blocks.get(3).hash());
    h.reopenRocksDb(db);
    assertThat(h.chain.tip().hash()).isEqualTo(best.hash());
    assertThat(h.accounts()).isEqualTo(accounts);
    oracle.check(h.store);
  }

  @Test
  void theFirstSeenOfTwoEqualBranchesStaysTheTipAfterARestart() throws Exception {
    Path db = dir.resolve("node");
    h = ChainHarness.rocksDb(SPEC, db);
    Block a1 = h.mine(1);
    Block a2 = h.mine(1);
    Block b2 = h.build(h.on(a1).miner(KEYS.get(0).address()));
    assertThat(h.submit(b2).outcome()).isEqualTo(Blockchain.Outcome.SIDE_CHAIN);
    h.reopenRocksDb(db);
    assertThat(h.chain.tip().hash()).isEqualTo(a2.hash());
    // The other way round: b-branch first seen after a restart that left it the tip.
    h.chain.invalidateBlock(a2.hash());
    assertThat(h.chain.tip().hash()).isEqualTo(b2.hash());
    h.chain.reconsiderBlock(a2.hash());
    assertThat(h.chain.tip().hash()).as("equal work: the tip does not move back").isEqualTo(b2.hash());
    h.reopenRocksDb(db);
    assertThat(h.chain.tip().hash()).isEqualTo(b2.hash());
    oracle.check(h.store);
  }
}
