package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.cairn.proto.v1.ConnectRequest;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.TransactionBatch;
import io.grpc.stub.CallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Flow control of one peer stream: nothing is written while the transport is not ready, queued
 * messages go out in order on {@code onReady}, a peer that lets too much pile up is reported as
 * slow, and closing flushes then half-closes.
 */
class GrpcConnectionTest {
  /** A transport whose readiness the test controls; it records what is written. */
  static final class ControlledStream extends CallStreamObserver<ConnectRequest> {
    boolean ready;
    Runnable onReady = () -> {};
    final List<Envelope> written = new ArrayList<>();
    int requested;
    boolean completed;
    boolean failOnNext;

    void becomeReady() {
      ready = true;
      onReady.run();
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {
      onReady = onReadyHandler;
    }

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {
      requested += count;
    }

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(ConnectRequest value) {
      if (failOnNext) {
        throw new IllegalStateException("cancelled");
      }
      written.add(value.getEnvelope());
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      completed = true;
    }
  }

  @Test
  void nothingIsWrittenUntilTheTransportIsReadyThenEverythingInOrder() {
    ControlledStream t = new ControlledStream();
    java.util.concurrent.atomic.AtomicLong drained = new java.util.concurrent.atomic.AtomicLong();
    GrpcConnection c = GrpcConnection.client(t, () -> {}, drained::addAndGet);
    for (int i = 0; i < 5; i++) {
      c.send(TestMessages.ping(i));
    }
    assertThat(t.written).isEmpty();
    assertThat(drained.get()).as("nothing written, nothing reported drained").isZero();
    t.becomeReady();
    assertThat(t.written).extracting(e -> e.getPing().getNonce()).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(drained.get()).as("what was written is reported drained").isEqualTo(t.written.stream().mapToLong(Envelope::getSerializedSize).sum());
    c.send(TestMessages.ping(5));
    assertThat(t.written).hasSize(6);
  }

  @Test
  void aPeerThatDoesNotReadIsReportedSlowAndTheExcessDropped() {
    ControlledStream t = new ControlledStream();
    AtomicInteger slow = new AtomicInteger();
    GrpcConnection c = GrpcConnection.client(t, slow::incrementAndGet, bytes -> {});
    // One envelope of about 4 MiB queued again and again (it is shared, so the test stays small).
    Envelope big =
        Envelope.newBuilder()
            .setTransactions(TransactionBatch.newBuilder().addTransactions(
                dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(new byte[4 << 20]))))
            .build();
    long fits = Limits.MAX_SEND_QUEUE_BYTES / big.getSerializedSize();
    for (int i = 0; i < fits; i++) {
      c.send(big);
    }
    assertThat(slow.get()).isZero();
    c.send(big);
    assertThat(slow.get()).isEqualTo(1);
    t.becomeReady();
    assertThat(t.written).hasSize((int) fits);
  }

  @Test
  void inboundMessagesArePulledOneAtATime() {
    ControlledStream t = new ControlledStream();
    GrpcConnection c = GrpcConnection.client(t, () -> {}, bytes -> {});
    c.requestNext();
    assertThat(t.requested).isEqualTo(1);
    c.close();
    c.requestNext();
    assertThat(t.requested).as("nothing more is asked for once closed").isEqualTo(1);
  }

  @Test
  void closingFlushesWhatItCanThenHalfClosesAndLaterSendsAreDropped() {
    ControlledStream t = new ControlledStream();
    GrpcConnection c = GrpcConnection.client(t, () -> {}, bytes -> {});
    t.ready = true;
    c.send(TestMessages.ping(1));
    c.close();
    assertThat(t.completed).isTrue();
    assertThat(c.isClosed()).isTrue();
    c.send(TestMessages.ping(2));
    assertThat(t.written).hasSize(1);
  }

  @Test
  void aTransportFailingUnderAWriteClosesTheConnection() {
    ControlledStream t = new ControlledStream();
    GrpcConnection c = GrpcConnection.client(t, () -> {}, bytes -> {});
    t.ready = true;
    t.failOnNext = true;
    c.send(TestMessages.ping(1));
    assertThat(c.isClosed()).isTrue();
  }
}
