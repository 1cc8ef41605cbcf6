package dev.cairn.p2p;

/** Protocol limits (docs/PROTOCOL.md, "Peer protocol"); a peer that exceeds one is cut off. */
final class Limits {
  static final int PROTOCOL_VERSION = 1;
  static final int MAX_ADDRESSES = 1_000;
  static final int MAX_INVENTORY = 50_000;
  static final int MAX_HEADERS = 2_000;
  static final int MAX_TRANSACTIONS = 1_000;
  static final int MAX_LOCATOR = 101;
  /** A block of the largest encoding (8 MiB) plus framing; gRPC refuses anything larger. */
  static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024 + 64 * 1024;
  /**
   * Bytes the transport holds for one peer before it reports the peer too slow: a backstop above
   * the core's own per-peer budget plus the largest answer one step can add.
   */
  static final long MAX_SEND_QUEUE_BYTES = 64L * 1024 * 1024;
  /**
   * Bytes queued for one peer beyond which the core stops reading its messages and serving its
   * GetData until the queue drains: two largest blocks.
   */
  static final long PEER_SEND_BUDGET_BYTES = 16L * 1024 * 1024;
  /** Bytes queued for all peers together beyond which the peer holding the most is disconnected. */
  static final long SEND_BUDGET_BYTES = 256L * 1024 * 1024;
  /** Blocks in flight from one peer. */
  static final int MAX_BLOCKS_IN_FLIGHT_PER_PEER = 16;
  /** Blocks ahead of the tip that may be requested at once. */
  static final int DOWNLOAD_WINDOW = 1_024;
  /**
   * Transactions requested from one peer and not yet delivered (or declared not found); a peer
   * that announces more than this is flooding.
   */
  static final int MAX_TX_REQUESTS_PER_PEER = MAX_INVENTORY;
  /** Transaction or block hashes remembered per peer as known to it. */
  static final int KNOWN_INVENTORY = 50_000;

  private Limits() {}
}
