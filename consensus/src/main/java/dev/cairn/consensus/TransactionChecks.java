package dev.cairn.consensus;

import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;

/**
 * The checks a transfer must pass on its own, without any chain state: its amount and fee sum to
 * at most MAX_MONEY, and its signature is the sender's over this network's signing bytes. Cheap
 * checks run before the signature. Stateless and thread-safe.
 */
public final class TransactionChecks {
  private TransactionChecks() {}

  public static void checkStateless(Transfer tx, Hash genesis) throws RejectedException {
    try {
      tx.amount().plus(tx.fee());
    } catch (Amount.AmountOutOfRangeException e) {
      throw new RejectedException(Reason.AMOUNT_OUT_OF_RANGE, "amount + fee of " + tx.id() + " exceeds MAX_MONEY");
    }
    if (!tx.hasValidSignature(genesis)) {
      throw new RejectedException(Reason.BAD_SIGNATURE, "signature of " + tx.id() + " does not verify");
    }
  }
}
