package dev.cairn.p2p;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.proto.v1.Envelope;
import java.util.ArrayList;
import java.util.List;

/**
 * The actions the peer core emits while it handles one event, in order. Not thread-safe: the
 * core's, emptied by {@link PeerManager#handle} after each event.
 */
final class Outbox {
  private final SendQueues queues;
  private List<PeerAction> actions = new ArrayList<>();

  Outbox(SendQueues queues) {
    this.queues = queues;
  }

  /** Sends {@code envelope}, counted as queued for the peer until the transport drains it. */
  void send(Peer to, Envelope envelope) {
    int size = envelope.getSerializedSize();
    to.bytesOut += size;
    queues.queued(to, size);
    actions.add(new PeerAction.Send(to.id, envelope));
  }

  void read(Peer from) {
    actions.add(new PeerAction.Read(from.id));
  }

  void close(ConnectionId connection) {
    actions.add(new PeerAction.Close(connection));
  }

  void dial(HostPort address) {
    actions.add(new PeerAction.Dial(address));
  }

  void timer(PeerTimer timer, long delayMillis) {
    actions.add(new PeerAction.SetTimer(timer, delayMillis));
  }

  void validateBlock(Peer from, Block block) {
    actions.add(new PeerAction.ValidateBlock(from.id, block));
  }

  void validateTransactions(Peer from, List<Transaction> transactions) {
    actions.add(new PeerAction.ValidateTransactions(from.id, transactions));
  }

  void readBlock(Peer to, Hash hash) {
    actions.add(new PeerAction.ReadBlock(to.id, hash));
  }

  /** The actions gathered so far; the outbox starts empty again. */
  List<PeerAction> drain() {
    List<PeerAction> out = actions;
    actions = new ArrayList<>();
    return out;
  }
}
