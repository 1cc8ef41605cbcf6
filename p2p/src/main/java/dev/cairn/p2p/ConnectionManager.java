package dev.cairn.p2p;

import dev.cairn.ledger.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whom the node talks to: which addresses to dial (pinned peers, bootstrap and added ones, kept
 * connected with back-off; then addresses from the book up to the outbound target), which inbound
 * connections to accept (room, discouraged addresses, shutdown), and which addresses misbehaved.
 * Not thread-safe: part of the peer core.
 */
final class ConnectionManager {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionManager.class);
  static final long DISCOURAGE_MILLIS = 24 * 3600 * 1000L;
  static final long MAINTAIN_MILLIS = 500;

  private final P2pConfig config;
  private final Clock clock;
  private final AddressBook book;
  private final Outbox out;
  private final Map<String, Long> discouraged = new HashMap<>();
  /** Every outbound connection, being dialled or established, until it is removed. */
  private final Set<HostPort> dialing = new LinkedHashSet<>();
  private final Map<HostPort, Long> pinnedRetry = new HashMap<>();
  private final Map<HostPort, Integer> pinnedFailures = new HashMap<>();
  /** Peers added at run time ({@link #addPeer}): kept connected like bootstrap peers. */
  private final Set<HostPort> addedPeers = new LinkedHashSet<>();
  /** Addresses that turned out to be this node (a self-connection): never dialled again. */
  private final Set<HostPort> selfAddresses = new HashSet<>();
  private Optional<HostPort> advertised = Optional.empty();
  private boolean stopping;

  ConnectionManager(P2pConfig config, Clock clock, AddressBook book, Outbox out) {
    this.config = config;
    this.clock = clock;
    this.book = book;
    this.out = out;
  }

  /** The peer port is open (0: not listening); the bootstrap peers go into the book. */
  void start(int listenPort) {
    if (listenPort > 0) {
      advertised = Optional.of(new HostPort(config.advertisedHost(), listenPort));
    }
    for (HostPort b : config.bootstrap()) {
      book.addNew(b, clock.nowMillis());
    }
    LOG.info("peer port {}:{} open{}", config.listenHost(), listenPort,
        config.bootstrap().isEmpty() ? " (no bootstrap peers: serving as a bootstrap node)" : ", bootstrap " + config.bootstrap());
  }

  void stop() {
    stopping = true;
  }

  boolean stopping() {
    return stopping;
  }

  /** The address this node tells peers to dial, once it listens. */
  Optional<HostPort> advertised() {
    return advertised;
  }

  void addPeer(HostPort address) {
    addedPeers.add(address);
    book.addNew(address, clock.nowMillis());
  }

  /**
   * Why an inbound connection from {@code remote} is refused outright, if it is (the node stops,
   * or the address misbehaved); room is made by eviction ({@link InboundEviction}).
   */
  Optional<Rejection> refuseInbound(HostPort remote) {
    if (stopping) {
      return Optional.of(new Rejection(Reason.PEER_SHUTDOWN, "node is stopping"));
    }
    if (isDiscouraged(remote)) {
      return Optional.of(new Rejection(Reason.PEER_DISCOURAGED, "your address misbehaved recently"));
    }
    return Optional.empty();
  }

  /** A punishable offence: the peer's host (if routable) may not connect for a day. */
  void discourage(Peer peer) {
    Misbehavior.discourageKey(peer.remote, config.loopbackRoutable()).ifPresent(host -> discouraged.put(host, clock.nowMillis() + DISCOURAGE_MILLIS));
  }

  /** Hosts discouraged now (expired ones are dropped on the next maintenance round). */
  int discouragedHosts() {
    return discouraged.size();
  }

  boolean isDiscouraged(HostPort remote) {
    Long until = discouraged.get(remote.host());
    if (until == null) {
      return false;
    }
    if (until < clock.nowMillis()) {
      discouraged.remove(remote.host());
      return false;
    }
    return true;
  }

  /** An address found to be this node itself. */
  void noteSelf(HostPort address) {
    selfAddresses.add(address);
  }

  /** The peer said hello: an outbound address proved good; an inbound one told where it listens. */
  void handshakeDone(Peer peer) {
    long now = clock.nowMillis();
    if (peer.direction == Peer.Direction.OUTBOUND) {
      book.markTried(peer.remote, now);
      pinnedFailures.remove(peer.remote);
    } else {
      peer.listenAddress().ifPresent(l -> book.addNew(l, now));
    }
  }

  /** The peer's connection is gone; a dial that never got a hello backs off before the next. */
  void removed(Peer peer) {
    if (peer.direction == Peer.Direction.OUTBOUND) {
      dialing.remove(peer.remote);
      if (peer.handshake.isEmpty() && !stopping) {
        noteDialFailure(peer.remote);
      }
    }
  }

  private void noteDialFailure(HostPort address) {
    long now = clock.nowMillis();
    book.markAttempt(address, now, true);
    if (isPinned(address)) {
      int failures = pinnedFailures.merge(address, 1, Integer::sum);
      pinnedRetry.put(address, now + Math.min(60_000L, 250L << Math.min(failures, 8)));
    }
  }

  private boolean isPinned(HostPort address) {
    return config.bootstrap().contains(address) || addedPeers.contains(address);
  }

  /** Dials what is missing: pinned peers first, then book addresses up to the outbound target. */
  void maintain(Iterable<Peer> peers) {
    if (stopping) {
      return;
    }
    long now = clock.nowMillis();
    // Expired discouragements go, so the map holds only the last day's offenders.
    discouraged.values().removeIf(until -> until < now);
    Set<HostPort> connected = new HashSet<>(dialing);
    for (Peer p : peers) {
      connected.add(p.remote);
      p.listenAddress().ifPresent(connected::add);
    }
    advertised.ifPresent(connected::add);
    connected.addAll(selfAddresses);
    List<HostPort> pinned = new ArrayList<>(config.bootstrap());
    pinned.addAll(addedPeers);
    for (HostPort b : pinned) {
      if (!connected.contains(b) && pinnedRetry.getOrDefault(b, 0L) <= now) {
        pinnedRetry.put(b, now + 1_000);
        dial(b);
        connected.add(b);
      }
    }
    long outbound = dialing.size();
    for (int i = 0; outbound < config.outboundTarget() && i < 4; i++) {
      Optional<HostPort> next = book.pick(now, connected);
      if (next.isEmpty()) {
        break;
      }
      if (isDiscouraged(next.get())) {
        book.markAttempt(next.get(), now, true);
        connected.add(next.get());
        continue;
      }
      book.markAttempt(next.get(), now, false);
      dial(next.get());
      connected.add(next.get());
      outbound++;
    }
  }

  private void dial(HostPort address) {
    if (stopping || !dialing.add(address)) {
      return;
    }
    out.dial(address);
  }
}
