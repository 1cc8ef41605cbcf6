package dev.cairn.ledger.store;

import dev.cairn.ledger.Hash;

/** One entry of an address's history: its sequence number (0 = first) and the transaction. */
public record AddressTx(long sequence, Hash txid) {}
