package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.testkit.TestChain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whom the node dials and whom it accepts ({@link ConnectionManager}, driven through the real core
 * and driver on virtual time, no sockets): bootstrap and added peers are dialled and re-dialled with
 * an exponential back-off (250 ms shifted by the failures, at most 60 s) while they fail before the
 * handshake; addresses learnt from peers fill the outbound target, at most 4 dials per maintain
 * round; inbound connections are refused when there is no room ({@code too-many-connections}) or
 * their routable host misbehaved in the last 24 hours ({@code discouraged}), never for a loopback or
 * private one; a connection that says nothing is cut at the handshake timeout; and on stop every
 * peer is told {@code shutdown} and closed.
 */
class ConnectionManagerTest {
  private static final ChainSpec SPEC = TestChain.specFor(TestChain.keys(0xC044L, 1));
  private static final long START = (SPEC.genesisTimestamp() + 3_600) * 1000;
  private static final long MAINTAIN = ConnectionManager.MAINTAIN_MILLIS;

  private static P2pConfig config(List<HostPort> bootstrap, int outboundTarget, int maxInbound, Duration handshakeTimeout) {
    return new P2pConfig(
        "127.0.0.1", PeerHarness.PORT, "127.0.0.1", bootstrap, outboundTarget, maxInbound, handshakeTimeout,
        Duration.ofSeconds(3), Duration.ofMillis(50));
  }

  private static P2pConfig config(List<HostPort> bootstrap, int outboundTarget) {
    return config(bootstrap, outboundTarget, 125, Duration.ofSeconds(10));
  }

  @Test
  void aStartedNodeDialsItsBootstrapPeersAndOnlyThem() {
    HostPort b1 = new HostPort("198.51.100.1", 9700);
    HostPort b2 = new HostPort("198.51.100.2", 9701);
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(b1, b2), 0), 1)) {
      node.advance(Duration.ofSeconds(2));
      assertThat(node.transport.dials()).as("nothing is dialled before the start").isEmpty();

      node.start();
      assertThat(node.transport.dials()).containsExactly(b1, b2);
      for (HostPort b : List.of(b1, b2)) {
        ScriptedTransport.Connection c = node.transport.dialled(b).orElseThrow();
        assertThat(c.sent).hasSize(1);
        assertThat(c.sent.get(0).getHandshake().getListenAddress()).isEqualTo("127.0.0.1:" + PeerHarness.PORT);
      }

      node.deliver(node.transport.dialled(b1).orElseThrow(), handshake(0xB1, ""));
      node.advance(Duration.ofSeconds(5)); // b2 still being dialled: within the handshake timeout
      assertThat(node.transport.dials()).as("a connected or pending pinned peer is not dialled again").containsExactly(b1, b2);
    }
  }

  @Test
  void aPinnedPeerThatFailsBeforeTheHandshakeIsRedialledWithExponentialBackOffCappedAtAMinute() {
    HostPort b = new HostPort("198.51.100.1", 9700);
    long[] expectedDelays = {500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000};
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(b), 0), 2).start()) {
      assertThat(node.transport.dials()).containsExactly(b);
      for (int failure = 1; failure <= expectedDelays.length; failure++) {
        peerCloses(node, node.transport.dialled(b).orElseThrow());
        long delay = expectedDelays[failure - 1];
        node.advance(Duration.ofMillis(delay - 1));
        assertThat(node.transport.dials()).as("no re-dial before %d ms after failure %d", delay, failure).hasSize(failure);
        node.advance(Duration.ofMillis(1));
        assertThat(node.transport.dials()).as("re-dialled %d ms after failure %d", delay, failure).hasSize(failure + 1);
      }

      // A handshake clears the failures: the peer leaving afterwards is re-dialled at the next round,
      // and a new failure backs off from the start again.
      int dials = node.transport.dials().size();
      node.deliver(node.transport.dialled(b).orElseThrow(), handshake(0xB1, ""));
      node.advance(Duration.ofSeconds(3));
      peerCloses(node, node.transport.dialled(b).orElseThrow());
      node.advance(Duration.ofMillis(MAINTAIN));
      assertThat(node.transport.dials()).hasSize(dials + 1);
      peerCloses(node, node.transport.dialled(b).orElseThrow());
      node.advance(Duration.ofMillis(499));
      assertThat(node.transport.dials()).hasSize(dials + 1);
      node.advance(Duration.ofMillis(1));
      assertThat(node.transport.dials()).hasSize(dials + 2);
      assertThat(new HashSet<>(node.transport.dials())).containsExactly(b);
    }
  }

  @Test
  void anAddedPeerIsDialledAtOnceAndKeptConnected() {
    HostPort added = new HostPort("198.51.100.9", 9700);
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(), 0), 3).start()) {
      node.advance(Duration.ofSeconds(1));
      assertThat(node.transport.dials()).isEmpty();

      node.driver.post(new PeerEvent.AddPeer(added));
      node.scheduler.runDue(); // no time passes: not left to the next maintain round
      assertThat(node.transport.dials()).containsExactly(added);
      ScriptedTransport.Connection c = node.transport.dialled(added).orElseThrow();
      assertThat(c.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.HANDSHAKE);

      node.deliver(c, handshake(0xADD, ""));
      node.driver.post(new PeerEvent.AddPeer(added));
      node.advance(Duration.ofSeconds(3));
      assertThat(node.transport.dials()).as("added again while connected: not dialled twice").containsExactly(added);

      peerCloses(node, c);
      node.advance(Duration.ofMillis(MAINTAIN));
      assertThat(node.transport.dials()).as("re-dialled when its connection is gone").containsExactly(added, added);
      assertThat(node.transport.dialled(added).orElseThrow()).isNotSameAs(c);
    }
  }

  @Test
  void aPinnedPeerAlreadyConnectedInboundIsNotDialledUntilItLeaves() {
    HostPort added = new HostPort("198.51.100.9", 9700);
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(), 0), 4).start()) {
      ScriptedTransport.Connection in = node.open(new HostPort("198.51.100.9", 51_000));
      node.deliver(in, handshake(0x1A, added.toString()));
      node.driver.post(new PeerEvent.AddPeer(added));
      node.advance(Duration.ofSeconds(3));
      assertThat(node.transport.dials()).as("its listen address is connected already").isEmpty();

      peerCloses(node, in);
      node.advance(Duration.ofMillis(MAINTAIN));
      assertThat(node.transport.dials()).containsExactly(added);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void addressesLearntFromAPeerFillTheOutboundTargetAtMostFourDialsPerRound(long seed) {
    HostPort seedPeer = new HostPort("198.51.100.1", 9700);
    List<HostPort> learnt = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      learnt.add(new HostPort("198.51.100." + (10 + i), 9700));
    }
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(seedPeer), 8), seed).start()) {
      assertThat(node.transport.dials()).as("only the bootstrap peer is known").containsExactly(seedPeer);
      ScriptedTransport.Connection c = node.transport.dialled(seedPeer).orElseThrow();
      node.deliver(c, handshake(0x5EED, ""));
      assertThat(c.sent.get(c.sent.size() - 1).hasGetAddresses()).isTrue();
      node.deliver(c, TestMessages.addresses(learnt, START / 1000));
      assertThat(node.transport.dials()).as("dialled at the maintain rounds, not on receipt").hasSize(1);

      node.advance(Duration.ofMillis(MAINTAIN));
      assertThat(node.transport.dials()).as("first round: 4 of the 7 missing").hasSize(5);
      node.advance(Duration.ofMillis(MAINTAIN));
      assertThat(node.transport.dials()).as("second round: up to the target of 8").hasSize(8);
      node.advance(Duration.ofSeconds(5)); // within the handshake timeout: every dial still pending
      List<HostPort> dials = node.transport.dials();
      assertThat(dials).hasSize(8);
      assertThat(dials.subList(1, 8)).doesNotHaveDuplicates().allMatch(learnt::contains);

      // A dial that fails is replaced at the next round by an address not dialled yet.
      HostPort failed = dials.get(3);
      peerCloses(node, node.transport.dialled(failed).orElseThrow());
      node.advance(Duration.ofMillis(MAINTAIN));
      List<HostPort> after = node.transport.dials();
      assertThat(after).hasSize(9);
      assertThat(after.get(8)).isIn(learnt).isNotIn(dials);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void anAddressOfADiscouragedHostIsNeverDialledFromTheBook(long seed) {
    HostPort seedPeer = new HostPort("198.51.100.1", 9700);
    HostPort bad = new HostPort("203.0.113.5", 9700);
    HostPort good = new HostPort("198.51.100.30", 9700);
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(seedPeer), 8), seed).start()) {
      ScriptedTransport.Connection offender = node.open(new HostPort("203.0.113.5", 40_000));
      node.deliver(offender, TestMessages.ping(1));
      assertThat(reason(offender)).isEqualTo("protocol-violation");

      ScriptedTransport.Connection c = node.transport.dialled(seedPeer).orElseThrow();
      node.deliver(c, handshake(0x5EED, ""));
      node.deliver(c, TestMessages.addresses(List.of(bad, good), START / 1000));
      node.advance(Duration.ofSeconds(9)); // 18 rounds, the bad address picked and skipped whenever ready
      assertThat(node.transport.dials()).containsExactly(seedPeer, good);
    }
  }

  /**
   * The node dials an address (a pinned one here, e.g. a bootstrap peer given by another name) and
   * its handshake names the listen address of a peer already connected inbound: refused as {@code
   * duplicate-connection}, like every other refused handshake a failed dial, so re-dialled with the
   * pinned back-off (500 ms, 1 s, 2 s, ...), not every second for as long as the other connection
   * lasts.
   */
  @Test
  void aPinnedDialRefusedAsADuplicateBacksOffLikeAFailedDial() {
    HostPort alias = new HostPort("198.51.100.1", 9700);
    String listen = "198.51.100.7:9700";
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(alias), 0), 11)) {
      ScriptedTransport.Connection in = node.open(new HostPort("198.51.100.7", 50_001));
      node.deliver(in, handshake(0x1A, listen));
      long t0 = node.scheduler.now();
      node.start();
      List<Long> dialTimes = answerDialsAsDuplicates(node, alias, listen, Duration.ofSeconds(20));
      assertThat(dialTimes.stream().map(t -> t - t0).toList()).containsExactly(0L, 500L, 1_500L, 3_500L, 7_500L, 15_500L);
      assertThat(in.isClosed()).isFalse();
    }
  }

  /** The same for an address from the book: its back-off (2 s, 4 s, 8 s, ...) as for a failed dial. */
  @Test
  void aBookDialRefusedAsADuplicateBacksOffLikeAFailedDial() {
    HostPort alias = new HostPort("198.51.100.77", 9700);
    String listen = "198.51.100.7:9700";
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(), 8), 12)) {
      ScriptedTransport.Connection in = node.open(new HostPort("198.51.100.7", 50_001));
      node.deliver(in, handshake(0x1A, listen));
      node.deliver(in, TestMessages.addresses(List.of(alias), START / 1000));
      long t0 = node.scheduler.now();
      node.start();
      List<Long> dialTimes = answerDialsAsDuplicates(node, alias, listen, Duration.ofSeconds(20));
      assertThat(dialTimes.stream().map(t -> t - t0).toList()).containsExactly(0L, 2_000L, 6_000L, 14_000L);
      assertThat(in.isClosed()).isFalse();
    }
  }

  /** Runs {@code period} round by round; each dial of {@code address} is answered with a handshake claiming {@code listen}. */
  private static List<Long> answerDialsAsDuplicates(PeerHarness node, HostPort address, String listen, Duration period) {
    List<Long> dialTimes = new ArrayList<>();
    long end = node.scheduler.now() + period.toMillis();
    int seen = 0;
    while (true) {
      List<HostPort> dials = node.transport.dials();
      if (dials.size() > seen) {
        assertThat(dials.subList(seen, dials.size())).containsExactly(address);
        seen = dials.size();
        dialTimes.add(node.scheduler.now());
        ScriptedTransport.Connection c = node.transport.dialled(address).orElseThrow();
        node.deliver(c, handshake(0xD0 + seen, listen));
        assertThat(reason(c)).isEqualTo("duplicate-connection");
      }
      if (node.scheduler.now() >= end) {
        return dialTimes;
      }
      node.advance(Duration.ofMillis(MAINTAIN));
    }
  }

  @Test
  void inboundIsRefusedWithTooManyConnectionsWhenMaxInboundPeersAreConnected() {
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(), 0, 2, Duration.ofSeconds(10)), 5)) {
      ScriptedTransport.Connection first = node.open(new HostPort("198.51.100.11", 50_001));
      node.deliver(first, handshake(0x11, ""));
      ScriptedTransport.Connection second = node.open(new HostPort("198.51.100.12", 50_002)); // no handshake yet: counts
      assertThat(second.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.HANDSHAKE);

      ScriptedTransport.Connection third = node.open(new HostPort("198.51.100.13", 50_003));
      assertThat(third.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.DISCONNECT);
      assertThat(reason(third)).isEqualTo("too-many-connections");
      assertThat(third.closedByNode).isTrue();
      assertThat(first.isClosed() || second.isClosed()).isFalse();

      // Outbound connections do not take inbound room, nor the reverse.
      HostPort out = new HostPort("198.51.100.20", 9700);
      node.driver.post(new PeerEvent.AddPeer(out));
      node.scheduler.runDue();
      ScriptedTransport.Connection dialled = node.transport.dialled(out).orElseThrow();
      assertThat(dialled.isClosed()).isFalse();
      assertThat(dialled.sent.get(0).hasHandshake()).isTrue();

      peerCloses(node, second);
      ScriptedTransport.Connection fourth = node.open(new HostPort("198.51.100.13", 50_004));
      assertThat(fourth.isClosed()).isFalse();
      assertThat(fourth.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.HANDSHAKE);
      assertThat(reason(node.open(new HostPort("198.51.100.14", 50_005)))).isEqualTo("too-many-connections");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"203.0.113.5", "2001:db8::5"})
  void aPunishedRoutableHostIsRefusedAsDiscouraged(String host) {
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(), 0), 6)) {
      ScriptedTransport.Connection offender = node.open(new HostPort(host, 40_001));
      node.deliver(offender, handshake(0x0FF, ""));
      node.deliver(offender, handshake(0x0FF, ""));
      assertThat(reason(offender)).isEqualTo("protocol-violation");
      assertThat(offender.closedByNode).isTrue();

      ScriptedTransport.Connection again = node.open(new HostPort(host, 40_002));
      assertThat(again.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.DISCONNECT);
      assertThat(reason(again)).isEqualTo("discouraged");
      assertThat(again.closedByNode).isTrue();

      ScriptedTransport.Connection neighbour = node.open(new HostPort("203.0.113.6", 40_001));
      assertThat(neighbour.isClosed()).as("only the offender's host is discouraged").isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "192.168.7.7", "172.16.0.9", "169.254.1.1", "::1"})
  void aPunishedLoopbackOrPrivateHostIsOnlyDisconnected(String host) {
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(), 0), 7)) {
      ScriptedTransport.Connection offender = node.open(new HostPort(host, 40_001));
      node.deliver(offender, handshake(0x0FF, ""));
      node.deliver(offender, handshake(0x0FF, ""));
      assertThat(reason(offender)).isEqualTo("protocol-violation");

      ScriptedTransport.Connection again = node.open(new HostPort(host, 40_002));
      assertThat(again.isClosed()).isFalse();
      assertThat(again.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.HANDSHAKE);
    }
  }

  @Test
  void discouragementExpiresAfterADay() {
    HostPort offenderAddress = new HostPort("203.0.113.5", 40_001);
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(), 0), 8)) {
      ScriptedTransport.Connection offender = node.open(offenderAddress);
      node.deliver(offender, TestMessages.ping(1));
      assertThat(reason(offender)).isEqualTo("protocol-violation");

      node.advance(Duration.ofHours(24).minusMillis(1));
      assertThat(reason(node.open(new HostPort("203.0.113.5", 40_002)))).isEqualTo("discouraged");
      node.advance(Duration.ofMillis(2));
      ScriptedTransport.Connection later = node.open(new HostPort("203.0.113.5", 40_003));
      assertThat(later.isClosed()).isFalse();
      assertThat(later.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.HANDSHAKE);
    }
  }

  @Test
  void expiredDiscouragementsAreForgottenEvenIfTheHostNeverComesBack() {
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(), 0), 10).start()) {
      for (int i = 1; i <= 50; i++) {
        ScriptedTransport.Connection offender = node.open(new HostPort("203.0.113." + i, 40_001));
        node.deliver(offender, TestMessages.ping(i));
        assertThat(reason(offender)).isEqualTo("protocol-violation");
      }
      assertThat(node.core.discouragedHosts()).isEqualTo(50);
      node.advance(Duration.ofHours(24).minusSeconds(1));
      assertThat(node.core.discouragedHosts()).as("a day not over yet").isEqualTo(50);
      node.advance(Duration.ofSeconds(2));
      assertThat(node.core.discouragedHosts()).as("pruned by the maintenance rounds").isZero();
    }
  }

  @Test
  void aConnectionWithoutAHandshakeIsCutAtTheConfiguredHandshakeTimeout() {
    Duration timeout = Duration.ofMillis(4_321);
    HostPort pinned = new HostPort("198.51.100.1", 9700);
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(pinned), 0, 125, timeout), 9).start()) {
      ScriptedTransport.Connection dialled = node.transport.dialled(pinned).orElseThrow();
      ScriptedTransport.Connection silent = node.open(new HostPort("203.0.113.5", 40_001));
      ScriptedTransport.Connection talker = node.open(new HostPort("203.0.113.6", 40_001));
      node.deliver(talker, handshake(0x7A1, ""));

      node.advance(timeout.minusMillis(1));
      assertThat(silent.isClosed() || dialled.isClosed()).isFalse();
      node.advance(Duration.ofMillis(1));
      for (ScriptedTransport.Connection c : List.of(silent, dialled)) {
        assertThat(reason(c)).isEqualTo("handshake-timeout");
        assertThat(c.closedByNode).isTrue();
      }
      assertThat(talker.isClosed()).isFalse();
      assertThat(talker.goodbye()).isEmpty();

      // Not punishable: the host may come back at once.
      ScriptedTransport.Connection back = node.open(new HostPort("203.0.113.5", 40_002));
      assertThat(back.isClosed()).isFalse();
    }
  }

  @Test
  void onStopEveryPeerIsToldShutdownAndClosedAndNothingNewStarts() {
    HostPort b1 = new HostPort("198.51.100.1", 9700);
    HostPort b2 = new HostPort("198.51.100.2", 9700);
    try (PeerHarness node = new PeerHarness(SPEC, START, config(List.of(b1, b2), 0), 10).start()) {
      ScriptedTransport.Connection out1 = node.transport.dialled(b1).orElseThrow();
      node.deliver(out1, handshake(0xB1, ""));
      ScriptedTransport.Connection out2 = node.transport.dialled(b2).orElseThrow(); // still dialling
      ScriptedTransport.Connection in1 = node.open(new HostPort("203.0.113.5", 40_001));
      node.deliver(in1, handshake(0x11, "203.0.113.5:9700"));
      ScriptedTransport.Connection in2 = node.open(new HostPort("203.0.113.6", 40_001)); // no handshake yet
      assertThat(node.statuses()).hasSize(2);

      node.driver.stop();
      node.scheduler.runDue();
      for (ScriptedTransport.Connection c : List.of(out1, out2, in1, in2)) {
        Envelope last = c.sent.get(c.sent.size() - 1);
        assertThat(last.getDisconnect().getReasonCode()).as("connection %s", c.id).isEqualTo("shutdown");
        assertThat(c.sent.stream().filter(Envelope::hasDisconnect).count()).isEqualTo(1);
        assertThat(c.closedByNode).isTrue();
      }
      assertThat(node.statuses()).isEmpty();

      node.advance(Duration.ofSeconds(10));
      assertThat(node.transport.dials()).as("no re-dial after the stop").containsExactly(b1, b2);
      ScriptedTransport.Connection late = node.open(new HostPort("203.0.113.7", 40_001));
      assertThat(late.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.DISCONNECT);
      assertThat(reason(late)).isEqualTo("shutdown");
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static void peerCloses(PeerHarness node, ScriptedTransport.Connection c) {
    node.transport.closeByPeer(c, Optional.empty(), "connection reset");
    node.scheduler.runDue();
  }

  private static String reason(ScriptedTransport.Connection c) {
    return c.goodbye().orElseThrow(() -> new AssertionError("no Disconnect on connection " + c.id)).getDisconnect().getReasonCode();
  }

  /** A handshake for {@link #SPEC} with no more work than genesis (so no header sync starts). */
  private static Envelope handshake(long nonce, String listen) {
    Handshake.Builder h =
        Handshake.newBuilder()
            .setProtocolVersion(Limits.PROTOCOL_VERSION)
            .setGenesisHash(Envelopes.bytes(SPEC.genesisHash()))
            .setNonce(nonce)
            .setBestHeight(0)
            .setTotalWork(ByteString.copyFrom(new byte[] {1}))
            .setAgent("peer/1");
    if (!listen.isEmpty()) {
      h.setListenAddress(listen);
    }
    return Envelope.newBuilder().setHandshake(h).build();
  }
}
