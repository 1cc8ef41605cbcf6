package dev.cairn.bench;

import dev.cairn.ledger.ChainSpec;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.HostPort;
import dev.cairn.p2p.P2pConfig;
import dev.cairn.p2p.PeerStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Real nodes in this JVM (gRPC on 127.0.0.1, RocksDB in a temporary directory each), mining off,
 * in a fixed circulant topology: node i dials node i+d (mod n) for each d in {@code dials}, and
 * nobody else. Owns the nodes and the directory; {@link #close} removes both, also after a failed
 * start. Not thread-safe (the benchmark's main thread drives it; the nodes themselves are).
 */
final class PropagationNet implements AutoCloseable {
  private final Path root;
  private final int[] dials;
  private final List<Node> nodes = new ArrayList<>();

  private PropagationNet(Path root, int[] dials) {
    this.root = root;
    this.dials = dials.clone();
  }

  /**
   * Starts {@code count} nodes, then has each dial its {@code dials} neighbours. The outbound
   * target equals the number of dials, so the address book (peers exchange addresses on connect)
   * never adds a connection beyond the designed ones; {@link #awaitTopology} checks that.
   */
  static PropagationNet start(ChainSpec spec, int count, int[] dials) throws IOException {
    PropagationNet net = new PropagationNet(Fixtures.tempDir("cairn-bench-propagation-"), dials);
    try {
      // The `cairn node` defaults (10 s handshake and stall timeouts, 200 ms transaction
      // announcement batches), not the tests' faster timers: the network a user would run.
      P2pConfig p2p =
          new P2pConfig(
              "127.0.0.1", 0, "127.0.0.1", List.of(), dials.length, 125, Duration.ofSeconds(10),
              Duration.ofSeconds(10), Duration.ofMillis(200));
      for (int i = 0; i < count; i++) {
        Node node = new Node(NodeConfig.forTests(spec, net.root.resolve("node" + i)).withP2p(p2p));
        net.nodes.add(node);
        node.start();
      }
      for (int i = 0; i < count; i++) {
        for (int d : dials) {
          Node target = net.nodes.get((i + d) % count);
          net.nodes.get(i).network().addPeer(new HostPort("127.0.0.1", target.p2pPort()));
        }
      }
      return net;
    } catch (IOException | RuntimeException e) {
      net.close();
      throw e;
    }
  }

  List<Node> nodes() {
    return nodes;
  }

  /** Waits until every node has exactly its designed peers (dials out, dials in); returns them. */
  List<List<PeerStatus>> awaitTopology(Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<List<PeerStatus>> peers = nodes.stream().map(n -> n.network().peers()).toList();
      boolean complete =
          peers.stream()
              .allMatch(
                  p -> p.stream().filter(PeerStatus::inbound).count() == dials.length
                      && p.stream().filter(s -> !s.inbound()).count() == dials.length);
      if (complete) {
        return peers;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("topology not complete after " + timeout + ": " + describe(peers));
      }
      Thread.sleep(50);
    }
  }

  /** Hops from node 0 to every node, over the undirected graph of the designed connections. */
  int[] hopsFromNodeZero() {
    int n = nodes.size();
    int[] hops = new int[n];
    Arrays.fill(hops, -1);
    hops[0] = 0;
    Deque<Integer> queue = new ArrayDeque<>(List.of(0));
    while (!queue.isEmpty()) {
      int at = queue.poll();
      for (int d : dials) {
        for (int next : new int[] {(at + d) % n, Math.floorMod(at - d, n)}) {
          if (hops[next] < 0) {
            hops[next] = hops[at] + 1;
            queue.add(next);
          }
        }
      }
    }
    return hops;
  }

  static String describe(List<List<PeerStatus>> peers) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < peers.size(); i++) {
      long in = peers.get(i).stream().filter(PeerStatus::inbound).count();
      b.append(i == 0 ? "" : ", ")
          .append("node ").append(i).append(": ")
          .append(peers.get(i).size() - in).append(" out + ").append(in).append(" in");
    }
    return b.toString();
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (Node n : nodes) {
      try {
        n.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    Fixtures.deleteTree(root);
    if (failure != null) {
      throw failure;
    }
  }
}
