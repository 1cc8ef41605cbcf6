package dev.cairn.p2p;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's peer-to-peer layer, as the node runs it: the peer core ({@link PeerManager}) on one
 * network thread, gRPC as its transport ({@link GrpcTransport}), the system clock, a random source
 * seeded once from {@link SecureRandom}, and a worker thread that validates blocks and transactions
 * from peers and reads stored blocks for them, so the network thread never waits on either.
 *
 * <p>Thread-safety: thread-safe. Owns its threads and transport and releases them on {@link
 * #close()}; the chain and mempool are the node's.
 */
public final class PeerNetwork implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerNetwork.class);

  private final Blockchain chain;
  private final Mempool mempool;
  private final ScheduledThreadPoolExecutor loop;
  private final ExecutorService worker;
  private final GrpcTransport transport;
  private final PeerDriver driver;
  private volatile int port;
  private volatile boolean closed;

  public PeerNetwork(P2pConfig config, Blockchain chain, Mempool mempool, String agent) {
    this.chain = chain;
    this.mempool = mempool;
    this.loop = new ScheduledThreadPoolExecutor(1, daemon("p2p"));
    // On close, pending timers (handshake timeouts, channel shutdowns) are dropped, not waited for.
    loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    loop.setRemoveOnCancelPolicy(true);
    this.worker = Executors.newSingleThreadExecutor(daemon("p2p-validate"));
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    SeededRandom random = new SeededRandom(seed);
    Clock clock = System::currentTimeMillis;
    Scheduler scheduler = new LoopScheduler(loop, clock);
    this.transport = new GrpcTransport(config, loop);
    PeerManager core = new PeerManager(config, chain, mempool, new AddressBook(chain.store(), random), agent, clock, random);
    this.driver = new PeerDriver(core, transport, scheduler, worker, chain, mempool, PeerTrace.NONE);
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Listens on the peer port and starts dialling. */
  public PeerNetwork start() throws IOException {
    port = driver.start();
    chain.addListener(driver);
    mempool.addListener(driver);
    return this;
  }

  public int port() {
    return port;
  }

  /** The connected peers that completed the handshake. Thread-safe snapshot. */
  public List<PeerStatus> peers() {
    return driver.statuses();
  }

  /**
   * Dials {@code address} and keeps re-dialling it while it is not connected, like a bootstrap
   * peer (an operator's "add node"). Thread-safe.
   */
  public void addPeer(HostPort address) {
    driver.post(new PeerEvent.AddPeer(address));
  }

  /**
   * Says goodbye to every peer, closes the peer port and every connection, and waits for a block
   * being validated to finish (so the store can close after this returns).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    CountDownLatch goodbyes = new CountDownLatch(1);
    driver.stop();
    try {
      loop.execute(goodbyes::countDown);
      goodbyes.await(5, TimeUnit.SECONDS);
    } catch (RejectedExecutionException e) {
      // Already stopped.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.close();
    shutdown(worker, 30, "p2p-validate");
    shutdown(loop, 3, "p2p");
  }

  private static void shutdown(ExecutorService executor, int seconds, String name) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(seconds, TimeUnit.SECONDS)) {
        LOG.warn("{} thread still busy {} s after close; interrupting it", name, seconds);
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** The peer core's scheduler in a node: its network thread. Thread-safe. */
  private static final class LoopScheduler implements Scheduler {
    private final ScheduledThreadPoolExecutor loop;
    private final Clock clock;

    LoopScheduler(ScheduledThreadPoolExecutor loop, Clock clock) {
      this.loop = loop;
      this.clock = clock;
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public void execute(Runnable task) {
      try {
        loop.execute(guarded(task));
      } catch (RejectedExecutionException e) {
        // Shutting down: events after close are dropped.
      }
    }

    @Override
    public void schedule(long delayMillis, Runnable task) {
      try {
        loop.schedule(guarded(task), delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // Shutting down.
      }
    }

    private static Runnable guarded(Runnable task) {
      return () -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.error("network task failed: {}", e.toString(), e);
        }
      };
    }
  }
}
