package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.InventoryType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Blocks a node serves on GetData: the last few connected ones come from {@link RecentBlocks}, the
 * rest from the store, and both must be the exact canonical bytes; a block known to be invalid is
 * never served, whichever path would have had it.
 */
class BlockServingTest {
  private static final PeerFuzzCorpus CORPUS = new PeerFuzzCorpus(0x5E4E_B10CL);

  @Test
  void recentBlocksKeepsTheLastEncodingsExactlyAndForgetsTheOldest() {
    RecentBlocks recent = new RecentBlocks(2);
    for (int h = 1; h <= 3; h++) {
      recent.add(CORPUS.blocks.get(h));
    }
    recent.add(CORPUS.blocks.get(3));

    assertThat(recent.size()).isEqualTo(2);
    assertThat(recent.encoded(CORPUS.blocks.get(1).hash())).isEmpty();
    for (int h = 2; h <= 3; h++) {
      Block b = CORPUS.blocks.get(h);
      assertThat(recent.encoded(b.hash()).orElseThrow().toByteArray()).isEqualTo(b.encode());
      // Encoded once, then the same bytes for every later peer.
      assertThat(recent.encoded(b.hash()).orElseThrow()).isSameAs(recent.encoded(b.hash()).orElseThrow());
    }
  }

  @Test
  void servesRecentAndOldBlocksByteForByteAndNeverAnInvalidOne() throws Exception {
    TimeSource time = () -> CORPUS.endClock + 600;
    SignatureCache cache = new SignatureCache(10_000);
    ChainStore store = ChainStore.open(new InMemoryKeyValueStore(), CORPUS.spec);
    Blockchain chain = new Blockchain(store, time, new SignatureVerifier(cache, null, 1));
    Mempool mempool = new Mempool(store, MempoolPolicy.DEFAULT, cache, time);
    chain.addListener(mempool);
    P2pConfig config =
        new P2pConfig("127.0.0.1", 0, "127.0.0.1", List.of(), 0, 125, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofMillis(50));
    PeerNetwork network = new PeerNetwork(config, chain, mempool, "cairn-test/1");
    chain.addListener(network);
    mempool.addListener(network);
    try {
      for (int h = 1; h <= PeerFuzzCorpus.BLOCKS; h++) {
        chain.processBlock(CORPUS.blocks.get(h));
      }
      Block tip = CORPUS.tip(); // among the recent blocks
      Block old = CORPUS.blocks.get(5); // long out of them: read from the store
      InMemoryPeerStream peer = InMemoryPeerStream.open(network, new HostPort("127.0.0.1", 40_001));
      peer.deliver(CORPUS.handshake(0x1234_5678L));

      int mark = peer.sentCount();
      peer.deliver(Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, List.of(tip.hash(), old.hash())));
      assertThat(blockBytes(peer.sentSince(mark))).containsExactly(tip.encode(), old.encode());

      // Invalidated after it was served (and kept as a recent block): no longer served.
      Hash tipHash = tip.hash();
      chain.invalidateBlock(tipHash);
      mark = peer.sentCount();
      peer.deliver(Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, List.of(tipHash)));
      List<Envelope> answer = peer.sentSince(mark);
      assertThat(blockBytes(answer)).isEmpty();
      assertThat(answer).anyMatch(e -> e.getPayloadCase() == Envelope.PayloadCase.NOT_FOUND);
      assertThat(peer.isClosed()).isFalse();
    } finally {
      network.close();
    }
  }

  private static List<byte[]> blockBytes(List<Envelope> sent) {
    return sent.stream()
        .filter(e -> e.getPayloadCase() == Envelope.PayloadCase.BLOCK)
        .map(e -> e.getBlock().getBlock().getCanonical().toByteArray())
        .toList();
  }
}
