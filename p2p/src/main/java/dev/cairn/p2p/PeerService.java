package dev.cairn.p2p;

import dev.cairn.proto.v1.ConnectRequest;
import dev.cairn.proto.v1.ConnectResponse;
import dev.cairn.proto.v1.PeerServiceGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The listener's side of the peer protocol: each Connect call is one inbound peer. The remote
 * socket address reaches the handler through the call context. Thread-safe.
 */
final class PeerService extends PeerServiceGrpc.PeerServiceImplBase {
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

  private final PeerNetwork network;

  PeerService(PeerNetwork network) {
    this.network = network;
  }

  @Override
  public StreamObserver<ConnectRequest> connect(StreamObserver<ConnectResponse> responses) {
    ServerCallStreamObserver<ConnectResponse> stream = (ServerCallStreamObserver<ConnectResponse>) responses;
    stream.disableAutoRequest();
    SocketAddress remote = REMOTE.get();
    HostPort hp =
        remote instanceof InetSocketAddress isa
            ? new HostPort(isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString(), Math.max(1, isa.getPort()))
            : new HostPort("unknown", 1);
    return network.acceptInbound(hp, stream);
  }
}
