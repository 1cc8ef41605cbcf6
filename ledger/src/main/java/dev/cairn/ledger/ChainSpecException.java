package dev.cairn.ledger;

/** A chain spec (built-in or from a file) that breaks a rule; the message says which. */
public final class ChainSpecException extends Exception {
  public ChainSpecException(String message) {
    super(message);
  }

  public ChainSpecException(String message, Throwable cause) {
    super(message, cause);
  }
}
