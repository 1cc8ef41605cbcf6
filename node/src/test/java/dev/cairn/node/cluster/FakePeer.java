package dev.cairn.node.cluster;

import com.google.protobuf.ByteString;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.proto.v1.ConnectRequest;
import dev.cairn.proto.v1.ConnectResponse;
import dev.cairn.proto.v1.Disconnect;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.proto.v1.PeerServiceGrpc;
import dev.cairn.proto.v1.Ping;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A scripted peer in the spirit of Bitcoin Core's functional tests: a raw gRPC client on the
 * node's peer port that speaks the protocol by hand (one {@code Connect} stream, envelopes built
 * in the test), so a test can send exactly the bytes an attacker would and watch what the node
 * answers. Not thread-safe: driven by the test thread; received envelopes queue up.
 */
public final class FakePeer implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ManagedChannel channel;
  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private final StreamObserver<ConnectRequest> requests;
  private final StreamObserver<byte[]> rawRequests;
  private final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
  private final List<Envelope> skipped = new ArrayList<>();
  private final CompletableFuture<Status> ended = new CompletableFuture<>();
  private final long nonce = RANDOM.nextLong();

  private FakePeer(int port, boolean raw) {
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .maxInboundMessageSize(16 * 1024 * 1024)
            .build();
    if (raw) {
      // The same method, but frames are bytes the test chooses: they need not be protobuf at all.
      MethodDescriptor<byte[], byte[]> method =
          PeerServiceGrpc.getConnectMethod().toBuilder(BYTES, BYTES).build();
      rawRequests =
          ClientCalls.asyncBidiStreamingCall(
              channel.newCall(method, CallOptions.DEFAULT),
              new StreamObserver<byte[]>() {
                @Override
                public void onNext(byte[] value) {
                  try {
                    received.add(ConnectResponse.parseFrom(value).getEnvelope());
                  } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("the node sent a frame that is not a ConnectResponse", e);
                  }
                }

                @Override
                public void onError(Throwable t) {
                  ended.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                  ended.complete(Status.OK);
                }
              });
      requests = null;
      return;
    }
    rawRequests = null;
    requests =
        PeerServiceGrpc.newStub(channel)
            .connect(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ConnectResponse value) {
                    received.add(value.getEnvelope());
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(Status.OK);
                  }
                });
  }

  /** Opens a connection to a node's peer port on 127.0.0.1; nothing is sent yet. */
  public static FakePeer connect(int port) {
    return new FakePeer(port, false);
  }

  /** A connection whose frames are raw bytes ({@link #sendBytes}); envelopes are encoded by hand. */
  public static FakePeer connectRaw(int port) {
    return new FakePeer(port, true);
  }

  /** Sends one gRPC frame holding exactly {@code frame} (a raw connection only). */
  public void sendBytes(byte[] frame) {
    rawRequests.onNext(frame);
  }

  /** A handshake for {@code spec}'s network that claims no chain and no listen address. */
  public Handshake.Builder handshakeFor(ChainSpec spec) {
    return Handshake.newBuilder()
        .setProtocolVersion(1)
        .setGenesisHash(bytes(spec.genesisHash()))
        .setNonce(nonce)
        .setBestHeight(0)
        .setTotalWork(ByteString.copyFrom(BigInteger.ZERO.toByteArray()))
        .setAgent("fake-peer/1");
  }

  /** Sends {@code handshake} and waits for the node's own; returns it. */
  public Handshake handshake(Handshake.Builder handshake) {
    send(Envelope.newBuilder().setHandshake(handshake).build());
    return next(Envelope.PayloadCase.HANDSHAKE).getHandshake();
  }

  /** Says hello on {@code spec}'s network and waits for the node's handshake. */
  public Handshake handshake(ChainSpec spec) {
    return handshake(handshakeFor(spec));
  }

  public void send(Envelope envelope) {
    ConnectRequest request = ConnectRequest.newBuilder().setEnvelope(envelope).build();
    if (rawRequests != null) {
      rawRequests.onNext(request.toByteArray());
    } else {
      requests.onNext(request);
    }
  }

  /** The next envelope of {@code kind} the node sends, skipping (and keeping) others. */
  public Envelope next(Envelope.PayloadCase kind) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Envelope e;
      try {
        e = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", ex);
      }
      if (e == null) {
        throw new AssertionError(
            "no " + kind + " from the node within " + WAIT + "; stream ended: " + endStatus() + "; skipped " + kinds(skipped));
      }
      if (e.getPayloadCase() == kind) {
        return e;
      }
      skipped.add(e);
    }
  }

  /** Waits for the node's Disconnect and returns it. */
  public Disconnect awaitDisconnect() {
    return next(Envelope.PayloadCase.DISCONNECT).getDisconnect();
  }

  /** Waits until the node ends the stream; returns how (OK for a clean close). */
  public Status awaitEnd() {
    try {
      return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the node did not close the stream within " + WAIT);
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  public boolean hasEnded() {
    return ended.isDone();
  }

  private String endStatus() {
    return ended.isDone() ? ended.join().toString() : "no";
  }

  /** Proves the node still serves this connection: a Ping is answered by a Pong with its nonce. */
  public void pingPong() {
    long n = RANDOM.nextLong();
    send(Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(n)).build());
    while (true) {
      Envelope pong = next(Envelope.PayloadCase.PONG);
      if (pong.getPong().getNonce() == n) {
        return;
      }
    }
  }

  /** Everything the node sent that {@link #next} skipped or has not looked at yet. */
  public List<Envelope> receivedSoFar() {
    List<Envelope> all = new ArrayList<>(skipped);
    all.addAll(received);
    return all;
  }

  public static ByteString bytes(Hash h) {
    return ByteString.copyFrom(h.toByteArray());
  }

  /** A random 32-byte hash (a transaction or block nobody has). */
  public static Hash randomHash() {
    byte[] b = new byte[Hash.SIZE];
    RANDOM.nextBytes(b);
    return Hash.of(b);
  }

  private static List<Envelope.PayloadCase> kinds(List<Envelope> envelopes) {
    return envelopes.stream().map(Envelope::getPayloadCase).toList();
  }

  @Override
  public void close() {
    try {
      if (rawRequests != null) {
        rawRequests.onCompleted();
      } else {
        requests.onCompleted();
      }
    } catch (RuntimeException e) {
      // Already closed by the node.
    }
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
