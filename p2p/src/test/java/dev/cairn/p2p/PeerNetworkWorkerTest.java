package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.Miner;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.consensus.ValidationObserver;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.testkit.TestChain;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * In a node (real gRPC on 127.0.0.1, real threads), what peers send is validated on the peer
 * layer's worker thread ({@code p2p-validate}), never on the network thread ({@code p2p}) that
 * serves peers: a block mined on one node and a transaction submitted there reach the other and
 * are validated there on the worker.
 */
class PeerNetworkWorkerTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0x3017L, 2);
  private static final ChainSpec SPEC = TestChain.specFor(KEYS);

  /** One node's chain, mempool and peer network, all in memory but the sockets. */
  private static final class NodeUnderTest implements AutoCloseable {
    final ChainStore store = ChainStore.open(new InMemoryKeyValueStore(), SPEC);
    final Blockchain chain;
    final Mempool mempool;
    final PeerNetwork network;
    final Set<String> validatingThreads = ConcurrentHashMap.newKeySet();

    NodeUnderTest(List<HostPort> bootstrap) throws Exception {
      TimeSource time = TimeSource.SYSTEM;
      SignatureCache cache = new SignatureCache(1_000);
      chain = new Blockchain(store, time, new SignatureVerifier(cache, null, 1));
      mempool = new Mempool(store, MempoolPolicy.DEFAULT, cache, time);
      chain.addListener(mempool);
      ValidationObserver threads =
          new ValidationObserver() {
            @Override
            public void blockConnected(long validateNanos, long connectNanos, int txCount) {
              validatingThreads.add(Thread.currentThread().getName());
            }

            @Override
            public void transactionAccepted() {
              validatingThreads.add(Thread.currentThread().getName());
            }
          };
      chain.setObserver(threads);
      mempool.setObserver(threads);
      network = new PeerNetwork(P2pConfig.forTests(bootstrap), chain, mempool, "cairn-test/1").start();
    }

    @Override
    public void close() {
      network.close();
      store.close();
    }
  }

  @Test
  void blocksAndTransactionsFromPeersAreValidatedOnTheWorkerNotTheNetworkThread() throws Exception {
    try (NodeUnderTest source = new NodeUnderTest(List.of());
        NodeUnderTest receiver = new NodeUnderTest(List.of(new HostPort("127.0.0.1", source.network.port())))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.network.peers().size() == 1 && source.network.peers().size() == 1);

      Miner.generate(source.chain, new BlockAssembler(source.chain, source.mempool, TimeSource.SYSTEM), KEYS.get(0).address(), 2);
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.chain.tip().height() == 2);
      Transfer t = Transfer.sign(KEYS.get(1), KEYS.get(0).address(), Amount.coins(1), Amount.units(10_000), 0, SPEC.genesisHash());
      source.mempool.add(t);
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.mempool.contains(t.id()));

      assertThat(receiver.validatingThreads).containsExactly("p2p-validate");
      // The source validated its own block and transaction where they were made: the test's thread.
      assertThat(source.validatingThreads).containsExactly(Thread.currentThread().getName());
    }
  }
}
