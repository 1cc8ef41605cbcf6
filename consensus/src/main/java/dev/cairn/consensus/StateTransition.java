package dev.cairn.consensus;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Applies a block to the account state, in this order (docs/PROTOCOL.md, "State transition"):
 *
 * <ol>
 *   <li>the coinbase of the block {@code coinbaseMaturity} below matures: its amount moves from the
 *       recipient's immature balance to its balance;
 *   <li>each transfer in block order: its nonce must equal the sender's, the sender's balance must
 *       cover amount plus fee; the sender pays both, its nonce goes up by one, the recipient gains
 *       the amount;
 *   <li>the coinbase must pay exactly subsidy plus fees, credited to the recipient's immature
 *       balance.
 * </ol>
 *
 * Deterministic and sequential: money received earlier in a block can be spent later in it.
 * Returns the new value of every account the block writes. Signatures are not checked here.
 */
public final class StateTransition {
  private final ChainParams params;

  public StateTransition(ChainParams params) {
    this.params = params;
  }

  /**
   * What applying a block does to the state: the new value of every account it writes, and the
   * value each of them had in the base state before (so the store can keep undo data without
   * reading them again).
   */
  public record Changes(SortedMap<Address, Account> changes, Map<Address, Account> previous) {}

  /**
   * An overlay of written accounts on a base state. Each base account is read at most once (the
   * first value read is kept), so the base values of the written accounts are known afterwards.
   * Not thread-safe.
   */
  public static final class Overlay implements AccountReader {
    private final AccountReader base;
    private final TreeMap<Address, Account> written = new TreeMap<>();
    private final Map<Address, Account> baseValues = new HashMap<>();

    public Overlay(AccountReader base) {
      this.base = base;
    }

    @Override
    public Account account(Address address) {
      Account a = written.get(address);
      return a != null ? a : baseValues.computeIfAbsent(address, base::account);
    }

    void put(Address address, Account account) {
      written.put(address, account);
    }

    /** Every account written, in address order, with its new value. */
    public SortedMap<Address, Account> changes() {
      return new TreeMap<>(written);
    }

    /** The base value of every account written (each is read before it is written, so cached). */
    Map<Address, Account> previous() {
      Map<Address, Account> out = new HashMap<>(written.size() * 2);
      for (Address a : written.keySet()) {
        out.put(a, baseValues.computeIfAbsent(a, base::account));
      }
      return out;
    }
  }

  /** Applies {@code block} (structure already checked) on {@code base}. */
  public SortedMap<Address, Account> apply(Block block, AccountReader base, CoinbaseLookup coinbases)
      throws RejectedException {
    return applyTracked(block, base, coinbases).changes();
  }

  /** {@link #apply}, also returning the base values of the accounts it writes. */
  public Changes applyTracked(Block block, AccountReader base, CoinbaseLookup coinbases) throws RejectedException {
    Overlay state = new Overlay(base);
    long height = block.header().height();
    matureReward(state, height, coinbases);
    Amount fees = Amount.ZERO;
    for (Transaction tx : block.transactions()) {
      if (tx instanceof Transfer t) {
        applyTransfer(state, t);
        fees = fees.plus(t.fee());
      }
    }
    Coinbase coinbase = (Coinbase) block.transactions().get(0);
    Amount expected = params.subsidyAt(height).plus(fees);
    if (!coinbase.amount().equals(expected)) {
      throw new RejectedException(
          Reason.COINBASE_AMOUNT, "coinbase pays " + coinbase.amount() + ", subsidy plus fees is " + expected);
    }
    credit(state, coinbase.recipient(), Amount.ZERO, coinbase.amount());
    return new Changes(state.changes(), state.previous());
  }

  /** Releases the reward of the block {@code coinbaseMaturity} below {@code height}, if any. */
  public void matureReward(Overlay state, long height, CoinbaseLookup coinbases) throws RejectedException {
    long maturingHeight = height - params.coinbaseMaturity();
    if (maturingHeight < 1) {
      return;
    }
    Coinbase matured = coinbases.coinbaseAt(maturingHeight);
    Account a = state.account(matured.recipient());
    state.put(
        matured.recipient(),
        a.withImmature(a.immature().minus(matured.amount())).withBalance(a.balance().plus(matured.amount())));
  }

  /** Checks a transfer against the state and applies it. */
  public void applyTransfer(Overlay state, Transfer t) throws RejectedException {
    Address from = t.senderAddress();
    Account sender = state.account(from);
    if (t.nonce() < sender.nonce()) {
      throw new RejectedException(
          Reason.NONCE_TOO_LOW, "nonce " + t.nonce() + " of " + t.id() + " already used; next is " + sender.nonce());
    }
    if (t.nonce() > sender.nonce()) {
      throw new RejectedException(
          Reason.NONCE_GAP, "nonce " + t.nonce() + " of " + t.id() + " skips the next nonce " + sender.nonce());
    }
    Amount cost = t.amount().plus(t.fee());
    if (sender.balance().lessThan(cost)) {
      boolean matureLater = !sender.balance().plus(sender.immature()).lessThan(cost);
      throw new RejectedException(
          matureLater ? Reason.IMMATURE_SPEND : Reason.INSUFFICIENT_BALANCE,
          t.id() + " needs " + cost + ", sender has " + sender.balance()
              + (matureLater ? " spendable (the rest is immature)" : ""));
    }
    state.put(from, sender.withBalance(sender.balance().minus(cost)).withNonce(sender.nonce() + 1));
    credit(state, t.recipient(), t.amount(), Amount.ZERO);
  }

  private static void credit(Overlay state, Address to, Amount spendable, Amount immature) throws RejectedException {
    Account a = state.account(to);
    try {
      state.put(to, new Account(a.balance().plus(spendable), a.immature().plus(immature), a.nonce()));
    } catch (Amount.AmountOutOfRangeException e) {
      throw new RejectedException(Reason.AMOUNT_OUT_OF_RANGE, "balance of " + to + " would exceed MAX_MONEY");
    }
  }
}
