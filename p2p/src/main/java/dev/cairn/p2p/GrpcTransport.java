package dev.cairn.p2p;

import dev.cairn.ledger.Reason;
import dev.cairn.proto.v1.ConnectRequest;
import dev.cairn.proto.v1.ConnectResponse;
import dev.cairn.proto.v1.Envelope;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's {@link Transport}: the peer port is a gRPC server hosting only the peer service, and
 * each connection is one bidirectional {@code Connect} stream (the dialer opens it on a channel of
 * its own). Sending respects gRPC flow control ({@link GrpcConnection}); inbound messages are
 * pulled one at a time. A stream gRPC itself ends over the peer's input (a message over the size
 * limit, bytes that are not a message) is reported as that misbehaviour.
 *
 * <p>Thread-safety: thread-safe. Owns its server, its accept and I/O threads and every outbound
 * channel, and releases them on {@link #close()}; {@code timers} (not owned) delays the forced shutdown of a closed channel.
 */
final class GrpcTransport implements Transport {
  /** Time for a goodbye message to leave before a closed outbound channel is torn down. */
  private static final long CHANNEL_LINGER_MILLIS = 200;

  /**
   * gRPC's Netty server stream logs a stack trace at WARNING for every frame it refuses (one over
   * the size limit, a bad compression flag): a hostile peer could fill the log. The stream's end
   * reaches the core, which logs the disconnection in one line. Held here, so the setting stays.
   */
  private static final java.util.logging.Logger DEFRAME_LOG = quiet("io.grpc.netty.shaded.io.grpc.netty.NettyServerStream");

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(name);
    log.setLevel(java.util.logging.Level.OFF);
    return log;
  }

  /**
   * TCP connections beyond the inbound peer limit that are still accepted: room for newcomers that
   * evict an inbound peer, and for connections on their way out.
   */
  static final int EXTRA_CONNECTIONS = 64;

  private final P2pConfig config;
  private final ScheduledExecutorService timers;
  private final List<EventLoopGroup> loops = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<ConnectionId, Stream> streams = new ConcurrentHashMap<>();
  private volatile Listener listener;
  private volatile boolean closed;
  private Server server;

  /** A connection's stream end, and the channel it owns if we dialled. */
  private record Stream(GrpcConnection connection, Optional<ManagedChannel> channel) {}

  GrpcTransport(P2pConfig config, ScheduledExecutorService timers) {
    this.config = config;
    this.timers = timers;
  }

  @Override
  public int start(Listener l) throws IOException {
    this.listener = l;
    EventLoopGroup acceptLoop = new NioEventLoopGroup(1, new DefaultThreadFactory("p2p-accept", true));
    EventLoopGroup ioLoops = new NioEventLoopGroup(Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("p2p-io", true));
    loops.add(acceptLoop);
    loops.add(ioLoops);
    CappedServerChannel.Caps caps =
        new CappedServerChannel.Caps(config.maxInbound() + EXTRA_CONNECTIONS, Math.max(8, config.maxInbound() / 8), config.loopbackRoutable());
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(config.listenHost(), config.listenPort()))
            // Accepted TCP connections beyond the caps are closed below gRPC (CappedServerChannel).
            .channelFactory(() -> new CappedServerChannel(caps))
            .bossEventLoopGroup(acceptLoop)
            .workerEventLoopGroup(ioLoops)
            .maxInboundMessageSize(Limits.MAX_MESSAGE_BYTES)
            // One peer stream per TCP connection: a connection cannot carry many peers' worth of
            // streams past the per-peer limits.
            .maxConcurrentCallsPerConnection(1)
            // A TCP connection with no stream (one that never finished the HTTP/2 preface, or never
            // opened Connect) is closed after the handshake timeout, at the TCP level.
            .maxConnectionIdle(config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .addStreamTracerFactory(PeerService.TRACERS)
            .addService(PeerService.definition(this))
            .build()
            .start();
    return server.getPort();
  }

  /** A Connect call arrived (gRPC's thread): an inbound connection. */
  StreamObserver<byte[]> acceptInbound(
      HostPort remote, ServerCallStreamObserver<ConnectResponse> stream, PeerService.CloseTracer tracer) {
    ConnectionId id = new ConnectionId(nextId.getAndIncrement());
    GrpcConnection connection = GrpcConnection.server(stream, () -> listener.sendBufferFull(id), bytes -> listener.drained(id, bytes));
    streams.put(id, new Stream(connection, Optional.empty()));
    AtomicBoolean ended = new AtomicBoolean();
    Runnable endedByGrpc = () -> end(id, ended, tracer.misbehaviour(), tracer.describe());
    stream.setOnCancelHandler(endedByGrpc);
    // Also when gRPC closes the call itself without telling the request observer (a frame that
    // does not parse): without this the peer would linger and hold an inbound slot for ever.
    stream.setOnCloseHandler(endedByGrpc);
    listener.opened(id, Peer.Direction.INBOUND, remote);
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] bytes) {
        try {
          listener.received(id, ConnectRequest.parseFrom(bytes).getEnvelope(), bytes.length);
        } catch (InvalidProtocolBufferException e) {
          listener.malformed(id, Reason.PEER_PROTOCOL_VIOLATION, "bytes that are not a message: " + e.getMessage());
        }
      }

      @Override
      public void onError(Throwable t) {
        end(id, ended, tracer.misbehaviour(), "stream error: " + t.getMessage());
      }

      @Override
      public void onCompleted() {
        end(id, ended, Optional.empty(), "closed by peer");
      }
    };
  }

  /**
   * The connection ended without our close: once per connection, its stream and channel are let
   * go and the listener told.
   */
  private void end(ConnectionId id, AtomicBoolean ended, Optional<Reason> misbehaviour, String why) {
    if (ended.compareAndSet(false, true)) {
      Stream s = streams.remove(id);
      if (s != null) {
        s.channel().ifPresent(ManagedChannel::shutdown);
      }
      listener.closed(id, misbehaviour, why);
    }
  }

  @Override
  public void dial(HostPort address) {
    if (closed) {
      return;
    }
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(address.host(), address.port())
            .usePlaintext()
            .maxInboundMessageSize(Limits.MAX_MESSAGE_BYTES)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(true)
            .build();
    ConnectionId id = new ConnectionId(nextId.getAndIncrement());
    AtomicBoolean ended = new AtomicBoolean();
    ClientResponseObserver<ConnectRequest, byte[]> responses =
        new ClientResponseObserver<>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<ConnectRequest> requestStream) {
            // One message read ahead of the core's reads on the dialer's side, as before the core
            // was cut out: the core copes with an early message.
            requestStream.disableAutoRequestWithInitial(1);
            GrpcConnection connection = GrpcConnection.client(requestStream, () -> listener.sendBufferFull(id), bytes -> listener.drained(id, bytes));
            streams.put(id, new Stream(connection, Optional.of(channel)));
            listener.opened(id, Peer.Direction.OUTBOUND, address);
          }

          @Override
          public void onNext(byte[] bytes) {
            try {
              listener.received(id, ConnectResponse.parseFrom(bytes).getEnvelope(), bytes.length);
            } catch (InvalidProtocolBufferException e) {
              listener.malformed(id, Reason.PEER_PROTOCOL_VIOLATION, "bytes that are not a message: " + e.getMessage());
            }
          }

          @Override
          public void onError(Throwable t) {
            end(id, ended, inputFailure(t), "stream error: " + t.getMessage());
          }

          @Override
          public void onCompleted() {
            end(id, ended, Optional.empty(), "closed by peer");
          }
        };
    ClientCalls.asyncBidiStreamingCall(channel.newCall(PeerService.CLIENT_CONNECT, CallOptions.DEFAULT), responses);
  }

  /**
   * Whether our outbound call failed over what the peer sent: a message over the size limit, or
   * bytes that do not parse as a message. Other failures (unreachable, reset) punish nobody.
   */
  private static Optional<Reason> inputFailure(Throwable t) {
    if (Status.fromThrowable(t).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
      return Optional.of(Reason.PEER_OVERSIZED);
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof com.google.protobuf.InvalidProtocolBufferException) {
        return Optional.of(Reason.PEER_PROTOCOL_VIOLATION);
      }
    }
    return Optional.empty();
  }

  @Override
  public void send(ConnectionId connection, Envelope envelope) {
    Stream s = streams.get(connection);
    if (s != null) {
      s.connection().send(envelope);
    }
  }

  @Override
  public void read(ConnectionId connection) {
    Stream s = streams.get(connection);
    if (s != null) {
      s.connection().requestNext();
    }
  }

  @Override
  public void close(ConnectionId connection) {
    Stream s = streams.remove(connection);
    if (s == null) {
      return;
    }
    s.connection().close();
    s.channel().ifPresent(this::release);
  }

  /** Lets the goodbye go out, then tears the channel down whatever the peer does. */
  private void release(ManagedChannel channel) {
    channel.shutdown();
    try {
      timers.schedule(channel::shutdownNow, CHANNEL_LINGER_MILLIS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      channel.shutdownNow();
    }
  }

  @Override
  public void close() {
    closed = true;
    if (server != null) {
      server.shutdown();
      try {
        if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
          server.shutdownNow();
        }
      } catch (InterruptedException e) {
        server.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    for (ConnectionId id : new ArrayList<>(streams.keySet())) {
      Stream s = streams.remove(id);
      if (s != null) {
        s.connection().close();
        s.channel().ifPresent(ManagedChannel::shutdownNow);
      }
    }
    for (EventLoopGroup group : loops) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
  }
}
