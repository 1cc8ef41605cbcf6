package dev.cairn.p2p;

import dev.cairn.proto.v1.ConnectRequest;
import dev.cairn.proto.v1.ConnectResponse;
import dev.cairn.proto.v1.Envelope;
import io.grpc.stub.CallStreamObserver;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * One end of a peer's bidirectional gRPC stream, either side ({@link GrpcTransport}'s). Sending respects gRPC flow control:
 * messages queue here and are written only while the transport {@code isReady}, drained again on
 * {@code onReady}; a peer that lets more than {@link Limits#MAX_SEND_QUEUE_BYTES} pile up is too
 * slow and gets closed. What is written is reported ({@code onDrained}), so the peer core can keep
 * its own, smaller budgets. Receiving is pulled one message at a time ({@link #requestNext}), so a
 * peer cannot flood the node's memory faster than it processes.
 *
 * <p>Thread-safe: sends may come from any thread; writes to the stream are serialized here.
 */
final class GrpcConnection {
  private final CallStreamObserver<Object> stream;
  private final Function<Envelope, Object> wrap;
  private final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Runnable onSlow;
  private final LongConsumer onDrained;

  @SuppressWarnings("unchecked")
  private GrpcConnection(CallStreamObserver<?> stream, Function<Envelope, Object> wrap, Runnable onSlow, LongConsumer onDrained) {
    this.stream = (CallStreamObserver<Object>) stream;
    this.wrap = wrap;
    this.onSlow = onSlow;
    this.onDrained = onDrained;
    stream.setOnReadyHandler(this::drain);
  }

  /** The listener's end: it writes ConnectResponse messages. */
  static GrpcConnection server(CallStreamObserver<ConnectResponse> stream, Runnable onSlow, LongConsumer onDrained) {
    return new GrpcConnection(stream, e -> ConnectResponse.newBuilder().setEnvelope(e).build(), onSlow, onDrained);
  }

  /** The dialer's end: it writes ConnectRequest messages. */
  static GrpcConnection client(CallStreamObserver<ConnectRequest> stream, Runnable onSlow, LongConsumer onDrained) {
    return new GrpcConnection(stream, e -> ConnectRequest.newBuilder().setEnvelope(e).build(), onSlow, onDrained);
  }

  void send(Envelope envelope) {
    if (closed.get()) {
      return;
    }
    long size = envelope.getSerializedSize();
    if (queuedBytes.addAndGet(size) > Limits.MAX_SEND_QUEUE_BYTES) {
      queuedBytes.addAndGet(-size);
      onSlow.run();
      return;
    }
    queue.add(envelope);
    drain();
  }

  private void drain() {
    long written = 0;
    synchronized (this) {
      while (!closed.get() && stream.isReady()) {
        Envelope e = queue.poll();
        if (e == null) {
          break;
        }
        long size = e.getSerializedSize();
        queuedBytes.addAndGet(-size);
        try {
          stream.onNext(wrap.apply(e));
          written += size;
        } catch (RuntimeException ex) {
          // The stream was cancelled under us; the close callback reports it.
          closed.set(true);
          break;
        }
      }
    }
    if (written > 0) {
      onDrained.accept(written);
    }
  }

  /** Asks gRPC for the next inbound message (manual inbound flow control). */
  void requestNext() {
    if (!closed.get()) {
      try {
        stream.request(1);
      } catch (RuntimeException e) {
        // Already closed.
      }
    }
  }

  /** Sends what is queued as far as flow control allows, then half-closes the stream. */
  void close() {
    if (closed.get()) {
      return;
    }
    drain();
    synchronized (this) {
      if (closed.compareAndSet(false, true)) {
        try {
          stream.onCompleted();
        } catch (RuntimeException e) {
          // Already cancelled.
        }
      }
    }
  }

  boolean isClosed() {
    return closed.get();
  }
}
