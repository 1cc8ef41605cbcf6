package dev.cairn.consensus;

import dev.cairn.ledger.Coinbase;

/** The coinbase of the best-chain block at a height: the reward that matures later. */
@FunctionalInterface
public interface CoinbaseLookup {
  Coinbase coinbaseAt(long height);
}
