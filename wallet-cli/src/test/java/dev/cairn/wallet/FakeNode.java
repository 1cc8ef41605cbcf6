package dev.cairn.wallet;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.ClientServiceGrpc;
import dev.cairn.proto.v1.GetAccountRequest;
import dev.cairn.proto.v1.GetAccountResponse;
import dev.cairn.proto.v1.GetChainInfoRequest;
import dev.cairn.proto.v1.GetChainInfoResponse;
import dev.cairn.proto.v1.GetTransactionRequest;
import dev.cairn.proto.v1.GetTransactionResponse;
import dev.cairn.proto.v1.SubmitTransactionRequest;
import dev.cairn.proto.v1.SubmitTransactionResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A test double of a node's ClientService for the wallet's own tests: a real gRPC server on
 * 127.0.0.1 that answers with fixed regtest values. End-to-end tests against the real node live in
 * the node module.
 */
final class FakeNode implements AutoCloseable {
  static final ChainSpec REGTEST = ChainSpec.regtest();
  static final Hash GENESIS = REGTEST.genesisHash();
  static final String PREFIX = REGTEST.params().addressPrefix();
  static final long MIN_FEE_PER_BYTE = 10;
  static final long TIP_HEIGHT = 120;

  final List<Transfer> submitted = new CopyOnWriteArrayList<>();
  final Map<String, GetAccountResponse> accounts = new ConcurrentHashMap<>();
  final Map<Hash, GetTransactionResponse> transactions = new ConcurrentHashMap<>();
  /** When set, SubmitTransaction fails with this reason code (after recording the transfer). */
  volatile Optional<String> rejectWith = Optional.empty();

  private final Server server;

  FakeNode() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new Service())
            .build()
            .start();
  }

  int port() {
    return server.getPort();
  }

  /** An account the node reports for {@code address}; every other address is empty. */
  void account(String address, long balance, long immature, long nonce, long pendingNonce, long pendingOut) {
    accounts.put(
        address,
        GetAccountResponse.newBuilder()
            .setAddress(address)
            .setBalance(balance)
            .setImmatureBalance(immature)
            .setNonce(nonce)
            .setPendingNonce(pendingNonce)
            .setPendingOutgoing(pendingOut)
            .setTipHeight(TIP_HEIGHT)
            .build());
  }

  /** A rejection as the node sends it: the reason code in an ErrorInfo of domain cairn.dev. */
  static StatusRuntimeException rejection(String reason, String message) {
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Code.FAILED_PRECONDITION_VALUE)
            .setMessage(reason + ": " + message)
            .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain("cairn.dev").build()))
            .build());
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server.shutdownNow();
    }
  }

  private final class Service extends ClientServiceGrpc.ClientServiceImplBase {
    @Override
    public void getChainInfo(GetChainInfoRequest request, StreamObserver<GetChainInfoResponse> response) {
      response.onNext(
          GetChainInfoResponse.newBuilder()
              .setNetwork("regtest")
              .setGenesisHash(ByteString.copyFrom(GENESIS.toByteArray()))
              .setAddressPrefix(PREFIX)
              .setTipHeight(TIP_HEIGHT)
              .setMinFeePerByte(MIN_FEE_PER_BYTE)
              .setCoinbaseMaturity(100)
              .setAgent("fake-node/test")
              .build());
      response.onCompleted();
    }

    @Override
    public void getAccount(GetAccountRequest request, StreamObserver<GetAccountResponse> response) {
      response.onNext(
          accounts.getOrDefault(
              request.getAddress(),
              GetAccountResponse.newBuilder().setAddress(request.getAddress()).setTipHeight(TIP_HEIGHT).build()));
      response.onCompleted();
    }

    @Override
    public void submitTransaction(
        SubmitTransactionRequest request, StreamObserver<SubmitTransactionResponse> response) {
      Transaction tx;
      try {
        tx = Transaction.decode(request.getTransaction().getCanonical().toByteArray());
      } catch (DecodeException e) {
        response.onError(rejection(e.reason().code(), e.getMessage()));
        return;
      }
      submitted.add((Transfer) tx);
      if (rejectWith.isPresent()) {
        response.onError(rejection(rejectWith.get(), "sender's balance below amount plus fee"));
        return;
      }
      response.onNext(
          SubmitTransactionResponse.newBuilder().setTxid(ByteString.copyFrom(tx.id().toByteArray())).build());
      response.onCompleted();
    }

    @Override
    public void getTransaction(GetTransactionRequest request, StreamObserver<GetTransactionResponse> response) {
      GetTransactionResponse found = transactions.get(Hash.of(request.getTxid().toByteArray()));
      if (found == null) {
        response.onError(Status.NOT_FOUND.withDescription("not-found: unknown transaction").asRuntimeException());
        return;
      }
      response.onNext(found);
      response.onCompleted();
    }
  }
}
