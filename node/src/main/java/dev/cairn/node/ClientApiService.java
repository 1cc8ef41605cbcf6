package dev.cairn.node;

import com.google.protobuf.ByteString;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.p2p.PeerStatus;
import dev.cairn.proto.v1.AddressHistoryEntry;
import dev.cairn.proto.v1.ClientServiceGrpc;
import dev.cairn.proto.v1.EstimateFeeRequest;
import dev.cairn.proto.v1.EstimateFeeResponse;
import dev.cairn.proto.v1.GetAddressHistoryRequest;
import dev.cairn.proto.v1.GetAddressHistoryResponse;
import dev.cairn.proto.v1.GetAccountRequest;
import dev.cairn.proto.v1.GetAccountResponse;
import dev.cairn.proto.v1.GetBlockRequest;
import dev.cairn.proto.v1.GetBlockResponse;
import dev.cairn.proto.v1.GetChainInfoRequest;
import dev.cairn.proto.v1.GetChainInfoResponse;
import dev.cairn.proto.v1.GetHeadersRequest;
import dev.cairn.proto.v1.GetHeadersResponse;
import dev.cairn.proto.v1.GetMerkleProofRequest;
import dev.cairn.proto.v1.GetMerkleProofResponse;
import dev.cairn.proto.v1.GetPeersRequest;
import dev.cairn.proto.v1.GetPeersResponse;
import dev.cairn.proto.v1.PeerDirection;
import dev.cairn.proto.v1.PeerInfo;
import dev.cairn.proto.v1.GetTransactionRequest;
import dev.cairn.proto.v1.GetTransactionResponse;
import dev.cairn.proto.v1.SubmitTransactionRequest;
import dev.cairn.proto.v1.SubmitTransactionResponse;
import dev.cairn.proto.v1.TransactionStatus;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wallet-facing gRPC API (cairn.v1.ClientService). Reads through {@link NodeQueries};
 * submissions go through the mempool's admission checks. Rejections are statuses carrying the
 * reason code. Thread-safe.
 */
final class ClientApiService extends ClientServiceGrpc.ClientServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(ClientApiService.class);

  private final NodeQueries queries;
  private final String agent;

  ClientApiService(NodeQueries queries, String agent) {
    this.queries = queries;
    this.agent = agent;
  }

  @Override
  public void submitTransaction(SubmitTransactionRequest request, StreamObserver<SubmitTransactionResponse> out) {
    Transaction tx;
    try {
      tx = Transaction.decode(request.getTransaction().getCanonical().toByteArray());
    } catch (DecodeException e) {
      out.onError(GrpcErrors.rejected(e));
      return;
    }
    try {
      queries.mempool().add(tx);
      LOG.info("accepted transaction {} from the client API", tx.id());
      out.onNext(SubmitTransactionResponse.newBuilder().setTxid(bytes(tx.id())).build());
      out.onCompleted();
    } catch (RejectedException e) {
      LOG.info("rejected transaction {} from the client API: {}", tx.id(), e.getMessage());
      out.onError(GrpcErrors.rejected(e));
    }
  }

  @Override
  public void getChainInfo(GetChainInfoRequest request, StreamObserver<GetChainInfoResponse> out) {
    BlockIndexEntry tip = queries.chain().tip();
    var stats = queries.mempool().stats();
    var params = queries.chain().spec().params();
    out.onNext(
        GetChainInfoResponse.newBuilder()
            .setNetwork(params.name())
            .setGenesisHash(bytes(queries.chain().spec().genesisHash()))
            .setAddressPrefix(params.addressPrefix())
            .setTipHash(bytes(tip.hash()))
            .setTipHeight(tip.height())
            .setTotalWork(ByteString.copyFrom(tip.chainWork().toByteArray()))
            .setMedianTimePast(queries.chain().medianTimePast())
            .setMempoolCount(stats.count())
            .setMempoolBytes(stats.bytes())
            .setAgent(agent)
            .setMinFeePerByte(queries.mempool().policy().minFeePerByte())
            .setCoinbaseMaturity(params.coinbaseMaturity())
            .build());
    out.onCompleted();
  }

  @Override
  public void getAccount(GetAccountRequest request, StreamObserver<GetAccountResponse> out) {
    Address address;
    try {
      address = Address.parse(request.getAddress(), queries.addressPrefix());
    } catch (Address.InvalidAddressException e) {
      out.onError(GrpcErrors.rejected(e));
      return;
    }
    NodeQueries.AccountView v = queries.account(address);
    out.onNext(
        GetAccountResponse.newBuilder()
            .setAddress(address.toText(queries.addressPrefix()))
            .setBalance(v.account().balance().units())
            .setImmatureBalance(v.account().immature().units())
            .setNonce(v.account().nonce())
            .setPendingNonce(v.pendingNonce())
            .setPendingOutgoing(v.pendingOutgoing().units())
            .setPendingIncoming(v.pendingIncoming().units())
            .setTipHeight(v.tipHeight())
            .build());
    out.onCompleted();
  }

  @Override
  public void getTransaction(GetTransactionRequest request, StreamObserver<GetTransactionResponse> out) {
    Optional<Hash> txid = hash(request.getTxid(), "txid", out);
    if (txid.isEmpty()) {
      return;
    }
    Optional<NodeQueries.TxView> view = queries.transaction(txid.get());
    if (view.isEmpty()) {
      out.onError(GrpcErrors.notFound("transaction " + txid.get() + " is not in the best chain or the mempool"));
      return;
    }
    GetTransactionResponse.Builder b =
        GetTransactionResponse.newBuilder()
            .setTransaction(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(view.get().tx().encoded())));
    view.get()
        .confirmation()
        .ifPresentOrElse(
            c ->
                b.setStatus(TransactionStatus.TRANSACTION_STATUS_CONFIRMED)
                    .setBlockHash(bytes(c.blockHash()))
                    .setBlockHeight(c.height())
                    .setIndexInBlock(c.index())
                    .setConfirmations(c.confirmations()),
            () -> b.setStatus(TransactionStatus.TRANSACTION_STATUS_PENDING));
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void getBlock(GetBlockRequest request, StreamObserver<GetBlockResponse> out) {
    Optional<NodeQueries.BlockView> view;
    switch (request.getSelectorCase()) {
      case HASH -> {
        Optional<Hash> h = hash(request.getHash(), "block hash", out);
        if (h.isEmpty()) {
          return;
        }
        view = queries.block(h.get());
      }
      case HEIGHT -> view = queries.blockAtHeight(request.getHeight());
      default -> {
        out.onError(GrpcErrors.invalidArgument("bad-request", "give a block hash or a height"));
        return;
      }
    }
    if (view.isEmpty()) {
      out.onError(GrpcErrors.notFound("no such block"));
      return;
    }
    NodeQueries.BlockView v = view.get();
    out.onNext(
        GetBlockResponse.newBuilder()
            .setBlock(dev.cairn.proto.v1.Block.newBuilder().setCanonical(ByteString.copyFrom(v.block().encode())))
            .setHash(bytes(v.block().hash()))
            .setHeight(v.entry().height())
            .setInBestChain(v.inBestChain())
            .setConfirmations(v.confirmations())
            .build());
    out.onCompleted();
  }

  @Override
  public void getHeaders(GetHeadersRequest request, StreamObserver<GetHeadersResponse> out) {
    GetHeadersResponse.Builder b = GetHeadersResponse.newBuilder().setTipHeight(queries.chain().tip().height());
    for (BlockHeader h : queries.headers(request.getStartHeight(), request.getCount())) {
      b.addHeaders(dev.cairn.proto.v1.BlockHeader.newBuilder().setCanonical(ByteString.copyFrom(h.encoded())));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void getMerkleProof(GetMerkleProofRequest request, StreamObserver<GetMerkleProofResponse> out) {
    Optional<Hash> txid = hash(request.getTxid(), "txid", out);
    if (txid.isEmpty()) {
      return;
    }
    Optional<NodeQueries.ProofView> proof = queries.merkleProof(txid.get());
    if (proof.isEmpty()) {
      out.onError(GrpcErrors.notFound("transaction " + txid.get() + " is not in the best chain"));
      return;
    }
    NodeQueries.ProofView p = proof.get();
    GetMerkleProofResponse.Builder b =
        GetMerkleProofResponse.newBuilder()
            .setBlockHash(bytes(p.blockHash()))
            .setBlockHeight(p.height())
            .setIndex((int) p.proof().index())
            .setTreeSize((int) p.proof().treeSize());
    p.proof().path().forEach(h -> b.addPath(bytes(h)));
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void getPeers(GetPeersRequest request, StreamObserver<GetPeersResponse> out) {
    GetPeersResponse.Builder b = GetPeersResponse.newBuilder();
    for (PeerStatus p : queries.peers()) {
      b.addPeers(
          PeerInfo.newBuilder()
              .setAddress(p.address())
              .setDirection(p.inbound() ? PeerDirection.PEER_DIRECTION_INBOUND : PeerDirection.PEER_DIRECTION_OUTBOUND)
              .setHeight(p.height())
              .setAgent(p.agent())
              .setConnectedSince(p.connectedSince())
              .setBytesIn(p.bytesIn())
              .setBytesOut(p.bytesOut())
              .setListenAddress(p.listenAddress()));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void getAddressHistory(GetAddressHistoryRequest request, StreamObserver<GetAddressHistoryResponse> out) {
    Address address;
    try {
      address = Address.parse(request.getAddress(), queries.addressPrefix());
    } catch (Address.InvalidAddressException e) {
      out.onError(GrpcErrors.rejected(e));
      return;
    }
    Optional<Hash> after = Optional.empty();
    if (!request.getAfterTxid().isEmpty()) {
      after = hash(request.getAfterTxid(), "after_txid", out);
      if (after.isEmpty()) {
        return;
      }
    }
    int limit = request.getLimit() == 0 ? 25 : (int) Math.min(request.getLimit(), NodeQueries.MAX_HISTORY_PAGE);
    Optional<java.util.List<NodeQueries.TxView>> page = queries.addressHistory(address, after, limit);
    if (page.isEmpty()) {
      out.onError(GrpcErrors.invalidArgument("bad-cursor", "txid " + after.get() + " is not in this address's history"));
      return;
    }
    GetAddressHistoryResponse.Builder b =
        GetAddressHistoryResponse.newBuilder().setTotalConfirmed(queries.account(address).txCount());
    if (after.isEmpty()) {
      for (dev.cairn.ledger.Transfer t : queries.pendingFor(address, NodeQueries.MAX_PENDING_PAGE)) {
        b.addPending(
            AddressHistoryEntry.newBuilder()
                .setTransaction(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(t.encoded())))
                .setStatus(TransactionStatus.TRANSACTION_STATUS_PENDING));
      }
    }
    for (NodeQueries.TxView v : page.get()) {
      AddressHistoryEntry.Builder e =
          AddressHistoryEntry.newBuilder()
              .setTransaction(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(v.tx().encoded())));
      v.confirmation()
          .ifPresent(
              c ->
                  e.setStatus(TransactionStatus.TRANSACTION_STATUS_CONFIRMED)
                      .setBlockHash(bytes(c.blockHash()))
                      .setBlockHeight(c.height())
                      .setConfirmations(c.confirmations())
                      .setBlockTime(c.blockTime()));
      b.addConfirmed(e);
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void estimateFee(EstimateFeeRequest request, StreamObserver<EstimateFeeResponse> out) {
    int wanted = Math.max(1, request.getTargetBlocks());
    java.util.SortedMap<Integer, Double> estimates = queries.feeEstimates();
    int target = estimates.headMap(wanted + 1).isEmpty() ? estimates.firstKey() : estimates.headMap(wanted + 1).lastKey();
    out.onNext(EstimateFeeResponse.newBuilder().setFeePerByte(estimates.get(target)).setTargetBlocks(target).build());
    out.onCompleted();
  }

  private static Optional<Hash> hash(ByteString raw, String what, StreamObserver<?> out) {
    if (raw.size() != Hash.SIZE) {
      out.onError(GrpcErrors.invalidArgument("bad-hash", what + " must be 32 bytes, got " + raw.size()));
      return Optional.empty();
    }
    return Optional.of(Hash.of(raw.toByteArray()));
  }

  static ByteString bytes(Hash h) {
    return ByteString.copyFrom(h.toByteArray());
  }
}
