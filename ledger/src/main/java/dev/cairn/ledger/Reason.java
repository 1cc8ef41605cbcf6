package dev.cairn.ledger;

/**
 * The catalogue of stable rejection codes. Logs, peers, the client API, the explorer, the wallet
 * and tests all name a rejection by its {@link #code()}; docs/PROTOCOL.md lists them normatively.
 *
 * <p>A punishable reason is a consensus or protocol violation: whoever sent the data broke a rule
 * that an honest node never breaks. A non-punishable reason is policy or timing (a fee too low, a
 * nonce race, a block from the future) and must never cost a peer its connection.
 */
public enum Reason {
  // Encoding: the bytes are not the canonical encoding of any object.
  DECODE_TRUNCATED("bad-encoding-truncated", true, "input ends before the object does"),
  DECODE_TRAILING_BYTES("bad-encoding-trailing", true, "bytes follow the end of the object"),
  DECODE_UNKNOWN_VERSION("bad-encoding-version", true, "unknown encoding version"),
  DECODE_UNKNOWN_KIND("bad-encoding-kind", true, "unknown transaction kind"),
  DECODE_NON_CANONICAL("bad-encoding-noncanonical", true, "a field is not in its canonical form"),
  DECODE_TOO_LARGE("bad-encoding-toolarge", true, "a length or count exceeds its limit"),

  // Keys and signatures (docs/PROTOCOL.md, "Signatures").
  BAD_PUBLIC_KEY("bad-pubkey", true, "public key is not a canonical, non-small-order point"),
  BAD_SIGNATURE("bad-txns-signature", true, "signature does not verify"),

  // Amounts.
  AMOUNT_OUT_OF_RANGE("bad-txns-money-range", true, "amount outside 0..MAX_MONEY"),

  // Addresses (text form). Never punishable: they come from people, not peers.
  ADDRESS_MALFORMED("bad-address", false, "not a bech32m address"),
  ADDRESS_CHECKSUM("bad-address-checksum", false, "address checksum does not match"),
  ADDRESS_WRONG_NETWORK("bad-address-network", false, "address belongs to another network"),

  // Headers (docs/PROTOCOL.md, "Header rules").
  BAD_COMPACT_TARGET("bad-diffbits", true, "compact target is invalid or not the expected one"),
  HIGH_HASH("high-hash", true, "block hash is above its target"),
  BAD_VERSION("bad-version", true, "unknown block version"),
  BAD_HEIGHT("bad-blk-height", true, "height is not the parent's plus one"),
  TIME_TOO_OLD("time-too-old", true, "timestamp not after the median of the previous 11 blocks"),
  TIME_TOO_NEW("time-too-new", false, "timestamp too far ahead of the local clock; retried later"),
  PREV_BLOCK_INVALID("bad-prevblk", true, "the parent block is invalid"),
  PREV_BLOCK_UNKNOWN("prev-blk-not-found", false, "the parent block is unknown"),
  GENESIS_MISMATCH("bad-genesis", true, "block or header of another network"),
  KNOWN_INVALID("duplicate-invalid", true, "block already known to be invalid"),

  // Block bodies that fail their commitments: mutated, dropped but not marked invalid.
  BAD_MERKLE_ROOT("bad-txnmrklroot", true, "Merkle root does not match the transactions"),
  BAD_BLOCK_LENGTH("bad-blk-length", true, "block larger than the network's limit"),
  DUPLICATE_TX("bad-txns-duplicate", true, "a transaction appears twice in the block"),

  // Block contents.
  COINBASE_MISSING("bad-cb-missing", true, "first transaction is not a coinbase"),
  COINBASE_MULTIPLE("bad-cb-multiple", true, "more than one coinbase"),
  COINBASE_AMOUNT("bad-cb-amount", true, "coinbase does not pay exactly subsidy plus fees"),
  COINBASE_HEIGHT("bad-cb-height", true, "coinbase height is not the block height"),
  ALLOCATION_OUTSIDE_GENESIS("bad-txns-allocation", true, "allocation outside the genesis block"),
  BAD_STATE_COMMITMENT("bad-state-commitment", true, "state commitment does not match the state"),

  // Transactions against the state.
  NONCE_TOO_LOW("bad-txns-nonce-used", true, "nonce already used by the sender"),
  NONCE_GAP("bad-txns-nonce-gap", true, "nonce skips the sender's next nonce"),
  INSUFFICIENT_BALANCE("bad-txns-balance", true, "sender's balance below amount plus fee"),
  IMMATURE_SPEND("bad-txns-immature", true, "spends coinbase rewards that are not yet mature"),

  // Mempool policy: never punished, a peer may see the world differently.
  TX_ALREADY_KNOWN("txn-already-known", false, "transaction already in the mempool or chain"),
  FEE_TOO_LOW("min-relay-fee", false, "fee below the minimum relay fee"),
  NONCE_TOO_FAR("nonce-too-far", false, "nonce beyond the sender's pending transactions"),
  PENDING_BALANCE("pending-balance", false, "balance cannot cover this and the sender's pending transactions"),
  NOT_STANDALONE("txn-not-standalone", false, "coinbase and allocation transactions only exist inside blocks"),
  MEMPOOL_FULL("mempool-full", false, "mempool full of transactions paying more"),

  // Headers below the anti-DoS threshold: buffered, then dropped, never indexed.
  TOO_LITTLE_CHAINWORK("too-little-chainwork", false, "header chain has too little work to be indexed"),

  // Peer protocol (docs/PROTOCOL.md, "Peer protocol").
  PEER_PROTOCOL_VIOLATION("protocol-violation", true, "message out of order or malformed"),
  PEER_OVERSIZED("oversized-message", true, "a list or message exceeds its limit"),
  PEER_UNREQUESTED("unrequested-data", true, "data that was not asked for"),
  PEER_WRONG_NETWORK("wrong-network", false, "peer is on another network (genesis hash)"),
  PEER_INCOMPATIBLE("incompatible-version", false, "peer speaks another protocol version"),
  PEER_SELF("self-connection", false, "connected to itself"),
  PEER_DUPLICATE("duplicate-connection", false, "already connected to this peer"),
  PEER_HANDSHAKE_TIMEOUT("handshake-timeout", false, "no handshake in time"),
  PEER_TOO_SLOW("too-slow", false, "peer does not read what it is sent"),
  PEER_TOO_MANY("too-many-connections", false, "no room for another connection"),
  PEER_DISCOURAGED("discouraged", false, "peer's address misbehaved recently"),
  PEER_SHUTDOWN("shutdown", false, "node is stopping");

  private final String code;
  private final boolean punishable;
  private final String description;

  Reason(String code, boolean punishable, String description) {
    this.code = code;
    this.punishable = punishable;
    this.description = description;
  }

  /** The stable, greppable code, e.g. {@code bad-txns-signature}. */
  public String code() {
    return code;
  }

  /** Whether a peer that sent data rejected for this reason broke a rule on purpose or by bug. */
  public boolean punishable() {
    return punishable;
  }

  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return code;
  }
}
