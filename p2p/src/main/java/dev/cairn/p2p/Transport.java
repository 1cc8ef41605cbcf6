package dev.cairn.p2p;

import dev.cairn.ledger.Reason;
import dev.cairn.proto.v1.Envelope;
import java.io.IOException;
import java.util.Optional;

/**
 * Carries peer connections: one bidirectional message stream each. gRPC is the node's ({@code
 * GrpcTransport}); an in-memory one drives tests and simulations ({@link InMemoryTransport}). The
 * peer core never sees which. Implementations are thread-safe; they report to their {@link
 * Listener} from any thread, in order per connection.
 */
interface Transport extends AutoCloseable {
  /** What the transport reports; the driver turns each call into a {@link PeerEvent}. */
  interface Listener {
    void opened(ConnectionId connection, Peer.Direction direction, HostPort remote);

    void received(ConnectionId connection, Envelope envelope, int bytes);

    /** The peer sent what is not a message ({@code reason}); the connection is still open to say so. */
    void malformed(ConnectionId connection, Reason reason, String detail);

    void closed(ConnectionId connection, Optional<Reason> misbehaviour, String why);

    /** {@code bytes} of what was sent on the connection left the transport's queue. */
    void drained(ConnectionId connection, long bytes);

    void sendBufferFull(ConnectionId connection);
  }

  /** Starts listening for inbound connections; returns the port (0 if this transport does not listen). */
  int start(Listener listener) throws IOException;

  /** Opens an outbound connection; reports it opened at once, and closed if it fails. */
  void dial(HostPort address);

  /** Queues {@code envelope} for the connection; a full queue is reported, not thrown. */
  void send(ConnectionId connection, Envelope envelope);

  /** Delivers the connection's next inbound message when it arrives (one per call). */
  void read(ConnectionId connection);

  /** Sends what is queued, then closes the connection; unknown or closed connections are ignored. */
  void close(ConnectionId connection);

  /** Stops listening and drops every connection. */
  @Override
  void close();
}
