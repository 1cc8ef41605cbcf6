package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.proto.v1.ConnectRequest;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.PeerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The peer port at the TCP level (real sockets on 127.0.0.1): a connection that never finishes the
 * HTTP/2 preface, or finishes it and never opens a stream, is closed after the handshake timeout
 * (plus gRPC's 10 s grace for its goodbye ping, which such a client never answers);
 * a connection carries one peer stream at a time, so one TCP connection cannot hold many peers'
 * slots.
 */
class PeerPortConnectionsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  /**
   * The handshake timeout, then gRPC's graceful close: a GOAWAY and a ping the silent client never
   * answers, given 10 s; and some slack for a busy machine.
   */
  private static final Duration CLOSED_WITHIN = TIMEOUT.plusSeconds(10).plusSeconds(5);

  /** A node's peer network on an in-memory chain, listening on 127.0.0.1. */
  private static final class Listening implements AutoCloseable {
    final ChainStore store = ChainStore.open(new InMemoryKeyValueStore(), ChainSpec.regtest());
    final PeerNetwork network;

    Listening() throws Exception {
      SignatureCache cache = new SignatureCache(100);
      Blockchain chain = new Blockchain(store, TimeSource.SYSTEM, new SignatureVerifier(cache, null, 1));
      Mempool mempool = new Mempool(store, MempoolPolicy.DEFAULT, cache, TimeSource.SYSTEM);
      P2pConfig config =
          new P2pConfig("127.0.0.1", 0, "127.0.0.1", List.of(), 0, 125, TIMEOUT, Duration.ofSeconds(3), Duration.ofMillis(50));
      network = new PeerNetwork(config, chain, mempool, "cairn-test/1").start();
    }

    @Override
    public void close() {
      network.close();
      store.close();
    }
  }

  /** Whether the server closed {@code socket}: a read sees the end of the stream (or a reset). */
  private static boolean closedByServer(Socket socket) throws Exception {
    socket.setSoTimeout(200);
    InputStream in = socket.getInputStream();
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (java.io.IOException reset) {
      return true;
    }
  }

  @Test
  void aConnectionThatSaysNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (Listening node = new Listening(); Socket silent = new Socket()) {
      silent.connect(new InetSocketAddress("127.0.0.1", node.network.port()));
      assertThat(closedByServer(silent)).as("open at first").isFalse();
      await().atMost(CLOSED_WITHIN).pollInterval(Duration.ofMillis(100)).until(() -> closedByServer(silent));
    }
  }

  @Test
  void aConnectionThatOpensNoStreamIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (Listening node = new Listening(); Socket idle = new Socket()) {
      idle.connect(new InetSocketAddress("127.0.0.1", node.network.port()));
      OutputStream out = idle.getOutputStream();
      // The HTTP/2 client preface and an empty SETTINGS frame, then nothing.
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
      out.flush();
      assertThat(closedByServer(idle)).as("open at first").isFalse();
      await().atMost(CLOSED_WITHIN).pollInterval(Duration.ofMillis(100)).until(() -> closedByServer(idle));
    }
  }

  @Test
  void oneConnectionCarriesOnePeerStreamAtATime() throws Exception {
    try (Listening node = new Listening()) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", node.network.port()).usePlaintext().build();
      try {
        List<Envelope> first = new CopyOnWriteArrayList<>();
        List<Envelope> second = new CopyOnWriteArrayList<>();
        StreamObserver<ConnectRequest> a = PeerServiceGrpc.newStub(channel).connect(collect(first));
        StreamObserver<ConnectRequest> b = PeerServiceGrpc.newStub(channel).connect(collect(second));
        await().atMost(Duration.ofSeconds(10)).until(() -> !first.isEmpty() || !second.isEmpty());
        // Only one stream is open on the connection: the node says hello on one, and the other waits
        // (for as long as the first lives: it is cut at the handshake timeout, 2 s).
        await().during(Duration.ofMillis(800)).atMost(Duration.ofMillis(1_500))
            .until(() -> first.isEmpty() != second.isEmpty());
        a.onCompleted();
        b.onCompleted();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static StreamObserver<dev.cairn.proto.v1.ConnectResponse> collect(List<Envelope> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(dev.cairn.proto.v1.ConnectResponse value) {
        into.add(value.getEnvelope());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
