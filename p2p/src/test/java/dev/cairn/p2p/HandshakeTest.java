package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.GetAddresses;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.proto.v1.Ping;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The handshake rules of each connection ({@link Handshakes} and the core around it, driven
 * through the real core and driver on virtual time, no sockets): ours is the first message and
 * says who we are (protocol version, genesis, best height and work, agent, and where we listen
 * once started); theirs is refused, with the exact reason code, for another protocol version or
 * genesis, our own nonce (and an address found to be us is never dialled again), a field over its
 * bound, a first message that is not a handshake, a second handshake, or a listen address already
 * connected; only the punishable of these discourage the host. A peer with more work than our tip
 * is asked for headers at once, and a peer is in the published statuses from its handshake until
 * it is gone.
 */
class HandshakeTest {
  private static final PeerFuzzCorpus CORPUS = new PeerFuzzCorpus(0x4A5DL);
  private static final ChainSpec SPEC = CORPUS.spec;
  private static final long START = (CORPUS.endClock + 600) * 1000;
  private static final int OUR_HEIGHT = 5;
  private static final HostPort ROUTABLE = new HostPort("203.0.113.5", 40_001);

  /** A node that holds the first {@link #OUR_HEIGHT} corpus blocks; not started. */
  private static PeerHarness node(long seed) {
    PeerHarness node = new PeerHarness(SPEC, START, PeerHarness.quietConfig(), seed);
    try {
      for (int h = 1; h <= OUR_HEIGHT; h++) {
        node.chain.processBlock(CORPUS.blocks.get(h));
      }
    } catch (dev.cairn.ledger.RejectedException e) {
      throw new IllegalStateException(e);
    }
    node.scheduler.runDue();
    assertThat(node.chain.tip().height()).isEqualTo(OUR_HEIGHT);
    return node;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2})
  void ourHandshakeIsTheFirstMessageAndSaysWhoWeAre(long seed) {
    try (PeerHarness node = node(seed)) {
      BlockIndexEntry tip = node.chain.tip();
      ScriptedTransport.Connection before = node.open(new HostPort("198.51.100.1", 40_001));
      assertThat(before.sent).hasSize(1);
      Handshake h = before.sent.get(0).getHandshake();
      assertThat(h.getProtocolVersion()).isEqualTo(1);
      assertThat(h.getGenesisHash()).isEqualTo(ByteString.copyFrom(SPEC.genesisHash().toByteArray()));
      assertThat(h.getBestHeight()).isEqualTo(OUR_HEIGHT);
      assertThat(new BigInteger(1, h.getTotalWork().toByteArray())).isEqualTo(tip.chainWork()).isPositive();
      assertThat(h.getAgent()).isEqualTo("cairn-test/1");
      assertThat(h.getListenAddress()).as("not listening before the start").isEmpty();

      node.start();
      ScriptedTransport.Connection after = node.open(new HostPort("198.51.100.2", 40_001));
      HostPort outAddress = new HostPort("198.51.100.3", 9700);
      node.driver.post(new PeerEvent.AddPeer(outAddress));
      node.scheduler.runDue();
      ScriptedTransport.Connection out = node.transport.dialled(outAddress).orElseThrow();
      for (ScriptedTransport.Connection c : List.of(after, out)) {
        assertThat(c.sent).hasSize(1);
        Handshake started = c.sent.get(0).getHandshake();
        assertThat(started.getListenAddress()).isEqualTo("127.0.0.1:" + PeerHarness.PORT);
        assertThat(started.toBuilder().clearNonce().clearListenAddress().build()).isEqualTo(h.toBuilder().clearNonce().build());
      }
      // The nonce is per connection.
      assertThat(List.of(h.getNonce(), after.sent.get(0).getHandshake().getNonce(), out.sent.get(0).getHandshake().getNonce()))
          .doesNotHaveDuplicates();
    }
  }

  static Stream<Arguments> badHandshakes() {
    String agent256 = "a".repeat(256);
    return Stream.of(
        Arguments.of(
            "protocol version 2", (UnaryOperator<Handshake.Builder>) b -> b.setProtocolVersion(2), "incompatible-version", false),
        Arguments.of(
            "protocol version 0", (UnaryOperator<Handshake.Builder>) b -> b.setProtocolVersion(0), "incompatible-version", false),
        Arguments.of(
            "other genesis",
            (UnaryOperator<Handshake.Builder>) b -> b.setGenesisHash(Envelopes.bytes(ChainSpec.regtest().genesisHash())),
            "wrong-network", false),
        Arguments.of("no genesis", (UnaryOperator<Handshake.Builder>) b -> b.clearGenesisHash(), "wrong-network", false),
        Arguments.of("agent of 257", (UnaryOperator<Handshake.Builder>) b -> b.setAgent(agent256 + "a"), "oversized-message", true),
        Arguments.of(
            "listen address of 301",
            (UnaryOperator<Handshake.Builder>) b -> b.setListenAddress("h".repeat(296) + ":9700"),
            "oversized-message", true),
        Arguments.of(
            "total work of 34 bytes",
            (UnaryOperator<Handshake.Builder>) b -> b.setTotalWork(ByteString.copyFrom(new byte[34])),
            "oversized-message", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badHandshakes")
  void aBadHandshakeIsRefusedWithItsReasonAndOnlyAPunishableOneDiscourages(
      String name, UnaryOperator<Handshake.Builder> mutation, String code, boolean punishable) {
    assertThat(ChainSpec.regtest().genesisHash()).isNotEqualTo(SPEC.genesisHash());
    try (PeerHarness node = node(3)) {
      ScriptedTransport.Connection c = node.open(ROUTABLE);
      node.deliver(c, handshake(mutation.apply(base(0xBAD).toBuilder()).build()));

      assertThat(c.sent).extracting(Envelope::getPayloadCase)
          .containsExactly(Envelope.PayloadCase.HANDSHAKE, Envelope.PayloadCase.DISCONNECT);
      assertThat(reason(c)).isEqualTo(code);
      assertThat(c.closedByNode).isTrue();
      assertThat(node.statuses()).isEmpty();

      ScriptedTransport.Connection again = node.open(new HostPort(ROUTABLE.host(), 40_002));
      if (punishable) {
        assertThat(reason(again)).isEqualTo("discouraged");
      } else {
        assertThat(again.isClosed()).isFalse();
        node.deliver(again, handshake(base(0x600D)));
        assertThat(again.isClosed()).isFalse();
        assertThat(node.statuses()).hasSize(1);
      }
    }
  }

  @Test
  void fieldsAtTheirBoundsAreAccepted() {
    try (PeerHarness node = node(4)) {
      ScriptedTransport.Connection c = node.open(ROUTABLE);
      byte[] work = new byte[33];
      work[1] = 1; // 2^248, more than our tip: 33 bytes with the sign byte
      node.deliver(
          c,
          handshake(base(0xB0B).toBuilder().setAgent("a".repeat(256)).setListenAddress("h".repeat(295) + ":9700")
              .setTotalWork(ByteString.copyFrom(work)).build()));
      assertThat(c.goodbye()).isEmpty();
      assertThat(c.isClosed()).isFalse();
      assertThat(node.statuses()).hasSize(1);
    }
  }

  static Stream<Arguments> notAHandshake() {
    return Stream.of(
        Arguments.of("ping", Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(7)).build()),
        Arguments.of("get-addresses", Envelope.newBuilder().setGetAddresses(GetAddresses.getDefaultInstance()).build()),
        Arguments.of("get-headers", Envelopes.getHeaders(List.of(SPEC.genesisHash()))),
        Arguments.of("headers", CORPUS.allHeaders()),
        Arguments.of("empty envelope", Envelope.getDefaultInstance()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notAHandshake")
  void aFirstMessageOtherThanAHandshakeIsAProtocolViolation(String name, Envelope first) {
    try (PeerHarness node = node(5)) {
      ScriptedTransport.Connection c = node.open(ROUTABLE);
      node.deliver(c, first);
      assertThat(c.sent).extracting(Envelope::getPayloadCase)
          .containsExactly(Envelope.PayloadCase.HANDSHAKE, Envelope.PayloadCase.DISCONNECT);
      assertThat(reason(c)).isEqualTo("protocol-violation");
      assertThat(c.closedByNode).isTrue();
      assertThat(node.chain.tip().height()).isEqualTo(OUR_HEIGHT);
      assertThat(reason(node.open(new HostPort(ROUTABLE.host(), 40_002)))).isEqualTo("discouraged");
    }
  }

  @Test
  void aDisconnectAsFirstMessageClosesWithoutAnAnswerOrPunishment() {
    try (PeerHarness node = node(6)) {
      ScriptedTransport.Connection c = node.open(ROUTABLE);
      node.deliver(c, Envelopes.disconnect("too-many-connections", "full"));
      assertThat(c.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.HANDSHAKE);
      assertThat(c.closedByNode).isTrue();
      assertThat(node.open(new HostPort(ROUTABLE.host(), 40_002)).isClosed()).isFalse();
    }
  }

  @Test
  void aSecondHandshakeIsAProtocolViolation() {
    try (PeerHarness node = node(7)) {
      ScriptedTransport.Connection c = node.open(ROUTABLE);
      node.deliver(c, handshake(base(0x2)));
      assertThat(node.statuses()).hasSize(1);
      int mark = c.sent.size();
      node.deliver(c, handshake(base(0x2)));
      assertThat(c.sentSince(mark)).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.DISCONNECT);
      assertThat(reason(c)).isEqualTo("protocol-violation");
      assertThat(c.closedByNode).isTrue();
      assertThat(node.statuses()).isEmpty();
    }
  }

  @Test
  void anOutboundConnectionThatMeetsOurOwnNonceIsASelfConnectionAndNeverDialledAgain() {
    HostPort us = new HostPort("203.0.113.9", 9700);
    try (PeerHarness node = node(8).start()) {
      ScriptedTransport.Connection inbound = node.open(new HostPort("203.0.113.7", 40_000));
      long inboundNonce = inbound.sent.get(0).getHandshake().getNonce();
      node.driver.post(new PeerEvent.AddPeer(us)); // pinned: re-dialled after 500 ms but for the rule
      node.scheduler.runDue();
      ScriptedTransport.Connection out = node.transport.dialled(us).orElseThrow();

      node.deliver(out, handshake(base(inboundNonce)));
      assertThat(reason(out)).isEqualTo("self-connection");
      assertThat(out.closedByNode).isTrue();
      node.advance(Duration.ofMinutes(2));
      assertThat(node.transport.dials()).containsExactly(us);
      node.driver.post(new PeerEvent.AddPeer(us));
      node.advance(Duration.ofSeconds(5));
      assertThat(node.transport.dials()).containsExactly(us);
    }
  }

  @Test
  void anInboundConnectionThatBringsOurDialsNonceIsASelfConnectionAndTheDialledAddressIsNeverDialledAgain() {
    HostPort us = new HostPort("203.0.113.9", 9700);
    try (PeerHarness node = node(9).start()) {
      node.driver.post(new PeerEvent.AddPeer(us));
      node.scheduler.runDue();
      ScriptedTransport.Connection out = node.transport.dialled(us).orElseThrow();
      long dialNonce = out.sent.get(0).getHandshake().getNonce();

      ScriptedTransport.Connection inbound = node.open(new HostPort("203.0.113.7", 40_000));
      node.deliver(inbound, handshake(base(dialNonce)));
      assertThat(reason(inbound)).isEqualTo("self-connection");
      assertThat(inbound.closedByNode).isTrue();

      node.transport.closeByPeer(out, Optional.empty(), "the other end left");
      node.advance(Duration.ofMinutes(2));
      assertThat(node.transport.dials()).containsExactly(us);
      // Not punishable: the inbound side's host is not discouraged.
      assertThat(node.open(new HostPort("203.0.113.7", 40_001)).isClosed()).isFalse();
    }
  }

  @Test
  void aSecondPeerClaimingAConnectedPeersListenAddressIsADuplicate() {
    String listen = "198.51.100.7:9700";
    try (PeerHarness node = node(10)) {
      ScriptedTransport.Connection first = node.open(new HostPort("198.51.100.7", 50_001));
      node.deliver(first, handshake(base(0x1).toBuilder().setListenAddress(listen).build()));
      ScriptedTransport.Connection second = node.open(new HostPort("203.0.113.8", 50_002));
      node.deliver(second, handshake(base(0x2).toBuilder().setListenAddress(listen).build()));

      assertThat(reason(second)).isEqualTo("duplicate-connection");
      assertThat(second.closedByNode).isTrue();
      assertThat(first.isClosed()).isFalse();
      assertThat(first.goodbye()).isEmpty();
      assertThat(node.statuses()).extracting(PeerStatus::id).containsExactly(first.id.value());

      // Not punishable: the same host with its own listen address is welcome.
      ScriptedTransport.Connection third = node.open(new HostPort("203.0.113.8", 50_003));
      node.deliver(third, handshake(base(0x3).toBuilder().setListenAddress("203.0.113.8:9700").build()));
      assertThat(third.isClosed()).isFalse();
      assertThat(node.statuses()).hasSize(2);
    }
  }

  @Test
  void anInboundPeerClaimingTheAddressOfAnOutboundPeerIsADuplicate() {
    HostPort dialled = new HostPort("198.51.100.20", 9700);
    try (PeerHarness node = node(11)) {
      node.driver.post(new PeerEvent.AddPeer(dialled));
      node.scheduler.runDue();
      ScriptedTransport.Connection out = node.transport.dialled(dialled).orElseThrow();
      node.deliver(out, handshake(base(0x1)));
      assertThat(out.isClosed()).isFalse();

      ScriptedTransport.Connection in = node.open(new HostPort("198.51.100.20", 50_000));
      node.deliver(in, handshake(base(0x2).toBuilder().setListenAddress(dialled.toString()).build()));
      assertThat(reason(in)).isEqualTo("duplicate-connection");
      assertThat(out.isClosed()).isFalse();
    }
  }

  @ParameterizedTest(name = "their work = our tip's {0}")
  @ValueSource(ints = {-1, 0, 1})
  void aPeerWithMoreWorkThanOurTipIsAskedForHeadersAtOnce(int delta) {
    try (PeerHarness node = node(12)) {
      BigInteger theirs = node.chain.tip().chainWork().add(BigInteger.valueOf(delta));
      ScriptedTransport.Connection c = node.open(ROUTABLE);
      node.deliver(c, handshake(base(0x3).toBuilder().setTotalWork(ByteString.copyFrom(theirs.toByteArray())).build()));
      if (delta > 0) {
        assertThat(c.sentSince(1)).containsExactly(Envelopes.getHeaders(node.chain.locator()));
      } else {
        assertThat(c.sentSince(1)).isEmpty();
      }
      assertThat(c.isClosed()).isFalse();
    }
  }

  @Test
  void aPeerIsInTheStatusesFromItsHandshakeUntilItIsGone() {
    try (PeerHarness node = node(13)) {
      long openedAt = node.scheduler.now();
      ScriptedTransport.Connection c = node.open(ROUTABLE);
      assertThat(node.statuses()).as("no handshake yet").isEmpty();

      node.deliver(c, CORPUS.handshake(0x57A7));
      assertThat(node.statuses()).hasSize(1);
      PeerStatus s = node.statuses().get(0);
      assertThat(s.id()).isEqualTo(c.id.value());
      assertThat(s.address()).isEqualTo("203.0.113.5:40001");
      assertThat(s.inbound()).isTrue();
      assertThat(s.height()).isEqualTo(PeerFuzzCorpus.BLOCKS);
      assertThat(s.agent()).isEqualTo("cairn-fuzz/1");
      assertThat(s.listenAddress()).isEqualTo(PeerFuzzCorpus.PEER_LISTEN);
      assertThat(s.connectedSince()).isEqualTo(openedAt / 1000);

      ScriptedTransport.Connection other = node.open(new HostPort("198.51.100.9", 40_002));
      node.deliver(other, handshake(base(0x9)));
      assertThat(node.statuses()).extracting(PeerStatus::id).containsExactly(c.id.value(), other.id.value());

      node.transport.closeByPeer(c, Optional.empty(), "gone");
      node.scheduler.runDue();
      assertThat(node.statuses()).extracting(PeerStatus::id).containsExactly(other.id.value());
      node.deliver(other, Envelopes.disconnect("shutdown", "bye"));
      assertThat(node.statuses()).isEmpty();
      assertThat(other.closedByNode).isTrue();
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A valid handshake for the corpus network with no more work than our tip and no listen address. */
  private static Handshake base(long nonce) {
    return Handshake.newBuilder()
        .setProtocolVersion(Limits.PROTOCOL_VERSION)
        .setGenesisHash(Envelopes.bytes(SPEC.genesisHash()))
        .setNonce(nonce)
        .setBestHeight(1)
        .setTotalWork(ByteString.copyFrom(new byte[] {1}))
        .setAgent("peer/1")
        .build();
  }

  private static Envelope handshake(Handshake h) {
    return Envelope.newBuilder().setHandshake(h).build();
  }

  private static String reason(ScriptedTransport.Connection c) {
    return c.goodbye().orElseThrow(() -> new AssertionError("no Disconnect on connection " + c.id)).getDisconnect().getReasonCode();
  }
}
