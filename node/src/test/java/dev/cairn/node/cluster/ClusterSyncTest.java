package dev.cairn.node.cluster;

import static dev.cairn.node.cluster.Conditions.allTipsAre;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.ledger.Hash;
import dev.cairn.p2p.PeerStatus;
import dev.cairn.testkit.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Initial sync of a fresh node from a chain of 2,000 blocks (headers first, then bodies from
 * several peers in a moving window), and a syncing node stopped part-way, cleanly or with SIGKILL,
 * that resumes from where it was after a restart. The chains are mined once (regtest, trivial
 * proof of work) and their data directories copied for each serving node.
 */
class ClusterSyncTest {
  static final int LONG_CHAIN = 2_000;
  /** The restart tests only need to interrupt a sync: a prefix of the long chain is enough. */
  static final int SHORT_CHAIN = 600;
  static final long SEED = 31;

  record Prepared(Path dataDir, Hash tip, int length) {}

  @TempDir static Path shared;
  static Prepared shortChain;
  static Prepared longChain;

  @TempDir Path dir;

  @BeforeAll
  static void mineTheChainsOnce() {
    try (Cluster builder = Cluster.funded(shared.resolve("builder"), SEED, 2)) {
      ClusterNode miner = builder.startNode();
      Hash shortTip = miner.mine(SHORT_CHAIN).get(SHORT_CHAIN - 1);
      miner.stop();
      Path shortCopy = shared.resolve("short");
      copyTree(miner.dataDir(), shortCopy);
      shortChain = new Prepared(shortCopy, shortTip, SHORT_CHAIN);
      miner.restart();
      List<Hash> more = miner.mine(LONG_CHAIN - SHORT_CHAIN);
      longChain = new Prepared(miner.dataDir(), more.get(more.size() - 1), LONG_CHAIN);
    }
  }

  /** A node serving a prepared chain from its own copy of the data directory. */
  private static ClusterNode servingNode(Cluster cluster, Prepared chain, ClusterNode... bootstrap) {
    Path copy = cluster.newDataDir();
    copyTree(chain.dataDir(), copy);
    ClusterNode n = cluster.startNodeAt(copy, Stream.of(bootstrap).map(ClusterNode::p2pAddress).toList());
    assertThat(n.tip().hash()).isEqualTo(chain.tip());
    assertThat(n.height()).isEqualTo(chain.length());
    return n;
  }

  @Test
  void aFreshNodeSyncsTwoThousandBlocksFromMoreThanOnePeer() {
    try (Cluster cluster = Cluster.funded(dir, SEED, 2)) {
      ClusterNode a = servingNode(cluster, longChain);
      ClusterNode b = servingNode(cluster, longChain, a);
      ClusterNode fresh = cluster.startNode(a, b);
      cluster.verify(allTipsAre(longChain.tip()));
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Cluster.POLL)
          .untilAsserted(
              () -> {
                List<PeerStatus> servers = fresh.peers().stream().filter(p -> p.blocksReceived() > 0).toList();
                assertThat(servers).as("peers that served blocks: %s", fresh.peers()).hasSizeGreaterThan(1);
                assertThat(servers.stream().mapToLong(PeerStatus::blocksReceived).sum()).isGreaterThanOrEqualTo(LONG_CHAIN);
              });
    }
  }

  @Test
  void aNodeStoppedMidSyncResumesAndReachesTheTip() {
    try (Cluster cluster = Cluster.funded(dir, SEED, 2)) {
      ClusterNode a = servingNode(cluster, shortChain);
      ClusterNode syncing = cluster.startNode(a);
      await().atMost(Cluster.TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> syncing.height() >= 150);
      syncing.stop();
      long reached = syncing.restart().height();
      assertThat(reached).as("height kept across the restart").isBetween(150L, SHORT_CHAIN - 1L);
      cluster.verify(allTipsAre(shortChain.tip()));
      assertFetchedOnlyWhatWasMissing(syncing, reached);
    }
  }

  @Test
  void aNodeKilledMidSyncResumesAndReachesTheTip() throws Exception {
    try (Cluster cluster = Cluster.funded(dir, SEED, 2)) {
      ClusterNode a = servingNode(cluster, shortChain);
      Path dataDir = dir.resolve("killed");
      long printed = 0;
      try (ChildJvm child = ChildJvm.start(SyncingNodeProcess.class, dataDir.toString(), Long.toString(SEED), a.p2pAddress().toString())) {
        while (printed < 150) {
          String line = child.awaitLine(60);
          if (line.startsWith("height ")) {
            printed = Long.parseLong(line.substring("height ".length()));
          }
        }
        child.kill();
      }
      ClusterNode resumed = cluster.startNodeAt(dataDir, List.of(a.p2pAddress()));
      long reached = resumed.height();
      assertThat(reached).as("every block reported stored survived SIGKILL").isBetween(printed, SHORT_CHAIN - 1L);
      cluster.verify(allTipsAre(shortChain.tip()));
      assertFetchedOnlyWhatWasMissing(resumed, reached);
    }
  }

  /** After a restart at {@code reached}, the missing blocks were fetched, not the whole chain again. */
  private static void assertFetchedOnlyWhatWasMissing(ClusterNode node, long reached) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Cluster.POLL)
        .untilAsserted(
            () -> {
              long fetched = node.peers().stream().mapToLong(PeerStatus::blocksReceived).sum();
              assertThat(fetched).as("blocks fetched after the restart at %d", reached).isPositive().isLessThanOrEqualTo(SHORT_CHAIN - reached + 32);
            });
  }

  static void copyTree(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
