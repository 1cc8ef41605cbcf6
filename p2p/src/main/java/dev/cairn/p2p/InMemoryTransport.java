package dev.cairn.p2p;

import dev.cairn.proto.v1.Envelope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node's {@link Transport} on an {@link InMemoryNetwork}. Keeps the contract the gRPC
 * transport gives the peer core: a dial is reported opened at once and closed if nobody listens;
 * inbound messages are handed over one per {@link #read}, and reported drained to their sender as
 * they are (no buffering in between); a closed connection's peer learns of it
 * after the messages sent before the close; closing an unknown connection does nothing. Messages
 * are objects passed by reference (immutable protobuf messages), never serialized. Not
 * thread-safe: confined to the network's scheduler thread.
 */
final class InMemoryTransport implements Transport {
  private final InMemoryNetwork network;
  private final HostPort address;
  private final Map<ConnectionId, End> ends = new LinkedHashMap<>();
  private Listener listener;
  private boolean listening;
  private long nextId = 1;

  /** One side of a connection. */
  private static final class End {
    final InMemoryTransport owner;
    final ConnectionId id;
    final HostPort remote;
    /** The other side; empty until the dialled node accepted (or for ever, if it refused). */
    Optional<End> other = Optional.empty();
    final Deque<Envelope> inbox = new ArrayDeque<>();
    int credits;
    boolean closed;
    /** The other side closed; reported once the inbox is read. */
    Optional<String> ending = Optional.empty();
    /** When the last message sent from this side reaches the other: later ones arrive after it. */
    long lastArrival;

    End(InMemoryTransport owner, ConnectionId id, HostPort remote) {
      this.owner = owner;
      this.id = id;
      this.remote = remote;
    }
  }

  InMemoryTransport(InMemoryNetwork network, HostPort address) {
    this.network = network;
    this.address = address;
  }

  HostPort address() {
    return address;
  }

  @Override
  public int start(Listener l) {
    this.listener = l;
    network.register(this);
    network.listen(address, this);
    listening = true;
    return address.port();
  }

  private ConnectionId newId() {
    return new ConnectionId(nextId++);
  }

  private long now() {
    return network.scheduler().clock().nowMillis();
  }

  @Override
  public void dial(HostPort target) {
    End mine = new End(this, newId(), target);
    ends.put(mine.id, mine);
    listener.opened(mine.id, Peer.Direction.OUTBOUND, target);
    long delay = network.delay(address.host(), target.host());
    mine.lastArrival = now() + delay;
    HostPort source = network.ephemeral(address.host());
    network.scheduler().schedule(delay, () -> {
      if (mine.closed) {
        return;
      }
      InMemoryTransport there = network.listener(target);
      if (there == null || network.isCut(address.host(), target.host())) {
        // The refusal travels back.
        network.scheduler().schedule(network.delay(target.host(), address.host()), () -> end(mine, "connection refused"));
        return;
      }
      End theirs = there.accept(source);
      mine.other = Optional.of(theirs);
      theirs.other = Optional.of(mine);
    });
  }

  private End accept(HostPort source) {
    End theirs = new End(this, newId(), source);
    theirs.lastArrival = now();
    ends.put(theirs.id, theirs);
    listener.opened(theirs.id, Peer.Direction.INBOUND, source);
    return theirs;
  }

  @Override
  public void send(ConnectionId connection, Envelope envelope) {
    End e = ends.get(connection);
    if (e == null || e.closed) {
      return;
    }
    long arrival = arrival(e);
    network.scheduler().schedule(arrival - now(), () -> {
      if (!network.isCut(address.host(), e.remote.host())) {
        e.other.ifPresent(o -> o.owner.deliver(o, envelope));
      }
    });
  }

  /** When a message sent now from {@code e} arrives: after the link's delay and after every earlier one. */
  private long arrival(End e) {
    long arrival = Math.max(now() + network.delay(address.host(), e.remote.host()), e.lastArrival);
    e.lastArrival = arrival;
    return arrival;
  }

  private void deliver(End e, Envelope envelope) {
    if (e.closed) {
      return;
    }
    e.inbox.add(envelope);
    pump(e);
  }

  @Override
  public void read(ConnectionId connection) {
    End e = ends.get(connection);
    if (e == null || e.closed) {
      return;
    }
    e.credits++;
    pump(e);
  }

  private void pump(End e) {
    while (!e.closed && e.credits > 0 && !e.inbox.isEmpty()) {
      Envelope next = e.inbox.poll();
      e.credits--;
      int size = next.getSerializedSize();
      listener.received(e.id, next, size);
      // The sender's queue drains as the receiver reads: a peer that does not read holds it up.
      e.other.filter(o -> !o.closed).ifPresent(o -> o.owner.listener.drained(o.id, size));
    }
    if (!e.closed && e.inbox.isEmpty() && e.ending.isPresent()) {
      end(e, e.ending.get());
    }
  }

  /** The connection ended under this side (not by its own close): tell the listener. */
  private void end(End e, String why) {
    if (e.closed) {
      return;
    }
    e.closed = true;
    ends.remove(e.id);
    listener.closed(e.id, Optional.empty(), why);
  }

  @Override
  public void close(ConnectionId connection) {
    End e = ends.remove(connection);
    if (e == null || e.closed) {
      return;
    }
    e.closed = true;
    long arrival = arrival(e);
    network.scheduler().schedule(arrival - now(), () -> e.other.ifPresent(o -> {
      if (!o.closed && o.ending.isEmpty()) {
        o.ending = Optional.of("closed by peer");
        o.owner.pump(o);
      }
    }));
  }

  /** The link to {@code host} was cut: its connections end now, on both sides. */
  void linkCut(String host) {
    for (End e : new ArrayList<>(ends.values())) {
      if (e.remote.host().equals(host)) {
        e.inbox.clear();
        end(e, "link cut");
      }
    }
  }

  @Override
  public void close() {
    if (listening) {
      network.unlisten(address, this);
      listening = false;
    }
    List<ConnectionId> open = new ArrayList<>(ends.keySet());
    open.forEach(this::close);
  }
}
