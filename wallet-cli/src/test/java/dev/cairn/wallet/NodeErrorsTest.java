package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeErrorsTest {
  private static final HostPort NODE = new HostPort("127.0.0.1", 9701);

  private static io.grpc.StatusRuntimeException withInfo(Code code, String message, String reason, String domain) {
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(code.getNumber())
            .setMessage(message)
            .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(domain).build()))
            .build());
  }

  @Test
  void unavailableAndDeadlineMeanUnreachable() {
    WalletException unavailable = NodeErrors.translate(Status.UNAVAILABLE.asRuntimeException(), NODE);
    assertThat(unavailable.exit()).isEqualTo(ExitCode.NODE_UNREACHABLE);
    assertThat(unavailable.getMessage()).isEqualTo("node unreachable at 127.0.0.1:9701");

    WalletException deadline = NodeErrors.translate(Status.DEADLINE_EXCEEDED.asRuntimeException(), NODE);
    assertThat(deadline.exit()).isEqualTo(ExitCode.NODE_UNREACHABLE);
    assertThat(deadline.getMessage()).startsWith("node unreachable at 127.0.0.1:9701").contains("10 s");
  }

  @Test
  void aPlaintextClientHungUpOnByATlsNodeIsToldToUseTlsHoweverTheHangUpLooks() {
    for (Status hangUp : new Status[] {
        Status.UNAVAILABLE.withDescription("Network closed for unknown reason"),
        Status.UNAVAILABLE.withDescription("io exception").withCause(new java.io.IOException("Connection reset by peer"))}) {
      WalletException e = NodeErrors.translate(hangUp.asRuntimeException(), NODE);
      assertThat(e.exit()).isEqualTo(ExitCode.NODE_UNREACHABLE);
      assertThat(e.getMessage()).as(hangUp.toString()).contains("use --node-tls");
    }
    // Another I/O failure is reported as it is.
    WalletException other = NodeErrors.translate(
        Status.UNAVAILABLE.withDescription("io exception").withCause(new java.io.IOException("Broken pipe")).asRuntimeException(), NODE);
    assertThat(other.getMessage()).isEqualTo("node unreachable at 127.0.0.1:9701: io exception");
  }

  @Test
  void unavailableSaysWhyInPlainWords() {
    WalletException untrusted = NodeErrors.translate(
        Status.UNAVAILABLE.withDescription("io exception")
            .withCause(new javax.net.ssl.SSLException("PKIX path building failed",
                new java.security.cert.CertPathBuilderException("unable to find valid certification path")))
            .asRuntimeException(),
        NODE);
    assertThat(untrusted.exit()).isEqualTo(ExitCode.NODE_UNREACHABLE);
    assertThat(untrusted.getMessage())
        .isEqualTo("node unreachable at 127.0.0.1:9701: its TLS certificate is not trusted (a private CA? give it with"
            + " --node-ca FILE)");

    WalletException described =
        NodeErrors.translate(Status.UNAVAILABLE.withDescription("Channel shutdown invoked").asRuntimeException(), NODE);
    assertThat(described.getMessage()).isEqualTo("node unreachable at 127.0.0.1:9701: Channel shutdown invoked");
  }

  @Test
  void reasonCodeComesFromTheErrorInfo() {
    WalletException e =
        NodeErrors.translate(withInfo(Code.FAILED_PRECONDITION, "min-relay-fee: fee 1 below 1420", "min-relay-fee", "cairn.dev"), NODE);
    assertThat(e.exit()).isEqualTo(ExitCode.REJECTED);
    assertThat(e.reason()).contains("min-relay-fee");
    assertThat(e.getMessage()).isEqualTo("rejected by the node: min-relay-fee: fee 1 below 1420");
  }

  @Test
  void errorInfoOfAnotherDomainIsIgnored() {
    WalletException e = NodeErrors.translate(withInfo(Code.INTERNAL, "boom", "SOMETHING", "example.com"), NODE);
    assertThat(e.exit()).isEqualTo(ExitCode.ERROR);
    assertThat(e.reason()).isEqualTo(Optional.empty());
    assertThat(e.getMessage()).contains("INTERNAL").contains("boom");
  }

  @Test
  void notFoundIsNotFound() {
    WalletException e = NodeErrors.translate(withInfo(Code.NOT_FOUND, "no such tx", "not-found", "cairn.dev"), NODE);
    assertThat(e.exit()).isEqualTo(ExitCode.NOT_FOUND);
  }

  @Test
  void exitCodesAreDistinctAndStable() {
    assertThat(ExitCode.values()).extracting(ExitCode::code).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    assertThat(ExitCode.values()).extracting(ExitCode::id).doesNotHaveDuplicates();
  }
}
