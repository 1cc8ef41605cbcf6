package dev.cairn.node.cluster;

import static org.awaitility.Awaitility.await;

import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.p2p.HostPort;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Real nodes on one chain, in the spirit of Besu's acceptance tests: start a cluster, act on a
 * node, then {@link #verify} a condition on every running node. Each node has its own RocksDB
 * directory under the cluster's and talks real gRPC on 127.0.0.1; blocks are mined on demand.
 * Closing stops every node. Not thread-safe: driven by the test thread.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.funded(dir, 7, 2).startNodes(3)) {
 *   Hash txid = cluster.node(0).submit(cluster.node(0).transfer(cluster.key(0), to, Amount.coins(1)));
 *   cluster.verify(allMempoolsContain(txid));
 *   cluster.node(1).mine(1);
 *   cluster.verify(allTipsEqual());
 * }
 * }</pre>
 */
public final class Cluster implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(60);
  public static final Duration POLL = Duration.ofMillis(100);

  private final Path dir;
  private final ChainSpec spec;
  private final List<PrivateKey> keys;
  private final List<ClusterNode> nodes = new ArrayList<>();

  private Cluster(Path dir, ChainSpec spec, List<PrivateKey> keys) {
    this.dir = dir;
    this.spec = spec;
    this.keys = List.copyOf(keys);
  }

  /** A cluster on regtest parameters whose genesis funds {@code keyCount} keys derived from {@code seed}. */
  public static Cluster funded(Path dir, long seed, int keyCount) {
    List<PrivateKey> keys = TestChain.keys(seed, keyCount);
    return new Cluster(dir, TestChain.specFor(keys), keys);
  }

  /** A cluster on any chain spec; {@code keys} are the ones its genesis funds (may be empty). */
  public static Cluster on(Path dir, ChainSpec spec, List<PrivateKey> keys) {
    return new Cluster(dir, spec, keys);
  }

  /**
   * Starts {@code count} nodes one after another: the first one started is the bootstrap node, the
   * others know only it; each joins (has a peer) before the next starts, as nodes join a network.
   */
  public Cluster startNodes(int count) {
    for (int i = 0; i < count; i++) {
      if (nodes.isEmpty()) {
        startNode();
      } else {
        ClusterNode joined = startNode(nodes.get(0));
        verify(n -> org.assertj.core.api.Assertions.assertThat(joined.peers()).as("peers of %s", joined.name()).isNotEmpty(), joined);
      }
    }
    return this;
  }

  /** Starts a node that knows only {@code bootstrap} (none: it is a bootstrap node itself). */
  public ClusterNode startNode(ClusterNode... bootstrap) {
    return startNodeAt(newDataDir(), Arrays.stream(bootstrap).map(ClusterNode::p2pAddress).toList());
  }

  /** Starts a node on an existing data directory (e.g. a copy of a prepared chain). */
  public ClusterNode startNodeAt(Path dataDir, List<HostPort> bootstrap) {
    return startNodeAt(dataDir, bootstrap, 0);
  }

  /** Starts a node on a given peer port (0: any free one). */
  public ClusterNode startNodeAt(Path dataDir, List<HostPort> bootstrap, int p2pPort) {
    int index = nodes.size();
    PrivateKey minerKey = TestChain.keys(0xC0FFEE + index, 1).get(0);
    ClusterNode n = new ClusterNode("node" + index, spec, dataDir, bootstrap, p2pPort, minerKey.address());
    nodes.add(n);
    return n.start();
  }

  /** A data directory no node uses yet. */
  public Path newDataDir() {
    return dir.resolve("node" + nodes.size());
  }

  public ClusterNode node(int i) {
    return nodes.get(i);
  }

  public List<ClusterNode> nodes() {
    return List.copyOf(nodes);
  }

  public ChainSpec spec() {
    return spec;
  }

  public PrivateKey key(int i) {
    return keys.get(i);
  }

  /** Waits until {@code condition} holds on every running node. */
  public void verify(Condition condition) {
    verifyOn(condition, nodes);
  }

  /** Waits until {@code condition} holds on {@code some} nodes (e.g. one side of a partition). */
  public void verify(Condition condition, ClusterNode... some) {
    verifyOn(condition, List.of(some));
  }

  private static void verifyOn(Condition condition, List<ClusterNode> on) {
    await()
        .atMost(TIMEOUT)
        .pollInterval(POLL)
        .pollDelay(Duration.ZERO)
        .untilAsserted(() -> condition.check(Conditions.running(on)));
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (ClusterNode n : nodes) {
      try {
        n.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
