package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.testkit.TestChain;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client API behind TLS: the wallet reaches it with the right CA, and only that way. */
class RpcTlsTest {
  @TempDir Path dir;

  @SuppressWarnings("deprecation")
  @Test
  void theWalletTalksToATlsClientApiAndPlaintextDoesNot() throws Exception {
    SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
    var keys = TestChain.keys(17, 1);
    NodeConfig config =
        NodeConfig.forTests(TestChain.specFor(keys), dir.resolve("node"))
            .withRpcTls(new NodeConfig.RpcTls(cert.certificate().toPath(), cert.privateKey().toPath()));
    try (Node node = new Node(config).start()) {
      String address = keys.get(0).address().toText(config.spec().params().addressPrefix());
      String target = "localhost:" + node.rpcPort();
      String[] withCa = {"balance", address, "--node", target, "--node-tls", "--node-ca", cert.certificate().toString(), "--json"};
      WalletRun ok = wallet(withCa);
      assertThat(ok.exit()).as(ok.err()).isZero();
      assertThat(ok.out()).contains("\"balance\":\"1000\"");

      assertThat(wallet("balance", address, "--node", target).exit()).as("plaintext to a TLS port").isEqualTo(7);
      assertThat(wallet("balance", address, "--node", target, "--node-tls").exit())
          .as("a self-signed certificate is not trusted without --node-ca")
          .isEqualTo(7);
    } finally {
      cert.delete();
    }
  }

  private WalletRun wallet(String... args) {
    return WalletRun.of(Map.of("CAIRN_WALLET_DIR", dir.resolve("wallet").toString()), "", args);
  }
}
