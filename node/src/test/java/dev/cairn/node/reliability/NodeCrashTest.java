package dev.cairn.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.consensus.Miner;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.BlockStatus;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of a whole node: a child JVM runs a real regtest node ({@link CrashingNodeProcess})
 * that mines with transfers, reorganises onto heavier branches, or syncs (and reorganises) from a
 * node in this JVM, and is killed, several times per data directory, either at a seeded random
 * moment (SIGKILL from here after a seeded number of acknowledged blocks) or at an injected point
 * (it halts itself inside the k-th block connect or disconnect: between the store's atomic batches,
 * in the middle of a deep reorganisation). After every kill:
 *
 * <ol>
 *   <li>the store opens and {@code cairn node verify-chain} passes on it as the kill left it: every
 *       best-chain block re-validated from genesis, accounts, tip and transaction index equal to
 *       that replay;
 *   <li>reopened as a restarting node does (re-activating the best chain), no acknowledged block is
 *       lost: the last block the child acknowledged (printed after {@code processBlock} returned,
 *       or at {@code tipChanged} when syncing) is still stored, the tip has at least its work, and
 *       it is on the best chain, unless a reorganisation the test itself caused replaced it, and
 *       then the best chain is exactly the branch that replaced it (the trigger block of the
 *       interrupted reorganisation; a block of the sync source's chain);
 *   <li>the next run starts from that tip and goes on.
 * </ol>
 *
 * {@code cairn.crash.kills} kills in all (15 by default; the {@code crash} profile runs 120),
 * cycling through the six scenarios, {@value #KILLS_PER_DIR} per data directory, each checked again
 * with verify-chain at the end. Seeded ({@code cairn.crash.seed}): the same kills every run.
 */
@Tag("crash")
class NodeCrashTest {
  static final int KILLS = Integer.getInteger("cairn.crash.kills", 15);
  static final long SEED = Long.getLong("cairn.crash.seed", 0x5EED_C4A5L);
  static final int KILLS_PER_DIR = 5;
  private static final ChainSpec SPEC = CrashingNodeProcess.SPEC;
  private static final long LINE_TIMEOUT_SECONDS = 90;

  @TempDir Path dir;

  enum Scenario {
    /** Mining with transfers; SIGKILL after 2-31 acknowledged blocks. */
    MINE_SIGKILL,
    /** Mining with transfers; halts inside the k-th connect (k in 1-30), after its batch. */
    MINE_HALT,
    /** Mining with a 2-10 block reorganisation every 1-4 blocks; SIGKILL after 5-44 acknowledged. */
    REORG_SIGKILL,
    /** The same; halts at the k-th of the 2d+1 disconnects and connects of the first reorganisation. */
    REORG_HALT,
    /** Syncing from a heavier fork 1-10 blocks deep; SIGKILL after a seeded number of new tips. */
    SYNC_SIGKILL,
    /** The same; halts at the k-th connect or disconnect of the sync (k in 1 to 2d + e). */
    SYNC_HALT
  }

  record Ack(long height, Hash hash) {}

  record Trigger(long height, Hash hash, int events) {}

  /** What this test knows about one data directory across its runs. */
  private static final class History {
    final Path dataDir;
    /** The last block acknowledged (or the tip seen on reopening); genesis at first. */
    Ack lastAck = new Ack(0, SPEC.genesisHash());
    /** A reorganisation announced after {@link #lastAck} and not yet acknowledged. */
    Trigger pendingTrigger;
    int acksThisRun;

    History(Path dataDir) {
      this.dataDir = dataDir;
    }

    void onLine(String line) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "acknowledged" -> {
          lastAck = new Ack(Long.parseLong(f[1]), Hash.parse(f[2]));
          pendingTrigger = null;
          acksThisRun++;
        }
        case "trigger" -> pendingTrigger = new Trigger(Long.parseLong(f[1]), Hash.parse(f[2]), Integer.parseInt(f[4]));
        default -> throw new AssertionError("unexpected line from the child: " + line);
      }
    }
  }

  /** The sync source: a node in this JVM whose chain forks from the child's and is heavier. */
  private record Source(Node node, Path dataDir, List<Hash> bestChain, int depth, int extra) implements AutoCloseable {
    boolean holds(BlockIndexEntry entry) {
      return entry.height() < bestChain.size() && bestChain.get((int) entry.height()).equals(entry.hash());
    }

    @Override
    public void close() {
      node.close();
      ChainChecks.deleteTree(dataDir);
    }
  }

  @Test
  void killedWhileMiningReorganisingAndSyncingRestartsConsistentEveryTime() throws Exception {
    Random random = new Random(SEED);
    List<String> report = new ArrayList<>();
    long started = System.nanoTime();
    int kill = 0;
    for (int d = 0; kill < KILLS; d++) {
      History history = new History(dir.resolve("node" + d));
      for (int i = 0; i < KILLS_PER_DIR && kill < KILLS; i++, kill++) {
        Scenario scenario = Scenario.values()[kill % Scenario.values().length];
        long t0 = System.nanoTime();
        String what = runAndKill(history, scenario, random, d, i);
        report.add(String.format("kill %3d  %-13s %5d ms  %s", kill + 1, scenario, (System.nanoTime() - t0) / 1_000_000, what));
      }
      ChainChecks.Verification v = ChainChecks.verifyChain(SPEC, history.dataDir);
      assertThat(v.ok()).as("verify-chain at the end of data directory %d: %s", d, v).isTrue();
      ChainChecks.deleteTree(history.dataDir); // bounded disk use for the 120-kill profile
    }
    report.forEach(System.out::println);
    System.out.printf("NodeCrashTest: %d kills in %d s, every restart consistent%n", KILLS, (System.nanoTime() - started) / 1_000_000_000L);
  }

  /** One run of the child on the data directory, ended by a kill; checks the directory afterwards. */
  private String runAndKill(History h, Scenario scenario, Random random, int dirIndex, int run) throws Exception {
    long childSeed = random.nextLong();
    h.acksThisRun = 0;
    h.pendingTrigger = null;
    String what;
    Optional<Source> source = Optional.empty();
    try {
      switch (scenario) {
        case MINE_SIGKILL -> {
          int acks = 2 + random.nextInt(30);
          try (ChildJvm child = start(h, "mine", childSeed, 0)) {
            awaitAcks(child, h, acks);
            child.kill();
            drain(child, h);
          }
          what = "SIGKILL after " + acks + " acknowledged blocks";
        }
        case MINE_HALT -> {
          int k = 1 + random.nextInt(30);
          try (ChildJvm child = start(h, "mine", childSeed, k)) {
            awaitHalt(child, h);
          }
          assertThat(h.acksThisRun).as("blocks acknowledged before the halt inside the %d-th connect", k).isEqualTo(k - 1);
          what = "halted inside connect " + k + " (after its batch, before processBlock returned)";
        }
        case REORG_SIGKILL -> {
          int acks = 5 + random.nextInt(40);
          try (ChildJvm child = start(h, "reorg", childSeed, 0)) {
            awaitAcks(child, h, acks);
            child.kill();
            drain(child, h);
          }
          what = "SIGKILL after " + acks + " acknowledged blocks" + (h.pendingTrigger != null ? ", during a reorganisation" : "");
        }
        case REORG_HALT -> {
          int k = 1 + random.nextInt(25);
          try (ChildJvm child = start(h, "reorg", childSeed, k)) {
            awaitHalt(child, h);
          }
          assertThat(h.pendingTrigger).as("the child halted inside a reorganisation").isNotNull();
          int events = h.pendingTrigger.events();
          what = "halted at step " + ((k - 1) % events + 1) + " of " + events + " of a reorganisation to height " + h.pendingTrigger.height();
        }
        case SYNC_SIGKILL, SYNC_HALT -> {
          source = Optional.of(prepareSource(h, random, dirIndex, run));
          Source s = source.get();
          String port = Integer.toString(s.node().p2pPort());
          if (scenario == Scenario.SYNC_SIGKILL) {
            int acks = 1 + random.nextInt(Math.max(1, s.extra() / 2));
            try (ChildJvm child = start(h, "sync", childSeed, 0, port)) {
              awaitAcks(child, h, acks);
              child.kill();
              drain(child, h);
            }
            what = "SIGKILL after " + acks + " new tips while syncing over a fork " + s.depth() + " deep (+" + s.extra() + ")";
          } else {
            int k = 1 + random.nextInt(2 * s.depth() + s.extra());
            try (ChildJvm child = start(h, "sync", childSeed, k, port)) {
              awaitHalt(child, h);
            }
            what = "halted at connect/disconnect " + k + " of syncing over a fork " + s.depth() + " deep (+" + s.extra() + ")";
          }
        }
        default -> throw new IllegalStateException();
      }
      return what + "; " + checkAfterKill(h, scenario, source);
    } finally {
      source.ifPresent(Source::close);
    }
  }

  private ChildJvm start(History h, String mode, long seed, int haltAt, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of(h.dataDir.toString(), mode, Long.toString(seed), Integer.toString(haltAt)));
    args.addAll(List.of(extra));
    ChildJvm child = ChildJvm.start(CrashingNodeProcess.class, args.toArray(String[]::new));
    try {
      assertThat(child.awaitLine(LINE_TIMEOUT_SECONDS))
          .as("the restarted node resumes at the tip found after the last kill")
          .isEqualTo("started " + h.lastAck.height() + " " + h.lastAck.hash());
      return child;
    } catch (Exception | AssertionError e) {
      child.close();
      throw e;
    }
  }

  private static void awaitAcks(ChildJvm child, History h, int count) throws InterruptedException {
    while (h.acksThisRun < count) {
      h.onLine(child.awaitLine(LINE_TIMEOUT_SECONDS));
    }
  }

  /** Reads what the child printed before it died (SIGKILL lands while it keeps going). */
  private static void drain(ChildJvm child, History h) throws InterruptedException {
    while (true) {
      String line;
      try {
        line = child.awaitLine(LINE_TIMEOUT_SECONDS);
      } catch (AssertionError endOfOutput) {
        if (!child.process().waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw endOfOutput; // silent but alive: a hang, not the end
        }
        return; // the child is dead and its output ended
      }
      h.onLine(line);
    }
  }

  private static void awaitHalt(ChildJvm child, History h) throws InterruptedException {
    drain(child, h);
    assertThat(child.process().waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("the child halted").isTrue();
    assertThat(child.process().exitValue()).as("the child died at the injected point").isEqualTo(137);
  }

  /**
   * A node in this JVM on a copy of the child's data directory (the child is not running) whose
   * best chain forks below the child's tip and is heavier: it invalidates the child's block 1-10
   * below the tip (none on an empty chain), which moves it to the fork or to a side branch the
   * child holds, mines {@code 5-24} blocks more than it lost, then reconsiders that block, so it
   * still knows the child's branch as valid (the child announcing it is not misbehaviour) but stays
   * on its heavier one. {@code depth} is how many of the child's blocks the sync disconnects,
   * {@code extra} how many more it connects than that.
   */
  private Source prepareSource(History h, Random random, int dirIndex, int run) throws Exception {
    Path sourceDir = dir.resolve("source" + dirIndex + "-" + run);
    if (Files.exists(h.dataDir)) {
      ChainChecks.copyTree(h.dataDir, sourceDir);
    }
    Node node = new Node(NodeConfig.forTests(SPEC, sourceDir)).start();
    try {
      long tip = node.chain().tip().height();
      List<Hash> childChain = mainChain(node);
      int back = tip == 0 ? 0 : 1 + random.nextInt((int) Math.min(tip, 10));
      Optional<Hash> invalidated = node.chain().store().mainChainHash(tip - back + 1);
      if (back > 0) {
        node.chain().invalidateBlock(invalidated.orElseThrow());
      }
      long lost = tip - node.chain().tip().height();
      // A fresh reward address per source: mining to the same one again could rebuild, byte for byte,
      // a block an earlier source mined at that height (same parent, timestamp and empty mempool),
      // and that block is now one this node was just told is invalid.
      byte[] minerSeed = new byte[32];
      random.nextBytes(minerSeed);
      Address miner = PrivateKey.fromSeed(minerSeed).address();
      Miner.generate(node.chain(), node.assembler(), miner, (int) lost + 5 + random.nextInt(20));
      if (back > 0) {
        node.chain().reconsiderBlock(invalidated.orElseThrow());
      }
      List<Hash> chain = mainChain(node);
      assertThat(chain.size()).as("the source is ahead").isGreaterThan(childChain.size());
      int fork = 0;
      while (fork + 1 < childChain.size() && childChain.get(fork + 1).equals(chain.get(fork + 1))) {
        fork++;
      }
      return new Source(node, sourceDir, chain, (int) tip - fork, chain.size() - 1 - (int) tip);
    } catch (Exception | AssertionError e) {
      node.close();
      throw e;
    }
  }

  private static List<Hash> mainChain(Node node) {
    List<Hash> out = new ArrayList<>();
    for (long i = 0; i <= node.chain().tip().height(); i++) {
      out.add(node.chain().store().mainChainHash(i).orElseThrow());
    }
    return List.copyOf(out);
  }

  /** The checks after each kill (see the class comment); returns what was found. */
  private static String checkAfterKill(History h, Scenario scenario, Optional<Source> source) {
    ChainChecks.Verification raw = ChainChecks.verifyChain(SPEC, h.dataDir);
    assertThat(raw.ok()).as("verify-chain on the store as the kill left it (%s): %s", scenario, raw).isTrue();
    StringBuilder found = new StringBuilder();
    ChainChecks.reopen(
        SPEC,
        h.dataDir,
        chain -> {
          BlockIndexEntry tip = chain.tip();
          Ack ack = h.lastAck;
          BlockIndexEntry acked =
              chain.entry(ack.hash()).orElseThrow(() -> new AssertionError("acknowledged block " + ack + " is not stored"));
          assertThat(acked.status().has(BlockStatus.HAVE_BODY) && !acked.status().isFailed())
              .as("acknowledged block %s is stored with its body and not marked invalid", ack)
              .isTrue();
          assertThat(tip.chainWork()).as("the tip has at least the work of the last acknowledged block").isGreaterThanOrEqualTo(acked.chainWork());
          assertThat(tip.height()).isGreaterThanOrEqualTo(ack.height());
          boolean onBest = chain.store().mainChainHash(ack.height()).equals(Optional.of(ack.hash()));
          Trigger trigger = h.pendingTrigger;
          switch (scenario) {
            case MINE_SIGKILL -> assertThat(onBest).as("acknowledged %s on the best chain", ack).isTrue();
            case MINE_HALT -> {
              assertThat(tip.height()).as("the halted block's batch was written").isEqualTo(ack.height() + 1);
              assertThat(tip.header().previousHash()).isEqualTo(ack.hash());
            }
            case REORG_SIGKILL -> {
              boolean replaced = trigger != null && chain.store().mainChainHash(trigger.height()).equals(Optional.of(trigger.hash()));
              assertThat(onBest || replaced)
                  .as("acknowledged %s on the best chain, or the heavier branch %s that was arriving", ack, trigger)
                  .isTrue();
            }
            case REORG_HALT -> assertThat(tip.hash()).as("the interrupted reorganisation finished on restart").isEqualTo(trigger.hash());
            case SYNC_SIGKILL, SYNC_HALT -> {
              Source s = source.orElseThrow();
              assertThat(s.holds(tip)).as("the tip %s is on the sync source's best chain", tip.hash()).isTrue();
              if (scenario == Scenario.SYNC_SIGKILL) {
                assertThat(onBest).as("acknowledged %s on the best chain", ack).isTrue();
              }
            }
            default -> throw new IllegalStateException();
          }
          found.append("restart tip ").append(tip.height());
          if (!onBest) {
            found.append(" (acknowledged ").append(ack.height()).append(" replaced by the test's heavier branch)");
          }
          h.lastAck = new Ack(tip.height(), tip.hash());
          h.pendingTrigger = null;
        });
    return found + ", verify-chain ok";
  }
}
