package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.TestChain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The peer core is deterministic: three nodes on the in-memory transport, mining, relaying
 * transactions and reorganising, run twice with one seed give the same trace (every event and
 * action of every node, in order, hashed), and another seed gives another trace (the connection
 * nonces, the download order). The script: nodes 0 and 1 connect and share a chain of 4 blocks
 * whose last holds 3 transfers relayed from node 1; node 2 mines a longer chain alone; then it
 * joins, both others reorganise to its chain, the 3 transfers go back to the pools and are mined
 * again on the new chain.
 */
class DeterminismTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0xDE7L, 4);
  private static final ChainSpec SPEC = TestChain.specFor(KEYS);

  /** What one run produced. */
  record Run(String traceHash, long lines, Hash tip, long height, List<Hash> firstChainAtNode0, List<Hash> transfers, boolean transfersConfirmed) {}

  @Test
  void oneSeedGivesOneTraceAndAnotherSeedAnother() {
    Run first = run(42);
    Run again = run(42);
    Run other = run(43);

    // The scenario happened: every node on node 2's longer chain, node 0 reorganised away from
    // the blocks it had, and the relayed transfers confirmed on the final chain.
    assertThat(first.height()).isEqualTo(7);
    assertThat(first.firstChainAtNode0()).hasSize(4).doesNotContain(first.tip());
    assertThat(first.transfersConfirmed()).isTrue();
    assertThat(first.lines()).isGreaterThan(500);

    assertThat(again).isEqualTo(first);
    assertThat(other.traceHash()).isNotEqualTo(first.traceHash());
    // Only the randomness differs: the same chain comes out.
    assertThat(other.tip()).isEqualTo(first.tip());
  }

  private static Run run(long seed) {
    long start = (SPEC.genesisTimestamp() + 3_600) * 1000;
    // Node 1 bootstraps from node 0; node 2 knows nobody until it is told of node 0. Links of
    // 20-60 ms, asymmetric.
    InMemoryNetwork.LinkDelay delay = (from, to) -> 20 + 10L * ((from.hashCode() * 31 + to.hashCode()) & 3);
    try (InMemoryCluster cluster = new InMemoryCluster(SPEC, start, seed, List.of(List.of(), List.of(0), List.of()), delay)) {
      InMemoryCluster.Node a = cluster.node(0);
      InMemoryCluster.Node b = cluster.node(1);
      InMemoryCluster.Node c = cluster.node(2);
      Address minerA = KEYS.get(0).address();
      Address minerC = KEYS.get(3).address();
      List<Hash> transfers = new ArrayList<>();
      List<Hash> firstChain = new ArrayList<>();

      cluster.at(0, () -> cluster.nodes.forEach(InMemoryCluster.Node::start));
      for (int i = 0; i < 3; i++) {
        cluster.at(2_000 + 1_000L * i, () -> a.mine(minerA));
      }
      for (int i = 0; i < 6; i++) {
        cluster.at(2_500 + 1_000L * i, () -> c.mine(minerC));
      }
      cluster.at(5_000, () -> {
        for (int n = 0; n < 3; n++) {
          Transfer t = Transfer.sign(KEYS.get(1), KEYS.get(2).address(), Amount.coins(1 + n), Amount.units(10_000), n, SPEC.genesisHash());
          transfers.add(t.id());
          b.submit(t);
        }
      });
      cluster.at(8_000, () -> {
        assertThat(a.mempool.stats().count()).as("transfers relayed from node 1 to node 0").isEqualTo(3);
        a.mine(minerA);
        for (long h = 1; h <= 4; h++) {
          firstChain.add(a.store.mainChainHash(h).orElseThrow());
        }
      });
      cluster.at(10_000, () -> c.driver.post(new PeerEvent.AddPeer(a.address)));
      cluster.at(15_000, () -> {
        assertThat(c.mempool.stats().count()).as("transfers back in the pools after the reorganisation, relayed to node 2").isEqualTo(3);
        c.mine(minerC);
      });
      cluster.runFor(Duration.ofSeconds(30));

      Hash tip = c.chain.tip().hash();
      for (InMemoryCluster.Node n : cluster.nodes) {
        assertThat(n.chain.tip().hash()).as("node %d's tip", n.index).isEqualTo(tip);
      }
      boolean confirmed = transfers.stream().allMatch(t -> c.store.txLocation(t).isPresent() && a.store.txLocation(t).isPresent());
      return new Run(cluster.traceHash(), cluster.tracedLines(), tip, c.chain.tip().height(), List.copyOf(firstChain), List.copyOf(transfers), confirmed);
    }
  }
}
