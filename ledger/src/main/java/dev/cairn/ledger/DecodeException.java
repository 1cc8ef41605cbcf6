package dev.cairn.ledger;

/** Bytes that are not the canonical encoding of the object they claim to be. */
public final class DecodeException extends RejectedException {
  public DecodeException(Reason reason, String detail) {
    super(reason, detail);
  }
}
