package dev.cairn.node;

import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Miner;
import dev.cairn.consensus.MockableTime;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.proto.v1.GenerateToAddressRequest;
import dev.cairn.proto.v1.GenerateToAddressResponse;
import dev.cairn.proto.v1.InvalidateBlockRequest;
import dev.cairn.proto.v1.InvalidateBlockResponse;
import dev.cairn.proto.v1.ReconsiderBlockRequest;
import dev.cairn.proto.v1.ReconsiderBlockResponse;
import dev.cairn.proto.v1.RegtestServiceGrpc;
import dev.cairn.proto.v1.SetMockTimeRequest;
import dev.cairn.proto.v1.SetMockTimeResponse;
import dev.cairn.proto.v1.SubmitBlockOutcome;
import dev.cairn.proto.v1.SubmitBlockRequest;
import dev.cairn.proto.v1.SubmitBlockResponse;
import io.grpc.stub.StreamObserver;

/** Test controls (cairn.v1.RegtestService), registered on regtest nodes only. Thread-safe. */
final class RegtestControlService extends RegtestServiceGrpc.RegtestServiceImplBase {
  /** Blocks one generate call may mine. */
  static final int MAX_GENERATE = 10_000;

  private final Blockchain chain;
  private final BlockAssembler assembler;
  private final MockableTime time;

  RegtestControlService(Blockchain chain, BlockAssembler assembler, MockableTime time) {
    this.chain = chain;
    this.assembler = assembler;
    this.time = time;
  }

  @Override
  public void generateToAddress(GenerateToAddressRequest request, StreamObserver<GenerateToAddressResponse> out) {
    if (request.getCount() > MAX_GENERATE) {
      out.onError(GrpcErrors.invalidArgument("bad-request", "at most " + MAX_GENERATE + " blocks per call"));
      return;
    }
    try {
      Address to = Address.parse(request.getAddress(), chain.spec().params().addressPrefix());
      GenerateToAddressResponse.Builder b = GenerateToAddressResponse.newBuilder();
      for (Hash h : Miner.generate(chain, assembler, to, request.getCount())) {
        b.addBlockHashes(ClientApiService.bytes(h));
      }
      out.onNext(b.build());
      out.onCompleted();
    } catch (RejectedException e) {
      out.onError(GrpcErrors.rejected(e));
    }
  }

  @Override
  public void submitBlock(SubmitBlockRequest request, StreamObserver<SubmitBlockResponse> out) {
    try {
      Block block = Block.decode(request.getBlock().getCanonical().toByteArray());
      Blockchain.BlockResult result = chain.processBlock(block);
      SubmitBlockOutcome outcome =
          switch (result.outcome()) {
            case CONNECTED -> SubmitBlockOutcome.SUBMIT_BLOCK_OUTCOME_CONNECTED;
            case SIDE_CHAIN -> SubmitBlockOutcome.SUBMIT_BLOCK_OUTCOME_SIDE_CHAIN;
            case ALREADY_KNOWN -> SubmitBlockOutcome.SUBMIT_BLOCK_OUTCOME_ALREADY_KNOWN;
          };
      out.onNext(
          SubmitBlockResponse.newBuilder()
              .setHash(ClientApiService.bytes(block.hash()))
              .setOutcome(outcome)
              .setTipHash(ClientApiService.bytes(result.tip().hash()))
              .setTipHeight(result.tip().height())
              .build());
      out.onCompleted();
    } catch (RejectedException e) {
      out.onError(GrpcErrors.rejected(e));
    }
  }

  @Override
  public void invalidateBlock(InvalidateBlockRequest request, StreamObserver<InvalidateBlockResponse> out) {
    onBlock(request.getHash(), chain::invalidateBlock, out,
        tip -> InvalidateBlockResponse.newBuilder().setTipHash(ClientApiService.bytes(tip.hash())).setTipHeight(tip.height()).build());
  }

  @Override
  public void reconsiderBlock(ReconsiderBlockRequest request, StreamObserver<ReconsiderBlockResponse> out) {
    onBlock(request.getHash(), chain::reconsiderBlock, out,
        tip -> ReconsiderBlockResponse.newBuilder().setTipHash(ClientApiService.bytes(tip.hash())).setTipHeight(tip.height()).build());
  }

  /** An action on the chain naming a block. */
  private interface BlockAction {
    void apply(Hash hash) throws RejectedException;
  }

  /** Runs {@code action} on the block {@code raw} names and answers with the new tip. */
  private <R> void onBlock(
      com.google.protobuf.ByteString raw, BlockAction action, StreamObserver<R> out,
      java.util.function.Function<BlockIndexEntry, R> answer) {
    try {
      action.apply(requireHash(raw.toByteArray()));
      out.onNext(answer.apply(chain.tip()));
      out.onCompleted();
    } catch (RejectedException e) {
      out.onError(GrpcErrors.rejected(e));
    } catch (IllegalArgumentException e) {
      out.onError(GrpcErrors.invalidArgument("bad-request", e.getMessage()));
    }
  }

  @Override
  public void setMockTime(SetMockTimeRequest request, StreamObserver<SetMockTimeResponse> out) {
    if (request.getSeconds() > Long.MAX_VALUE / 2) {
      out.onError(GrpcErrors.invalidArgument("bad-request", "mock time out of range"));
      return;
    }
    time.setMockTime(request.getSeconds());
    out.onNext(SetMockTimeResponse.getDefaultInstance());
    out.onCompleted();
  }

  private static Hash requireHash(byte[] raw) {
    if (raw.length != Hash.SIZE) {
      throw new IllegalArgumentException("a block hash is 32 bytes, got " + raw.length);
    }
    return Hash.of(raw);
  }
}
