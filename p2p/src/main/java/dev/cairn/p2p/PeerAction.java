package dev.cairn.p2p;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.Transaction;
import dev.cairn.proto.v1.Envelope;
import java.util.List;

/**
 * What the peer core asks the world to do, in order: the transport sends, reads, closes and
 * dials; the scheduler sets timers; a worker validates and reads the store, and each of those
 * answers with a {@link PeerEvent}. Immutable; {@link #describe()} is a stable text for traces.
 */
sealed interface PeerAction {
  String describe();

  record Send(ConnectionId to, Envelope envelope) implements PeerAction {
    @Override
    public String describe() {
      return "send " + to + " " + envelope.getPayloadCase() + " " + Hashes.sha256(envelope.toByteArray());
    }
  }

  /**
   * The core is ready for the connection's next message (inbound flow control: one at a time, so a
   * peer cannot queue more in the node than the core has handled).
   */
  record Read(ConnectionId from) implements PeerAction {
    @Override
    public String describe() {
      return "read " + from;
    }
  }

  /** Send what is queued for the connection, then close it; no event follows. */
  record Close(ConnectionId connection) implements PeerAction {
    @Override
    public String describe() {
      return "close " + connection;
    }
  }

  /** Connect to {@code address}: {@link PeerEvent.Opened} follows (and {@link PeerEvent.Closed} if it fails). */
  record Dial(HostPort address) implements PeerAction {
    @Override
    public String describe() {
      return "dial " + address;
    }
  }

  /** Fire {@code timer} once, {@code delayMillis} from now. */
  record SetTimer(PeerTimer timer, long delayMillis) implements PeerAction {
    @Override
    public String describe() {
      return "set-timer " + timer + " " + delayMillis;
    }
  }

  /** Process {@code block} on the chain (off the thread that serves peers): {@link PeerEvent.BlockValidated} follows. */
  record ValidateBlock(ConnectionId from, Block block) implements PeerAction {
    @Override
    public String describe() {
      return "validate-block " + from + " " + block.hash();
    }
  }

  /**
   * Offer {@code transactions} to the mempool in order, stopping after the first whose rejection
   * costs the sender its connection ({@link Misbehavior#punishableForLooseTransaction}): {@link
   * PeerEvent.TransactionsValidated} follows.
   */
  record ValidateTransactions(ConnectionId from, List<Transaction> transactions) implements PeerAction {
    public ValidateTransactions {
      transactions = List.copyOf(transactions);
    }

    @Override
    public String describe() {
      StringBuilder sb = new StringBuilder("validate-txs ").append(from);
      transactions.forEach(t -> sb.append(' ').append(t.id()));
      return sb.toString();
    }
  }

  /** Read a stored block's canonical bytes to serve a peer: {@link PeerEvent.BlockRead} follows. */
  record ReadBlock(ConnectionId to, Hash hash) implements PeerAction {
    @Override
    public String describe() {
      return "read-block " + to + " " + hash;
    }
  }
}
