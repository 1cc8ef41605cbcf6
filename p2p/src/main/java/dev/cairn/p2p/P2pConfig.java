package dev.cairn.p2p;

import java.time.Duration;
import java.util.List;

/**
 * The peer-to-peer layer's settings. Immutable.
 *
 * @param listenHost interface of the peer port
 * @param listenPort the peer port; 0 picks a free one
 * @param advertisedHost the host peers should dial to reach this node (told in the handshake)
 * @param bootstrap peers to dial first and keep re-dialling; empty makes this node a bootstrap node
 * @param outboundTarget outbound connections to keep
 * @param maxInbound inbound connections to accept at most
 * @param handshakeTimeout how long a new connection may take to say hello
 * @param stallTimeout how long a requested block may take before another peer is asked
 * @param txAnnounceInterval how long transaction announcements are batched
 * @param peerSendBudgetBytes bytes queued for one peer beyond which it is not read from (nor its
 *     GetData served) until it drains
 * @param sendBudgetBytes bytes queued for all peers together beyond which the peer holding the
 *     most is disconnected
 * @param loopbackRoutable for tests: 127.a.b.c counts as a routable address of network group a.b
 *     (discouraged by address, grouped for eviction), so one machine can play many networks
 */
public record P2pConfig(
    String listenHost,
    int listenPort,
    String advertisedHost,
    List<HostPort> bootstrap,
    int outboundTarget,
    int maxInbound,
    Duration handshakeTimeout,
    Duration stallTimeout,
    Duration txAnnounceInterval,
    long peerSendBudgetBytes,
    long sendBudgetBytes,
    boolean loopbackRoutable) {

  public P2pConfig {
    bootstrap = List.copyOf(bootstrap);
    if (outboundTarget < 0 || maxInbound < 0) {
      throw new IllegalArgumentException("connection limits must be >= 0");
    }
    if (peerSendBudgetBytes < 1 || sendBudgetBytes < peerSendBudgetBytes) {
      throw new IllegalArgumentException("send budgets must be >= 1 and the global one at least a peer's");
    }
  }

  /**
   * The default send budgets ({@link Limits#PEER_SEND_BUDGET_BYTES}, {@link Limits#SEND_BUDGET_BYTES});
   * loopback is local.
   */
  public P2pConfig(
      String listenHost,
      int listenPort,
      String advertisedHost,
      List<HostPort> bootstrap,
      int outboundTarget,
      int maxInbound,
      Duration handshakeTimeout,
      Duration stallTimeout,
      Duration txAnnounceInterval) {
    this(
        listenHost, listenPort, advertisedHost, bootstrap, outboundTarget, maxInbound, handshakeTimeout, stallTimeout,
        txAnnounceInterval, Limits.PEER_SEND_BUDGET_BYTES, Limits.SEND_BUDGET_BYTES, false);
  }

  /** Loopback, any free port, fast timers: for tests. */
  public static P2pConfig forTests(List<HostPort> bootstrap) {
    return new P2pConfig(
        "127.0.0.1", 0, "127.0.0.1", bootstrap, 8, 125, Duration.ofSeconds(5), Duration.ofSeconds(3),
        Duration.ofMillis(50));
  }

  public P2pConfig withListen(String host, int port, String advertised) {
    return new P2pConfig(
        host, port, advertised, bootstrap, outboundTarget, maxInbound, handshakeTimeout, stallTimeout, txAnnounceInterval,
        peerSendBudgetBytes, sendBudgetBytes, loopbackRoutable);
  }

  /** The same settings with other send budgets. */
  public P2pConfig withSendBudgets(long perPeerBytes, long totalBytes) {
    return new P2pConfig(
        listenHost, listenPort, advertisedHost, bootstrap, outboundTarget, maxInbound, handshakeTimeout, stallTimeout,
        txAnnounceInterval, perPeerBytes, totalBytes, loopbackRoutable);
  }

  /** The same settings with loopback addresses counted as routable (tests only). */
  public P2pConfig withLoopbackRoutable(boolean routable) {
    return new P2pConfig(
        listenHost, listenPort, advertisedHost, bootstrap, outboundTarget, maxInbound, handshakeTimeout, stallTimeout,
        txAnnounceInterval, peerSendBudgetBytes, sendBudgetBytes, routable);
  }
}
