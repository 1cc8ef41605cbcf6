package dev.cairn.p2p;

/**
 * What the node has queued for peers and the transport has not written yet: bytes per peer and in
 * all, against their budgets ({@link P2pConfig#peerSendBudgetBytes}, {@link
 * P2pConfig#sendBudgetBytes}). A peer over its own budget is not read from, nor its GetData
 * served, until it drains; over the total, the peer holding the most is disconnected, so a peer
 * under its own budget is never throttled by others. Not thread-safe: part of the peer core.
 */
final class SendQueues {
  private final long peerBudget;
  private final long totalBudget;
  private long total;

  SendQueues(P2pConfig config) {
    this.peerBudget = config.peerSendBudgetBytes();
    this.totalBudget = config.sendBudgetBytes();
  }

  void queued(Peer peer, long bytes) {
    peer.queuedBytes += bytes;
    total += bytes;
  }

  /** The transport wrote {@code bytes} of what was queued for {@code peer}. */
  void drained(Peer peer, long bytes) {
    long d = Math.min(bytes, peer.queuedBytes);
    peer.queuedBytes -= d;
    total -= d;
  }

  /** The peer is gone: its queue goes with its connection. */
  void forget(Peer peer) {
    total -= peer.queuedBytes;
    peer.queuedBytes = 0;
  }

  boolean overPeerBudget(Peer peer) {
    return peer.queuedBytes >= peerBudget;
  }

  boolean overTotalBudget() {
    return total > totalBudget;
  }

  long total() {
    return total;
  }

  long peerBudget() {
    return peerBudget;
  }

  long totalBudget() {
    return totalBudget;
  }
}
