package dev.cairn.node.cluster;

import static dev.cairn.node.cluster.Conditions.allConfirmed;
import static dev.cairn.node.cluster.Conditions.allConnectedToEachOther;
import static dev.cairn.node.cluster.Conditions.allMempoolsContain;
import static dev.cairn.node.cluster.Conditions.allStatesEqual;
import static dev.cairn.node.cluster.Conditions.allTipsAre;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery and gossip on five real nodes that know only a bootstrap node: they find each other
 * through address exchange, a transaction sent to one reaches every mempool, and a block mined on
 * another ends up, with that transaction, on every node.
 */
class ClusterGossipTest {
  @TempDir Path dir;

  @Test
  void fiveNodesFindEachOtherThenATransactionAndABlockReachEveryNode() {
    try (Cluster cluster = Cluster.funded(dir, 11, 2).startNodes(5)) {
      cluster.verify(allConnectedToEachOther());

      PrivateKey payer = cluster.key(0);
      Address payee = TestChain.keys(99, 1).get(0).address();
      Hash txid = cluster.node(3).submit(cluster.node(3).transfer(payer, payee, Amount.coins(5)));
      cluster.verify(allMempoolsContain(txid));

      List<Hash> mined = cluster.node(1).mine(1);
      cluster.verify(allTipsAre(mined.get(0)));
      cluster.verify(allConfirmed(txid));
      cluster.verify(allStatesEqual());
      for (ClusterNode n : cluster.nodes()) {
        assertThat(n.account(payee).balance()).as("payee on %s", n.name()).isEqualTo(Amount.coins(5));
      }
    }
  }
}
