package dev.cairn.p2p;

import dev.cairn.proto.v1.ConnectRequest;
import dev.cairn.proto.v1.ConnectResponse;
import dev.cairn.proto.v1.PeerServiceGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The listener's side of the peer protocol on gRPC: each Connect call is one inbound connection of
 * {@link GrpcTransport}. The remote
 * socket address reaches the handler through the call context. Thread-safe.
 */
final class PeerService {
  static final Context.Key<SocketAddress> REMOTE = Context.key("cairn-remote-address");

  /** Puts the remote socket address of each call into its context. */
  static final ServerInterceptor REMOTE_ADDRESS =
      new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
          SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
          return Contexts.interceptCall(Context.current().withValue(REMOTE, remote), call, headers, next);
        }
      };

  /**
   * Remembers how an inbound stream ended. gRPC itself ends a stream whose message is over the
   * size limit or is not a protobuf message at all, and tells the application only "cancelled" or
   * "closed"; the tracer sees the real status, so the peer can be punished like any other sender
   * of an oversized or malformed message.
   */
  static final class CloseTracer extends ServerStreamTracer {
    private volatile Status closed;

    @Override
    public Context filterContext(Context context) {
      return context.withValue(TRACER, this);
    }

    @Override
    public void streamClosed(Status status) {
      closed = status;
    }

    /**
     * What the peer did wrong if gRPC ended the stream over its input: a message larger than the
     * limit, or bytes that do not parse as a message (gRPC closes the call itself, UNKNOWN or
     * INTERNAL). Our own closes end with OK and the peer's with CANCELLED: nothing to punish.
     */
    java.util.Optional<dev.cairn.ledger.Reason> misbehaviour() {
      Status s = closed;
      if (s == null) {
        return java.util.Optional.empty();
      }
      return switch (s.getCode()) {
        case RESOURCE_EXHAUSTED -> java.util.Optional.of(dev.cairn.ledger.Reason.PEER_OVERSIZED);
        case UNKNOWN, INTERNAL -> java.util.Optional.of(dev.cairn.ledger.Reason.PEER_PROTOCOL_VIOLATION);
        default -> java.util.Optional.empty();
      };
    }

    String describe() {
      Status s = closed;
      return s == null ? "stream ended" : s.getCode() + (s.getDescription() != null ? ": " + s.getDescription() : "");
    }
  }

  static final Context.Key<CloseTracer> TRACER = Context.key("cairn-close-tracer");

  static final ServerStreamTracer.Factory TRACERS =
      new ServerStreamTracer.Factory() {
        @Override
        public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
          return new CloseTracer();
        }
      };

  /**
   * Messages as the bytes on the wire: the transport parses them itself, so bytes that are not a
   * message are the peer's misbehaviour, told to it in a Disconnect and logged in one line, instead
   * of an exception inside gRPC (a stack trace per hostile frame).
   */
  static final MethodDescriptor.Marshaller<byte[]> RAW =
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

  /** The listener's view of {@code Connect}: requests arrive as raw bytes. */
  static final MethodDescriptor<byte[], ConnectResponse> SERVER_CONNECT =
      PeerServiceGrpc.getConnectMethod().toBuilder(RAW, ProtoUtils.marshaller(ConnectResponse.getDefaultInstance())).build();

  /** The dialer's view of {@code Connect}: responses arrive as raw bytes. */
  static final MethodDescriptor<ConnectRequest, byte[]> CLIENT_CONNECT =
      PeerServiceGrpc.getConnectMethod().toBuilder(ProtoUtils.marshaller(ConnectRequest.getDefaultInstance()), RAW).build();

  private PeerService() {}

  /** The peer port's only service: each Connect call becomes an inbound connection of {@code transport}. */
  static ServerServiceDefinition definition(GrpcTransport transport) {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(PeerServiceGrpc.SERVICE_NAME)
            .addMethod(SERVER_CONNECT, ServerCalls.asyncBidiStreamingCall(responses -> connect(transport, responses)))
            .build();
    return ServerInterceptors.intercept(service, REMOTE_ADDRESS);
  }

  private static StreamObserver<byte[]> connect(GrpcTransport transport, StreamObserver<ConnectResponse> responses) {
    ServerCallStreamObserver<ConnectResponse> stream = (ServerCallStreamObserver<ConnectResponse>) responses;
    stream.disableAutoRequest();
    SocketAddress remote = REMOTE.get();
    HostPort hp =
        remote instanceof InetSocketAddress isa
            ? new HostPort(isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString(), Math.max(1, isa.getPort()))
            : new HostPort("unknown", 1);
    CloseTracer tracer = TRACER.get();
    return transport.acceptInbound(hp, stream, tracer != null ? tracer : new CloseTracer());
  }
}
