package dev.cairn.consensus;

import dev.cairn.ledger.Transfer;

/**
 * Hears about transactions entering and leaving the mempool; called under the mempool lock, must be
 * quick.
 */
@FunctionalInterface
public interface MempoolListener {
  void transactionAdded(Transfer tx);

  /**
   * {@code tx}, an admitted transaction (announced by {@link #transactionAdded}, or still queued
   * behind a nonce gap and not announced yet), left the pool for {@code why}. Every admitted
   * transaction that leaves gets exactly one of these (moving from the queue into its sender's
   * chain is not leaving), so whoever submitted it can learn what became of it.
   */
  default void transactionRemoved(Transfer tx, Removal why) {}

  /** Why a transaction left the mempool. {@link #code()} is what logs and APIs show. */
  enum Removal {
    /** A connected block included it. */
    MINED("mined"),
    /** Another transaction with its sender and nonce paid enough more to replace it. */
    REPLACED("replaced"),
    /** The pool was full and a transaction paying a higher fee rate needed its room. */
    EVICTED("mempool-full"),
    /** A connected block used its sender's nonce with another transaction. */
    NONCE_USED("nonce-used"),
    /** After a block, its sender's balance no longer covers it. */
    UNAFFORDABLE("balance"),
    /** An earlier pending transaction of its sender left the pool, leaving a nonce gap. */
    ORPHANED("nonce-gap"),
    /** It waited longer than the policy's expiry. */
    EXPIRED("expired");

    private final String code;

    Removal(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }
}
