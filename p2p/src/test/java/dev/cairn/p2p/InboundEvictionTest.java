package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.ChainSpec;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.testkit.TestChain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * When inbound is full a newcomer is not refused: a peer is evicted in the manner of Bitcoin Core
 * ({@link InboundEviction}): a few groups, the fastest, the latest useful and the longest-connected
 * half are protected, and the youngest of the largest remaining network group goes. So a host
 * that fills every slot from one network cannot keep honest peers out, and a node whose every peer
 * is protected refuses instead. Tests use the loopback-as-routable flag: 127.a.b.c is group a.b.
 */
class InboundEvictionTest {
  private static final ChainSpec SPEC = TestChain.specFor(TestChain.keys(0xE71CL, 1));
  private static final long START = (SPEC.genesisTimestamp() + 3_600) * 1000;

  private static long nextId = 1;

  private static Peer peer(String host, long connectedAt) {
    HostPort remote = new HostPort(host, 40_000);
    return new Peer(new ConnectionId(nextId++), Peer.Direction.INBOUND, remote, NetworkGroup.of(remote, true), 0, connectedAt);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void theYoungestOfTheLargestGroupGoesAndProtectedPeersStay(long seed) {
    List<Peer> inbound = new ArrayList<>();
    List<Peer> honest = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Peer h = peer("127." + (10 + i) + ".0.1", 1_000 + i);
      honest.add(h);
      inbound.add(h);
    }
    List<Peer> attackers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Peer a = peer("127.1.0." + (i + 1), 50_000 + i);
      attackers.add(a);
      inbound.add(a);
    }
    // The fastest attacker and one that relayed a transaction are protected like anyone would be.
    attackers.get(39).minPingMillis = 1;
    attackers.get(38).lastUsefulTxMillis = 99_000;
    Optional<Peer> victim = new InboundEviction(SeededRandom.fromLong(seed)).select(inbound);

    assertThat(victim).hasValueSatisfying(v -> {
      assertThat(v.networkGroup).isEqualTo("ipv4:1.0");
      assertThat(v).as("the youngest unprotected of the largest group").isSameAs(attackers.get(37));
    });
  }

  @Test
  void whenEveryPeerIsProtectedNobodyIsEvicted() {
    List<Peer> inbound = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      inbound.add(peer("127." + (20 + i) + ".0.1", 1_000 + i));
    }
    // Four by group, the other four by ping time (all unmeasured, so the order of connection).
    assertThat(new InboundEviction(SeededRandom.fromLong(4)).select(inbound)).isEmpty();
  }

  @Test
  void theNetworkGroupsAreSlash16AndSlash32AndTheTestFlagSplitsLoopback() {
    assertThat(NetworkGroup.of(new HostPort("203.0.113.7", 1), false)).isEqualTo("ipv4:203.0");
    assertThat(NetworkGroup.of(new HostPort("203.0.200.9", 1), false)).isEqualTo("ipv4:203.0");
    assertThat(NetworkGroup.of(new HostPort("::ffff:203.0.113.7", 1), false)).isEqualTo("ipv4:203.0");
    assertThat(NetworkGroup.of(new HostPort("2001:db8:1:2::1", 1), false)).isEqualTo("ipv6:20010db8");
    assertThat(NetworkGroup.of(new HostPort("127.5.6.7", 1), false)).isEqualTo(NetworkGroup.LOCAL);
    assertThat(NetworkGroup.of(new HostPort("10.1.2.3", 1), false)).isEqualTo(NetworkGroup.LOCAL);
    assertThat(NetworkGroup.of(new HostPort("127.5.6.7", 1), true)).isEqualTo("ipv4:5.6");
    assertThat(NetworkGroup.of(new HostPort("Seed.Example", 1), false)).isEqualTo("name:seed.example");
    assertThat(Misbehavior.discourageKey(new HostPort("127.5.6.7", 1), true)).contains("127.5.6.7");
    assertThat(Misbehavior.discourageKey(new HostPort("127.5.6.7", 1), false)).isEmpty();
  }

  @Test
  void idlePeersFillingEverySlotCannotKeepHonestPeersOut() {
    // Enough slots that protection (4 + 8 + 4 + 4, then half of the rest) leaves some unprotected.
    int slots = 40;
    P2pConfig config =
        new P2pConfig("127.0.0.1", PeerHarness.PORT, "127.0.0.1", List.of(), 0, slots, Duration.ofSeconds(10), Duration.ofSeconds(3),
            Duration.ofMillis(50)).withLoopbackRoutable(true);
    try (PeerHarness node = new PeerHarness(SPEC, START, config, 5).start()) {
      List<ScriptedTransport.Connection> idle = new ArrayList<>();
      for (int i = 0; i < slots; i++) {
        ScriptedTransport.Connection c = node.open(new HostPort("127.1.0." + (i + 1), 40_000));
        node.deliver(c, handshake(node, 1_000 + i));
        idle.add(c);
        node.advance(Duration.ofSeconds(1));
      }
      List<ScriptedTransport.Connection> honest = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        ScriptedTransport.Connection h = node.open(new HostPort("127." + (30 + i) + ".0.1", 40_000));
        assertThat(h.isClosed()).as("honest newcomer %d", i).isFalse();
        assertThat(h.sent).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.HANDSHAKE);
        node.deliver(h, handshake(node, 2_000 + i));
        honest.add(h);
        node.advance(Duration.ofSeconds(1));
      }
      long evicted = idle.stream().filter(c -> c.closedByNode).count();
      assertThat(evicted).as("one idle peer per newcomer").isEqualTo(8);
      for (ScriptedTransport.Connection c : idle) {
        if (c.closedByNode) {
          assertThat(c.goodbye()).hasValueSatisfying(g -> {
            assertThat(g.getDisconnect().getReasonCode()).isEqualTo("too-many-connections");
            assertThat(g.getDisconnect().getMessage()).contains("evicted");
          });
        }
      }
      assertThat(honest).noneMatch(ScriptedTransport.Connection::isClosed);
      assertThat(node.statuses()).hasSize(slots);
    }
  }

  private static Envelope handshake(PeerHarness node, long nonce) {
    return Envelope.newBuilder()
        .setHandshake(dev.cairn.proto.v1.Handshake.newBuilder()
            .setProtocolVersion(Limits.PROTOCOL_VERSION)
            .setGenesisHash(Envelopes.bytes(SPEC.genesisHash()))
            .setNonce(nonce)
            .setAgent("test/1"))
        .build();
  }
}
