package dev.cairn.node.cluster;

import dev.cairn.consensus.ChainListener;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.HostPort;
import dev.cairn.p2p.P2pConfig;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A node in a child JVM, for tests that SIGKILL it: {@code <data dir> <seed> <bootstrap host:port>}
 * starts a node on the chain {@link TestChain#specFor} the seed's two keys, bootstrapping to the
 * given peer, and prints {@code height N} each time its tip moves (after the block is stored). It
 * runs until killed.
 */
public final class SyncingNodeProcess {
  private SyncingNodeProcess() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    ChainSpec spec = TestChain.specFor(TestChain.keys(Long.parseLong(args[1]), 2));
    HostPort bootstrap = HostPort.parse(args[2]);
    Node node = new Node(NodeConfig.forTests(spec, dataDir).withP2p(P2pConfig.forTests(List.of(bootstrap))));
    node.start();
    node.chain()
        .addListener(
            new ChainListener() {
              @Override
              public void tipChanged(BlockIndexEntry tip) {
                System.out.println("height " + tip.height());
              }
            });
    System.out.println("started");
    new CountDownLatch(1).await();
  }
}
