package dev.cairn.ledger.store;

/** The kinds of record the chain store keeps, one RocksDB column family each. Names are stable. */
public enum Column {
  /** block hash -> header ‖ cumulative work ‖ status: every header the node has accepted. */
  BLOCK_INDEX("block_index"),
  /** block hash -> block encoding, for main-chain and side-chain blocks alike. */
  BODIES("bodies"),
  /** height (u64) -> block hash of the best chain. */
  MAIN_CHAIN("main_chain"),
  /** txid -> block hash ‖ height ‖ position, for transactions of the best chain. */
  TX_INDEX("tx_index"),
  /**
   * address ‖ position (u64: height ‖ u32 index in the block) -> txid: each address's history in
   * chain order.
   */
  ADDRESS_INDEX("address_index"),
  /** address -> number of entries in its history, a little-endian counter ({@link KeyValueStore.Batch#add}). */
  ADDRESS_COUNTS("address_counts"),
  /** address -> balance ‖ immature ‖ nonce, at the tip. */
  ACCOUNTS("accounts"),
  /** block hash -> what connecting it overwrote, to disconnect it again. */
  UNDO("undo"),
  /** peer key -> peer record (the address book; owned by the network layer). */
  PEERS("peers"),
  /** fixed keys -> schema version, genesis hash, tip. */
  METADATA("metadata");

  private final String familyName;

  Column(String familyName) {
    this.familyName = familyName;
  }

  public String familyName() {
    return familyName;
  }
}
