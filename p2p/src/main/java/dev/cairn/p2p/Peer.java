package dev.cairn.p2p;

import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hash;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.Handshake;
import io.grpc.ManagedChannel;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One connected peer and what the node knows about it: its handshake, the inventory it has seen,
 * the blocks requested from it, its pending header chain, its send queue. Mutable state is touched
 * only on the network loop thread; counters are read by the status API.
 */
final class Peer {
  enum Direction {
    INBOUND,
    OUTBOUND
  }

  private static long nextId;

  final long id;
  final Direction direction;
  final HostPort remote;
  final PeerConnection connection;
  final long connectedSince;
  /** The channel of an outbound connection, owned by this peer. */
  final Optional<ManagedChannel> channel;
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
  /** Blocks we asked this peer for, with when. */
  final Map<Hash, Long> blocksInFlight = new LinkedHashMap<>();
  /** Headers received but not yet committed to the index (anti-DoS presync buffer). */
  final List<BlockHeader> pendingHeaders = new ArrayList<>();
  BigInteger pendingHeadersWork = BigInteger.ZERO;
  boolean syncing;
  long lastAddressRequestMillis;
  double addressTokens = 1_000;
  long addressTokensUpdatedMillis = System.currentTimeMillis();
  boolean disconnecting;
  /** Transactions sent without being asked for; a few are tolerated, a flood is not. */
  int unrequestedTransactions;
  /** Blocks this peer failed to deliver in time or delivered mutated: ask someone else. */
  final KnownSet stalledOn = new KnownSet(4_096);
  /** Requested block bodies this peer delivered (late ones included). */
  long blocksReceived;

  Peer(Direction direction, HostPort remote, PeerConnection connection, Optional<ManagedChannel> channel, long localNonce, long now) {
    synchronized (Peer.class) {
      this.id = nextId++;
    }
    this.direction = direction;
    this.remote = remote;
    this.connection = connection;
    this.channel = channel;
    this.localNonce = localNonce;
    this.connectedSince = now;
  }

  boolean ready() {
    return handshake.isPresent() && sentHandshake && !disconnecting;
  }

  Optional<HostPort> listenAddress() {
    return handshake
        .map(Handshake::getListenAddress)
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

  void send(Envelope e) {
    connection.send(e);
  }

  String agent() {
    return handshake.map(Handshake::getAgent).orElse("");
  }

  @Override
  public String toString() {
    return "peer " + id + " (" + direction.name().toLowerCase() + " " + remote + ")";
  }
}
