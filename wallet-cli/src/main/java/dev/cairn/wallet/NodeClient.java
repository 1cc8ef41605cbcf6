package dev.cairn.wallet;

import com.google.protobuf.ByteString;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.ClientServiceGrpc;
import dev.cairn.proto.v1.EstimateFeeRequest;
import dev.cairn.proto.v1.EstimateFeeResponse;
import dev.cairn.proto.v1.GetAddressHistoryRequest;
import dev.cairn.proto.v1.GetAddressHistoryResponse;
import dev.cairn.proto.v1.GetAccountRequest;
import dev.cairn.proto.v1.GetAccountResponse;
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
import dev.cairn.proto.v1.Transaction;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's ClientService over one channel, opened per command: plaintext by default, or TLS
 * with {@code --node-tls} (trusting {@code --node-ca}, or else the system's certificate
 * authorities). Every call has a deadline, so a node that accepts the connection but never answers
 * cannot hang the wallet.
 */
final class NodeClient implements AutoCloseable {
  static final long DEADLINE_SECONDS = 10;

  private final HostPort node;
  private final ManagedChannel channel;
  private final ClientServiceGrpc.ClientServiceBlockingStub stub;

  private NodeClient(HostPort node, ManagedChannel channel) {
    this.node = node;
    this.channel = channel;
    this.stub = ClientServiceGrpc.newBlockingStub(channel);
  }

  static NodeClient connect(HostPort node) {
    // The client API is plaintext on 127.0.0.1 by default (docs/SECURITY.md).
    return new NodeClient(node, NettyChannelBuilder.forAddress(node.host(), node.port()).usePlaintext().build());
  }

  /** A TLS connection, trusting {@code ca} (PEM) if given, otherwise the system's certificate authorities. */
  static NodeClient connectTls(HostPort node, java.util.Optional<java.nio.file.Path> ca) throws WalletException {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(node.host(), node.port());
    if (ca.isPresent()) {
      try {
        builder.sslContext(
            io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient().trustManager(ca.get().toFile()).build());
      } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
        throw new WalletException(ExitCode.USAGE, "usage", "--node-ca " + ca.get() + " is not a usable PEM certificate: " + e.getMessage());
      }
    } else {
      builder.useTransportSecurity();
    }
    return new NodeClient(node, builder.build());
  }

  HostPort node() {
    return node;
  }

  ChainInfo chainInfo() {
    GetChainInfoResponse r = call(() -> stub().getChainInfo(GetChainInfoRequest.getDefaultInstance()));
    if (r.getGenesisHash().size() != Hash.SIZE
        || r.getTipHash().size() != Hash.SIZE
        || r.getTipHeight() < 0
        || !r.getAddressPrefix().matches("[a-z]{1,16}")) {
      throw new WalletException(ExitCode.ERROR, "node-error", "node at " + node + " sent malformed chain info");
    }
    return new ChainInfo(
        r.getNetwork(),
        Hash.of(r.getGenesisHash().toByteArray()),
        r.getAddressPrefix(),
        r.getTipHeight(),
        Hash.of(r.getTipHash().toByteArray()),
        r.getMinFeePerByte());
  }

  /** The node's fee-rate estimate for confirmation within {@code targetBlocks}. */
  EstimateFeeResponse estimateFee(int targetBlocks) {
    return call(() -> stub().estimateFee(EstimateFeeRequest.newBuilder().setTargetBlocks(targetBlocks).build()));
  }

  /** A page of an address's history: pending first (first page only), then confirmed newest first. */
  GetAddressHistoryResponse addressHistory(String address, java.util.Optional<Hash> after, int limit) {
    GetAddressHistoryRequest.Builder request = GetAddressHistoryRequest.newBuilder().setAddress(address).setLimit(limit);
    after.ifPresent(h -> request.setAfterTxid(ByteString.copyFrom(h.toByteArray())));
    return call(() -> stub().getAddressHistory(request.build()));
  }

  /** Up to {@code count} (the node caps it at 2,000) consecutive best-chain headers from {@code start}. */
  GetHeadersResponse headers(long start, int count) {
    return call(() -> stub().getHeaders(GetHeadersRequest.newBuilder().setStartHeight(start).setCount(count).build()));
  }

  /** The node's inclusion proof of a confirmed transaction. */
  GetMerkleProofResponse merkleProof(Hash txid) {
    return call(() -> stub().getMerkleProof(
        GetMerkleProofRequest.newBuilder().setTxid(ByteString.copyFrom(txid.toByteArray())).build()));
  }

  GetAccountResponse account(Address address, String prefix) {
    return call(() -> stub().getAccount(GetAccountRequest.newBuilder().setAddress(address.toText(prefix)).build()));
  }

  /** Submits a signed transfer; returns the txid the node reports. */
  byte[] submit(Transfer transfer) {
    SubmitTransactionRequest request =
        SubmitTransactionRequest.newBuilder()
            .setTransaction(Transaction.newBuilder().setCanonical(ByteString.copyFrom(transfer.encoded())))
            .build();
    SubmitTransactionResponse r = call(() -> stub().submitTransaction(request));
    return r.getTxid().toByteArray();
  }

  GetTransactionResponse transaction(Hash txid) {
    return call(() -> stub().getTransaction(
        GetTransactionRequest.newBuilder().setTxid(ByteString.copyFrom(txid.toByteArray())).build()));
  }

  // A deadline is fixed when set, so each call gets a fresh stub.
  private ClientServiceGrpc.ClientServiceBlockingStub stub() {
    return stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw NodeErrors.translate(e, node);
    }
  }

  @Override
  public void close() {
    try {
      channel.shutdown();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // Cancels whatever a slow node still holds open; a no-op after a clean shutdown.
      channel.shutdownNow();
    }
  }
}
