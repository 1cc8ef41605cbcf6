package dev.cairn.ledger.store;

import dev.cairn.ledger.Hash;

/**
 * One entry of an address's history: its position (growing in chain order: height ‖ index in the
 * block; a cursor for {@link ChainStore#addressHistory}) and the transaction.
 */
public record AddressTx(long sequence, Hash txid) {}
