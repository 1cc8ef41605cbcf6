package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.proto.v1.Envelope;
import java.util.List;
import java.util.Optional;

/**
 * What happens to the peer core: the transport, timers, the validation worker, the chain, the
 * mempool and the operator tell it through these, one at a time ({@link PeerManager#handle}).
 * Immutable; {@link #describe()} is a stable text for traces.
 */
sealed interface PeerEvent {
  String describe();

  /** The peer port is open on {@code listenPort} (0: not listening): start the timers. */
  record Start(int listenPort) implements PeerEvent {
    @Override
    public String describe() {
      return "start " + listenPort;
    }
  }

  /** The node is stopping: say goodbye to every peer. */
  record Stop() implements PeerEvent {
    @Override
    public String describe() {
      return "stop";
    }
  }

  /** Dial {@code address} and keep re-dialling it while it is not connected. */
  record AddPeer(HostPort address) implements PeerEvent {
    @Override
    public String describe() {
      return "add-peer " + address;
    }
  }

  /**
   * A connection exists: accepted from {@code remote} (inbound), or being dialled to it
   * (outbound, after a {@link PeerAction.Dial}; if the dial fails, {@link Closed} follows).
   */
  record Opened(ConnectionId connection, Peer.Direction direction, HostPort remote) implements PeerEvent {
    @Override
    public String describe() {
      return "opened " + connection + " " + direction + " " + remote;
    }
  }

  /** The message the core asked for with {@link PeerAction.Read}; {@code bytes} on the wire. */
  record Received(ConnectionId connection, Envelope envelope, int bytes) implements PeerEvent {
    @Override
    public String describe() {
      return "received " + connection + " " + envelope.getPayloadCase() + " " + Hashes.sha256(envelope.toByteArray());
    }
  }

  /** The peer sent bytes that are not a message; the connection is open, for the goodbye. */
  record Malformed(ConnectionId connection, Reason reason, String detail) implements PeerEvent {
    @Override
    public String describe() {
      return "malformed " + connection + " " + reason.code() + " " + detail;
    }
  }

  /**
   * The connection ended without the core closing it: the peer left, the network failed, or the
   * transport refused what the peer sent ({@code misbehaviour}: a message over the size limit,
   * bytes that are not a message).
   */
  record Closed(ConnectionId connection, Optional<Reason> misbehaviour, String why) implements PeerEvent {
    @Override
    public String describe() {
      return "closed " + connection + " " + misbehaviour.map(Reason::code).orElse("-") + " " + why;
    }
  }

  /** The transport wrote {@code bytes} of what was queued for the connection. */
  record Drained(ConnectionId connection, long bytes) implements PeerEvent {
    @Override
    public String describe() {
      return "drained " + connection + " " + bytes;
    }
  }

  /** The peer does not read: more is queued for it than the transport will hold. */
  record SendBufferFull(ConnectionId connection) implements PeerEvent {
    @Override
    public String describe() {
      return "send-buffer-full " + connection;
    }
  }

  record TimerFired(PeerTimer timer) implements PeerEvent {
    @Override
    public String describe() {
      return "timer " + timer;
    }
  }

  /** The outcome of a {@link PeerAction.ValidateBlock}. */
  record BlockValidated(ConnectionId from, Block block, Optional<Rejection> rejection) implements PeerEvent {
    @Override
    public String describe() {
      return "block-validated " + from + " " + block.hash() + " " + rejection.map(r -> r.reason().code() + " " + r.detail()).orElse("ok");
    }
  }

  /** The outcome of a {@link PeerAction.ValidateTransactions}, one per transaction tried. */
  record TransactionsValidated(ConnectionId from, List<Admission> outcomes) implements PeerEvent {
    public TransactionsValidated {
      outcomes = List.copyOf(outcomes);
    }

    @Override
    public String describe() {
      StringBuilder sb = new StringBuilder("txs-validated ").append(from);
      outcomes.forEach(o -> sb.append(' ').append(o.txid()).append('=').append(o.rejection().map(r -> r.reason().code()).orElse("ok")));
      return sb.toString();
    }
  }

  /** A transaction's admission to the mempool: empty rejection means admitted. */
  record Admission(Hash txid, Optional<Rejection> rejection) {}

  /** The outcome of a {@link PeerAction.ReadBlock}: the canonical bytes, or empty if not stored. */
  record BlockRead(ConnectionId to, Hash hash, Optional<ByteString> canonical) implements PeerEvent {
    @Override
    public String describe() {
      return "block-read " + to + " " + hash + " " + canonical.map(b -> Integer.toString(b.size())).orElse("missing");
    }
  }

  /** A block joined the best chain (told before {@link TipChanged} of its activation). */
  record BlockConnected(Block block) implements PeerEvent {
    @Override
    public String describe() {
      return "block-connected " + block.hash();
    }
  }

  /** The best chain's tip moved (once per activation, after its blocks were connected). */
  record TipChanged(BlockIndexEntry tip) implements PeerEvent {
    @Override
    public String describe() {
      return "tip " + tip.hash() + " " + tip.height();
    }
  }

  /** The mempool admitted a transaction, from a peer or not: announce it. */
  record TransactionAdded(Hash txid) implements PeerEvent {
    @Override
    public String describe() {
      return "tx-added " + txid;
    }
  }
}
