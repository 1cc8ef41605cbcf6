package dev.cairn.ledger.store;

/** Another process (or another store in this one) has the data directory open. */
public final class StoreLockedException extends StoreException {
  public StoreLockedException(String message, Throwable cause) {
    super(message, cause);
  }
}
