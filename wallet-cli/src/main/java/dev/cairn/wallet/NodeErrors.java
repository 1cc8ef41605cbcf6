package dev.cairn.wallet;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.handler.ssl.NotSslRecordException;
import io.grpc.protobuf.StatusProto;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Turns a failed call into what the user should hear. The node puts the stable reason code into a
 * google.rpc.ErrorInfo detail, so the wallet reads that rather than parsing message text.
 */
final class NodeErrors {
  static final String DOMAIN = "cairn.dev";

  private NodeErrors() {}

  static WalletException translate(StatusRuntimeException e, HostPort node) {
    Status status = e.getStatus();
    Optional<String> reason = reasonCode(e);
    String description = Optional.ofNullable(status.getDescription()).orElse(status.getCode().name());
    return switch (status.getCode()) {
      case UNAVAILABLE -> new WalletException(
          ExitCode.NODE_UNREACHABLE, "node unreachable at " + node + whyUnavailable(status).map(w -> ": " + w).orElse(""));
      case DEADLINE_EXCEEDED -> new WalletException(
          ExitCode.NODE_UNREACHABLE,
          "node unreachable at " + node + " (no answer within " + NodeClient.DEADLINE_SECONDS + " s)");
      case NOT_FOUND -> new WalletException(ExitCode.NOT_FOUND, ExitCode.NOT_FOUND.id(), description, reason);
      case UNIMPLEMENTED -> new WalletException(
          ExitCode.ERROR, "node-unsupported", "node at " + node + " does not support this request (an older node?): " + description);
      default -> reason
          .map(r -> new WalletException(
              ExitCode.REJECTED, ExitCode.REJECTED.id(), "rejected by the node: " + r + ": " + withoutCode(description, r), reason))
          .orElseGet(() -> new WalletException(
              ExitCode.ERROR, "node-error", "node error " + status.getCode() + ": " + description));
    };
  }

  /**
   * Why a connection failed, in plain words, from the transport's exception (gRPC keeps it as the
   * status's cause) or else the status's description; empty when neither says anything.
   */
  static Optional<String> whyUnavailable(Status status) {
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof CertificateException || t instanceof CertPathBuilderException
          || t instanceof CertPathValidatorException) {
        return Optional.of("its TLS certificate is not trusted (a private CA? give it with --node-ca FILE)");
      }
      if (t instanceof NotSslRecordException) {
        return Optional.of("it does not speak TLS (leave out --node-tls?)");
      }
      if (t instanceof ConnectException) {
        return Optional.of("connection refused (is the node running, and is this its client API port?)");
      }
      if (t instanceof UnknownHostException) {
        return Optional.of("unknown host");
      }
      if (t instanceof NoRouteToHostException) {
        return Optional.of("no route to host");
      }
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return Optional.of("the TLS handshake failed" + Optional.ofNullable(t.getMessage()).map(m -> " (" + m + ")").orElse(""));
      }
    }
    // What a plaintext client sees when the node speaks TLS and hangs up on it: the stream closed,
    // or (depending on timing) the connection reset under the HTTP/2 preface.
    if (closedOnUs(status)) {
      return Optional.of("the node closed the connection (if it serves TLS, use --node-tls)");
    }
    return Optional.ofNullable(status.getDescription()).map(String::strip).filter(d -> !d.isEmpty());
  }

  private static boolean closedOnUs(Status status) {
    String description = Optional.ofNullable(status.getDescription()).orElse("").toLowerCase(Locale.ROOT);
    if (description.contains("network closed")) {
      return true;
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException && Optional.ofNullable(t.getMessage()).orElse("").toLowerCase(Locale.ROOT).contains("connection reset")) {
        return true;
      }
    }
    return false;
  }

  /** The reason code of the status's ErrorInfo detail from Cairn, if it has one. */
  static Optional<String> reasonCode(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return Optional.empty();
    }
    for (Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          if (info.getDomain().equals(DOMAIN) && !info.getReason().isEmpty()) {
            return Optional.of(info.getReason());
          }
        } catch (InvalidProtocolBufferException ignored) {
          // A detail that does not parse carries no reason; the status code still tells the story.
        }
      }
    }
    return Optional.empty();
  }

  // The node's messages start with the code ("bad-txns-balance: ..."); print it once, not twice.
  private static String withoutCode(String description, String reason) {
    return description.startsWith(reason + ": ") ? description.substring(reason.length() + 2) : description;
  }
}
