package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.proto.v1.ClientServiceGrpc;
import dev.cairn.proto.v1.GenerateToAddressRequest;
import dev.cairn.proto.v1.GetBlockRequest;
import dev.cairn.proto.v1.InvalidateBlockRequest;
import dev.cairn.proto.v1.ReconsiderBlockRequest;
import dev.cairn.proto.v1.RegtestServiceGrpc;
import dev.cairn.proto.v1.SetMockTimeRequest;
import dev.cairn.proto.v1.SubmitBlockOutcome;
import dev.cairn.proto.v1.SubmitBlockRequest;
import dev.cairn.testkit.TestChain;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The regtest controls over real gRPC: generate, submit, invalidate, reconsider, mock time. */
class RegtestControlServiceTest {
  @TempDir Path dir;

  private static String reason(StatusRuntimeException e) throws Exception {
    for (var any : StatusProto.fromThrowable(e).getDetailsList()) {
      if (any.is(ErrorInfo.class)) {
        return any.unpack(ErrorInfo.class).getReason();
      }
    }
    return "";
  }

  @Test
  void everyControlWorksAndRefusesBadInput() throws Exception {
    PrivateKey miner = TestChain.keys(3, 1).get(0);
    try (RegtestNode regtest = RegtestNode.start(dir)) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", regtest.node().rpcPort()).usePlaintext().build();
      try {
        var controls = RegtestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        var client = ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        String to = regtest.text(miner.address());

        var generated = controls.generateToAddress(GenerateToAddressRequest.newBuilder().setCount(3).setAddress(to).build());
        assertThat(generated.getBlockHashesList()).hasSize(3);
        Hash tip = Hash.of(generated.getBlockHashes(2).toByteArray());
        assertThat(regtest.node().chain().tip().hash()).isEqualTo(tip);

        // Submitting a known block again, then garbage.
        Block known = regtest.node().chain().store().body(tip).orElseThrow();
        var again = controls.submitBlock(
            SubmitBlockRequest.newBuilder().setBlock(dev.cairn.proto.v1.Block.newBuilder().setCanonical(ByteString.copyFrom(known.encode()))).build());
        assertThat(again.getOutcome()).isEqualTo(SubmitBlockOutcome.SUBMIT_BLOCK_OUTCOME_ALREADY_KNOWN);
        assertThatThrownBy(() -> controls.submitBlock(
                SubmitBlockRequest.newBuilder().setBlock(dev.cairn.proto.v1.Block.newBuilder().setCanonical(ByteString.copyFromUtf8("junk"))).build()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              try {
                assertThat(reason(e)).startsWith("bad-encoding");
              } catch (Exception ex) {
                throw new AssertionError(ex);
              }
            });

        var invalidated = controls.invalidateBlock(InvalidateBlockRequest.newBuilder().setHash(ByteString.copyFrom(tip.toByteArray())).build());
        assertThat(invalidated.getTipHeight()).isEqualTo(2);
        var reconsidered = controls.reconsiderBlock(ReconsiderBlockRequest.newBuilder().setHash(ByteString.copyFrom(tip.toByteArray())).build());
        assertThat(reconsidered.getTipHeight()).isEqualTo(3);
        assertThat(Hash.of(reconsidered.getTipHash().toByteArray())).isEqualTo(tip);

        long future = regtest.node().chain().tip().header().timestamp() + 1_000;
        controls.setMockTime(SetMockTimeRequest.newBuilder().setSeconds(future).build());
        controls.generateToAddress(GenerateToAddressRequest.newBuilder().setCount(1).setAddress(to).build());
        var block4 = client.getBlock(GetBlockRequest.newBuilder().setHeight(4).build());
        assertThat(Block.decode(block4.getBlock().getCanonical().toByteArray()).header().timestamp()).isEqualTo(future);

        assertThatThrownBy(() -> controls.generateToAddress(GenerateToAddressRequest.newBuilder().setCount(10_001).setAddress(to).build()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> controls.generateToAddress(
                GenerateToAddressRequest.newBuilder().setCount(1).setAddress(miner.address().toText("cairn")).build()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
              try {
                assertThat(reason(e)).isEqualTo("bad-address-network");
              } catch (Exception ex) {
                throw new AssertionError(ex);
              }
            });
        assertThatThrownBy(() -> controls.invalidateBlock(InvalidateBlockRequest.newBuilder().setHash(ByteString.copyFrom(new byte[5])).build()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(regtest.node().chain().tip().height()).isEqualTo(4);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theControlsExistOnlyOnRegtest() throws Exception {
    ChainSpec devnetLike =
        dev.cairn.ledger.DevnetSpecs.generate(
                ChainSpec.regtest().genesisTimestamp(), new java.security.SecureRandom(), 1, dev.cairn.ledger.Amount.coins(1),
                dev.cairn.ledger.DevnetSpecs.POW_LIMIT)
            .spec();
    try (Node node = new Node(NodeConfig.forTests(devnetLike, dir.resolve("devnet"))).start()) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", node.rpcPort()).usePlaintext().build();
      try {
        var controls = RegtestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> controls.setMockTime(SetMockTimeRequest.newBuilder().setSeconds(1).build()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThat(List.of(node.chain().tip().height())).containsExactly(0L);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
