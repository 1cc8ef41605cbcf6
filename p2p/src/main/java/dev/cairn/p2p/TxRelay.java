package dev.cairn.p2p;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.TransactionBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactions between peers: announced by id in batches (every {@link
 * P2pConfig#txAnnounceInterval}), fetched on announcement if new to us (one request per id at a
 * time, node-wide), admitted to the mempool off the core (a {@link
 * PeerAction.ValidateTransactions}), and remembered when rejected until the tip moves. A peer that
 * announces more than it delivers, or sends what was not asked for, is flooding. Not thread-safe:
 * part of the peer core.
 */
final class TxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(TxRelay.class);
  static final int MAX_UNREQUESTED_TXS = 100;
  /** How long a requested transaction blocks asking another announcer for it. */
  static final long REQUEST_EXPIRY_MILLIS = 30_000;

  private final Blockchain chain;
  private final Mempool mempool;
  private final Clock clock;
  private final Outbox out;
  /** Transactions requested from some peer, with when: not requested again meanwhile. */
  private final Map<Hash, Long> inFlight = new HashMap<>();
  private final KnownSet recentlyRejected = new KnownSet(50_000);

  TxRelay(Blockchain chain, Mempool mempool, Clock clock, Outbox out) {
    this.chain = chain;
    this.mempool = mempool;
    this.clock = clock;
    this.out = out;
  }

  /**
   * The peer announced these transactions: returns those to ask it for (new to us, and nobody is
   * sending them), now counted as requested from it.
   */
  List<Hash> onAnnounced(Peer peer, List<Hash> txids) throws RejectedException {
    Set<Hash> want = new LinkedHashSet<>();
    for (Hash h : txids) {
      peer.knownTransactions.add(h);
      if (!mempool.contains(h) && !recentlyRejected.contains(h) && !inFlight.containsKey(h)
          && chain.store().txLocation(h).isEmpty()) {
        want.add(h);
      }
    }
    // An honest peer answers what it announced; one that keeps announcing more than a full
    // inventory of transactions it never delivers is flooding us.
    if (peer.requestedTransactions.size() + want.size() > Limits.MAX_TX_REQUESTS_PER_PEER) {
      throw new RejectedException(
          Reason.PEER_UNREQUESTED,
          "inventory flood: " + (peer.requestedTransactions.size() + want.size()) + " announced transactions not delivered");
    }
    long now = clock.nowMillis();
    for (Hash h : want) {
      inFlight.put(h, now);
      peer.requestedTransactions.add(h);
    }
    return List.copyOf(want);
  }

  /** Asks the peer for the transactions {@link #onAnnounced} chose. */
  void request(Peer peer, List<Hash> txids) {
    if (!txids.isEmpty()) {
      out.send(peer, Envelopes.getData(InventoryType.INVENTORY_TYPE_TRANSACTION, txids));
    }
  }

  /** The peer has not got {@code txid} (any more): another announcer may be asked. */
  void notFound(Peer peer, Hash txid) {
    inFlight.remove(txid);
    peer.requestedTransactions.remove(txid);
  }

  /**
   * Transactions arrived: the requested ones go to the mempool, and the peer's next message waits
   * for their admission; a few unrequested ones are ignored, many are a flood.
   */
  void onTransactions(Peer peer, TransactionBatch batch) throws RejectedException {
    if (batch.getTransactionsCount() > Limits.MAX_TRANSACTIONS) {
      throw new RejectedException(Reason.PEER_OVERSIZED, batch.getTransactionsCount() + " transactions in one message");
    }
    List<Transaction> requested = new ArrayList<>();
    for (dev.cairn.proto.v1.Transaction raw : batch.getTransactionsList()) {
      Transaction tx = Transaction.decode(raw.getCanonical().toByteArray());
      Hash id = tx.id();
      inFlight.remove(id);
      if (!peer.requestedTransactions.contains(id)) {
        peer.unrequestedTransactions++;
        if (peer.unrequestedTransactions > MAX_UNREQUESTED_TXS) {
          throw new RejectedException(Reason.PEER_UNREQUESTED, "more than " + MAX_UNREQUESTED_TXS + " unrequested transactions");
        }
        continue;
      }
      peer.requestedTransactions.remove(id);
      peer.knownTransactions.add(id);
      requested.add(tx);
    }
    if (!requested.isEmpty()) {
      peer.validations++;
      out.validateTransactions(peer, requested);
    }
  }

  /**
   * The mempool's verdicts on transactions {@code sender} delivered (it may be gone by now):
   * returns the rejection that costs the sender its connection, if any.
   */
  Optional<RejectedException> onAdmitted(Optional<Peer> sender, List<PeerEvent.Admission> outcomes) {
    for (PeerEvent.Admission a : outcomes) {
      if (a.rejection().isEmpty()) {
        sender.ifPresent(p -> p.lastUsefulTxMillis = clock.nowMillis());
        continue;
      }
      Rejection r = a.rejection().get();
      if (!Misbehavior.mayBecomeValidSoon(r.reason())) {
        recentlyRejected.add(a.txid());
      }
      if (Misbehavior.punishableForLooseTransaction(r.reason())) {
        return Optional.of(r.toException());
      }
      LOG.debug("transaction {} from {} not admitted: {}", a.txid(), sender.map(Peer::toString).orElse("a gone peer"), r.detail());
    }
    return Optional.empty();
  }

  /** The mempool admitted a transaction: queue its announcement to every ready peer that lacks it. */
  void transactionAdded(Hash txid, Iterable<Peer> peers) {
    for (Peer p : peers) {
      if (p.ready() && !p.knownTransactions.contains(txid)) {
        p.pendingTxAnnouncements.add(txid);
      }
    }
  }

  /** Sends each peer its batch of announcements; forgets requests nobody answered. */
  void announce(Iterable<Peer> peers) {
    for (Peer p : peers) {
      if (!p.ready() || p.pendingTxAnnouncements.isEmpty()) {
        continue;
      }
      List<Hash> fresh = new ArrayList<>();
      for (Hash h : p.pendingTxAnnouncements) {
        if (p.knownTransactions.add(h)) {
          fresh.add(h);
        }
      }
      p.pendingTxAnnouncements.clear();
      for (int i = 0; i < fresh.size(); i += Limits.MAX_INVENTORY) {
        out.send(p, Envelopes.inventory(InventoryType.INVENTORY_TYPE_TRANSACTION, fresh.subList(i, Math.min(fresh.size(), i + Limits.MAX_INVENTORY))));
      }
    }
    long cutoff = clock.nowMillis() - REQUEST_EXPIRY_MILLIS;
    inFlight.values().removeIf(t -> t < cutoff);
  }

  /** A rejected transaction may be valid on a new tip (as Bitcoin Core's recentRejects). */
  void tipChanged() {
    recentlyRejected.clear();
  }
}
