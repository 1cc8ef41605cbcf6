package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.ChainListener;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolListener;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.proto.v1.Envelope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link PeerManager}: turns what the transport, the chain, the mempool and the operator
 * report into {@link PeerEvent}s handed to the core one at a time on the {@link Scheduler}, and
 * carries out the core's {@link PeerAction}s: transport calls, timers on the scheduler, and
 * validation and store reads on the {@code worker}, whose outcomes come back as events. A node
 * gives it a loop thread, gRPC and a worker thread; a simulation a virtual scheduler, the in-memory
 * transport and an inline worker, and the same core code runs.
 *
 * <p>Thread-safety: thread-safe. Every entry point posts to the scheduler; the core and the trace
 * are touched only there. The worker may be another thread: it touches the chain and mempool
 * (thread-safe) and posts its outcome.
 */
final class PeerDriver implements Transport.Listener, ChainListener, MempoolListener {
  private static final Logger LOG = LoggerFactory.getLogger(PeerDriver.class);

  private final PeerManager core;
  private final Transport transport;
  private final Scheduler scheduler;
  private final Executor worker;
  private final Blockchain chain;
  private final Mempool mempool;
  private final PeerTrace trace;
  private volatile List<PeerStatus> statuses = List.of();
  private volatile boolean stopped;

  PeerDriver(
      PeerManager core, Transport transport, Scheduler scheduler, Executor worker, Blockchain chain, Mempool mempool, PeerTrace trace) {
    this.core = core;
    this.transport = transport;
    this.scheduler = scheduler;
    this.worker = worker;
    this.chain = chain;
    this.mempool = mempool;
    this.trace = trace;
  }

  /** Opens the transport and starts the core; returns the peer port (0 if not listening). */
  int start() throws IOException {
    int port = transport.start(this);
    post(new PeerEvent.Start(port));
    return port;
  }

  /** Says goodbye to every peer; the worker starts nothing new. Completes on the scheduler. */
  void stop() {
    post(new PeerEvent.Stop());
    scheduler.execute(() -> stopped = true);
  }

  void post(PeerEvent event) {
    scheduler.execute(() -> handle(event));
  }

  /** The connected peers that completed the handshake. Thread-safe snapshot. */
  List<PeerStatus> statuses() {
    return statuses;
  }

  private void handle(PeerEvent event) {
    trace.event(event);
    List<PeerAction> actions = core.handle(event);
    if (core.statusChanged()) {
      statuses = core.statuses();
    }
    for (PeerAction action : actions) {
      trace.action(action);
      perform(action);
    }
  }

  private void perform(PeerAction action) {
    if (action instanceof PeerAction.Send a) {
      transport.send(a.to(), a.envelope());
    } else if (action instanceof PeerAction.Read a) {
      transport.read(a.from());
    } else if (action instanceof PeerAction.Close a) {
      transport.close(a.connection());
    } else if (action instanceof PeerAction.Dial a) {
      transport.dial(a.address());
    } else if (action instanceof PeerAction.SetTimer a) {
      scheduler.schedule(a.delayMillis(), () -> handle(new PeerEvent.TimerFired(a.timer())));
    } else if (action instanceof PeerAction.ValidateBlock a) {
      onWorker(() -> post(new PeerEvent.BlockValidated(a.from(), a.block(), validate(a.block()))));
    } else if (action instanceof PeerAction.ValidateTransactions a) {
      onWorker(() -> post(new PeerEvent.TransactionsValidated(a.from(), admit(a.transactions()))));
    } else if (action instanceof PeerAction.ReadBlock a) {
      onWorker(() -> post(new PeerEvent.BlockRead(a.to(), a.hash(), read(a.hash()))));
    } else {
      throw new IllegalArgumentException("unknown action " + action);
    }
  }

  /** Runs {@code task} on the worker unless the driver stopped (the store may be closing). */
  private void onWorker(Runnable task) {
    worker.execute(
        () -> {
          if (!stopped) {
            task.run();
          }
        });
  }

  private Optional<Rejection> validate(Block block) {
    try {
      chain.processBlock(block);
      return Optional.empty();
    } catch (RejectedException e) {
      return Optional.of(Rejection.of(e));
    } catch (RuntimeException e) {
      LOG.error("processing block {} failed: {}", block.hash(), e.toString(), e);
      return Optional.empty();
    }
  }

  private List<PeerEvent.Admission> admit(List<Transaction> txs) {
    List<PeerEvent.Admission> outcomes = new ArrayList<>(txs.size());
    for (Transaction tx : txs) {
      try {
        mempool.add(tx);
        outcomes.add(new PeerEvent.Admission(tx.id(), Optional.empty()));
      } catch (RejectedException e) {
        outcomes.add(new PeerEvent.Admission(tx.id(), Optional.of(Rejection.of(e))));
        if (Misbehavior.punishableForLooseTransaction(e.reason())) {
          break;
        }
      } catch (RuntimeException e) {
        LOG.error("admitting transaction {} failed: {}", tx.id(), e.toString(), e);
        outcomes.add(new PeerEvent.Admission(tx.id(), Optional.empty()));
      }
    }
    return outcomes;
  }

  private Optional<ByteString> read(Hash hash) {
    try {
      return chain.store().body(hash).map(b -> ByteString.copyFrom(b.encode()));
    } catch (RuntimeException e) {
      LOG.error("reading block {} for a peer failed: {}", hash, e.toString());
      return Optional.empty();
    }
  }

  // ---- what the transport reports -------------------------------------------------------------

  @Override
  public void opened(ConnectionId connection, Peer.Direction direction, HostPort remote) {
    post(new PeerEvent.Opened(connection, direction, remote));
  }

  @Override
  public void received(ConnectionId connection, Envelope envelope, int bytes) {
    post(new PeerEvent.Received(connection, envelope, bytes));
  }

  @Override
  public void malformed(ConnectionId connection, Reason reason, String detail) {
    post(new PeerEvent.Malformed(connection, reason, detail));
  }

  @Override
  public void closed(ConnectionId connection, Optional<Reason> misbehaviour, String why) {
    post(new PeerEvent.Closed(connection, misbehaviour, why));
  }

  @Override
  public void drained(ConnectionId connection, long bytes) {
    post(new PeerEvent.Drained(connection, bytes));
  }

  @Override
  public void sendBufferFull(ConnectionId connection) {
    post(new PeerEvent.SendBufferFull(connection));
  }

  // ---- what the chain and the mempool report (on their threads, under their locks: post only) --

  @Override
  public void blockConnected(Block block, BlockIndexEntry entry) {
    post(new PeerEvent.BlockConnected(block));
  }

  @Override
  public void tipChanged(BlockIndexEntry tip) {
    post(new PeerEvent.TipChanged(tip));
  }

  @Override
  public void transactionAdded(Transfer tx) {
    post(new PeerEvent.TransactionAdded(tx.id()));
  }
}
