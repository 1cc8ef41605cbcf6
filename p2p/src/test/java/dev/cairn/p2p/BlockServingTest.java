package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.InventoryType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Blocks a node serves on GetData: the last few connected ones come from {@link RecentBlocks}, the
 * rest from the store, and both must be the exact canonical bytes; a block known to be invalid is
 * never served, whichever path would have had it. Old blocks are read by the worker, and the
 * answers still come in the order asked.
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
  void servesRecentAndOldBlocksByteForByteInTheOrderAskedAndNeverAnInvalidOne() throws Exception {
    RecordingTrace trace = new RecordingTrace();
    try (PeerHarness node = new PeerHarness(CORPUS.spec, (CORPUS.endClock + 600) * 1000, PeerHarness.quietConfig(), 1, trace)) {
      for (int h = 1; h <= PeerFuzzCorpus.BLOCKS; h++) {
        node.chain.processBlock(CORPUS.blocks.get(h));
      }
      node.scheduler.runDue();
      Block tip = CORPUS.tip(); // among the recent blocks
      Block old = CORPUS.blocks.get(5); // long out of them: read from the store by the worker
      ScriptedTransport.Connection peer = node.open(new HostPort("127.0.0.1", 40_001));
      node.deliver(peer, CORPUS.handshake(0x1234_5678L));

      int mark = peer.sent.size();
      node.deliver(peer, Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, List.of(tip.hash(), old.hash())));
      assertThat(blockBytes(peer.sentSince(mark))).containsExactly(tip.encode(), old.encode());
      // Only the old block was read from the store, and by the worker (an action), not the core.
      assertThat(trace.actions()).filteredOn(a -> a instanceof PeerAction.ReadBlock)
          .containsExactly(new PeerAction.ReadBlock(peer.id, old.hash()));
      // The store read does not reorder the answers, and the next message is read only after it.
      mark = peer.sent.size();
      node.deliver(peer, Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, List.of(old.hash(), tip.hash())));
      assertThat(blockBytes(peer.sentSince(mark))).containsExactly(old.encode(), tip.encode());
      assertThat(PeerHarness.handled(peer)).isTrue();

      // Invalidated after it was served (and kept as a recent block): no longer served.
      Hash tipHash = tip.hash();
      node.chain.invalidateBlock(tipHash);
      node.scheduler.runDue();
      mark = peer.sent.size();
      node.deliver(peer, Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, List.of(tipHash)));
      List<Envelope> answer = peer.sentSince(mark);
      assertThat(blockBytes(answer)).isEmpty();
      assertThat(answer).anyMatch(e -> e.getPayloadCase() == Envelope.PayloadCase.NOT_FOUND);
      assertThat(peer.isClosed()).isFalse();
    }
  }

  private static List<byte[]> blockBytes(List<Envelope> sent) {
    return sent.stream()
        .filter(e -> e.getPayloadCase() == Envelope.PayloadCase.BLOCK)
        .map(e -> e.getBlock().getBlock().getCanonical().toByteArray())
        .toList();
  }
}
