package dev.cairn.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Hash;
import dev.cairn.p2p.HostPort;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The conditions cluster tests verify on every node, named as the domain says them. */
public final class Conditions {
  private Conditions() {}

  /** Every node has {@code txid} in its mempool. */
  public static Condition allMempoolsContain(Hash txid) {
    return nodes -> {
      for (ClusterNode n : nodes) {
        assertThat(n.mempoolContains(txid)).as("%s has %s in its mempool", n.name(), txid).isTrue();
      }
    };
  }

  /** Every node has the same best-chain tip. */
  public static Condition allTipsEqual() {
    return nodes -> {
      Set<Hash> tips = nodes.stream().map(n -> n.tip().hash()).collect(Collectors.toSet());
      assertThat(tips).as("tips of %s", nodes).hasSize(1);
    };
  }

  /** Every node's tip is {@code hash}. */
  public static Condition allTipsAre(Hash hash) {
    return nodes -> {
      for (ClusterNode n : nodes) {
        assertThat(n.tip().hash()).as("tip of %s", n).isEqualTo(hash);
      }
    };
  }

  /** Every node has {@code txid} confirmed on its best chain. */
  public static Condition allConfirmed(Hash txid) {
    return nodes -> {
      for (ClusterNode n : nodes) {
        assertThat(n.node().chain().store().txLocation(txid)).as("%s confirmed on %s", txid, n.name()).isPresent();
        assertThat(n.mempoolContains(txid)).as("%s still pending on %s", txid, n.name()).isFalse();
      }
    };
  }

  /** Every node holds exactly the same accounts at its tip. */
  public static Condition allStatesEqual() {
    return nodes -> {
      Map<Address, Account> first = nodes.get(0).state();
      for (ClusterNode n : nodes.subList(1, nodes.size())) {
        assertThat(n.state()).as("state of %s against %s", n.name(), nodes.get(0).name()).isEqualTo(first);
      }
    };
  }

  /** Every node is connected to every other node (by the listen address each told in its handshake). */
  public static Condition allConnectedToEachOther() {
    return nodes -> {
      for (ClusterNode n : nodes) {
        Set<HostPort> others = new HashSet<>();
        for (ClusterNode o : nodes) {
          if (o != n) {
            others.add(o.p2pAddress());
          }
        }
        assertThat(n.peerAddresses()).as("peers of %s", n.name()).containsAll(others);
      }
    };
  }

  /** Every node has exactly {@code count} connected peers. */
  public static Condition allHavePeers(int count) {
    return nodes -> {
      for (ClusterNode n : nodes) {
        assertThat(n.peers()).as("peers of %s", n.name()).hasSize(count);
      }
    };
  }

  static List<ClusterNode> running(List<ClusterNode> nodes) {
    return nodes.stream().filter(ClusterNode::isRunning).toList();
  }
}
