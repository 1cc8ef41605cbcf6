package dev.cairn.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.testkit.ChildJvm;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store killed with SIGKILL while it writes blocks reopens consistent: the tip is a block it had
 * acknowledged or a later one, the best chain and the accounts equal a replay of the same blocks,
 * and writing resumes.
 */
class ChainStoreCrashTest {
  private static final long SEED = 7;

  @TempDir Path dir;

  @Test
  void killedWhileWritingReopensConsistentEveryTime() throws Exception {
    Random random = new Random(20261126);
    Path db = dir.resolve("chain");
    long acknowledged = 0;
    for (int round = 0; round < 4; round++) {
      int target = 5 + random.nextInt(40);
      try (ChildJvm child = ChildJvm.start(StoreWriterProcess.class, "write", db.toString(), Long.toString(SEED))) {
        String resumed = child.awaitLine(60);
        assertThat(resumed).as("restart resumes at the last tip").isEqualTo("resumed " + acknowledged);
        for (int i = 0; i < target; i++) {
          String line = child.awaitLine(60);
          assertThat(line).startsWith("connected ");
          acknowledged = Long.parseLong(line.split(" ")[1]);
        }
        child.kill();
      }
      acknowledged = verifyConsistent(db, acknowledged);
    }
  }

  /** Checks the store against a replay; returns its tip height. */
  private long verifyConsistent(Path db, long acknowledged) {
    TestChain replay = new TestChain(SEED, 5);
    try (ChainStore store = ChainStore.openRocksDb(db, StoreConfig.SMALL, replay.spec())) {
      long tip = store.tip().height();
      assertThat(tip).as("no acknowledged block is lost").isGreaterThanOrEqualTo(acknowledged);
      List<Block> blocks = new ArrayList<>();
      for (long h = 1; h <= tip; h++) {
        blocks.add(replay.next(6).block());
      }
      for (long h = 1; h <= tip; h++) {
        assertThat(store.mainChainHash(h)).contains(blocks.get((int) h - 1).hash());
      }
      assertThat(store.mainChainHash(tip + 1)).isEmpty();
      assertThat(store.tip().hash()).isEqualTo(tip == 0 ? replay.spec().genesisHash() : blocks.get((int) tip - 1).hash());
      Map<Address, Account> accounts = new TreeMap<>();
      store.forEachAccount(accounts::put);
      assertThat(accounts).isEqualTo(replay.state());
      return tip;
    }
  }

  @Test
  void aDirectoryHeldByAnotherProcessIsRefusedClearly() throws Exception {
    Path db = dir.resolve("held");
    TestChain chain = new TestChain(SEED, 5);
    try (ChildJvm holder = ChildJvm.start(StoreWriterProcess.class, "hold", db.toString(), Long.toString(SEED))) {
      assertThat(holder.awaitLine(60)).isEqualTo("ready");
      assertThatThrownBy(() -> ChainStore.openRocksDb(db, StoreConfig.SMALL, chain.spec()))
          .isInstanceOf(StoreLockedException.class)
          .hasMessageContaining("in use by another process");
    }
    // Once the other process is gone, the directory opens normally.
    try (ChainStore store = ChainStore.openRocksDb(db, StoreConfig.SMALL, chain.spec())) {
      assertThat(store.tip().height()).isZero();
    }
  }
}
