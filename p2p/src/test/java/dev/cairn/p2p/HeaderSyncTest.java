package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.Miner;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.GetHeaders;
import dev.cairn.proto.v1.Headers;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.testkit.TestChain;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Headers-first sync ({@link HeaderSync}), driven through the real core and driver with no sockets
 * ({@link PeerHarness}) against the 24-block corpus chain: a peer claiming more work is asked for
 * headers from our locator; its headers are indexed and their bodies requested; headers that do
 * not chain or come more than 2,000 at once cost the connection with their exact reason; headers
 * off an unknown parent make the node ask again, and headers from beyond the clock's drift are
 * dropped, neither punished; GetHeaders is answered from the first locator hash we know, at most
 * 2,000 headers, its locator bounded and well-formed; a new tip is announced to each ready peer as
 * the headers it lacks (at most 8), never to one known to have it; locator requests that peers
 * prompt wait while one is unanswered (2 s), held back but not lost; an Inventory of unknown blocks
 * costs one GetHeaders, however many it names.
 */
class HeaderSyncTest {
  private static final PeerFuzzCorpus CORPUS = new PeerFuzzCorpus(0x4EAD_E25L);
  private static final BigInteger NO_WORK = BigInteger.ZERO;
  // The protocol's numbers (docs/PROTOCOL.md, "Peer protocol"), spelled out so a changed constant fails here.
  private static final int MAX_HEADERS = 2_000;
  private static final int MAX_LOCATOR = 101;
  private static final int MAX_ANNOUNCED = 8;
  private static final int IN_FLIGHT_PER_PEER = 16;

  /** A node whose clock is past every corpus block (none is too new), holding corpus blocks 1..{@code height}. */
  private static PeerHarness node(int height, long seed) throws RejectedException {
    PeerHarness node = new PeerHarness(CORPUS.spec, (CORPUS.endClock + 600) * 1000, PeerHarness.quietConfig(), seed);
    for (int h = 1; h <= height; h++) {
      node.chain.processBlock(CORPUS.blocks.get(h));
    }
    node.scheduler.runDue();
    return node;
  }

  // ---- asking for headers and taking them -------------------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void aPeerClaimingMoreWorkIsAskedForHeadersFromOurLocatorAndOneClaimingLessIsNot(long seed) throws Exception {
    try (PeerHarness node = node(12, seed)) {
      List<Hash> locator = node.chain.locator();
      assertThat(locator.get(0)).isEqualTo(CORPUS.blocks.get(12).hash());
      assertThat(locator.get(locator.size() - 1)).isEqualTo(CORPUS.spec.genesisHash());

      ScriptedTransport.Connection ahead = node.open(new HostPort("198.51.100.1", 9700));
      int mark = ahead.sent.size();
      node.deliver(ahead, CORPUS.handshake(seed));
      assertThat(ahead.sentSince(mark)).containsExactly(Envelopes.getHeaders(locator));

      // The same chain, but the peer claims only our own tip's work: nothing to sync from it.
      ScriptedTransport.Connection level = node.open(new HostPort("198.51.100.2", 9700));
      mark = level.sent.size();
      node.deliver(level, CORPUS.handshake(seed + 1, "198.51.100.2:9700", 12, node.chain.tip().chainWork()));
      assertThat(level.sentSince(mark)).isEmpty();
      assertThat(level.isClosed()).isFalse();
    }
  }

  @Test
  void theCorpusHeadersAreIndexedAndTheirBodiesRequested() throws Exception {
    try (PeerHarness node = node(0, 1)) {
      ScriptedTransport.Connection peer = syncingPeer(node, "198.51.100.1", 7);
      for (int h = 1; h <= PeerFuzzCorpus.BLOCKS; h++) {
        assertThat(node.chain.entry(CORPUS.blocks.get(h).hash())).isEmpty();
      }
      int mark = peer.sent.size();
      node.deliver(peer, CORPUS.allHeaders());

      for (int h = 1; h <= PeerFuzzCorpus.BLOCKS; h++) {
        assertThat(node.chain.entry(CORPUS.blocks.get(h).hash())).as("header %d indexed", h).isPresent();
      }
      // Bodies: the lowest ones, as many as one peer may have in flight.
      assertThat(peer.sentSince(mark))
          .containsExactly(Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, CORPUS.hashes(1, IN_FLIGHT_PER_PEER)));
      assertThat(peer.isClosed()).isFalse();
      assertThat(PeerHarness.handled(peer)).isTrue();
    }
  }

  @Test
  void headersThatDoNotFormAChainAreAProtocolViolation() throws Exception {
    try (PeerHarness node = node(0, 1)) {
      ScriptedTransport.Connection peer = syncingPeer(node, "198.51.100.1", 7);
      List<BlockHeader> gap =
          List.of(CORPUS.blocks.get(1).header(), CORPUS.blocks.get(2).header(), CORPUS.blocks.get(4).header());
      node.deliver(peer, Envelopes.headers(gap));

      assertThat(reasonCode(peer)).isEqualTo(Reason.PEER_PROTOCOL_VIOLATION.code());
      assertThat(peer.closedByNode).isTrue();
      for (int h = 1; h <= 4; h++) {
        assertThat(node.chain.entry(CORPUS.blocks.get(h).hash())).as("header %d indexed", h).isEmpty();
      }
      // Punishable: the host may not come back for a while.
      assertThat(reasonCode(node.open(new HostPort("198.51.100.1", 9701)))).isEqualTo(Reason.PEER_DISCOURAGED.code());
    }
  }

  @Test
  void moreThan2000HeadersInOneMessageAreOversizedAnd2000AreJudgedOnTheirContent() throws Exception {
    try (PeerHarness node = node(0, 1)) {
      // 2,000 copies of one header: within the limit, so read, and they do not chain.
      ScriptedTransport.Connection atLimit = syncingPeer(node, "198.51.100.1", 7);
      node.deliver(atLimit, repeatedHeader(MAX_HEADERS));
      assertThat(reasonCode(atLimit)).isEqualTo(Reason.PEER_PROTOCOL_VIOLATION.code());

      ScriptedTransport.Connection over = syncingPeer(node, "198.51.100.2", 8);
      node.deliver(over, repeatedHeader(MAX_HEADERS + 1));
      assertThat(reasonCode(over)).isEqualTo(Reason.PEER_OVERSIZED.code());
      assertThat(over.closedByNode).isTrue();
      assertThat(node.chain.entry(CORPUS.blocks.get(1).hash())).isEmpty();
    }
  }

  @Test
  void headersOffAnUnknownParentMakeTheNodeAskAgainFromItsLocatorWithoutPunishment() throws Exception {
    try (PeerHarness node = node(3, 1)) {
      ScriptedTransport.Connection peer = syncingPeer(node, "198.51.100.1", 7);
      int mark = peer.sent.size();
      node.deliver(peer, Envelopes.headers(CORPUS.headers(6, 10))); // block 5 is unknown here

      assertThat(peer.sentSince(mark)).containsExactly(Envelopes.getHeaders(node.chain.locator()));
      assertThat(node.chain.locator()).hasSize(4); // 3, 2, 1, genesis: asked from our tip, not the peer's
      assertThat(peer.isClosed()).isFalse();
      assertThat(PeerHarness.handled(peer)).isTrue();
      for (int h = 6; h <= 10; h++) {
        assertThat(node.chain.entry(CORPUS.blocks.get(h).hash())).as("header %d indexed", h).isEmpty();
      }
      assertNotDiscouraged(node, "198.51.100.1");

      // The peer then answers from our locator: taken as usual.
      mark = peer.sent.size();
      node.deliver(peer, Envelopes.headers(CORPUS.headers(4, PeerFuzzCorpus.BLOCKS)));
      assertThat(node.chain.entry(CORPUS.tip().hash())).isPresent();
      assertThat(TestMessages.blockRequests(peer.sentSince(mark))).isEqualTo(CORPUS.hashes(4, 19));
    }
  }

  @Test
  void aHeaderFromBeyondTheClocksDriftIsDroppedWithEverythingItCameWithButNotPunished() throws Exception {
    long drift = CORPUS.spec.params().maxFutureDriftSeconds();
    // Block 20's timestamp is exactly the last one the clock accepts; block 21 is 60 s beyond it.
    long nowSeconds = CORPUS.blocks.get(20).header().timestamp() - drift;
    assertThat(CORPUS.blocks.get(21).header().timestamp()).isGreaterThan(nowSeconds + drift);
    try (PeerHarness node = new PeerHarness(CORPUS.spec, nowSeconds * 1000, PeerHarness.quietConfig(), 1)) {
      ScriptedTransport.Connection peer = syncingPeer(node, "198.51.100.1", 7);
      int mark = peer.sent.size();
      node.deliver(peer, CORPUS.allHeaders());

      for (int h = 1; h <= PeerFuzzCorpus.BLOCKS; h++) {
        assertThat(node.chain.entry(CORPUS.blocks.get(h).hash())).as("header %d indexed", h).isEmpty();
      }
      assertThat(peer.sentSince(mark)).isEmpty();
      assertThat(peer.isClosed()).isFalse();
      assertThat(PeerHarness.handled(peer)).isTrue();
      assertNotDiscouraged(node, "198.51.100.1");

      // Four blocks' time later the same headers are all acceptable, and taken.
      node.advance(java.time.Duration.ofSeconds(4 * 60));
      node.deliver(peer, CORPUS.allHeaders());
      assertThat(node.chain.entry(CORPUS.tip().hash())).isPresent();
      assertThat(TestMessages.blockRequests(peer.sentSince(mark))).isEqualTo(CORPUS.hashes(1, IN_FLIGHT_PER_PEER));
    }
  }

  // ---- serving GetHeaders ---------------------------------------------------------------------

  @Test
  void getHeadersIsAnsweredWithTheHeadersAfterTheFirstLocatorHashOnOurBestChain() throws Exception {
    try (PeerHarness node = node(PeerFuzzCorpus.BLOCKS, 1)) {
      ScriptedTransport.Connection peer = quietPeer(node, "198.51.100.1", 7);
      Hash unknown = Hash.of(new byte[32]);
      int mark = peer.sent.size();
      List<Hash> locator = List.of(unknown, CORPUS.blocks.get(10).hash(), CORPUS.blocks.get(3).hash(), CORPUS.spec.genesisHash());
      node.deliver(peer, Envelopes.getHeaders(locator));
      assertThat(peer.sentSince(mark)).containsExactly(Envelopes.headers(CORPUS.headers(11, PeerFuzzCorpus.BLOCKS)));

      // Up to the tip there is nothing to send: an empty Headers message.
      mark = peer.sent.size();
      node.deliver(peer, Envelopes.getHeaders(List.of(CORPUS.tip().hash())));
      assertThat(peer.sentSince(mark)).containsExactly(Envelopes.headers(List.of()));
      assertThat(peer.isClosed()).isFalse();
    }
  }

  @Test
  void getHeadersIsAnsweredWithAtMost2000Headers() throws Exception {
    try (PeerHarness node = node(0, 1)) {
      // A chain one block longer than a Headers message holds, mined on regtest in the node itself.
      dev.cairn.consensus.TimeSource time = () -> node.scheduler.now() / 1000;
      BlockAssembler assembler = new BlockAssembler(node.chain, node.mempool, time);
      Miner.generate(node.chain, assembler, TestChain.keys(99, 1).get(0).address(), MAX_HEADERS + 1);
      node.scheduler.runDue();
      assertThat(node.chain.tip().height()).isEqualTo(MAX_HEADERS + 1);

      ScriptedTransport.Connection peer = quietPeer(node, "198.51.100.1", 7);
      int mark = peer.sent.size();
      node.deliver(peer, Envelopes.getHeaders(List.of(CORPUS.spec.genesisHash())));
      List<Envelope> answer = peer.sentSince(mark);
      assertThat(answer).hasSize(1);
      List<Hash> served = headerHashes(answer.get(0));
      List<Hash> expected = new ArrayList<>();
      for (long h = 1; h <= MAX_HEADERS; h++) {
        expected.add(node.store.mainChainHash(h).orElseThrow());
      }
      assertThat(served).isEqualTo(expected);

      // The peer's next request, from the last header it got, brings the rest.
      mark = peer.sent.size();
      node.deliver(peer, Envelopes.getHeaders(List.of(expected.get(expected.size() - 1))));
      assertThat(headerHashes(peer.sentSince(mark).get(0))).containsExactly(node.chain.tip().hash());
    }
  }

  @Test
  void aLocatorOfMoreThan101EntriesIsOversized() throws Exception {
    try (PeerHarness node = node(PeerFuzzCorpus.BLOCKS, 1)) {
      ScriptedTransport.Connection atLimit = quietPeer(node, "198.51.100.1", 7);
      int mark = atLimit.sent.size();
      node.deliver(atLimit, Envelopes.getHeaders(Collections.nCopies(MAX_LOCATOR, CORPUS.blocks.get(20).hash())));
      assertThat(atLimit.sentSince(mark)).containsExactly(Envelopes.headers(CORPUS.headers(21, PeerFuzzCorpus.BLOCKS)));
      assertThat(atLimit.isClosed()).isFalse();

      ScriptedTransport.Connection over = quietPeer(node, "198.51.100.2", 8);
      mark = over.sent.size();
      node.deliver(over, Envelopes.getHeaders(Collections.nCopies(MAX_LOCATOR + 1, CORPUS.blocks.get(20).hash())));
      assertThat(reasonCode(over)).isEqualTo(Reason.PEER_OVERSIZED.code());
      assertThat(over.sentSince(mark)).noneMatch(Envelope::hasHeaders);
      assertThat(over.closedByNode).isTrue();
    }
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 31, 33})
  void aLocatorHashNotOf32BytesIsAProtocolViolation(int size) throws Exception {
    try (PeerHarness node = node(PeerFuzzCorpus.BLOCKS, 1)) {
      ScriptedTransport.Connection peer = quietPeer(node, "198.51.100.1", 7);
      int mark = peer.sent.size();
      Envelope request =
          Envelope.newBuilder()
              .setGetHeaders(
                  GetHeaders.newBuilder()
                      .addLocator(Envelopes.bytes(CORPUS.blocks.get(5).hash()))
                      .addLocator(ByteString.copyFrom(new byte[size])))
              .build();
      node.deliver(peer, request);
      assertThat(reasonCode(peer)).isEqualTo(Reason.PEER_PROTOCOL_VIOLATION.code());
      assertThat(peer.sentSince(mark)).noneMatch(Envelope::hasHeaders);
    }
  }

  // ---- announcing our tip, and hearing of theirs ------------------------------------------------

  @Test
  void aNewTipIsAnnouncedToEachReadyPeerAsTheHeadersItLacksAndNotToOneKnownToHaveIt() throws Exception {
    try (PeerHarness node = node(12, 1)) {
      ScriptedTransport.Connection knowsNothing = quietPeer(node, "198.51.100.1", 7);
      ScriptedTransport.Connection knowsTwelve = quietPeer(node, "198.51.100.2", 8);
      node.deliver(knowsTwelve, Envelopes.getHeaders(List.of(CORPUS.spec.genesisHash())));
      assertThat(headerHashes(knowsTwelve.sent.get(knowsTwelve.sent.size() - 1))).isEqualTo(CORPUS.hashes(1, 12));
      ScriptedTransport.Connection announcedIt = quietPeer(node, "198.51.100.3", 9);
      node.deliver(announcedIt, Envelopes.inventory(InventoryType.INVENTORY_TYPE_BLOCK, List.of(CORPUS.blocks.get(13).hash())));
      ScriptedTransport.Connection noHandshake = node.open(new HostPort("198.51.100.4", 9700));
      int[] marks = {knowsNothing.sent.size(), knowsTwelve.sent.size(), announcedIt.sent.size(), noHandshake.sent.size()};

      node.chain.processBlock(CORPUS.blocks.get(13));
      node.scheduler.runDue();

      // At most 8 headers, the newest, oldest first.
      assertThat(knowsNothing.sentSince(marks[0])).containsExactly(Envelopes.headers(CORPUS.headers(13 - MAX_ANNOUNCED + 1, 13)));
      assertThat(knowsTwelve.sentSince(marks[1])).containsExactly(Envelopes.headers(CORPUS.headers(13, 13)));
      assertThat(announcedIt.sentSince(marks[2])).isEmpty();
      assertThat(noHandshake.sentSince(marks[3])).isEmpty();

      // The next tip: everyone that is ready lacks just that one now.
      marks = new int[] {knowsNothing.sent.size(), knowsTwelve.sent.size(), announcedIt.sent.size(), noHandshake.sent.size()};
      node.chain.processBlock(CORPUS.blocks.get(14));
      node.scheduler.runDue();
      Envelope fourteen = Envelopes.headers(CORPUS.headers(14, 14));
      assertThat(knowsNothing.sentSince(marks[0])).containsExactly(fourteen);
      assertThat(knowsTwelve.sentSince(marks[1])).containsExactly(fourteen);
      assertThat(announcedIt.sentSince(marks[2])).containsExactly(fourteen);
      assertThat(noHandshake.sentSince(marks[3])).isEmpty();
    }
  }

  @Test
  void anInventoryOfUnknownBlocksCostsOneGetHeadersHoweverManyItNames() throws Exception {
    try (PeerHarness node = node(3, 1)) {
      ScriptedTransport.Connection peer = quietPeer(node, "198.51.100.1", 7);
      List<Hash> named =
          List.of(CORPUS.blocks.get(2).hash(), CORPUS.blocks.get(5).hash(), CORPUS.blocks.get(9).hash(), CORPUS.tip().hash());
      int mark = peer.sent.size();
      node.deliver(peer, Envelopes.inventory(InventoryType.INVENTORY_TYPE_BLOCK, named));
      assertThat(peer.sentSince(mark)).containsExactly(Envelopes.getHeaders(node.chain.locator()));
      assertThat(peer.isClosed()).isFalse();

      // Blocks we have: nothing to ask.
      mark = peer.sent.size();
      node.deliver(peer, Envelopes.inventory(InventoryType.INVENTORY_TYPE_BLOCK, CORPUS.hashes(1, 3)));
      assertThat(peer.sentSince(mark)).isEmpty();
      assertThat(peer.isClosed()).isFalse();
    }
  }

  @Test
  void aFloodOfUnknownBlocksGetsOneLocatorPerAnswerTimeAndTheLastIsNotLost() throws Exception {
    try (PeerHarness node = node(3, 2).start()) {
      ScriptedTransport.Connection peer = quietPeer(node, "198.51.100.2", 8);
      Envelope getHeaders = Envelopes.getHeaders(node.chain.locator());
      int mark = peer.sent.size();
      for (int i = 0; i < 50; i++) {
        node.deliver(peer, Envelopes.inventory(InventoryType.INVENTORY_TYPE_BLOCK, List.of(Hash.of(new byte[] {
            (byte) i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}))));
      }
      assertThat(peer.sentSince(mark)).as("one locator while it is unanswered").containsExactly(getHeaders);

      node.advance(java.time.Duration.ofMillis(HeaderSync.LOCATOR_ANSWER_MILLIS - 1));
      assertThat(peer.sentSince(mark)).hasSize(1);
      node.advance(java.time.Duration.ofMillis(250));
      assertThat(peer.sentSince(mark)).as("the held-back request goes when the first times out").containsExactly(getHeaders, getHeaders);
      node.advance(java.time.Duration.ofSeconds(30));
      assertThat(peer.sentSince(mark)).as("nothing more was asked for").hasSize(2);

      // An answer (any Headers message) clears the way: the next announcement is asked about at once.
      node.deliver(peer, Envelopes.headers(List.of()));
      node.deliver(peer, Envelopes.inventory(InventoryType.INVENTORY_TYPE_BLOCK, List.of(CORPUS.tip().hash())));
      assertThat(peer.sentSince(mark)).hasSize(3);
      assertThat(peer.isClosed()).isFalse();
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A peer from {@code host} that has the whole corpus chain (the node asks it for headers). */
  private static ScriptedTransport.Connection syncingPeer(PeerHarness node, String host, long nonce) {
    ScriptedTransport.Connection c = node.open(new HostPort(host, 9700));
    node.deliver(c, CORPUS.handshake(nonce, host + ":9700", PeerFuzzCorpus.BLOCKS, CORPUS.tipWork));
    assertThat(c.isClosed()).isFalse();
    return c;
  }

  /** A peer from {@code host} that claims no work: the node asks it for nothing. */
  private static ScriptedTransport.Connection quietPeer(PeerHarness node, String host, long nonce) {
    ScriptedTransport.Connection c = node.open(new HostPort(host, 9700));
    int mark = c.sent.size();
    node.deliver(c, CORPUS.handshake(nonce, host + ":9700", 0, NO_WORK));
    assertThat(c.isClosed()).isFalse();
    assertThat(c.sentSince(mark)).isEmpty();
    return c;
  }

  /** The host was not discouraged: a new connection from it is welcomed, then leaves. */
  private static void assertNotDiscouraged(PeerHarness node, String host) {
    ScriptedTransport.Connection again = node.open(new HostPort(host, 9799));
    assertThat(again.isClosed()).as("a new connection from %s was refused: %s", host, again.goodbye()).isFalse();
    node.transport.closeByPeer(again, java.util.Optional.empty(), "test done");
    node.scheduler.runDue();
  }

  private static String reasonCode(ScriptedTransport.Connection c) {
    return c.goodbye().map(e -> e.getDisconnect().getReasonCode()).orElse("(no disconnect)");
  }

  private static Envelope repeatedHeader(int count) {
    Headers.Builder b = Headers.newBuilder();
    ByteString one = ByteString.copyFrom(CORPUS.blocks.get(1).header().encoded());
    for (int i = 0; i < count; i++) {
      b.addHeaders(dev.cairn.proto.v1.BlockHeader.newBuilder().setCanonical(one));
    }
    return Envelope.newBuilder().setHeaders(b).build();
  }

  private static List<Hash> headerHashes(Envelope headers) throws RejectedException {
    assertThat(headers.hasHeaders()).as("a Headers message: %s", headers.getPayloadCase()).isTrue();
    List<Hash> out = new ArrayList<>();
    for (dev.cairn.proto.v1.BlockHeader raw : headers.getHeaders().getHeadersList()) {
      out.add(BlockHeader.decode(raw.getCanonical().toByteArray()).hash());
    }
    return out;
  }
}
