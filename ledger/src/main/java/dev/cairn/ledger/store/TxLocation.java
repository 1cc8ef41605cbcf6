package dev.cairn.ledger.store;

import dev.cairn.ledger.Hash;

/** Where a transaction of the best chain is: its block, that block's height, its position. */
public record TxLocation(Hash blockHash, long height, int index) {}
