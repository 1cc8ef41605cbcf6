package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.NonceSearch;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.proto.v1.BlockData;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.NotFound;
import dev.cairn.proto.v1.Ping;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Block bodies ({@link BlockDownload}), driven through the real core and driver with no sockets
 * ({@link PeerHarness}) against the 24-block corpus chain: at most 16 blocks in flight per peer;
 * two syncing peers split the window and no block is asked for twice; a requested block is
 * validated and connected, and its sender's next message is read only once validation is back; an
 * unrequested block costs the connection ({@code unrequested-data}); a block not delivered within
 * the stall timeout (asked again of the same peer only if nobody else has it), declared not found,
 * or in flight from a peer that left is asked of another peer, and a stalled peer's late delivery is
 * welcome; a mutated body costs the connection ({@code bad-txnmrklroot}) but leaves the real block
 * valid and fetched elsewhere, while a block breaking a consensus rule is marked invalid.
 */
class BlockDownloadTest {
  private static final PeerFuzzCorpus CORPUS = new PeerFuzzCorpus(0xB10C_D0E5L);
  /** Blocks in flight per peer at most (docs/PROTOCOL.md, "Sync, headers first"). */
  private static final int CAP = 16;
  /** How often the node looks for stalled blocks (the CheckStalls timer). */
  private static final Duration STALL_CHECK = Duration.ofMillis(250);

  /** A node whose clock is past every corpus block (none is too new), holding corpus blocks 1..{@code height}. */
  private static PeerHarness node(int height, long seed) throws RejectedException {
    PeerHarness node = new PeerHarness(CORPUS.spec, (CORPUS.endClock + 600) * 1000, PeerHarness.quietConfig(), seed);
    connect(node.chain, height);
    node.scheduler.runDue();
    return node;
  }

  private static void connect(Blockchain chain, int height) throws RejectedException {
    for (int h = 1; h <= height; h++) {
      chain.processBlock(CORPUS.blocks.get(h));
    }
  }

  // ---- the window -----------------------------------------------------------------------------

  @Test
  void atMost16BlocksAreInFlightFromOnePeer() throws Exception {
    try (PeerHarness node = node(0, 1)) {
      ScriptedTransport.Connection peer = syncingPeer(node, "198.51.100.1", 7);
      int mark = peer.sent.size();
      node.deliver(peer, CORPUS.allHeaders());
      assertThat(peer.sentSince(mark)).containsExactly(getBlocks(1, CAP));

      // Each delivery frees one slot: the next block is asked for, one at a time, until none is left.
      for (int h = 1; h <= PeerFuzzCorpus.BLOCKS; h++) {
        mark = peer.sent.size();
        node.deliver(peer, CORPUS.block(h));
        assertThat(node.chain.tip().hash()).isEqualTo(CORPUS.blocks.get(h).hash());
        int next = h + CAP;
        if (next <= PeerFuzzCorpus.BLOCKS) {
          assertThat(peer.sentSince(mark)).as("after block %d", h).containsExactly(getBlocks(next, next));
        } else {
          assertThat(peer.sentSince(mark)).as("after block %d", h).isEmpty();
        }
      }
      assertThat(peer.isClosed()).isFalse();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void twoSyncingPeersSplitTheWindowAndNoBlockIsRequestedTwice(long seed) throws Exception {
    try (PeerHarness node = node(0, seed)) {
      ScriptedTransport.Connection a = syncingPeer(node, "198.51.100.1", 7);
      ScriptedTransport.Connection b = syncingPeer(node, "198.51.100.2", 8);
      int markA = a.sent.size();
      int markB = b.sent.size();
      node.deliver(a, CORPUS.allHeaders());
      List<Hash> fromA = TestMessages.blockRequests(a.sentSince(markA));
      List<Hash> fromB = TestMessages.blockRequests(b.sentSince(markB));
      assertThat(fromA).isNotEmpty().hasSizeLessThanOrEqualTo(CAP);
      assertThat(fromB).isNotEmpty().hasSizeLessThanOrEqualTo(CAP);
      List<Hash> all = new ArrayList<>(fromA);
      all.addAll(fromB);
      assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(CORPUS.hashes(1, PeerFuzzCorpus.BLOCKS));

      // B's own copy of the headers adds nothing to ask for.
      node.deliver(b, CORPUS.allHeaders());
      // Each peer delivers what it was asked for, lowest first; nothing is ever asked again.
      Set<Hash> askedOfA = new HashSet<>(fromA);
      for (int h = 1; h <= PeerFuzzCorpus.BLOCKS; h++) {
        node.deliver(askedOfA.contains(CORPUS.blocks.get(h).hash()) ? a : b, CORPUS.block(h));
      }
      assertThat(node.chain.tip().hash()).isEqualTo(CORPUS.tip().hash());
      List<Hash> everything = TestMessages.blockRequests(a.sent);
      everything.addAll(TestMessages.blockRequests(b.sent));
      assertThat(everything).doesNotHaveDuplicates().hasSize(PeerFuzzCorpus.BLOCKS);
      assertThat(a.isClosed()).isFalse();
      assertThat(b.isClosed()).isFalse();
    }
  }

  // ---- delivery and validation ------------------------------------------------------------------

  @Test
  void aRequestedBlockIsConnectedAndTheNextMessageIsReadOnlyAfterItsValidation() throws Exception {
    RecordingTrace trace = new RecordingTrace();
    long start = (CORPUS.endClock + 600) * 1000;
    try (PeerHarness node = new PeerHarness(CORPUS.spec, start, PeerHarness.quietConfig(), 1, trace)) {
      ScriptedTransport.Connection peer = syncingPeer(node, "198.51.100.1", 7);
      node.deliver(peer, CORPUS.allHeaders());
      trace.clear();
      Block one = CORPUS.blocks.get(1);
      node.deliver(peer, CORPUS.block(1));

      assertThat(node.chain.tip().hash()).isEqualTo(one.hash());
      assertThat(node.store.body(one.hash())).contains(one);
      assertThat(peer.reads).isEqualTo(1);
      int received = trace.indexOf(o -> o instanceof PeerEvent.Received r && r.connection().equals(peer.id));
      int validate = trace.indexOf(o -> o instanceof PeerAction.ValidateBlock v && v.block().hash().equals(one.hash()));
      int validated =
          trace.indexOf(o -> o instanceof PeerEvent.BlockValidated v && v.from().equals(peer.id) && v.rejection().isEmpty());
      List<Integer> reads = trace.indexesOf(o -> o instanceof PeerAction.Read r && r.from().equals(peer.id));
      assertThat(received).isNotNegative().isLessThan(validate);
      assertThat(validated).isGreaterThan(validate);
      assertThat(reads).as("reads in %s", trace.describe()).hasSize(1);
      assertThat(reads.get(0)).as("the read comes after the verdict: %s", trace.describe()).isGreaterThan(validated);
    }
  }

  @Test
  void whileABlockIsBeingValidatedNothingMoreIsReadFromItsSender() throws Exception {
    try (HeldWorkerNode node = new HeldWorkerNode(1)) {
      ScriptedTransport.Connection peer = node.transport.connectInbound(new HostPort("198.51.100.1", 9700));
      node.scheduler.runDue();
      node.deliver(peer, CORPUS.handshake(7, "198.51.100.1:9700", PeerFuzzCorpus.BLOCKS, CORPUS.tipWork));
      node.deliver(peer, CORPUS.allHeaders());
      assertThat(TestMessages.blockRequests(peer.sent)).isEqualTo(CORPUS.hashes(1, CAP));

      node.deliver(peer, CORPUS.block(1));
      assertThat(node.held).hasSize(1);
      assertThat(peer.reads).isZero();
      Envelope ping = Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(42)).build();
      assertThat(node.transport.deliver(peer, ping)).as("the node read a message while validating").isFalse();
      assertThat(node.chain.tip().height()).isZero();
      // Time passing does not release the read either.
      node.scheduler.runFor(10_000);
      assertThat(peer.reads).isZero();

      int mark = peer.sent.size();
      node.runWorker();
      assertThat(node.chain.tip().hash()).isEqualTo(CORPUS.blocks.get(1).hash());
      assertThat(peer.reads).isEqualTo(1);
      assertThat(peer.sentSince(mark)).containsExactly(getBlocks(CAP + 1, CAP + 1));
      node.deliver(peer, ping);
      assertThat(peer.sent.get(peer.sent.size() - 1).getPong().getNonce()).isEqualTo(42);
      assertThat(peer.isClosed()).isFalse();
    }
  }

  @Test
  void aBlockNobodyAskedForIsUnrequestedData() throws Exception {
    try (PeerHarness node = node(0, 1)) {
      // Nothing asked of this peer at all.
      ScriptedTransport.Connection idle = syncingPeer(node, "198.51.100.1", 7);
      node.deliver(idle, CORPUS.block(1));
      assertThat(reasonCode(idle)).isEqualTo(Reason.PEER_UNREQUESTED.code());
      assertThat(idle.closedByNode).isTrue();
      assertThat(node.chain.tip().height()).isZero();
      assertThat(node.store.body(CORPUS.blocks.get(1).hash())).isEmpty();

      // Asked for 1..16, sends 20.
      ScriptedTransport.Connection asked = syncingPeer(node, "198.51.100.2", 8);
      node.deliver(asked, CORPUS.allHeaders());
      assertThat(TestMessages.blockRequests(asked.sent)).isEqualTo(CORPUS.hashes(1, CAP));
      node.deliver(asked, CORPUS.block(20));
      assertThat(reasonCode(asked)).isEqualTo(Reason.PEER_UNREQUESTED.code());
      assertThat(node.store.body(CORPUS.blocks.get(20).hash())).isEmpty();
      assertThat(reasonCode(node.open(new HostPort("198.51.100.2", 9701)))).isEqualTo(Reason.PEER_DISCOURAGED.code());
    }
  }

  // ---- asking someone else ------------------------------------------------------------------------

  @Test
  void aBlockNotDeliveredWithinTheStallTimeoutIsAskedOfAnotherPeerAndTheLateDeliveryIsWelcome() throws Exception {
    Duration stall = PeerHarness.quietConfig().stallTimeout();
    try (PeerHarness node = node(16, 1).start()) {
      Pair p = slowAndSpare(node);

      // Not before the stall timeout has passed...
      node.advance(stall);
      assertThat(TestMessages.blockRequests(p.spare.sent)).isEmpty();
      // ...and within one stall check after it.
      node.advance(STALL_CHECK);
      assertThat(TestMessages.blockRequests(p.spare.sent)).isEqualTo(CORPUS.hashes(17, 24));
      assertThat(TestMessages.blockRequests(p.slow.sentSince(p.slowMark))).isEmpty();
      assertThat(p.slow.isClosed()).isFalse();

      // The stalled peer's block arrives late after all: taken, and not held against it.
      node.deliver(p.slow, CORPUS.block(17));
      assertThat(p.slow.isClosed()).as("late delivery punished: %s", p.slow.goodbye()).isFalse();
      assertThat(PeerHarness.handled(p.slow)).isTrue();
      assertThat(node.chain.tip().hash()).isEqualTo(CORPUS.blocks.get(17).hash());
      assertNotDiscouraged(node, "198.51.100.1");

      // The peer asked in its place delivers too: a duplicate it was asked for, not held against it.
      for (int h = 17; h <= PeerFuzzCorpus.BLOCKS; h++) {
        node.deliver(p.spare, CORPUS.block(h));
      }
      assertThat(p.spare.isClosed()).isFalse();
      assertThat(node.chain.tip().hash()).isEqualTo(CORPUS.tip().hash());
    }
  }

  @Test
  void aStalledBlockIsAskedAgainOfTheSamePeerWhenNobodyElseHasIt() throws Exception {
    Duration stall = PeerHarness.quietConfig().stallTimeout();
    try (PeerHarness node = node(16, 1).start()) {
      ScriptedTransport.Connection only = syncingPeer(node, "198.51.100.1", 7);
      node.deliver(only, CORPUS.allHeaders());
      int mark = only.sent.size();
      node.advance(stall);
      assertThat(only.sentSince(mark)).isEmpty();
      node.advance(STALL_CHECK);
      assertThat(only.sentSince(mark)).containsExactly(getBlocks(17, 24));
      node.deliver(only, CORPUS.block(17));
      assertThat(only.isClosed()).isFalse();
      assertThat(node.chain.tip().hash()).isEqualTo(CORPUS.blocks.get(17).hash());
    }
  }

  @Test
  void aNotFoundForABlockInFlightMakesTheNodeAskAnotherPeer() throws Exception {
    try (PeerHarness node = node(16, 1)) {
      Pair p = slowAndSpare(node);
      node.deliver(p.slow, notFound(CORPUS.blocks.get(20).hash()));
      assertThat(p.spare.sentSince(p.spareMark)).containsExactly(getBlocks(20, 20));
      assertThat(p.slow.isClosed()).isFalse();

      // Not found again, or a block not in flight from it: nothing more to ask.
      int spareMark = p.spare.sent.size();
      node.deliver(p.slow, notFound(CORPUS.blocks.get(20).hash()));
      node.deliver(p.slow, notFound(CORPUS.blocks.get(5).hash()));
      assertThat(p.spare.sentSince(spareMark)).isEmpty();
      assertThat(TestMessages.blockRequests(p.slow.sentSince(p.slowMark))).isEmpty();
      assertThat(p.slow.isClosed()).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"transactions reordered", "a transaction removed"})
  void aMutatedBlockCostsItsSenderTheConnectionButTheRealBlockStaysValidAndIsFetchedElsewhere(String mutation) throws Exception {
    Block real = CORPUS.blocks.get(17);
    List<Transaction> txs = new ArrayList<>(real.transactions());
    assertThat(txs).hasSizeGreaterThanOrEqualTo(3);
    if (mutation.equals("transactions reordered")) {
      txs.set(1, real.transactions().get(2));
      txs.set(2, real.transactions().get(1));
    } else {
      txs.remove(txs.size() - 1);
    }
    Block mutated = Block.of(real.header(), txs);
    assertThat(mutated.hash()).isEqualTo(real.hash());
    try (PeerHarness node = node(16, 1)) {
      Pair p = slowAndSpare(node);
      node.deliver(p.slow, blockMessage(mutated));

      assertThat(reasonCode(p.slow)).isEqualTo(Reason.BAD_MERKLE_ROOT.code());
      assertThat(node.chain.entry(real.hash()).orElseThrow().status().isFailed()).isFalse();
      assertThat(node.chain.tip().height()).isEqualTo(16);
      // The block from the other peer at once, then the rest of what the mutator had in flight.
      assertThat(TestMessages.blockRequests(p.spare.sentSince(p.spareMark))).isEqualTo(CORPUS.hashes(17, 24));
      assertThat(p.spare.sentSince(p.spareMark).get(0)).isEqualTo(getBlocks(17, 17));
      assertThat(TestMessages.blockRequests(p.slow.sentSince(p.slowMark))).isEmpty();

      node.deliver(p.spare, CORPUS.block(17));
      assertThat(node.chain.tip().hash()).isEqualTo(real.hash());
      assertThat(p.spare.isClosed()).isFalse();
    }
  }

  @Test
  void aBlockBreakingAConsensusRuleIsMarkedInvalid() throws Exception {
    // Block 17 with block 16's state commitment (the transfers in it change the state), mined again.
    BlockHeader real = CORPUS.blocks.get(17).header();
    BlockHeader template =
        BlockHeader.of(
            real.version(), real.height(), real.previousHash(), real.merkleRoot(),
            CORPUS.blocks.get(16).header().stateCommitment(), real.timestamp(), real.target(), 0);
    OptionalLong nonce = new NonceSearch(template, template.target().toTarget()).search(0, 1 << 20);
    Block bad = Block.of(template.withNonce(nonce.orElseThrow()), CORPUS.blocks.get(17).transactions());
    try (PeerHarness node = node(16, 1)) {
      ScriptedTransport.Connection peer = syncingPeer(node, "198.51.100.1", 7);
      int mark = peer.sent.size();
      node.deliver(peer, Envelopes.headers(List.of(bad.header())));
      assertThat(TestMessages.blockRequests(peer.sentSince(mark))).containsExactly(bad.hash());
      assertThat(peer.sentSince(mark)).hasSize(1);

      node.deliver(peer, blockMessage(bad));
      assertThat(reasonCode(peer)).isEqualTo(Reason.BAD_STATE_COMMITMENT.code());
      assertThat(node.chain.entry(bad.hash()).orElseThrow().status().isFailed()).isTrue();
      assertThat(node.chain.tip().height()).isEqualTo(16);
      assertThat(reasonCode(node.open(new HostPort("198.51.100.1", 9701)))).isEqualTo(Reason.PEER_DISCOURAGED.code());
    }
  }

  @ParameterizedTest(name = "the peer {0}")
  @ValueSource(strings = {"closes the stream", "says goodbye"})
  void whenAPeerLeavesItsBlocksInFlightAreAskedOfOthers(String how) throws Exception {
    try (PeerHarness node = node(16, 1)) {
      Pair p = slowAndSpare(node);
      if (how.equals("closes the stream")) {
        node.transport.closeByPeer(p.slow, Optional.empty(), "gone");
        node.scheduler.runDue();
      } else {
        node.deliver(p.slow, PeerFuzzCorpus.disconnect());
        assertThat(p.slow.closedByNode).isTrue();
      }
      assertThat(p.spare.sentSince(p.spareMark)).containsExactly(getBlocks(17, 24));
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A peer with blocks 17..24 in flight (the node holds 1..16), and a second one ready but asked for nothing. */
  private record Pair(ScriptedTransport.Connection slow, int slowMark, ScriptedTransport.Connection spare, int spareMark) {}

  private static Pair slowAndSpare(PeerHarness node) {
    ScriptedTransport.Connection slow = syncingPeer(node, "198.51.100.1", 7);
    node.deliver(slow, CORPUS.allHeaders());
    assertThat(TestMessages.blockRequests(slow.sent)).isEqualTo(CORPUS.hashes(17, 24));
    ScriptedTransport.Connection spare = syncingPeer(node, "198.51.100.2", 8);
    assertThat(TestMessages.blockRequests(spare.sent)).isEmpty();
    return new Pair(slow, slow.sent.size(), spare, spare.sent.size());
  }

  /** A peer from {@code host} that claims the whole corpus chain (the node asks it for headers). */
  private static ScriptedTransport.Connection syncingPeer(PeerHarness node, String host, long nonce) {
    ScriptedTransport.Connection c = node.open(new HostPort(host, 9700));
    node.deliver(c, CORPUS.handshake(nonce, host + ":9700", PeerFuzzCorpus.BLOCKS, CORPUS.tipWork));
    assertThat(c.isClosed()).isFalse();
    return c;
  }

  private static void assertNotDiscouraged(PeerHarness node, String host) {
    ScriptedTransport.Connection again = node.open(new HostPort(host, 9799));
    assertThat(again.isClosed()).as("a new connection from %s was refused: %s", host, again.goodbye()).isFalse();
    node.transport.closeByPeer(again, Optional.empty(), "test done");
    node.scheduler.runDue();
  }

  private static String reasonCode(ScriptedTransport.Connection c) {
    return c.goodbye().map(e -> e.getDisconnect().getReasonCode()).orElse("(no disconnect)");
  }

  private static Envelope blockMessage(Block b) {
    return Envelope.newBuilder()
        .setBlock(BlockData.newBuilder().setBlock(
            dev.cairn.proto.v1.Block.newBuilder().setCanonical(ByteString.copyFrom(b.encode()))))
        .build();
  }

  private static Envelope notFound(Hash h) {
    return Envelope.newBuilder()
        .setNotFound(NotFound.newBuilder().addItems(Envelopes.item(InventoryType.INVENTORY_TYPE_BLOCK, h)))
        .build();
  }

  private static Envelope getBlocks(int from, int to) {
    return Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, CORPUS.hashes(from, to));
  }

  /**
   * {@link PeerHarness}'s node, except that its worker holds the tasks it is given (validation,
   * store reads) until the test runs them: what a busy worker thread looks like to the core.
   */
  private static final class HeldWorkerNode implements AutoCloseable {
    final VirtualScheduler scheduler = new VirtualScheduler((CORPUS.endClock + 600) * 1000);
    final ScriptedTransport transport = new ScriptedTransport(PeerHarness.PORT);
    final ArrayDeque<Runnable> held = new ArrayDeque<>();
    final ChainStore store;
    final Blockchain chain;
    final PeerDriver driver;

    HeldWorkerNode(long seed) {
      dev.cairn.consensus.TimeSource time = () -> scheduler.now() / 1000;
      SignatureCache cache = new SignatureCache(10_000);
      store = ChainStore.open(new InMemoryKeyValueStore(), CORPUS.spec);
      chain = new Blockchain(store, time, new SignatureVerifier(cache, null, 1));
      Mempool mempool = new Mempool(store, MempoolPolicy.DEFAULT, cache, time);
      chain.addListener(mempool);
      SeededRandom random = SeededRandom.fromLong(seed);
      PeerManager core =
          new PeerManager(
              PeerHarness.quietConfig(), chain, mempool, new AddressBook(store, random), "cairn-test/1",
              scheduler.clock(), random);
      driver = new PeerDriver(core, transport, scheduler, held::add, chain, mempool, PeerTrace.NONE);
      chain.addListener(driver);
      mempool.addListener(driver);
      transport.attach(driver);
    }

    void deliver(ScriptedTransport.Connection c, Envelope e) {
      assertThat(transport.deliver(c, e)).as("the node asked for a message on %s", c.id).isTrue();
      scheduler.runDue();
    }

    /** The worker catches up: every held task runs, then what their outcomes cause. */
    void runWorker() {
      while (!held.isEmpty()) {
        held.poll().run();
      }
      scheduler.runDue();
    }

    @Override
    public void close() {
      driver.stop();
      scheduler.runDue();
      store.close();
    }
  }
}
