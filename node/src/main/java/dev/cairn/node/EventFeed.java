package dev.cairn.node;

import dev.cairn.consensus.ChainListener;
import dev.cairn.consensus.MempoolListener;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The explorer's live feed ({@code GET /api/events}, Server-Sent Events; docs/API.md, "Live
 * events"): new blocks, transactions entering the mempool, and reorganisations.
 *
 * <p>Listeners of the chain and the mempool run under their locks, so they only note what happened
 * and offer it to a bounded inbox, never blocking (and do nothing while nobody listens). One
 * dispatcher thread turns each event into its JSON frame once and offers the frame to every
 * client's bounded queue; a client whose queue is full is too slow and is dropped (its stream
 * ends; it may reconnect and catch up through the JSON API). Each client is served on its own HTTP
 * request thread, which writes its frames and a comment heartbeat when idle; a failed write (the
 * client went away) ends it. If the inbox itself overflows, every client is dropped, since each
 * would have missed an event. At most {@link #maxClients} clients at once. Thread-safe.
 */
final class EventFeed implements ChainListener, MempoolListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);

  /** Clients served at once, by default. */
  static final int MAX_CLIENTS = 100;
  /** Frames waiting for one client before it counts as too slow. */
  static final int CLIENT_QUEUE = 512;
  /** Events waiting for the dispatcher. */
  private static final int INBOX = 10_000;
  /** Between two comment heartbeats of an idle stream, by default. */
  static final long HEARTBEAT_MILLIS = 15_000;

  private static final byte[] CLOSE = new byte[0];

  private final NodeQueries queries;
  private final JsonViews views;
  private final int maxClients;
  private final long heartbeatMillis;
  private final BlockingQueue<Object> inbox = new ArrayBlockingQueue<>(INBOX);
  private final AtomicBoolean overflowed = new AtomicBoolean();
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private final Thread dispatcher;
  private volatile boolean closed;

  // Reorganisation being observed: touched only by chain listener calls, which the chain lock serializes.
  private Hash reorgOldTip;
  private int disconnected;
  private int connected;

  /**
   * A connected block, by its index entry only: the body is read back when the event is sent, so a
   * full inbox holds headers, not blocks.
   */
  private record BlockEvent(BlockIndexEntry entry) {}

  private record TxEvent(Transfer tx) {}

  private record ReorgEvent(Hash oldTip, Hash newTip, int disconnected, int connected) {}

  EventFeed(NodeQueries queries) {
    this(queries, MAX_CLIENTS, HEARTBEAT_MILLIS);
  }

  EventFeed(NodeQueries queries, int maxClients, long heartbeatMillis) {
    this.queries = queries;
    this.views = new JsonViews(queries);
    this.maxClients = maxClients;
    this.heartbeatMillis = heartbeatMillis;
    this.dispatcher = new Thread(this::dispatch, "explorer-events");
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  /** Clients connected now. */
  int clientCount() {
    return clients.size();
  }

  // ---- listeners (under the chain or mempool lock: note and offer, never block) ----------------

  @Override
  public void blockConnected(Block block, BlockIndexEntry entry) {
    if (disconnected > 0) {
      connected++;
    }
    publish(new BlockEvent(entry));
  }

  @Override
  public void blockDisconnected(Block block, BlockIndexEntry entry) {
    if (disconnected == 0) {
      reorgOldTip = entry.hash();
      connected = 0;
    }
    disconnected++;
  }

  @Override
  public void tipChanged(BlockIndexEntry tip) {
    if (disconnected > 0) {
      publish(new ReorgEvent(reorgOldTip, tip.hash(), disconnected, connected));
      disconnected = 0;
      connected = 0;
      reorgOldTip = null;
    }
  }

  @Override
  public void transactionAdded(Transfer tx) {
    publish(new TxEvent(tx));
  }

  private void publish(Object event) {
    if (clients.isEmpty() || closed) {
      return;
    }
    if (!inbox.offer(event)) {
      overflowed.set(true);
    }
  }

  // ---- dispatcher ------------------------------------------------------------------------------

  private void dispatch() {
    while (!closed) {
      Object event;
      try {
        event = inbox.take();
      } catch (InterruptedException e) {
        return;
      }
      if (overflowed.getAndSet(false)) {
        LOG.warn("explorer events: the feed fell behind; dropping {} clients", clients.size());
        clients.forEach(c -> c.drop("the feed fell behind"));
      }
      byte[] frame;
      try {
        frame = frame(event);
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.warn("explorer events: cannot format {}: {}", event.getClass().getSimpleName(), e.toString());
        }
        continue;
      }
      for (Client c : clients) {
        if (!c.queue.offer(frame)) {
          c.drop("too slow");
        }
      }
    }
  }

  private byte[] frame(Object event) {
    String name;
    JsonViews.Body data;
    if (event instanceof BlockEvent b) {
      name = "block";
      Block block =
          queries.chain().store().bodyToRead(b.entry().hash())
              .orElseThrow(() -> new IllegalStateException("no body for connected block " + b.entry().hash()));
      // As the block was when it was connected: the tip of the best chain.
      data = views.block(new NodeQueries.BlockView(block, b.entry(), true, 1));
    } else if (event instanceof TxEvent t) {
      name = "tx";
      data = views.transaction(new NodeQueries.TxView(t.tx(), Optional.empty()));
    } else {
      ReorgEvent r = (ReorgEvent) event;
      name = "reorg";
      data =
          g -> {
            g.writeStartObject();
            g.writeStringField("old_tip", r.oldTip().toHex());
            g.writeStringField("new_tip", r.newTip().toHex());
            g.writeNumberField("disconnected", r.disconnected());
            g.writeNumberField("connected", r.connected());
            g.writeEndObject();
          };
    }
    // JSON from Jackson has no raw newlines, so one data line holds it.
    return ("event: " + name + "\ndata: " + new String(JsonViews.bytes(data), StandardCharsets.UTF_8) + "\n\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  // ---- clients ---------------------------------------------------------------------------------

  /** Registers a client, or returns empty if {@link #maxClients} are connected (or the feed is closed). */
  synchronized Optional<Client> register() {
    if (closed || clients.size() >= maxClients) {
      return Optional.empty();
    }
    Client c = new Client();
    clients.add(c);
    return Optional.of(c);
  }

  /** One subscriber: its queue of frames, served by {@link #serve} on its request thread. */
  final class Client {
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CLIENT_QUEUE);
    private volatile String dropped;

    private void drop(String why) {
      if (dropped == null) {
        dropped = why;
        clients.remove(this);
        queue.clear();
        queue.offer(CLOSE);
      }
    }

    /**
     * Writes this client's stream until it goes away, is dropped, or the feed closes: first a
     * comment (so the client knows it is subscribed), then each frame, and a comment heartbeat
     * after {@code heartbeatMillis} without one. Always unregisters the client.
     */
    void serve(OutputStream out) {
      try {
        write(out, ": connected\n\n".getBytes(StandardCharsets.UTF_8));
        while (dropped == null && !closed) {
          byte[] frame = queue.poll(heartbeatMillis, TimeUnit.MILLISECONDS);
          if (frame == CLOSE) {
            break;
          }
          write(out, frame != null ? frame : ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8));
        }
        if (dropped != null) {
          LOG.info("explorer events: dropped a client: {}", dropped);
        }
      } catch (IOException e) {
        LOG.debug("explorer events: a client went away: {}", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        clients.remove(this);
      }
    }

    private void write(OutputStream out, byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }
  }

  /** Ends every stream and stops the dispatcher. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    clients.forEach(c -> c.drop("the node is stopping"));
    dispatcher.interrupt();
  }
}
