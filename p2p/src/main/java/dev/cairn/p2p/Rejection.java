package dev.cairn.p2p;

import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;

/** Why something was refused, as a value an event can carry: a reason and the detail for people. Immutable. */
record Rejection(Reason reason, String detail) {
  static Rejection of(RejectedException e) {
    String prefix = e.reason().code() + ": ";
    String message = e.getMessage();
    return new Rejection(e.reason(), message.startsWith(prefix) ? message.substring(prefix.length()) : message);
  }

  RejectedException toException() {
    return new RejectedException(reason, detail);
  }
}
