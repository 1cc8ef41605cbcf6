package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Reason;
import dev.cairn.proto.v1.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-memory network keeps the transport contract the peer core relies on, in virtual time: a
 * dial is opened at once on the dialer and on the listener one link delay later; messages arrive
 * one link delay after they are sent, in the order sent, one per read credit; a close reaches the
 * other side after the messages sent before it, as "closed by peer", and the closing side hears
 * nothing; a dial nobody answers is refused after the round trip; a cut link ends its connections
 * on both sides at once and loses what was in flight, and healing it lets new dials through; each
 * direction of each link has its own delay.
 */
class InMemoryTransportTest {
  private static final long START = 1_000_000L;
  private static final HostPort A = new HostPort("10.0.0.1", 9700);
  private static final HostPort B = new HostPort("10.0.0.2", 9700);
  private static final HostPort C = new HostPort("10.0.0.3", 9700);

  /** What a transport reported, with the virtual time it was reported at. */
  sealed interface Seen {
    long at();

    ConnectionId connection();
  }

  record Opened(long at, ConnectionId connection, Peer.Direction direction, HostPort remote) implements Seen {}

  record Received(long at, ConnectionId connection, Envelope envelope, int bytes) implements Seen {}

  record Closed(long at, ConnectionId connection, Optional<Reason> misbehaviour, String why) implements Seen {}

  record BufferFull(long at, ConnectionId connection) implements Seen {}

  record Drained(long at, ConnectionId connection, long bytes) implements Seen {}

  /** A {@link Transport.Listener} that writes down everything, in order, with the time. */
  static final class Recorder implements Transport.Listener {
    private final VirtualScheduler clock;
    final List<Seen> seen = new ArrayList<>();

    Recorder(VirtualScheduler clock) {
      this.clock = clock;
    }

    @Override
    public void opened(ConnectionId connection, Peer.Direction direction, HostPort remote) {
      seen.add(new Opened(clock.now(), connection, direction, remote));
    }

    @Override
    public void received(ConnectionId connection, Envelope envelope, int bytes) {
      seen.add(new Received(clock.now(), connection, envelope, bytes));
    }

    @Override
    public void closed(ConnectionId connection, Optional<Reason> misbehaviour, String why) {
      seen.add(new Closed(clock.now(), connection, misbehaviour, why));
    }

    @Override
    public void malformed(ConnectionId connection, Reason reason, String detail) {
      throw new AssertionError("the in-memory transport passes messages, never bytes");
    }

    @Override
    public void drained(ConnectionId connection, long bytes) {
      seen.add(new Drained(clock.now(), connection, bytes));
    }

    @Override
    public void sendBufferFull(ConnectionId connection) {
      seen.add(new BufferFull(clock.now(), connection));
    }

    List<Drained> drained() {
      return of(Drained.class);
    }

    List<Opened> opened() {
      return of(Opened.class);
    }

    List<Received> received() {
      return of(Received.class);
    }

    List<Closed> closed() {
      return of(Closed.class);
    }

    List<Long> pingsReceived() {
      return received().stream().map(r -> r.envelope().getPing().getNonce()).toList();
    }

    private <T extends Seen> List<T> of(Class<T> kind) {
      return seen.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
  }

  /** A small world: a virtual clock, a network with a settable delay per (from, to) host, nodes. */
  static final class World {
    final VirtualScheduler scheduler = new VirtualScheduler(START);
    final Map<String, Long> delays = new HashMap<>();
    long defaultDelay = 20;
    final InMemoryNetwork network =
        new InMemoryNetwork(scheduler, (from, to) -> delays.getOrDefault(from + ">" + to, defaultDelay));

    void delay(HostPort from, HostPort to, long millis) {
      delays.put(from.host() + ">" + to.host(), millis);
    }

    Node node(HostPort address) {
      Node n = new Node(address, network.transport(address), new Recorder(scheduler));
      n.transport.start(n.events);
      return n;
    }

    void runUntil(long millisAfterStart) {
      scheduler.runUntil(START + millisAfterStart);
    }
  }

  record Node(HostPort address, InMemoryTransport transport, Recorder events) {}

  /** Dials {@code to} from {@code from} and runs until the listener has the connection. */
  private static ConnectionId[] connect(World w, Node from, Node to) {
    from.transport().dial(to.address());
    ConnectionId dialled = from.events().opened().get(from.events().opened().size() - 1).connection();
    int before = to.events().opened().size();
    w.scheduler.runFor(w.network.delay(from.address().host(), to.address().host()));
    assertThat(to.events().opened()).hasSize(before + 1);
    ConnectionId accepted = to.events().opened().get(before).connection();
    return new ConnectionId[] {dialled, accepted};
  }

  @Test
  void aDialIsOpenedAtOnceOnTheDialerAndOnTheListenerAfterTheLinkDelay() {
    World w = new World();
    w.delay(A, B, 35);
    Node a = w.node(A);
    Node b = w.node(B);

    a.transport().dial(B);

    // Opened synchronously, before the scheduler runs anything.
    assertThat(a.events().seen).hasSize(1);
    Opened out = a.events().opened().get(0);
    assertThat(out.at()).isEqualTo(START);
    assertThat(out.direction()).isEqualTo(Peer.Direction.OUTBOUND);
    assertThat(out.remote()).isEqualTo(B);

    w.runUntil(34);
    assertThat(b.events().seen).isEmpty();
    w.runUntil(35);
    assertThat(b.events().seen).hasSize(1);
    Opened in = b.events().opened().get(0);
    assertThat(in.at()).isEqualTo(START + 35);
    assertThat(in.direction()).isEqualTo(Peer.Direction.INBOUND);
    assertThat(in.remote().host()).isEqualTo(A.host()); // from an ephemeral port of the dialer's host
    assertThat(in.remote().port()).isNotEqualTo(A.port());
    assertThat(a.events().seen).hasSize(1); // nothing more on the dialer's side
  }

  @Test
  void whatIsSentDrainsOnlyAsTheReceiverReadsIt() {
    World w = new World();
    Node a = w.node(A);
    Node b = w.node(B);
    ConnectionId[] c = connect(w, a, b);
    Envelope first = TestMessages.ping(1);
    Envelope second = TestMessages.ping(22);

    a.transport().send(c[0], first);
    a.transport().send(c[0], second);
    w.runUntil(1_000);
    assertThat(a.events().drained()).as("delivered but not read: still the sender's").isEmpty();

    b.transport().read(c[1]);
    w.scheduler.runDue();
    assertThat(a.events().drained()).extracting(Drained::connection, Drained::bytes)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(c[0], (long) first.getSerializedSize()));
    b.transport().read(c[1]);
    w.scheduler.runDue();
    assertThat(a.events().drained()).extracting(Drained::bytes)
        .containsExactly((long) first.getSerializedSize(), (long) second.getSerializedSize());
    assertThat(b.events().drained()).as("the receiver sent nothing").isEmpty();
  }

  @Test
  void messagesArriveAfterTheDelayInTheOrderSentOnePerReadCredit() {
    World w = new World();
    w.delay(A, B, 40);
    Node a = w.node(A);
    Node b = w.node(B);
    a.transport().dial(B);
    ConnectionId ab = a.events().opened().get(0).connection();
    // Sent right after the dial, before the listener accepted: they follow the connection there.
    a.transport().send(ab, TestMessages.ping(1));
    a.transport().send(ab, TestMessages.ping(2));
    w.runUntil(10);
    a.transport().send(ab, TestMessages.ping(3));

    w.runUntil(40);
    ConnectionId ba = b.events().opened().get(0).connection();
    assertThat(b.events().received()).isEmpty(); // arrived, but no read credit yet

    b.transport().read(ba);
    assertThat(b.events().pingsReceived()).containsExactly(1L);
    b.transport().read(ba);
    assertThat(b.events().pingsReceived()).containsExactly(1L, 2L);
    b.transport().read(ba);
    assertThat(b.events().pingsReceived()).containsExactly(1L, 2L); // ping 3 is still on its way
    assertThat(b.events().received()).allSatisfy(r -> assertThat(r.at()).isEqualTo(START + 40));

    w.runUntil(49);
    assertThat(b.events().pingsReceived()).containsExactly(1L, 2L);
    w.runUntil(50); // sent at +10, 40 ms on the wire: taken by the read credit given before it came
    assertThat(b.events().pingsReceived()).containsExactly(1L, 2L, 3L);
    Received third = b.events().received().get(2);
    assertThat(third.at()).isEqualTo(START + 50);
    assertThat(third.connection()).isEqualTo(ba);
    assertThat(third.bytes()).isEqualTo(TestMessages.ping(3).getSerializedSize());

    // One more credit takes exactly one more message.
    b.transport().read(ba);
    a.transport().send(ab, TestMessages.ping(4));
    a.transport().send(ab, TestMessages.ping(5));
    w.runUntil(1_000);
    assertThat(b.events().pingsReceived()).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void aShorterDelayLaterNeverLetsAMessageOvertakeAnEarlierOne() {
    World w = new World();
    Node a = w.node(A);
    Node b = w.node(B);
    ConnectionId[] c = connect(w, a, b);
    for (int i = 0; i < 10; i++) {
      b.transport().read(c[1]);
    }
    long sent = w.scheduler.now();
    w.delay(A, B, 100);
    a.transport().send(c[0], TestMessages.ping(1));
    w.delay(A, B, 5);
    a.transport().send(c[0], TestMessages.ping(2));

    w.scheduler.runFor(99);
    assertThat(b.events().received()).isEmpty();
    w.scheduler.runFor(1);
    assertThat(b.events().pingsReceived()).containsExactly(1L, 2L);
    assertThat(b.events().received()).allSatisfy(r -> assertThat(r.at()).isEqualTo(sent + 100));
  }

  @Test
  void aCloseReachesThePeerAfterTheMessagesSentBeforeItAsClosedByPeer() {
    World w = new World();
    w.delay(A, B, 30);
    Node a = w.node(A);
    Node b = w.node(B);
    ConnectionId[] c = connect(w, a, b);
    long t = w.scheduler.now();
    a.transport().send(c[0], TestMessages.ping(1));
    a.transport().send(c[0], TestMessages.ping(2));
    a.transport().close(c[0]);
    a.transport().send(c[0], TestMessages.ping(3)); // after its own close: goes nowhere

    w.scheduler.runFor(30);
    assertThat(b.events().closed()).as("the close waits behind the unread messages").isEmpty();
    b.transport().read(c[1]);
    assertThat(b.events().pingsReceived()).containsExactly(1L);
    assertThat(b.events().closed()).isEmpty();
    b.transport().read(c[1]);
    assertThat(b.events().pingsReceived()).containsExactly(1L, 2L);
    assertThat(b.events().closed()).containsExactly(new Closed(t + 30, c[1], Optional.empty(), "closed by peer"));
    assertThat(b.events().seen).last().isInstanceOf(Closed.class);

    // The side that closed hears nothing about its own close, and the other side's later sends are lost.
    b.transport().send(c[1], TestMessages.ping(9));
    w.scheduler.runFor(1_000);
    assertThat(a.events().seen).containsExactly(a.events().opened().get(0));
    assertThat(b.events().pingsReceived()).containsExactly(1L, 2L);
  }

  @Test
  void aCloseReachesAReadingPeerOneDelayLaterRightAfterTheLastMessage() {
    World w = new World();
    w.delay(B, A, 45); // the listener closes; its messages travel B -> A
    Node a = w.node(A);
    Node b = w.node(B);
    ConnectionId[] c = connect(w, a, b);
    for (int i = 0; i < 5; i++) {
      a.transport().read(c[0]);
    }
    long t = w.scheduler.now();
    b.transport().send(c[1], TestMessages.ping(7));
    b.transport().close(c[1]);

    w.scheduler.runFor(44);
    assertThat(a.events().seen).hasSize(1); // only its own open
    w.scheduler.runFor(1);
    List<Seen> after = a.events().seen.subList(1, a.events().seen.size());
    assertThat(after).hasSize(2);
    assertThat(after.get(0)).isInstanceOf(Received.class);
    assertThat(after.get(1)).isEqualTo(new Closed(t + 45, c[0], Optional.empty(), "closed by peer"));
  }

  @Test
  void dialingAnAddressNobodyListensOnIsRefusedAfterTheRoundTrip() {
    World w = new World();
    HostPort nobody = new HostPort("10.0.0.9", 9700);
    w.delay(A, nobody, 30);
    w.delay(nobody, A, 70);
    Node a = w.node(A);

    a.transport().dial(nobody);
    ConnectionId id = a.events().opened().get(0).connection();
    w.runUntil(99);
    assertThat(a.events().closed()).isEmpty();
    w.runUntil(100);
    assertThat(a.events().closed()).containsExactly(new Closed(START + 100, id, Optional.empty(), "connection refused"));

    // A host that is there but not on that port refuses the same way.
    Node b = w.node(B);
    a.transport().dial(new HostPort(B.host(), 9701));
    w.scheduler.runFor(1_000);
    assertThat(b.events().seen).isEmpty();
    assertThat(a.events().closed()).hasSize(2).last().extracting(Closed::why).isEqualTo("connection refused");
  }

  @Test
  void cuttingALinkEndsItsConnectionsOnBothSidesAndLosesWhatWasInFlight() {
    World w = new World();
    w.delay(A, B, 50);
    w.delay(B, A, 50);
    Node a = w.node(A);
    Node b = w.node(B);
    Node cNode = w.node(C);
    ConnectionId[] ab = connect(w, a, b);
    ConnectionId[] ac = connect(w, a, cNode);
    for (int i = 0; i < 5; i++) {
      a.transport().read(ab[0]);
      a.transport().read(ac[0]);
      cNode.transport().read(ac[1]);
    }
    a.transport().send(ab[0], TestMessages.ping(1)); // arrives at B, unread (no credit)
    w.scheduler.runFor(50);
    a.transport().send(ab[0], TestMessages.ping(2)); // in flight A -> B
    b.transport().send(ab[1], TestMessages.ping(3)); // in flight B -> A
    w.scheduler.runFor(10);

    long cutAt = w.scheduler.now();
    w.network.cut(A.host(), B.host());
    assertThat(a.events().closed()).containsExactly(new Closed(cutAt, ab[0], Optional.empty(), "link cut"));
    assertThat(b.events().closed()).containsExactly(new Closed(cutAt, ab[1], Optional.empty(), "link cut"));

    b.transport().read(ab[1]); // closed: nothing is handed over any more
    w.scheduler.runFor(1_000);
    assertThat(b.events().received()).isEmpty();
    assertThat(a.events().received()).isEmpty();

    // Another link of the same host is untouched.
    a.transport().send(ac[0], TestMessages.ping(4));
    w.scheduler.runFor(1_000);
    assertThat(cNode.events().pingsReceived()).containsExactly(4L);
    assertThat(cNode.events().closed()).isEmpty();

    // While cut, a dial is refused after the round trip; once healed, it connects.
    a.transport().dial(B);
    long dialled = w.scheduler.now();
    ConnectionId redial = a.events().opened().get(a.events().opened().size() - 1).connection();
    w.scheduler.runFor(1_000);
    assertThat(a.events().closed())
        .hasSize(2)
        .last()
        .isEqualTo(new Closed(dialled + 100, redial, Optional.empty(), "connection refused"));
    assertThat(b.events().opened()).hasSize(1);

    w.network.heal(B.host(), A.host());
    ConnectionId[] again = connect(w, a, b);
    b.transport().read(again[1]);
    a.transport().send(again[0], TestMessages.ping(5));
    w.scheduler.runFor(50);
    assertThat(b.events().pingsReceived()).containsExactly(5L);
  }

  /**
   * Each direction of each link has its own delay: opening, messages and closes all take the delay
   * of the direction they travel, whatever the other direction's.
   */
  @ParameterizedTest(name = "A->B {0} ms, B->A {0}*3+1 ms")
  @ValueSource(longs = {0, 1, 15, 250})
  void eachDirectionOfALinkHasItsOwnDelay(long forward) {
    long backward = forward * 3 + 1;
    World w = new World();
    w.delay(A, B, forward);
    w.delay(B, A, backward);
    Node a = w.node(A);
    Node b = w.node(B);

    a.transport().dial(B);
    ConnectionId ab = a.events().opened().get(0).connection();
    w.scheduler.runFor(forward);
    assertThat(b.events().opened()).extracting(Opened::at).containsExactly(START + forward);
    ConnectionId ba = b.events().opened().get(0).connection();
    a.transport().read(ab);
    b.transport().read(ba);

    long t = w.scheduler.now();
    a.transport().send(ab, TestMessages.ping(1));
    b.transport().send(ba, TestMessages.ping(2));
    w.scheduler.runFor(backward);
    assertThat(b.events().received()).extracting(Received::at).containsExactly(t + forward);
    assertThat(a.events().received()).extracting(Received::at).containsExactly(t + backward);

    long closedAt = w.scheduler.now();
    b.transport().close(ba);
    w.scheduler.runFor(backward - 1);
    assertThat(a.events().closed()).isEmpty();
    w.scheduler.runFor(1);
    assertThat(a.events().closed()).extracting(Closed::at).containsExactly(closedAt + backward);
  }
}
