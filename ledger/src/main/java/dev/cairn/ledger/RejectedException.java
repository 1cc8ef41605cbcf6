package dev.cairn.ledger;

import java.util.Objects;

/**
 * Data was rejected for a catalogued {@link Reason}. The message is for people; code should
 * branch on {@link #reason()} only.
 */
public class RejectedException extends Exception {
  private final Reason reason;

  public RejectedException(Reason reason, String detail) {
    super(reason.code() + ": " + Objects.requireNonNull(detail));
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  // Rejections are expected events, logged by code; a stack trace would only cost time.
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
