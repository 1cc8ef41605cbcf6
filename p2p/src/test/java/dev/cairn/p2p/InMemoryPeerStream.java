package dev.cairn.p2p;

import dev.cairn.proto.v1.ConnectRequest;
import dev.cairn.proto.v1.ConnectResponse;
import dev.cairn.proto.v1.Envelope;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One inbound peer connection to a {@link PeerNetwork} without sockets: the node's side is the real
 * {@code PeerNetwork.acceptInbound} (what gRPC calls for each {@code Connect} stream), its response
 * stream is this in-memory transport, which records every envelope the node sends. It honours the
 * contract gRPC gives the node: the node pulls inbound messages one at a time ({@code request(1)}),
 * so a message is handed over only when the node asked for one, and the next request is the node's
 * signal that it finished handling the previous message. Closing the stream ({@code onCompleted})
 * is what the node does to a peer it disconnects. Used by one test thread; the node's loop thread
 * writes here.
 */
final class InMemoryPeerStream extends ServerCallStreamObserver<ConnectResponse> {
  static final Duration HANDLING_TIMEOUT = Duration.ofSeconds(10);

  private final Semaphore credits = new Semaphore(0);
  private final List<Envelope> sent = new ArrayList<>();
  private final PeerService.CloseTracer tracer = new PeerService.CloseTracer();
  private volatile boolean completed;
  private volatile Throwable error;
  private Runnable onClose = () -> {};
  private StreamObserver<ConnectRequest> inbound;

  /** Opens the connection: the node registers it and sends its handshake. */
  static InMemoryPeerStream open(PeerNetwork network, HostPort remote) {
    InMemoryPeerStream s = new InMemoryPeerStream();
    s.inbound = network.acceptInbound(remote, s, s.tracer);
    s.awaitCredit("registering the connection");
    return s;
  }

  /**
   * Hands {@code e} to the node as the next inbound message and waits until the node asked for the
   * one after it (it finished handling this one) or closed the stream.
   */
  void deliver(Envelope e) {
    if (completed) {
      throw new IllegalStateException("stream already closed");
    }
    inbound.onNext(ConnectRequest.newBuilder().setEnvelope(e).build());
    awaitCredit("handling " + e.getPayloadCase());
  }

  private void awaitCredit(String what) {
    try {
      if (!credits.tryAcquire(HANDLING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "the node neither asked for the next message nor closed the stream within " + HANDLING_TIMEOUT + " of " + what
                + " (a handler that died or hangs)");
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", ex);
    }
  }

  boolean isClosed() {
    return completed;
  }

  /** Something the node wrote with onError (it never should: it closes streams with onCompleted). */
  Throwable error() {
    return error;
  }

  /** Everything the node sent so far, in order. */
  synchronized List<Envelope> sent() {
    return List.copyOf(sent);
  }

  synchronized int sentCount() {
    return sent.size();
  }

  synchronized List<Envelope> sentSince(int index) {
    return List.copyOf(sent.subList(index, sent.size()));
  }

  // ---- the transport's side -------------------------------------------------------------------

  @Override
  public synchronized void onNext(ConnectResponse value) {
    sent.add(value.getEnvelope());
  }

  @Override
  public void onError(Throwable t) {
    error = t;
    finish(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    finish(Status.OK);
  }

  /** As gRPC does when the call ends: the tracer sees the status, then the close handler runs. */
  private void finish(Status status) {
    if (completed) {
      return;
    }
    completed = true;
    tracer.streamClosed(status);
    onClose.run();
    credits.release(Integer.MAX_VALUE / 2);
  }

  @Override
  public void request(int count) {
    credits.release(count);
  }

  @Override
  public boolean isReady() {
    return !completed;
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public void setOnCancelHandler(Runnable onCancelHandler) {}

  @Override
  public void setOnCloseHandler(Runnable onCloseHandler) {
    onClose = onCloseHandler;
  }

  @Override
  public void setOnReadyHandler(Runnable onReadyHandler) {}

  @Override
  public void setCompression(String compression) {}

  @Override
  public void disableAutoInboundFlowControl() {}

  @Override
  public void disableAutoRequest() {}

  @Override
  public void setMessageCompression(boolean enable) {}
}
