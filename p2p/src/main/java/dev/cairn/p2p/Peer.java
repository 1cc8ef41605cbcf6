package dev.cairn.p2p;

import dev.cairn.ledger.Hash;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.NotFound;
import dev.cairn.proto.v1.TransactionBatch;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One connected peer and what the core knows about it: its handshake, the inventory it has seen,
 * what was requested from it, its pending header chain, what it asked of us. Not thread-safe: the
 * peer core's state, touched only by the core.
 */
final class Peer {
  enum Direction {
    INBOUND,
    OUTBOUND
  }

  final ConnectionId id;
  final Direction direction;
  final HostPort remote;
  /** The remote's network group ({@link NetworkGroup}): who is likely to control it. */
  final String networkGroup;
  final long connectedSince;
  final long localNonce;

  Optional<Handshake> handshake = Optional.empty();
  boolean sentHandshake;
  long bestHeight;
  BigInteger bestWork = BigInteger.ZERO;
  final KnownSet knownTransactions = new KnownSet(Limits.KNOWN_INVENTORY);
  final KnownSet knownBlocks = new KnownSet(Limits.KNOWN_INVENTORY);
  /** Transactions to announce to this peer at the next batch. */
  final List<Hash> pendingTxAnnouncements = new ArrayList<>();
  /** Transactions we asked this peer for (unanswered). */
  final KnownSet requestedTransactions = new KnownSet(Limits.MAX_INVENTORY);
  /** Blocks we asked this peer for, with when (clock millis). */
  final Map<Hash, Long> blocksInFlight = new LinkedHashMap<>();
  /** The peer's header chain being followed without being kept, while it lacks the work to be indexed. */
  Optional<HeadersPresync> presync = Optional.empty();
  boolean syncing;
  /** When our last locator GetHeaders to this peer went out, while unanswered; -1 if none is. */
  long locatorSentMillis = -1;
  /** A locator GetHeaders held back while one was unanswered: sent when that one times out. */
  boolean locatorDeferred;
  long lastAddressRequestMillis;
  double addressTokens = Limits.MAX_ADDRESSES;
  long addressTokensUpdatedMillis;
  boolean disconnecting;
  /** Transactions sent without being asked for; a few are tolerated, a flood is not. */
  int unrequestedTransactions;
  /** Blocks this peer failed to deliver in time or delivered mutated: ask someone else. */
  final KnownSet stalledOn = new KnownSet(4_096);
  /** Requested block bodies this peer delivered (late ones included). */
  long blocksReceived;
  long bytesIn;
  long bytesOut;
  /** The shortest round trip a Ping of ours took, in ms; {@link Long#MAX_VALUE} until one is answered. */
  long minPingMillis = Long.MAX_VALUE;
  /** The nonce of our unanswered Ping, and when it went out (-1: none out). */
  long pingNonce;
  long pingSentMillis = -1;
  long lastPingMillis;
  /** When the peer last gave us a transaction we admitted, and a block that passed validation (0: never). */
  long lastUsefulTxMillis;
  long lastUsefulBlockMillis;

  /**
   * Validations started for this peer's messages and not back yet (its block or transactions): the
   * message that started one has its successor read only when its verdict is in.
   */
  int validations;
  /**
   * Reads due (one per message handled) but held back because more than the peer's send budget is
   * queued for it: a peer that does not read what it asked for is not read from either.
   */
  int owedReads;
  /** Reads of GetData messages held back until the GetData queue is served. */
  int getDataDeferredReads;
  /** Bytes sent to this peer that the transport has not written yet. */
  long queuedBytes;
  /** A stored block is being read for the head of {@link #getDataQueue}. */
  boolean blockReadPending;
  /** Items of its GetData messages not served yet, in order, each once. */
  final Set<InventoryItem> getDataQueue = new LinkedHashSet<>();
  /** The answers to its GetData being gathered: transactions found, items missing. */
  TransactionBatch.Builder getDataTransactions = TransactionBatch.newBuilder();
  NotFound.Builder getDataMissing = NotFound.newBuilder();

  Peer(ConnectionId id, Direction direction, HostPort remote, String networkGroup, long localNonce, long now) {
    this.id = id;
    this.direction = direction;
    this.remote = remote;
    this.networkGroup = networkGroup;
    this.localNonce = localNonce;
    this.connectedSince = now;
    this.addressTokensUpdatedMillis = now;
    this.lastPingMillis = now;
  }

  boolean ready() {
    return handshake.isPresent() && sentHandshake && !disconnecting;
  }

  Optional<HostPort> listenAddress() {
    return handshake.flatMap(Peer::listenAddress);
  }

  /** The address a handshake says its sender listens on, if it names a usable one. */
  static Optional<HostPort> listenAddress(Handshake h) {
    return Optional.of(h.getListenAddress())
        .filter(s -> !s.isEmpty())
        .flatMap(
            s -> {
              try {
                return Optional.of(HostPort.parse(s));
              } catch (IllegalArgumentException e) {
                return Optional.empty();
              }
            });
  }

  String agent() {
    return handshake.map(Handshake::getAgent).orElse("");
  }

  PeerStatus status() {
    return new PeerStatus(
        id.value(), remote.toString(), direction == Direction.INBOUND, bestHeight, agent(), connectedSince / 1000,
        bytesIn, bytesOut, listenAddress().map(HostPort::toString).orElse(""), blocksReceived);
  }

  @Override
  public String toString() {
    return "peer " + id + " (" + direction.name().toLowerCase(java.util.Locale.ROOT) + " " + remote + ")";
  }
}
