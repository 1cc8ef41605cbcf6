package dev.cairn.consensus;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;

/** Reads accounts at some state (the tip, or a block being built on it). */
@FunctionalInterface
public interface AccountReader {
  /** The account, {@link Account#EMPTY} if it never held anything. */
  Account account(Address address);
}
