package dev.cairn.ledger.store;

/** A call reached a store after it was closed; no native handle was touched. */
public final class StoreClosedException extends StoreException {
  public StoreClosedException() {
    super("the chain store is closed");
  }
}
