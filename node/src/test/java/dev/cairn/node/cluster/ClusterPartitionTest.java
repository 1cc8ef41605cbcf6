package dev.cairn.node.cluster;

import static dev.cairn.node.cluster.Conditions.allConfirmed;
import static dev.cairn.node.cluster.Conditions.allMempoolsContain;
import static dev.cairn.node.cluster.Conditions.allStatesEqual;
import static dev.cairn.node.cluster.Conditions.allTipsAre;
import static dev.cairn.node.cluster.Conditions.allTipsEqual;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network split in two groups that both keep mining (and confirm conflicting payments from the
 * same account), then healed: every node reorganises onto the chain with the most work and ends
 * with the identical state, the losing side's payment gone everywhere.
 */
class ClusterPartitionTest {
  @TempDir Path dir;

  @Test
  void afterAPartitionHealsEveryNodeFollowsTheMostWorkChainWithIdenticalState() {
    try (Cluster cluster = Cluster.funded(dir, 41, 2)) {
      // Two groups that know nothing of each other: {0, 1} and {2, 3}.
      ClusterNode a0 = cluster.startNode();
      ClusterNode a1 = cluster.startNode(a0);
      ClusterNode b0 = cluster.startNode();
      ClusterNode b1 = cluster.startNode(b0);

      // A common history: mined in group A, handed to group B as submitted blocks.
      a0.mine(5);
      b0.submitBlocks(a0.blocks(1));
      cluster.verify(allTipsEqual());

      // Both sides spend the same nonce of the same account, to different payees.
      PrivateKey payer = cluster.key(0);
      Address payeeA = TestChain.keys(501, 1).get(0).address();
      Address payeeB = TestChain.keys(502, 1).get(0).address();
      Transfer toA = a0.transfer(payer, payeeA, Amount.coins(7));
      Transfer toB = b0.transfer(payer, payeeB, Amount.coins(3));
      assertThat(toA.nonce()).isEqualTo(toB.nonce());
      Hash txA = a0.submit(toA);
      Hash txB = b1.submit(toB);
      cluster.verify(allMempoolsContain(txA), a0, a1);
      cluster.verify(allMempoolsContain(txB), b0, b1);

      // Both groups mine; group B mines more blocks, so more work (regtest: fixed target).
      a1.mine(2);
      a0.mine(1);
      b0.mine(2);
      b1.mine(3);
      cluster.verify(allTipsEqual(), a0, a1);
      cluster.verify(allTipsEqual(), b0, b1);
      cluster.verify(allConfirmed(txA), a0, a1);
      cluster.verify(allConfirmed(txB), b0, b1);
      Hash heaviest = b1.tip().hash();
      assertThat(b1.tip().chainWork()).isGreaterThan(a0.tip().chainWork());

      // Heal: one link between the groups.
      a1.connect(b0);
      cluster.verify(allTipsAre(heaviest));
      cluster.verify(allConfirmed(txB));
      cluster.verify(allStatesEqual());
      for (ClusterNode n : cluster.nodes()) {
        assertThat(n.node().chain().store().txLocation(txA)).as("%s on %s", txA, n.name()).isEmpty();
        assertThat(n.account(payeeA).balance()).as("payee A on %s", n.name()).isEqualTo(Amount.ZERO);
        assertThat(n.account(payeeB).balance()).as("payee B on %s", n.name()).isEqualTo(Amount.coins(3));
      }

      // The healed network works both ways: a block from the former losing side reaches everyone.
      List<Hash> next = a0.mine(1);
      cluster.verify(allTipsAre(next.get(0)));
      cluster.verify(allStatesEqual());
    }
  }
}
