package dev.cairn.p2p;

import dev.cairn.ledger.Reason;
import dev.cairn.proto.v1.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Transport} whose remote ends are the test: it opens connections to the node, hands it
 * messages, and reads what the node sent. It keeps the contract the gRPC transport gives the core:
 * a message is handed over only against a read the node made (one per {@link PeerAction.Read}),
 * and the next read is the node's signal that it finished with the previous message. What the node
 * sends is reported drained at once, unless the test holds a connection's drains (a peer that does
 * not read). Dials are
 * recorded; the test decides whether they connect. Not thread-safe: used on the test's thread,
 * with a {@link VirtualScheduler}.
 */
final class ScriptedTransport implements Transport {
  private final int port;
  private Listener listener;
  private long nextId = 1;
  private final Map<ConnectionId, Connection> connections = new LinkedHashMap<>();
  private final List<HostPort> dials = new ArrayList<>();
  private final Map<HostPort, ConnectionId> dialled = new HashMap<>();

  /** One connection, as the test sees it. */
  static final class Connection {
    final ConnectionId id;
    final HostPort remote;
    final List<Envelope> sent = new ArrayList<>();
    /** Bytes sent and not yet reported drained, while {@link #holdDrains} is set. */
    long undrained;
    /** A peer that does not read: what the node sends stays queued until {@link ScriptedTransport#drain}. */
    boolean holdDrains;
    int reads;
    boolean closedByNode;
    boolean closedByPeer;

    Connection(ConnectionId id, HostPort remote) {
      this.id = id;
      this.remote = remote;
    }

    boolean isClosed() {
      return closedByNode || closedByPeer;
    }

    List<Envelope> sentSince(int index) {
      return List.copyOf(sent.subList(index, sent.size()));
    }

    /** The last Disconnect the node sent, if any. */
    Optional<Envelope> goodbye() {
      return sent.stream().filter(Envelope::hasDisconnect).reduce((a, b) -> b);
    }
  }

  ScriptedTransport(int port) {
    this.port = port;
  }

  @Override
  public int start(Listener l) {
    attach(l);
    return port;
  }

  /** Whom connections are reported to, before (or without) the node's start. */
  void attach(Listener l) {
    this.listener = l;
  }

  /** A peer connects to the node from {@code remote}. */
  Connection connectInbound(HostPort remote) {
    Connection c = new Connection(new ConnectionId(nextId++), remote);
    connections.put(c.id, c);
    listener.opened(c.id, Peer.Direction.INBOUND, remote);
    return c;
  }

  /**
   * Hands {@code e} to the node on {@code c}; the node must have asked for a message. Returns
   * false (delivering nothing) if it has not.
   */
  boolean deliver(Connection c, Envelope e) {
    if (c.isClosed() || c.reads == 0) {
      return false;
    }
    c.reads--;
    listener.received(c.id, e, e.getSerializedSize());
    return true;
  }

  /** The peer's side ends the connection (or the transport refused its bytes: {@code misbehaviour}). */
  void closeByPeer(Connection c, Optional<Reason> misbehaviour, String why) {
    if (c.isClosed()) {
      return;
    }
    c.closedByPeer = true;
    listener.closed(c.id, misbehaviour, why);
  }

  /** The dials the node made, in order. */
  List<HostPort> dials() {
    return List.copyOf(dials);
  }

  Optional<Connection> dialled(HostPort address) {
    return Optional.ofNullable(dialled.get(address)).map(connections::get);
  }

  Connection connection(ConnectionId id) {
    return connections.get(id);
  }

  @Override
  public void dial(HostPort address) {
    dials.add(address);
    Connection c = new Connection(new ConnectionId(nextId++), address);
    connections.put(c.id, c);
    dialled.put(address, c.id);
    listener.opened(c.id, Peer.Direction.OUTBOUND, address);
  }

  @Override
  public void send(ConnectionId connection, Envelope envelope) {
    Connection c = connections.get(connection);
    if (c != null && !c.isClosed()) {
      c.sent.add(envelope);
      if (c.holdDrains) {
        c.undrained += envelope.getSerializedSize();
      } else {
        listener.drained(c.id, envelope.getSerializedSize());
      }
    }
  }

  /** The peer reads what was held: it is reported drained, and later sends drain at once again. */
  void drain(Connection c) {
    c.holdDrains = false;
    if (c.undrained > 0 && !c.isClosed()) {
      long bytes = c.undrained;
      c.undrained = 0;
      listener.drained(c.id, bytes);
    }
  }

  @Override
  public void read(ConnectionId connection) {
    Connection c = connections.get(connection);
    if (c != null && !c.isClosed()) {
      c.reads++;
    }
  }

  @Override
  public void close(ConnectionId connection) {
    Connection c = connections.get(connection);
    if (c != null) {
      c.closedByNode = true;
    }
  }

  @Override
  public void close() {
    connections.values().forEach(c -> c.closedByNode = true);
  }
}
