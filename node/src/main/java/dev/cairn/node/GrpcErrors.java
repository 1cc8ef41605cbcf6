package dev.cairn.node;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * Turns rejections into gRPC statuses that carry the stable reason code in a google.rpc.ErrorInfo
 * (domain {@value #DOMAIN}), so clients branch on the code, not on message text. Stateless.
 */
final class GrpcErrors {
  static final String DOMAIN = "cairn.dev";

  private GrpcErrors() {}

  static StatusRuntimeException rejected(RejectedException e) {
    return status(codeFor(e.reason()), e.reason().code(), e.getMessage());
  }

  static StatusRuntimeException invalidArgument(String reasonCode, String message) {
    return status(Code.INVALID_ARGUMENT, reasonCode, message);
  }

  static StatusRuntimeException notFound(String message) {
    return status(Code.NOT_FOUND, "not-found", message);
  }

  private static Code codeFor(Reason reason) {
    return switch (reason) {
      case TX_ALREADY_KNOWN -> Code.ALREADY_EXISTS;
      case MEMPOOL_FULL -> Code.RESOURCE_EXHAUSTED;
      case NONCE_TOO_LOW, NONCE_GAP, NONCE_TOO_FAR, INSUFFICIENT_BALANCE, IMMATURE_SPEND, PENDING_BALANCE,
          FEE_TOO_LOW, PREV_BLOCK_UNKNOWN, TIME_TOO_NEW -> Code.FAILED_PRECONDITION;
      default -> Code.INVALID_ARGUMENT;
    };
  }

  private static StatusRuntimeException status(Code code, String reasonCode, String message) {
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.getNumber())
            .setMessage(message)
            .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reasonCode).setDomain(DOMAIN).build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }
}
