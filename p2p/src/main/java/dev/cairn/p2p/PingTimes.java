package dev.cairn.p2p;

import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.Ping;
import java.util.Random;

/**
 * Measures each peer's round trip: a Ping two minutes after it connected and every two minutes
 * after, the fastest answer kept (inbound eviction protects the lowest). Not thread-safe: part of
 * the peer core.
 */
final class PingTimes {
  static final long PING_INTERVAL_MILLIS = 120_000;

  private final Clock clock;
  private final Random random;
  private final Outbox out;

  PingTimes(Clock clock, Random random, Outbox out) {
    this.clock = clock;
    this.random = random;
    this.out = out;
  }

  /** Pings the ready peers that are due and have no Ping out. */
  void maintain(Iterable<Peer> peers) {
    long now = clock.nowMillis();
    for (Peer p : peers) {
      if (p.ready() && p.pingSentMillis < 0 && now - p.lastPingMillis >= PING_INTERVAL_MILLIS) {
        p.pingNonce = random.nextLong();
        p.pingSentMillis = now;
        p.lastPingMillis = now;
        out.send(p, Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(p.pingNonce)).build());
      }
    }
  }

  void onPong(Peer peer, long nonce) {
    if (peer.pingSentMillis >= 0 && nonce == peer.pingNonce) {
      peer.minPingMillis = Math.min(peer.minPingMillis, clock.nowMillis() - peer.pingSentMillis);
      peer.pingSentMillis = -1;
    }
  }
}
