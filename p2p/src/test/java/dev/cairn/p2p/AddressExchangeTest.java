package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.proto.v1.Addresses;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.GetAddresses;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.proto.v1.PeerAddress;
import dev.cairn.testkit.TestChain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Addresses between peers ({@link AddressExchange}, driven through the real core and driver on
 * virtual time, no sockets): an outbound peer is asked once, after its handshake, and an inbound
 * one never; a peer's GetAddresses is answered at most once per 10 s; an Addresses message over
 * 1,000 entries costs the connection ({@code oversized-message}); what a peer tells us enters the
 * book through its own token bucket (1,000 at once, then one per 10 s), which the test reads back
 * through another peer's GetAddresses answer; unusable entries are skipped without punishment; and
 * the addresses of a discouraged host are not handed out while it is discouraged.
 */
class AddressExchangeTest {
  private static final ChainSpec SPEC = TestChain.specFor(TestChain.keys(0xADD5L, 1));
  private static final long START = (SPEC.genesisTimestamp() + 3_600) * 1000;
  private static final Envelope GET_ADDRESSES = Envelope.newBuilder().setGetAddresses(GetAddresses.getDefaultInstance()).build();

  @Test
  void anOutboundPeerIsAskedForAddressesOnceAfterItsHandshakeAndAnInboundOneNever() {
    HostPort added = new HostPort("198.51.100.9", 9700);
    try (PeerHarness node = new PeerHarness(SPEC, START, PeerHarness.quietConfig(), 1).start()) {
      node.driver.post(new PeerEvent.AddPeer(added));
      node.scheduler.runDue();
      ScriptedTransport.Connection out = node.transport.dialled(added).orElseThrow();
      assertThat(payloads(out)).containsExactly(Envelope.PayloadCase.HANDSHAKE);
      node.deliver(out, handshake(0x1, node));
      assertThat(out.sent).containsExactly(out.sent.get(0), GET_ADDRESSES);

      ScriptedTransport.Connection in = node.open(new HostPort("198.51.100.10", 50_000));
      node.deliver(in, handshake(0x2, node));

      for (int i = 0; i < 3; i++) {
        node.advance(Duration.ofSeconds(20));
        node.deliver(out, TestMessages.ping(5));
        node.deliver(out, addresses(List.of(new HostPort("198.51.100.50", 9700 + i)), node));
        node.deliver(in, TestMessages.ping(5));
      }
      assertThat(count(out, Envelope.PayloadCase.GET_ADDRESSES)).isEqualTo(1);
      assertThat(count(in, Envelope.PayloadCase.GET_ADDRESSES)).isZero();
      assertThat(count(out, Envelope.PayloadCase.PONG)).isEqualTo(3);
    }
  }

  @Test
  void getAddressesIsAnsweredAtMostOncePerTenSecondsPerPeer() {
    try (PeerHarness node = new PeerHarness(SPEC, START, PeerHarness.quietConfig(), 2)) {
      ScriptedTransport.Connection a = node.open(new HostPort("198.51.100.11", 50_000));
      node.deliver(a, handshake(0xA, node));
      node.deliver(a, addresses(List.of(new HostPort("198.51.100.60", 9700)), node));
      ScriptedTransport.Connection b = node.open(new HostPort("198.51.100.12", 50_000));
      node.deliver(b, handshake(0xB, node));

      node.deliver(a, GET_ADDRESSES);
      assertThat(answers(a)).containsExactly(List.of(new HostPort("198.51.100.60", 9700)));
      node.advance(Duration.ofMillis(9_999));
      node.deliver(a, GET_ADDRESSES);
      node.deliver(a, GET_ADDRESSES);
      assertThat(answers(a)).as("asked again within 10 s: ignored").hasSize(1);
      assertThat(a.isClosed()).isFalse();
      assertThat(PeerHarness.handled(a)).isTrue();

      node.deliver(b, GET_ADDRESSES);
      assertThat(answers(b)).as("the interval is per peer").hasSize(1);

      node.advance(Duration.ofMillis(1));
      node.deliver(a, GET_ADDRESSES);
      assertThat(answers(a)).as("10 s after the last answer").hasSize(2);
      node.deliver(a, GET_ADDRESSES);
      assertThat(answers(a)).hasSize(2);
      assertThat(a.goodbye()).isEmpty();
    }
  }

  @Test
  void anAddressesMessageOverAThousandEntriesIsOversized() {
    try (PeerHarness node = new PeerHarness(SPEC, START, PeerHarness.quietConfig(), 3)) {
      ScriptedTransport.Connection ok = node.open(new HostPort("203.0.113.5", 50_000));
      node.deliver(ok, handshake(0x1, node));
      node.deliver(ok, addresses(hosts("198.18", 1_000), node));
      assertThat(ok.isClosed()).isFalse();
      assertThat(PeerHarness.handled(ok)).isTrue();

      ScriptedTransport.Connection over = node.open(new HostPort("203.0.113.6", 50_000));
      node.deliver(over, handshake(0x2, node));
      int mark = over.sent.size();
      node.deliver(over, addresses(hosts("198.19", 1_001), node));
      assertThat(over.sentSince(mark)).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.DISCONNECT);
      assertThat(over.goodbye().orElseThrow().getDisconnect().getReasonCode()).isEqualTo("oversized-message");
      assertThat(over.closedByNode).isTrue();

      // Nothing of the oversized message was taken.
      Set<HostPort> book = new HashSet<>(answers(ask(node, "198.51.100.200")).get(0));
      assertThat(book).hasSize(1_000).containsExactlyInAnyOrderElementsOf(hosts("198.18", 1_000));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void eachPeersAddressesEnterTheBookThroughItsOwnTokenBucket(long seed) {
    try (PeerHarness node = new PeerHarness(SPEC, START, PeerHarness.quietConfig(), seed)) {
      ScriptedTransport.Connection p = node.open(new HostPort("198.51.100.1", 50_000));
      node.deliver(p, handshake(0x1, node));
      long hourAgo = node.scheduler.now() / 1000 - 3_600;

      // A burst of 1,000, seen an hour ago: all taken, and the bucket is empty.
      List<HostPort> burst = hosts("198.18", 1_000);
      node.deliver(p, TestMessages.addresses(burst, hourAgo));
      assertThat(answers(ask(node, "198.51.100.201")).get(0)).hasSize(1_000).containsExactlyInAnyOrderElementsOf(burst);

      // More at once, seen now (so they would lead any answer): none taken.
      List<HostPort> b = hosts("192.0.2", 5, 1);
      node.deliver(p, addresses(b, node));
      assertThat(answers(ask(node, "198.51.100.202")).get(0)).containsExactlyInAnyOrderElementsOf(burst);

      // 10 s later, one token: the first of five taken. 30 s after that, three.
      node.advance(Duration.ofSeconds(10));
      List<HostPort> c = hosts("192.0.2", 5, 11);
      node.deliver(p, addresses(c, node));
      node.advance(Duration.ofSeconds(30));
      List<HostPort> d = hosts("192.0.2", 5, 21);
      node.deliver(p, addresses(d, node));

      // Another peer has its own full bucket.
      ScriptedTransport.Connection q = node.open(new HostPort("198.51.100.2", 50_000));
      node.deliver(q, handshake(0x2, node));
      List<HostPort> e = hosts("192.0.2", 5, 31);
      node.deliver(q, addresses(e, node));

      List<HostPort> answer = answers(ask(node, "198.51.100.203")).get(0);
      assertThat(answer).hasSize(1_000);
      List<HostPort> recent = new ArrayList<>();
      for (List<HostPort> l : List.of(b, c, d, e)) {
        recent.addAll(l);
      }
      assertThat(answer.stream().filter(recent::contains).toList())
          .containsExactlyInAnyOrder(c.get(0), d.get(0), d.get(1), d.get(2), e.get(0), e.get(1), e.get(2), e.get(3), e.get(4));
      assertThat(p.isClosed() || q.isClosed()).isFalse();
      assertThat(p.goodbye()).isEmpty();
    }
  }

  @Test
  void unusableAddressesAreSkippedWithoutPunishment() {
    try (PeerHarness node = new PeerHarness(SPEC, START, PeerHarness.quietConfig(), 4)) {
      ScriptedTransport.Connection p = node.open(new HostPort("203.0.113.5", 50_000));
      node.deliver(p, handshake(0x1, node));
      long now = node.scheduler.now() / 1000;
      Addresses.Builder m = Addresses.newBuilder();
      m.addAddresses(PeerAddress.newBuilder().setHost("198.51.100.70").setPort(0).setLastSeen(now));
      m.addAddresses(PeerAddress.newBuilder().setHost("198.51.100.71").setPort(9700).setLastSeen(now));
      m.addAddresses(PeerAddress.newBuilder().setHost("").setPort(9700).setLastSeen(now));
      m.addAddresses(PeerAddress.newBuilder().setHost("198.51.100.72").setPort(65_536).setLastSeen(now));
      m.addAddresses(PeerAddress.newBuilder().setHost("h".repeat(256)).setPort(9700).setLastSeen(now));
      m.addAddresses(PeerAddress.newBuilder().setHost("198.51.100.73").setPort(65_535).setLastSeen(now));
      int mark = p.sent.size();
      node.deliver(p, Envelope.newBuilder().setAddresses(m).build());

      assertThat(p.sentSince(mark)).isEmpty();
      assertThat(p.isClosed()).isFalse();
      assertThat(PeerHarness.handled(p)).isTrue();
      assertThat(answers(ask(node, "198.51.100.200")).get(0))
          .containsExactlyInAnyOrder(new HostPort("198.51.100.71", 9700), new HostPort("198.51.100.73", 65_535));
      // Not discouraged either: the host may connect again.
      node.transport.closeByPeer(p, java.util.Optional.empty(), "bye");
      node.scheduler.runDue();
      assertThat(node.open(new HostPort("203.0.113.5", 50_001)).isClosed()).isFalse();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void addressesOfADiscouragedHostAreNotHandedOutWhileItIsDiscouraged(long seed) {
    HostPort bad = new HostPort("203.0.113.5", 9700);
    HostPort badOtherPort = new HostPort("203.0.113.5", 9800);
    HostPort good = new HostPort("198.51.100.20", 9700);
    try (PeerHarness node = new PeerHarness(SPEC, START, PeerHarness.quietConfig(), seed)) {
      ScriptedTransport.Connection p = node.open(new HostPort("198.51.100.1", 50_000));
      node.deliver(p, handshake(0x1, node));
      node.deliver(p, addresses(List.of(bad, good, badOtherPort), node));
      assertThat(answers(ask(node, "198.51.100.201")).get(0)).containsExactlyInAnyOrder(bad, good, badOtherPort);

      ScriptedTransport.Connection offender = node.open(new HostPort("203.0.113.5", 40_000));
      node.deliver(offender, TestMessages.ping(5));
      assertThat(offender.goodbye().orElseThrow().getDisconnect().getReasonCode()).isEqualTo("protocol-violation");
      assertThat(answers(ask(node, "198.51.100.202")).get(0)).containsExactly(good);

      node.advance(Duration.ofHours(24).plusSeconds(1));
      assertThat(answers(ask(node, "198.51.100.203")).get(0)).containsExactlyInAnyOrder(bad, good, badOtherPort);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A new inbound peer from {@code host} that asks for addresses once; its connection. */
  private static ScriptedTransport.Connection ask(PeerHarness node, String host) {
    ScriptedTransport.Connection c = node.open(new HostPort(host, 50_100));
    node.deliver(c, handshake(host.hashCode(), node));
    node.deliver(c, GET_ADDRESSES);
    assertThat(answers(c)).as("a first GetAddresses is answered").hasSize(1);
    return c;
  }

  /** The Addresses answers the node sent on {@code c}, each as its list of addresses. */
  private static List<List<HostPort>> answers(ScriptedTransport.Connection c) {
    return c.sent.stream()
        .filter(Envelope::hasAddresses)
        .map(e -> e.getAddresses().getAddressesList().stream().map(a -> new HostPort(a.getHost(), a.getPort())).toList())
        .toList();
  }

  private static long count(ScriptedTransport.Connection c, Envelope.PayloadCase kind) {
    return c.sent.stream().filter(e -> e.getPayloadCase() == kind).count();
  }

  private static List<Envelope.PayloadCase> payloads(ScriptedTransport.Connection c) {
    return c.sent.stream().map(Envelope::getPayloadCase).toList();
  }

  /** {@code n} distinct addresses under {@code prefix} (two octets), port 9700. */
  private static List<HostPort> hosts(String prefix, int n) {
    List<HostPort> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new HostPort(prefix + "." + (i / 250) + "." + (i % 250 + 1), 9700));
    }
    return out;
  }

  /** {@code n} addresses under a three-octet {@code prefix}, from {@code first}. */
  private static List<HostPort> hosts(String prefix, int n, int first) {
    List<HostPort> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new HostPort(prefix + "." + (first + i), 9700));
    }
    return out;
  }

  /**
   * A handshake for {@link #SPEC} with exactly our tip's work (no header sync starts) and no listen
   * address (so the book holds only what the test puts in it).
   */
  private static Envelope handshake(long nonce, PeerHarness node) {
    return Envelope.newBuilder()
        .setHandshake(
            Handshake.newBuilder()
                .setProtocolVersion(Limits.PROTOCOL_VERSION)
                .setGenesisHash(Envelopes.bytes(SPEC.genesisHash()))
                .setNonce(nonce)
                .setTotalWork(ByteString.copyFrom(node.chain.tip().chainWork().toByteArray()))
                .setAgent("peer/1"))
        .build();
  }

  private static Envelope addresses(List<HostPort> list, PeerHarness node) {
    return TestMessages.addresses(list, node.scheduler.now() / 1000);
  }
}
