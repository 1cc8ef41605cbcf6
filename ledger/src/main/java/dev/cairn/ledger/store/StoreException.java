package dev.cairn.ledger.store;

/** The store could not do what was asked: I/O failure, corruption, or misuse. */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
