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
 * slots; and connections beyond the caps (per network group, and in all) are closed as they are
 * accepted, below gRPC.
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
      this(new P2pConfig("127.0.0.1", 0, "127.0.0.1", List.of(), 0, 125, TIMEOUT, Duration.ofSeconds(3), Duration.ofMillis(50)));
    }

    Listening(P2pConfig config) throws Exception {
      SignatureCache cache = new SignatureCache(100);
      Blockchain chain = new Blockchain(store, TimeSource.SYSTEM, new SignatureVerifier(cache, null, 1));
      Mempool mempool = new Mempool(store, MempoolPolicy.DEFAULT, cache, TimeSource.SYSTEM);
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
    return closedByServer(socket, 200);
  }

  private static boolean closedByServer(Socket socket, int waitMillis) throws Exception {
    socket.setSoTimeout(waitMillis);
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

  /** A TCP connection to the node from {@code localHost} (any 127.x address is this machine). */
  private static Socket connectFrom(String localHost, int port) throws Exception {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(localHost, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port));
    return s;
  }

  @Test
  void connectionsBeyondTheCapsAreClosedAsTheyAreAccepted() throws Exception {
    // A long handshake timeout, so only the caps can close anything here. Eight inbound peers:
    // eight connections per network group (127.a.b.c is group a.b under the test flag), 72 in all.
    P2pConfig config =
        new P2pConfig("127.0.0.1", 0, "127.0.0.1", List.of(), 0, 8, Duration.ofSeconds(60), Duration.ofSeconds(3), Duration.ofMillis(50))
            .withLoopbackRoutable(true);
    List<Socket> sockets = new java.util.ArrayList<>();
    try (Listening node = new Listening(config)) {
      int port = node.network.port();
      List<Socket> group7 = new java.util.ArrayList<>();
      for (int i = 1; i <= 12; i++) {
        Socket s = connectFrom("127.7.0." + i, port);
        sockets.add(s);
        group7.add(s);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> countClosed(group7) == 4);
      assertThat(countClosed(group7.subList(0, 8))).as("the first eight of the group stay").isZero();

      Socket other = connectFrom("127.8.0.1", port);
      sockets.add(other);
      assertThat(closedByServer(other)).as("another group still gets in").isFalse();

      // One of the group leaves: one more of it gets in.
      group7.get(0).close();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        Socket again = connectFrom("127.7.0.100", port);
        sockets.add(again);
        return !closedByServer(again);
      });

      // In all, 72: eighty more from ten other groups, eight each (within their group caps).
      List<Socket> more = new java.util.ArrayList<>();
      for (int i = 0; i < 80; i++) {
        Socket s = connectFrom("127." + (20 + i / 8) + ".0." + (i % 8 + 1), port);
        sockets.add(s);
        more.add(s);
      }
      int open = 8 + 1; // group 7 and group 8
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(more.size() - countClosed(more)).as("of the eighty, open").isEqualTo(72 - open));
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  private static int countClosed(List<Socket> sockets) throws Exception {
    int closed = 0;
    for (Socket s : sockets) {
      if (s.isClosed() || closedByServer(s, 5)) {
        closed++;
      }
    }
    return closed;
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
