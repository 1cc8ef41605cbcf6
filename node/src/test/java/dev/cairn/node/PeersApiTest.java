package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.p2p.HostPort;
import dev.cairn.p2p.P2pConfig;
import dev.cairn.proto.v1.ClientServiceGrpc;
import dev.cairn.proto.v1.GetPeersRequest;
import dev.cairn.proto.v1.GetPeersResponse;
import dev.cairn.proto.v1.PeerDirection;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Peer status on both status surfaces: the client API's GetPeers and the explorer's /api/peers. */
class PeersApiTest {
  @TempDir Path dir;

  @Test
  void connectedPeersAreListedByBothApis() throws Exception {
    ChainSpec spec = ChainSpec.regtest();
    try (Node first = new Node(NodeConfig.forTests(spec, dir.resolve("a"))).start();
        Node second =
            new Node(
                    NodeConfig.forTests(spec, dir.resolve("b"))
                        .withP2p(P2pConfig.forTests(List.of(new HostPort("127.0.0.1", first.p2pPort())))))
                .start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> first.network().peers().size() == 1 && second.network().peers().size() == 1);

      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", second.rpcPort()).usePlaintext().build();
      try {
        GetPeersResponse peers =
            ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).getPeers(GetPeersRequest.getDefaultInstance());
        assertThat(peers.getPeersList()).hasSize(1);
        assertThat(peers.getPeers(0).getDirection()).isEqualTo(PeerDirection.PEER_DIRECTION_OUTBOUND);
        assertThat(peers.getPeers(0).getAddress()).isEqualTo("127.0.0.1:" + first.p2pPort());
        assertThat(peers.getPeers(0).getAgent()).isEqualTo(Node.AGENT);
        assertThat(peers.getPeers(0).getBytesIn()).isPositive();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.httpPort() + "/api/peers")).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode list = new ObjectMapper().readTree(response.body());
      assertThat(list).hasSize(1);
      assertThat(list.get(0).get("direction").asText()).isEqualTo("inbound");
      assertThat(list.get(0).get("listen_address").asText()).isEqualTo("127.0.0.1:" + second.p2pPort());
    }
  }
}
