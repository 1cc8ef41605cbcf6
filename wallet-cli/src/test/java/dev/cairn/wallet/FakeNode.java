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
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.MerkleProof;
import dev.cairn.proto.v1.AddressHistoryEntry;
import dev.cairn.proto.v1.ClientServiceGrpc;
import dev.cairn.proto.v1.EstimateFeeRequest;
import dev.cairn.proto.v1.EstimateFeeResponse;
import dev.cairn.proto.v1.GetAccountRequest;
import dev.cairn.proto.v1.GetAccountResponse;
import dev.cairn.proto.v1.GetAddressHistoryRequest;
import dev.cairn.proto.v1.GetAddressHistoryResponse;
import dev.cairn.proto.v1.GetChainInfoRequest;
import dev.cairn.proto.v1.GetChainInfoResponse;
import dev.cairn.proto.v1.GetHeadersRequest;
import dev.cairn.proto.v1.GetHeadersResponse;
import dev.cairn.proto.v1.GetMerkleProofRequest;
import dev.cairn.proto.v1.GetMerkleProofResponse;
import dev.cairn.proto.v1.GetTransactionRequest;
import dev.cairn.proto.v1.GetTransactionResponse;
import dev.cairn.proto.v1.SubmitTransactionRequest;
import dev.cairn.proto.v1.SubmitTransactionResponse;
import dev.cairn.proto.v1.TransactionStatus;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A test double of a node's ClientService for the wallet's own tests: a real gRPC server on
 * 127.0.0.1 that answers with regtest values the test sets. Everything it serves can be forged:
 * another network, a header chain ({@link #useChain}), Merkle proofs, address history pages, fee
 * estimates, and a scripted sequence of transaction statuses ({@link #script}). End-to-end tests
 * against the real node live in the node module.
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
  /**
   * When set, SubmitTransaction admits the transfer (as onSubmit sees it) and then fails with this
   * status, as a node whose answer is lost does: the wallet cannot tell whether it was submitted.
   */
  volatile Optional<Status> submitAnswerLost = Optional.empty();
  /** Called with each transfer accepted by SubmitTransaction, e.g. to script its statuses. */
  volatile Consumer<Transfer> onSubmit = t -> {};

  /** The network the node claims to be on. */
  volatile ChainSpec spec = REGTEST;
  volatile long tipHeight = TIP_HEIGHT;
  volatile Hash tipHash = Hashes.sha256(new byte[] {1});
  /** The best chain GetHeaders serves, from genesis; empty: no headers at all. */
  final List<BlockHeader> headers = new CopyOnWriteArrayList<>();
  final Map<Hash, GetMerkleProofResponse> proofs = new ConcurrentHashMap<>();
  /** Per address text: its pending entries, and its confirmed ones newest first. */
  final Map<String, List<AddressHistoryEntry>> pendingHistory = new ConcurrentHashMap<>();
  final Map<String, List<AddressHistoryEntry>> confirmedHistory = new ConcurrentHashMap<>();
  final List<GetAddressHistoryRequest> historyRequests = new CopyOnWriteArrayList<>();
  volatile double feePerByte = MIN_FEE_PER_BYTE;
  volatile boolean feeEstimatesUnsupported;
  final List<Integer> feeTargets = new CopyOnWriteArrayList<>();
  final List<GetHeadersRequest> headerRequests = new CopyOnWriteArrayList<>();
  /** Per txid, the answers GetTransaction gives in turn (the last one repeats); empty: not found. */
  private final Map<Hash, Deque<Optional<GetTransactionResponse>>> scripts = new ConcurrentHashMap<>();

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

  /** Serves {@code chain} (from genesis) through GetHeaders, with its last header as the tip. */
  void useChain(List<BlockHeader> chain) {
    headers.clear();
    headers.addAll(chain);
    tipHeight = chain.size() - 1;
    tipHash = chain.get(chain.size() - 1).hash();
  }

  /** A proof the node serves for {@code txid}: what the real node would say, from {@link MerkleProof}. */
  void proof(Hash txid, BlockHeader block, MerkleProof proof) {
    GetMerkleProofResponse.Builder b =
        GetMerkleProofResponse.newBuilder()
            .setBlockHash(ByteString.copyFrom(block.hash().toByteArray()))
            .setBlockHeight(block.height())
            .setIndex((int) proof.index())
            .setTreeSize((int) proof.treeSize());
    proof.path().forEach(h -> b.addPath(ByteString.copyFrom(h.toByteArray())));
    proofs.put(txid, b.build());
  }

  /** GetTransaction answers {@code txid} with these, one per call, repeating the last. */
  @SafeVarargs
  final void script(Hash txid, Optional<GetTransactionResponse>... answers) {
    scripts.put(txid, new ArrayDeque<>(List.of(answers)));
  }

  static Optional<GetTransactionResponse> pending(Transaction tx) {
    return Optional.of(
        GetTransactionResponse.newBuilder()
            .setTransaction(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(tx.encoded())))
            .setStatus(TransactionStatus.TRANSACTION_STATUS_PENDING)
            .build());
  }

  static Optional<GetTransactionResponse> confirmed(Transaction tx, Hash block, long height, long confirmations) {
    return Optional.of(
        GetTransactionResponse.newBuilder()
            .setTransaction(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(tx.encoded())))
            .setStatus(TransactionStatus.TRANSACTION_STATUS_CONFIRMED)
            .setBlockHash(ByteString.copyFrom(block.toByteArray()))
            .setBlockHeight(height)
            .setConfirmations(confirmations)
            .build());
  }

  static Optional<GetTransactionResponse> missing() {
    return Optional.empty();
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
      ChainSpec s = spec;
      response.onNext(
          GetChainInfoResponse.newBuilder()
              .setNetwork(s.name())
              .setGenesisHash(ByteString.copyFrom(s.genesisHash().toByteArray()))
              .setAddressPrefix(s.params().addressPrefix())
              .setTipHeight(tipHeight)
              .setTipHash(ByteString.copyFrom(tipHash.toByteArray()))
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
      onSubmit.accept((Transfer) tx);
      if (submitAnswerLost.isPresent()) {
        response.onError(submitAnswerLost.get().asRuntimeException());
        return;
      }
      response.onNext(
          SubmitTransactionResponse.newBuilder().setTxid(ByteString.copyFrom(tx.id().toByteArray())).build());
      response.onCompleted();
    }

    @Override
    public void getTransaction(GetTransactionRequest request, StreamObserver<GetTransactionResponse> response) {
      Hash txid = Hash.of(request.getTxid().toByteArray());
      Deque<Optional<GetTransactionResponse>> script = scripts.get(txid);
      GetTransactionResponse found;
      if (script != null) {
        synchronized (script) {
          found = (script.size() > 1 ? script.poll() : script.peek()).orElse(null);
        }
      } else {
        found = transactions.get(txid);
      }
      if (found == null) {
        response.onError(Status.NOT_FOUND.withDescription("not-found: unknown transaction").asRuntimeException());
        return;
      }
      response.onNext(found);
      response.onCompleted();
    }

    @Override
    public void estimateFee(EstimateFeeRequest request, StreamObserver<EstimateFeeResponse> response) {
      if (feeEstimatesUnsupported) {
        response.onError(Status.UNIMPLEMENTED.withDescription("Method not found: EstimateFee").asRuntimeException());
        return;
      }
      feeTargets.add(request.getTargetBlocks());
      response.onNext(
          EstimateFeeResponse.newBuilder().setFeePerByte(feePerByte).setTargetBlocks(request.getTargetBlocks()).build());
      response.onCompleted();
    }

    @Override
    public void getHeaders(GetHeadersRequest request, StreamObserver<GetHeadersResponse> response) {
      headerRequests.add(request);
      GetHeadersResponse.Builder b = GetHeadersResponse.newBuilder().setTipHeight(tipHeight);
      List<BlockHeader> chain = new ArrayList<>(headers);
      int count = Math.min(request.getCount(), 2_000);
      for (long h = request.getStartHeight(); h < request.getStartHeight() + count && h < chain.size(); h++) {
        b.addHeaders(
            dev.cairn.proto.v1.BlockHeader.newBuilder()
                .setCanonical(ByteString.copyFrom(chain.get((int) h).encoded())));
      }
      response.onNext(b.build());
      response.onCompleted();
    }

    @Override
    public void getMerkleProof(GetMerkleProofRequest request, StreamObserver<GetMerkleProofResponse> response) {
      GetMerkleProofResponse proof = proofs.get(Hash.of(request.getTxid().toByteArray()));
      if (proof == null) {
        response.onError(Status.NOT_FOUND.withDescription("not-found: not in the best chain").asRuntimeException());
        return;
      }
      response.onNext(proof);
      response.onCompleted();
    }

    /** Pages like the real node: pending on the first page only, confirmed after the cursor, 25 by default, 50 at most. */
    @Override
    public void getAddressHistory(GetAddressHistoryRequest request, StreamObserver<GetAddressHistoryResponse> response) {
      historyRequests.add(request);
      List<AddressHistoryEntry> confirmed = confirmedHistory.getOrDefault(request.getAddress(), List.of());
      int from = 0;
      if (!request.getAfterTxid().isEmpty()) {
        Hash after = Hash.of(request.getAfterTxid().toByteArray());
        from = -1;
        for (int i = 0; i < confirmed.size(); i++) {
          if (txid(confirmed.get(i)).equals(after)) {
            from = i + 1;
          }
        }
        if (from < 0) {
          response.onError(StatusProto.toStatusRuntimeException(
              com.google.rpc.Status.newBuilder()
                  .setCode(Code.INVALID_ARGUMENT_VALUE)
                  .setMessage("bad-cursor: txid " + after + " is not in this address's history")
                  .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("bad-cursor").setDomain("cairn.dev").build()))
                  .build()));
          return;
        }
      }
      int limit = request.getLimit() == 0 ? 25 : Math.min(request.getLimit(), 50);
      GetAddressHistoryResponse.Builder b =
          GetAddressHistoryResponse.newBuilder()
              .setTotalConfirmed(confirmed.size())
              .addAllConfirmed(confirmed.subList(from, Math.min(confirmed.size(), from + limit)));
      if (request.getAfterTxid().isEmpty()) {
        b.addAllPending(pendingHistory.getOrDefault(request.getAddress(), List.of()));
      }
      response.onNext(b.build());
      response.onCompleted();
    }

    private static Hash txid(AddressHistoryEntry e) {
      try {
        return Transaction.decode(e.getTransaction().getCanonical().toByteArray()).id();
      } catch (DecodeException ex) {
        throw new IllegalStateException(ex);
      }
    }
  }
}
