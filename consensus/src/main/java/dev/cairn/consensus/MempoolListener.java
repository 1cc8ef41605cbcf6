package dev.cairn.consensus;

import dev.cairn.ledger.Transfer;

/** Hears about transactions entering the mempool; called under the mempool lock, must be quick. */
@FunctionalInterface
public interface MempoolListener {
  void transactionAdded(Transfer tx);
}
