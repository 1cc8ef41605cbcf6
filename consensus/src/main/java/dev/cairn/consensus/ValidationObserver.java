package dev.cairn.consensus;

import dev.cairn.ledger.Reason;

/**
 * Hears the outcome of validation, for metrics: set on {@link Blockchain} and {@link Mempool}.
 * Called on the validating thread under the chain or mempool lock, so implementations must be
 * quick, must not block and must not call back. Every method does nothing by default; consensus
 * knows nothing of how the numbers are published.
 */
public interface ValidationObserver {
  /** Observes nothing. */
  ValidationObserver NONE = new ValidationObserver() {};

  /**
   * A block passed full validation and was connected to the best chain: {@code validateNanos} until
   * its signatures, state transition and state commitment were checked and the store's batch was
   * built (they overlap), {@code connectNanos} for the store's synced write; {@code txCount}
   * transactions, coinbase included.
   */
  default void blockConnected(long validateNanos, long connectNanos, int txCount) {}

  /** A block handed to {@link Blockchain#processBlock} was refused for {@code reason}. */
  default void blockRejected(Reason reason) {}

  /** A transaction passed the mempool's admission checks. */
  default void transactionAccepted() {}

  /** A transaction handed to {@link Mempool#add} was refused for {@code reason}. */
  default void transactionRejected(Reason reason) {}
}
