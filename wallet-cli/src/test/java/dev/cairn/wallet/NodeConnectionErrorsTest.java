package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Why a node is unreachable, in plain words, over real connections: refused, TLS mismatches, untrusted certificates. */
class NodeConnectionErrorsTest {
  // The servers log a refused handshake at INFO with a stack trace: expected here, so kept quiet.
  private static final Logger SERVER_TRANSPORT =
      Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport");
  private static Level previousLevel;

  @BeforeAll
  static void quietServerTransport() {
    previousLevel = SERVER_TRANSPORT.getLevel();
    SERVER_TRANSPORT.setLevel(Level.WARNING);
  }

  @AfterAll
  static void restoreServerTransport() {
    SERVER_TRANSPORT.setLevel(previousLevel);
  }

  @TempDir Path tmp;
  SelfSignedCertificate cert;
  Server tlsServer;
  FakeNode plaintext;
  CliRunner cli;

  @SuppressWarnings("deprecation")
  @BeforeEach
  void setUp() throws Exception {
    cert = new SelfSignedCertificate("localhost");
    tlsServer =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .useTransportSecurity(cert.certificate(), cert.privateKey())
            .build()
            .start();
    plaintext = new FakeNode();
    cli = new CliRunner(tmp.resolve("wallet"));
  }

  @AfterEach
  void tearDown() throws Exception {
    plaintext.close();
    tlsServer.shutdownNow();
    tlsServer.awaitTermination(5, TimeUnit.SECONDS);
    cert.delete();
  }

  @Test
  void aClosedPortIsConnectionRefused() {
    CliRunner.Result result = cli.run("tx", "ab".repeat(32), "--node", "127.0.0.1:" + CliRunner.closedPort(), "--json");
    assertThat(result.exit()).isEqualTo(ExitCode.NODE_UNREACHABLE.code());
    assertThat(result.err()).contains("node unreachable at 127.0.0.1:").contains(": connection refused");
  }

  @Test
  void anUntrustedCertificateIsNamedAsSuch() {
    CliRunner.Result result = cli.run("tx", "ab".repeat(32), "--node", "localhost:" + tlsServer.getPort(), "--node-tls");
    assertThat(result.exit()).as(result.toString()).isEqualTo(ExitCode.NODE_UNREACHABLE.code());
    assertThat(result.err()).contains("its TLS certificate is not trusted").contains("--node-ca").doesNotContain("Exception");
  }

  @Test
  void plaintextToATlsNodeSaysToUseTls() {
    CliRunner.Result result = cli.run("tx", "ab".repeat(32), "--node", "127.0.0.1:" + tlsServer.getPort());
    assertThat(result.exit()).as(result.toString()).isEqualTo(ExitCode.NODE_UNREACHABLE.code());
    assertThat(result.err()).contains("--node-tls").doesNotContain("Exception");
  }

  @Test
  void tlsToAPlaintextNodeSaysItDoesNotSpeakTls() {
    CliRunner.Result result = cli.run("tx", "ab".repeat(32), "--node", "127.0.0.1:" + plaintext.port(), "--node-tls");
    assertThat(result.exit()).as(result.toString()).isEqualTo(ExitCode.NODE_UNREACHABLE.code());
    assertThat(result.err()).contains("does not speak TLS").doesNotContain("Exception");
  }
}
