package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.GetData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Memory queued to peers is bounded by construction ({@link SendQueues}): a peer with more than its
 * send budget queued and unread is not read from, nor its GetData served, until it drains
 * (backpressure); once all peers together hold more than the total budget, the peer holding the
 * most is disconnected ({@code too-slow}), and a peer under its own budget goes on being served. A
 * GetData is deduplicated and served incrementally, in order. Driven through the real core on
 * virtual time; a peer that does not read is a scripted connection whose drains are held.
 */
class SendBudgetTest {
  private static final PeerFuzzCorpus CORPUS = new PeerFuzzCorpus(0x5E4D_B0D6L);
  private static final long START = (CORPUS.endClock + 600) * 1000;

  private static PeerHarness nodeWithCorpus(long peerBudget, long totalBudget) throws Exception {
    PeerHarness node = new PeerHarness(CORPUS.spec, START, PeerHarness.quietConfig().withSendBudgets(peerBudget, totalBudget), 1);
    for (int h = 1; h <= PeerFuzzCorpus.BLOCKS; h++) {
      node.chain.processBlock(CORPUS.blocks.get(h));
    }
    node.scheduler.runDue();
    return node;
  }

  /** A peer (at a routable address) that said hello and then reads nothing the node sends. */
  private static ScriptedTransport.Connection nonReader(PeerHarness node, String host, long nonce) {
    ScriptedTransport.Connection c = node.open(new HostPort(host, 9700));
    node.deliver(c, CORPUS.handshake(nonce, host + ":9700", 0, java.math.BigInteger.ZERO));
    c.holdDrains = true;
    return c;
  }

  private static Envelope getHeadersFromGenesis() {
    return Envelopes.getHeaders(List.of(CORPUS.spec.genesisHash()));
  }

  private static List<Hash> blocksSent(List<Envelope> sent) throws dev.cairn.ledger.DecodeException {
    List<Hash> out = new ArrayList<>();
    for (Envelope e : sent) {
      if (e.hasBlock()) {
        out.add(Block.decode(e.getBlock().getBlock().getCanonical().toByteArray()).hash());
      }
    }
    return out;
  }

  @Test
  void aPeerOverItsBudgetIsNotReadFromUntilItDrains() throws Exception {
    int answer = Envelopes.headers(CORPUS.blocks.subList(1, PeerFuzzCorpus.BLOCKS + 1).stream().map(Block::header).toList())
        .getSerializedSize();
    // Room for one answer, not two.
    try (PeerHarness node = nodeWithCorpus(answer + 1_000, 100L * answer)) {
      ScriptedTransport.Connection peer = nonReader(node, "203.0.113.10", 1);

      node.deliver(peer, getHeadersFromGenesis());
      assertThat(peer.reads).as("under its budget: read on").isEqualTo(1);
      node.deliver(peer, getHeadersFromGenesis());
      assertThat(peer.reads).as("over its budget: not read from").isZero();
      assertThat(peer.isClosed()).as("a slow reader is not cut off for it").isFalse();
      node.advance(java.time.Duration.ofMinutes(5));
      assertThat(peer.reads).as("however long it waits").isZero();

      node.transport.drain(peer);
      node.scheduler.runDue();
      assertThat(peer.reads).as("drained: the owed read").isEqualTo(1);
      assertThat(peer.isClosed()).isFalse();
    }
  }

  @Test
  void getDataIsServedIncrementallyInOrderAsThePeerDrains() throws Exception {
    List<Hash> old = CORPUS.hashes(1, 10); // read from the store, one at a time
    int blockSize = CORPUS.block(5).getSerializedSize();
    try (PeerHarness node = nodeWithCorpus(2L * blockSize, 100L * blockSize)) {
      ScriptedTransport.Connection peer = nonReader(node, "203.0.113.11", 2);
      int mark = peer.sent.size();

      node.deliver(peer, Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, old));
      List<Hash> first = blocksSent(peer.sentSince(mark));
      assertThat(first).as("served until the budget is full, not all at once").hasSizeBetween(1, 3);
      assertThat(peer.reads).as("the GetData is not done: its successor waits").isZero();

      List<Hash> all = new ArrayList<>(first);
      for (int round = 0; round < 20 && all.size() < old.size(); round++) {
        int before = peer.sent.size();
        node.transport.drain(peer);
        peer.holdDrains = true;
        node.scheduler.runDue();
        all.addAll(blocksSent(peer.sentSince(before)));
      }
      assertThat(all).as("every block once, in the order asked").containsExactlyElementsOf(old);
      node.transport.drain(peer);
      node.scheduler.runDue();
      assertThat(peer.reads).as("served in full: read on").isEqualTo(1);
      assertThat(peer.sent).noneMatch(Envelope::hasNotFound);
    }
  }

  @Test
  void anItemNamedManyTimesIsServedOnce() throws Exception {
    try (PeerHarness node = nodeWithCorpus(16L << 20, 256L << 20)) {
      ScriptedTransport.Connection peer = node.open(new HostPort("203.0.113.12", 9700));
      node.deliver(peer, CORPUS.handshake(3, "203.0.113.12:9700", 0, java.math.BigInteger.ZERO));
      Hash old = CORPUS.blocks.get(3).hash();
      Hash unknown = Hash.of(new byte[32]);
      List<InventoryItem> items = new ArrayList<>();
      items.addAll(Collections.nCopies(Limits.MAX_INVENTORY / 2, Envelopes.item(InventoryType.INVENTORY_TYPE_BLOCK, old)));
      items.addAll(Collections.nCopies(Limits.MAX_INVENTORY / 2, Envelopes.item(InventoryType.INVENTORY_TYPE_TRANSACTION, unknown)));
      int mark = peer.sent.size();

      node.deliver(peer, Envelope.newBuilder().setGetData(GetData.newBuilder().addAllItems(items)).build());

      List<Envelope> answer = peer.sentSince(mark);
      assertThat(blocksSent(answer)).containsExactly(old);
      assertThat(answer).filteredOn(Envelope::hasNotFound).singleElement()
          .satisfies(nf -> assertThat(nf.getNotFound().getItemsList()).hasSize(1));
      assertThat(answer).hasSize(2);
      assertThat(PeerHarness.handled(peer)).isTrue();
    }
  }

  @Test
  void overTheTotalBudgetThePeerHoldingTheMostGoesAndTheOthersAreStillServed() throws Exception {
    int answer = Envelopes.headers(CORPUS.blocks.subList(1, PeerFuzzCorpus.BLOCKS + 1).stream().map(Block::header).toList())
        .getSerializedSize();
    // Each peer may hold two answers and a bit (so it is read once more); all together, three and a half.
    try (PeerHarness node = nodeWithCorpus(2L * answer + 1_000, 3L * answer + answer / 2)) {
      ScriptedTransport.Connection greedy = nonReader(node, "203.0.113.20", 4);
      ScriptedTransport.Connection modest = nonReader(node, "203.0.113.21", 5);
      ScriptedTransport.Connection reader = node.open(new HostPort("203.0.113.22", 9700));
      node.deliver(reader, CORPUS.handshake(6, "203.0.113.22:9700", 0, java.math.BigInteger.ZERO));

      node.deliver(modest, getHeadersFromGenesis());
      node.deliver(greedy, getHeadersFromGenesis());
      node.deliver(greedy, getHeadersFromGenesis());
      assertThat(greedy.isClosed()).as("two answers queued, under every budget").isFalse();
      node.deliver(greedy, getHeadersFromGenesis());
      assertThat(greedy.goodbye()).as("the largest share goes").hasValueSatisfying(
          g -> assertThat(g.getDisconnect().getReasonCode()).isEqualTo(Reason.PEER_TOO_SLOW.code()));
      assertThat(greedy.closedByNode).isTrue();

      // The peer under its own budget is still read from and answered; so is one that reads.
      assertThat(modest.isClosed()).isFalse();
      assertThat(modest.reads).isEqualTo(1);
      int mark = modest.sent.size();
      node.deliver(modest, TestMessages.ping(7));
      assertThat(modest.sentSince(mark)).anyMatch(e -> e.hasPong() && e.getPong().getNonce() == 7);
      for (int i = 0; i < 10; i++) {
        node.deliver(reader, getHeadersFromGenesis());
      }
      assertThat(reader.isClosed()).isFalse();
      assertThat(reader.reads).isEqualTo(1);
      // A slow reader is not punished: its host may come back.
      ScriptedTransport.Connection again = node.open(new HostPort("203.0.113.20", 9700));
      assertThat(again.goodbye()).isEmpty();
    }
  }
}
