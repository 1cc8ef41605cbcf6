package dev.cairn.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.consensus.Miner;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.HostPort;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by {@link NodeCrashTest} (a node killed while syncing, restarted against another source):
 * a node that holds the headers of a heavier chain whose bodies nobody serves any more (the peer
 * that sent them is gone) still follows a lighter chain it is offered that beats its own tip.
 * Before the fix it aimed every download at the unserved headers and never moved again.
 */
class UnservedHeadersSyncTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0x5E11_0001L, 3);
  private static final ChainSpec SPEC = TestChain.specFor(KEYS);

  @TempDir Path dir;

  @Test
  void aNodeHoldingHeadersNobodyServesFollowsTheChainItIsOffered() throws Exception {
    Path gone = dir.resolve("gone");
    Path offered = dir.resolve("offered");
    Path node = dir.resolve("node");
    // A shared start of 10 blocks.
    try (Node n = new Node(NodeConfig.forTests(SPEC, node)).start()) {
      Miner.generate(n.chain(), n.assembler(), KEYS.get(0).address(), 10);
    }
    ChainChecks.copyTree(node, gone);
    ChainChecks.copyTree(node, offered);
    // A peer that will go away mines 20 more; the node takes all its headers but only 5 bodies.
    List<Block> goneChain = new ArrayList<>();
    try (Node n = new Node(NodeConfig.forTests(SPEC, gone)).start()) {
      for (Hash h : Miner.generate(n.chain(), n.assembler(), KEYS.get(1).address(), 20)) {
        goneChain.add(n.chain().store().body(h).orElseThrow());
      }
    }
    List<BlockHeader> headers = goneChain.stream().map(Block::header).toList();
    try (Node n = new Node(NodeConfig.forTests(SPEC, node)).start()) {
      n.chain().acceptHeaders(headers);
      for (Block b : goneChain.subList(0, 5)) {
        n.chain().processBlock(b);
      }
      assertThat(n.chain().tip().height()).isEqualTo(15);
    }
    // Another peer's chain: heavier than the node's tip (25 > 15), lighter than the headers (30).
    try (Node source = new Node(NodeConfig.forTests(SPEC, offered)).start()) {
      Miner.generate(source.chain(), source.assembler(), KEYS.get(2).address(), 15);
      try (Node n = new Node(NodeConfig.forTests(SPEC, node)).start()) {
        n.network().addPeer(new HostPort("127.0.0.1", source.p2pPort()));
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(n.chain().tip().hash()).isEqualTo(source.chain().tip().hash()));
      }
    }
  }
}
