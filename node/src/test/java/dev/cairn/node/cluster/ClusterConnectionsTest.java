package dev.cairn.node.cluster;

import static dev.cairn.node.cluster.Conditions.allConnectedToEachOther;
import static dev.cairn.node.cluster.Conditions.allHavePeers;
import static dev.cairn.node.cluster.Conditions.allTipsAre;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.ledger.Hash;
import dev.cairn.p2p.HostPort;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection management between real nodes: a node told to bootstrap to itself does not stay
 * connected to itself, nodes on different networks never connect, a lost peer is re-dialled when
 * it comes back (the bootstrap node too), and the address book persisted in the store is what a
 * restarted node dials.
 */
class ClusterConnectionsTest {
  @TempDir Path dir;

  @Test
  void aNodeBootstrappingToItselfDoesNotStayConnectedToItself() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (Cluster cluster = Cluster.funded(dir, 51, 1)) {
      // "localhost" is not the address it advertises (127.0.0.1), so only the nonce can tell.
      ClusterNode self = cluster.startNodeAt(cluster.newDataDir(), List.of(new HostPort("localhost", port)), port);
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> self.peers().isEmpty());
      // And it still works with real peers.
      ClusterNode other = cluster.startNode(self);
      cluster.verify(allHavePeers(1));
      Hash mined = other.mine(1).get(0);
      cluster.verify(allTipsAre(mined));
    }
  }

  @Test
  void nodesOnDifferentNetworksNeverConnect() {
    try (Cluster ours = Cluster.funded(dir.resolve("ours"), 52, 1);
        Cluster theirs = Cluster.funded(dir.resolve("theirs"), 53, 1)) {
      ClusterNode a = ours.startNode();
      ClusterNode stranger = theirs.startNode(a);
      ClusterNode b = ours.startNode(a);
      ours.verify(allHavePeers(1));
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> stranger.peers().isEmpty() && a.peers().size() == 1);
      assertThat(b.peerAddresses()).containsExactly(a.p2pAddress());
    }
  }

  @Test
  void aLostPeerIsRedialledWhenItComesBack() {
    try (Cluster cluster = Cluster.funded(dir, 54, 1)) {
      ClusterNode a = cluster.startNode();
      ClusterNode b = cluster.startNode(a);
      ClusterNode c = cluster.startNode(a);
      cluster.verify(allConnectedToEachOther());

      // b comes back at the same address knowing nobody (a new data directory, no bootstrap):
      // only a and c re-dialling it can reconnect it.
      b.stop();
      cluster.verify(allHavePeers(1), a, c);
      b.wipeData();
      b.restart(List.of());
      cluster.verify(allConnectedToEachOther());
      Hash mined = b.mine(1).get(0);
      cluster.verify(allTipsAre(mined));

      // a is the bootstrap node: its followers keep re-dialling it.
      a.stop();
      cluster.verify(allHavePeers(1), b, c);
      a.restart();
      cluster.verify(allConnectedToEachOther());
    }
  }

  @Test
  void aRestartedNodeDialsTheAddressesItPersisted() {
    try (Cluster cluster = Cluster.funded(dir, 55, 1)) {
      ClusterNode a = cluster.startNode();
      ClusterNode b = cluster.startNode(a);
      ClusterNode c = cluster.startNode(a);
      cluster.verify(allConnectedToEachOther());

      // c comes back on a new port (nobody can dial it) knowing nobody from its configuration:
      // only the addresses persisted in its book can reconnect it.
      c.stop();
      cluster.verify(allHavePeers(1), a, b);
      c.restartOnNewPort(List.of());
      cluster.verify(allConnectedToEachOther());
      assertThat(c.peers()).allSatisfy(p -> assertThat(p.inbound()).as("dialled by c").isFalse());
    }
  }
}
