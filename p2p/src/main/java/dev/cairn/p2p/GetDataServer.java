package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.BlockData;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.NotFound;
import dev.cairn.proto.v1.TransactionBatch;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Answers a peer's GetData in the order asked, each item once however often it is named:
 * transactions from the mempool (batched), blocks from {@link RecentBlocks} or, for older ones,
 * read from the store off the core (a {@link PeerAction.ReadBlock}), and one NotFound for the rest.
 * Served incrementally: while more than the peer's send budget is queued for it, serving pauses
 * until the transport drains ({@link #resume}). A block known to be invalid is never served. Not
 * thread-safe: part of the peer core.
 */
final class GetDataServer {
  /** A few, not one: a reorganisation connects several blocks, and peers ask for each. */
  static final int RECENT_BLOCKS = 4;

  private final Blockchain chain;
  private final Mempool mempool;
  private final SendQueues queues;
  private final Outbox out;
  private final RecentBlocks recentBlocks = new RecentBlocks(RECENT_BLOCKS);

  GetDataServer(Blockchain chain, Mempool mempool, SendQueues queues, Outbox out) {
    this.chain = chain;
    this.mempool = mempool;
    this.queues = queues;
    this.out = out;
  }

  /** Kept at hand as it connects: peers ask for a new tip right after its announcement. */
  void blockConnected(Block block) {
    recentBlocks.add(block);
  }

  /** Whether the peer's GetData is still being served (items queued, or a store read out). */
  boolean busy(Peer peer) {
    return !peer.getDataQueue.isEmpty() || peer.blockReadPending;
  }

  void onGetData(Peer peer, List<InventoryItem> items) throws RejectedException {
    if (items.size() > Limits.MAX_INVENTORY) {
      throw new RejectedException(Reason.PEER_OVERSIZED, items.size() + " items requested");
    }
    for (InventoryItem item : items) {
      if (Envelopes.hash(item.getHash()).isEmpty()) {
        throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "requested hash not 32 bytes");
      }
      if (item.getType() != InventoryType.INVENTORY_TYPE_TRANSACTION && item.getType() != InventoryType.INVENTORY_TYPE_BLOCK) {
        throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "unknown inventory type");
      }
    }
    peer.getDataQueue.addAll(items);
    serve(peer);
  }

  /** The stored block a {@link PeerAction.ReadBlock} asked for, or empty: serve it and go on. */
  void onBlockRead(Peer peer, Hash hash, Optional<ByteString> canonical) {
    Optional<InventoryItem> item = poll(peer);
    peer.blockReadPending = false;
    if (canonical.isPresent()) {
      sendBlock(peer, hash, canonical.get());
    } else {
      item.ifPresent(peer.getDataMissing::addItems);
    }
    serve(peer);
  }

  /** Some of what was queued for the peer was written: serving may go on. */
  void resume(Peer peer) {
    serve(peer);
  }

  /** Serves the peer's queue until it is empty, a store read is needed, or its send budget is full. */
  private void serve(Peer peer) {
    if (peer.blockReadPending) {
      return; // the queue moves on when the read comes back
    }
    while (!peer.getDataQueue.isEmpty()) {
      if (queues.overPeerBudget(peer)) {
        flushTransactions(peer);
        return; // the queue moves on as the peer drains
      }
      InventoryItem item = peer.getDataQueue.iterator().next();
      Hash h = Envelopes.hash(item.getHash()).orElseThrow();
      if (item.getType() == InventoryType.INVENTORY_TYPE_TRANSACTION) {
        Optional<Transfer> tx = mempool.get(h);
        if (tx.isPresent()) {
          peer.getDataTransactions.addTransactions(
              dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(tx.get().encoded())));
          peer.knownTransactions.add(h);
          if (peer.getDataTransactions.getTransactionsCount() == Limits.MAX_TRANSACTIONS) {
            flushTransactions(peer);
          }
        } else {
          peer.getDataMissing.addItems(item);
        }
      } else {
        // Never serve a body known to be invalid (stored, then failed when connected): the peer
        // would rightly punish us for it.
        boolean invalid = chain.entry(h).map(en -> en.status().isFailed()).orElse(false);
        Optional<ByteString> recent = invalid ? Optional.empty() : recentBlocks.encoded(h);
        if (recent.isPresent()) {
          sendBlock(peer, h, recent.get());
        } else if (invalid || chain.entry(h).isEmpty()) {
          peer.getDataMissing.addItems(item);
        } else {
          peer.blockReadPending = true;
          out.readBlock(peer, h);
          return;
        }
      }
      poll(peer);
    }
    flushTransactions(peer);
    if (peer.getDataMissing.getItemsCount() > 0) {
      out.send(peer, Envelope.newBuilder().setNotFound(peer.getDataMissing).build());
      peer.getDataMissing = NotFound.newBuilder();
    }
  }

  private static Optional<InventoryItem> poll(Peer peer) {
    Iterator<InventoryItem> it = peer.getDataQueue.iterator();
    if (!it.hasNext()) {
      return Optional.empty();
    }
    InventoryItem head = it.next();
    it.remove();
    return Optional.of(head);
  }

  private void sendBlock(Peer peer, Hash hash, ByteString canonical) {
    peer.knownBlocks.add(hash);
    out.send(peer, Envelope.newBuilder().setBlock(BlockData.newBuilder().setBlock(dev.cairn.proto.v1.Block.newBuilder().setCanonical(canonical))).build());
  }

  private void flushTransactions(Peer peer) {
    if (peer.getDataTransactions.getTransactionsCount() > 0) {
      out.send(peer, Envelope.newBuilder().setTransactions(peer.getDataTransactions).build());
      peer.getDataTransactions = TransactionBatch.newBuilder();
    }
  }
}
