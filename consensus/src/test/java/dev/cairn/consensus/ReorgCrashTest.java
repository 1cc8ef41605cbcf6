package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Hash;
import dev.cairn.testkit.ChildJvm;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node killed at injected points of a deep reorganisation (between the atomic batches: after
 * the k-th disconnect or connect of 40 disconnects and 41 connects) restarts on the consistent
 * best chain every time: the heavier branch, with state equal to a replay from genesis.
 */
class ReorgCrashTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "killed at reorg step {0}")
  @ValueSource(ints = {1, 2, 20, 39, 40, 41, 42, 60, 80})
  void restartsOnTheHeavierBranchWithReplayedState(int killAt) throws Exception {
    Path db = dir.resolve("chain");
    Hash trigger;
    try (ChildJvm child = ChildJvm.start(ReorgCrashProcess.class, db.toString(), Integer.toString(killAt))) {
      String line = child.awaitLine(120);
      assertThat(line).startsWith("trigger ");
      trigger = Hash.parse(line.substring("trigger ".length()));
      assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(child.process().exitValue()).as("the child died at the injected point").isEqualTo(137);
    }
    try (ChainHarness h = ChainHarness.rocksDb(ReorgCrashProcess.SPEC, db)) {
      assertThat(h.chain.tip().hash()).as("resumed the reorganisation").isEqualTo(trigger);
      assertThat(h.chain.tip().height()).isEqualTo(ReorgCrashProcess.A_LENGTH + 2);
      new ReplayOracle().check(h.chain.store());
    }
  }
}
