package dev.cairn.p2p;

/** What a timer set by the peer core is for; it comes back as {@link PeerEvent.TimerFired}. Immutable. */
sealed interface PeerTimer {
  /** Dial and re-dial peers, publish peer status: every 500 ms. */
  record Maintain() implements PeerTimer {}

  /** Send the batched transaction announcements: every {@link P2pConfig#txAnnounceInterval}. */
  record AnnounceTransactions() implements PeerTimer {}

  /** Give up on blocks a peer did not deliver in time: every 250 ms. */
  record CheckStalls() implements PeerTimer {}

  /** A new connection must have said hello by now. */
  record HandshakeTimeout(ConnectionId connection) implements PeerTimer {}
}
