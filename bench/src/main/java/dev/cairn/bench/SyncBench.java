package dev.cairn.bench;

import dev.cairn.consensus.Miner;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.HostPort;
import dev.cairn.p2p.P2pConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * How fast a fresh node catches up with a peer (issue 5), end to end: real nodes in this JVM,
 * real gRPC peer streams on 127.0.0.1, real RocksDB stores. A serving node holds a chain; a fresh
 * node (empty data directory) whose only bootstrap peer is the server starts, and the clock runs
 * from its {@code start()} until its tip is the server's tip (polled every 2 ms, bounded). Two
 * chains:
 *
 * <ol>
 *   <li>{@code empty}: regtest, {@code E} blocks holding only a coinbase, mined on the server with
 *       {@link Miner#generate} (what the regtest control does): reported in blocks/s.
 *   <li>{@code transfers}: {@link TransferChain}, {@code B} blocks of {@code K} transfers each,
 *       connected into the server's data directory beforehand: reported in transactions/s and as
 *       a ratio to the raw parallel verify rate measured in the same run: Bouncy Castle {@code
 *       Ed25519.verify} of the chain's own transfers on 2 threads (all of this machine's cores).
 *       The fresh node must verify every one of those signatures, so the ratio says how much of
 *       the machine's verification capacity sync turns into synced transactions.
 * </ol>
 *
 * Each is repeated {@code R} times with a new fresh node (the server stays up), raw verify
 * measured just before each transfer sync; medians are reported. Server and fresh node share the
 * machine's cores, as two nodes on one host would.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.cairn.bench.SyncBench [--runs R]
 * [--empty E] [--blocks B] [--senders K] [--servers S] [--test-timers 0|1]}; defaults R=3, E=2000,
 * B=100, K=2000, S=1, the {@code cairn node} command's peer timers.
 * With {@code --servers 2} a second serving node (a copy of the first, synced from it before the
 * clock starts) is a bootstrap peer too, so blocks can come from both.
 */
public final class SyncBench {
  /** Bounds every wait: a sync that makes no progress for this long fails the run. */
  private static final long STALL_MILLIS = 60_000;

  private SyncBench() {}

  record Options(int runs, int emptyBlocks, int blocks, int senders, int servers, boolean testTimers) {
    static Options parse(String[] args) {
      int runs = 3, empty = 2_000, blocks = 100, senders = 2_000, servers = 1;
      boolean testTimers = false;
      for (int i = 0; i + 1 < args.length; i += 2) {
        int v = Integer.parseInt(args[i + 1]);
        switch (args[i]) {
          case "--runs" -> runs = v;
          case "--empty" -> empty = v;
          case "--blocks" -> blocks = v;
          case "--senders" -> senders = v;
          case "--servers" -> servers = v;
          case "--test-timers" -> testTimers = v != 0;
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (args.length % 2 != 0 || servers < 1 || servers > 2) {
        throw new IllegalArgumentException(
            "usage: SyncBench [--runs R] [--empty E] [--blocks B] [--senders K] [--servers 1|2] [--test-timers 0|1]");
      }
      return new Options(runs, empty, blocks, senders, servers, testTimers);
    }
  }

  /** One sync: wall time, and the whole process's CPU time over it (both nodes, all threads). */
  record Sync(double seconds, double cpuSeconds) {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Fixtures.quietLogs();
    System.out.printf(
        Locale.ROOT, "# SyncBench %s; JDK %s, %d CPUs; load average before: %s%n",
        o, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), Fixtures.loadAverage());

    double[] emptyRates = o.emptyBlocks() > 0 ? emptyChain(o) : new double[] {Double.NaN};
    double[][] transferRates = transferChain(o);

    System.out.printf(Locale.ROOT, "%n| chain | median | runs |%n|---|---:|---|%n");
    System.out.printf(Locale.ROOT, "| %d empty blocks: blocks/s | %,.0f | %s |%n", o.emptyBlocks(), Fixtures.median(emptyRates), list(emptyRates));
    System.out.printf(
        Locale.ROOT, "| %d x %d transfers: tx/s | %,.0f | %s |%n", o.blocks(), o.senders(), Fixtures.median(transferRates[0]), list(transferRates[0]));
    System.out.printf(
        Locale.ROOT, "| raw Ed25519.verify, 2 threads: verifies/s | %,.0f | %s |%n", Fixtures.median(transferRates[1]), list(transferRates[1]));
    System.out.printf(
        Locale.ROOT, "| **sync tx/s / raw 2-thread verifies/s** (goal >= 0.5) | **%.3f** | %s |%n",
        Fixtures.median(transferRates[2]), list(transferRates[2]));
    System.out.printf(
        Locale.ROOT, "| CPU-time bound: raw CPU per verify / process CPU per synced tx (every node in the JVM) | %.3f | %s |%n",
        Fixtures.median(transferRates[3]), list(transferRates[3]));
    System.out.printf(Locale.ROOT, "%nload average after: %s%n", Fixtures.loadAverage());
  }

  /** Blocks/s of each run over the empty chain. */
  private static double[] emptyChain(Options o) throws Exception {
    ChainSpec spec = ChainSpec.regtest();
    Path dir = Fixtures.tempDir("cairn-sync-empty-");
    try (Servers servers = Servers.start(spec, dir, o.servers(), server -> {
          try {
            Miner.generate(server.chain(), server.assembler(), TransferChain.minerAddress(), o.emptyBlocks());
          } catch (Exception e) {
            throw new IllegalStateException("mining the empty chain failed", e);
          }
          return server;
        })) {
      double[] rates = new double[o.runs()];
      for (int r = 0; r < o.runs(); r++) {
        Sync s = syncFresh(spec, servers, o.testTimers());
        rates[r] = o.emptyBlocks() / s.seconds();
        System.out.printf(
            Locale.ROOT, "empty run %d: %d blocks in %.2f s = %,.0f blocks/s (process CPU %.1f s; load %s)%n",
            r + 1, o.emptyBlocks(), s.seconds(), rates[r], s.cpuSeconds(), Fixtures.loadAverage());
      }
      return rates;
    } finally {
      Fixtures.deleteTree(dir);
    }
  }

  /** Per run: sync tx/s, raw 2-thread verifies/s, and their ratio. */
  private static double[][] transferChain(Options o) throws Exception {
    long t0 = System.nanoTime();
    TransferChain chain = TransferChain.cached(o.blocks(), o.senders());
    System.out.printf(Locale.ROOT, "# %d blocks of %d transfers ready in %.1f s%n", o.blocks(), o.senders(), (System.nanoTime() - t0) / 1e9);
    RawVerify raw = new RawVerify(chain.transfers(), chain.spec.genesisHash());
    int txs = chain.transferCount();
    Path dir = Fixtures.tempDir("cairn-sync-transfers-");
    try {
      t0 = System.nanoTime();
      chain.writeDataDir(dir.resolve("server-0"));
      System.out.printf(Locale.ROOT, "# server data directory written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      try (Servers servers = Servers.start(chain.spec, dir, o.servers(), Function.identity())) {
        double[][] out = new double[4][o.runs()];
        raw.measure(); // warm-up: the JIT compiles the verify path before the first measured run
        for (int r = 0; r < o.runs(); r++) {
          RawVerify.Result verifies = raw.measure();
          Sync s = syncFresh(chain.spec, servers, o.testTimers());
          out[0][r] = txs / s.seconds();
          out[1][r] = verifies.perSecond();
          out[2][r] = out[0][r] / verifies.perSecond();
          // Wall-clock rates on a loaded machine depend on how many runnable threads each side
          // has; CPU time per item does not: this is the ratio two otherwise idle cores would
          // give at best (sync perfectly spread over both), counting the serving node's CPU too.
          out[3][r] = verifies.cpuMicros() / (s.cpuSeconds() * 1e6 / txs);
          System.out.printf(
              Locale.ROOT,
              "transfers run %d: %,d tx in %.2f s = %,.0f tx/s; raw verify 2 threads %,.0f/s (%.1f us CPU each); ratio %.3f;"
                  + " process CPU %.1f s = %.1f us per tx, CPU bound %.3f; load %s%n",
              r + 1, txs, s.seconds(), out[0][r], verifies.perSecond(), verifies.cpuMicros(), out[2][r], s.cpuSeconds(),
              s.cpuSeconds() * 1e6 / txs, out[3][r], Fixtures.loadAverage());
        }
        return out;
      }
    } finally {
      Fixtures.deleteTree(dir);
    }
  }

  /**
   * Starts a fresh node whose bootstrap peers are the servers and waits until its tip is theirs.
   * Closes it and deletes its directory whatever happens.
   */
  private static Sync syncFresh(ChainSpec spec, Servers servers, boolean testTimers) throws Exception {
    BlockIndexEntry target = servers.first().chain().tip();
    Path dir = Fixtures.tempDir("cairn-sync-fresh-");
    List<HostPort> bootstrap = servers.addresses();
    NodeConfig config = NodeConfig.forTests(spec, dir).withP2p(p2p(bootstrap, testTimers));
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Node fresh = new Node(config);
    try {
      long cpu0 = os.getProcessCpuTime();
      long start = System.nanoTime();
      fresh.start();
      waitForTip(fresh, target.hash(), target.height());
      long end = System.nanoTime();
      return new Sync((end - start) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9);
    } finally {
      fresh.close();
      Fixtures.deleteTree(dir);
    }
  }

  /**
   * The fresh node's peer settings on loopback: the timers of the {@code cairn node} command
   * (handshake 10 s, block stall 10 s, transaction batching 200 ms, as NodeOptions sets them), or
   * the tests' fast ones ({@link P2pConfig#forTests}: a 3 s stall timeout) with {@code
   * --test-timers 1}. The stall timeout matters: it runs from each block's request, and 16
   * requested 2,000-transfer blocks take longer than 3 s to arrive and connect one after another.
   */
  private static P2pConfig p2p(List<HostPort> bootstrap, boolean testTimers) {
    if (testTimers) {
      return P2pConfig.forTests(bootstrap);
    }
    return new P2pConfig(
        "127.0.0.1", 0, "127.0.0.1", bootstrap, 8, 125, Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofMillis(200));
  }

  /** Polls the fresh node's tip; fails if its height stops rising for {@link #STALL_MILLIS}. */
  private static void waitForTip(Node node, Hash target, long targetHeight) throws Exception {
    long lastHeight = -1;
    long lastProgress = System.nanoTime();
    while (true) {
      BlockIndexEntry tip = node.chain().tip();
      if (tip.hash().equals(target)) {
        return;
      }
      if (tip.height() != lastHeight) {
        lastHeight = tip.height();
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > STALL_MILLIS * 1_000_000) {
        throw new TimeoutException(
            "sync stalled at height " + tip.height() + " of " + targetHeight + " for " + STALL_MILLIS + " ms");
      }
      Thread.sleep(2);
    }
  }

  private static String list(double[] values) {
    StringBuilder b = new StringBuilder();
    for (double v : values) {
      b.append(b.length() == 0 ? "" : ", ").append(v < 10 ? String.format(Locale.ROOT, "%.3f", v) : String.format(Locale.ROOT, "%,.0f", v));
    }
    return b.toString();
  }

  /**
   * The serving node(s): the first on {@code dir/server-0} (prepared by {@code setUp}, which gets
   * it running), a second, if asked for, synced from the first before any measurement. Closes
   * them all. Not thread-safe (one benchmark thread).
   */
  private static final class Servers implements AutoCloseable {
    private final List<Node> nodes = new ArrayList<>();

    static Servers start(ChainSpec spec, Path dir, int count, Function<Node, Node> setUp) throws Exception {
      Servers s = new Servers();
      try {
        Node first = new Node(NodeConfig.forTests(spec, dir.resolve("server-0")));
        s.nodes.add(first);
        setUp.apply(first.start());
        if (count == 2) {
          BlockIndexEntry tip = first.chain().tip();
          NodeConfig second =
              NodeConfig.forTests(spec, dir.resolve("server-1"))
                  .withP2p(P2pConfig.forTests(List.of(new HostPort("127.0.0.1", first.p2pPort()))));
          Node node = new Node(second);
          s.nodes.add(node);
          node.start();
          waitForTip(node, tip.hash(), tip.height());
        }
        return s;
      } catch (Exception | Error e) {
        s.close();
        throw e;
      }
    }

    Node first() {
      return nodes.get(0);
    }

    List<HostPort> addresses() {
      return nodes.stream().map(n -> new HostPort("127.0.0.1", n.p2pPort())).toList();
    }

    @Override
    public void close() {
      for (Node n : nodes) {
        n.close();
      }
    }
  }

  /**
   * Bouncy Castle's raw verify of the chain's transfers on 2 threads, each taking every other
   * transfer of a 60,000-transfer window (the window moves each call, so each run verifies other
   * transfers). Not thread-safe (one caller).
   */
  static final class RawVerify {
    private static final int THREADS = 2;
    private static final int WINDOW = 60_000;

    private final byte[][] keys;
    private final byte[][] signatures;
    private final byte[][] messages;
    private int offset;

    RawVerify(List<Transfer> transfers, Hash genesis) {
      int n = transfers.size();
      keys = new byte[n][];
      signatures = new byte[n][];
      messages = new byte[n][];
      for (int i = 0; i < n; i++) {
        Transfer t = transfers.get(i);
        keys[i] = t.sender().toByteArray();
        signatures[i] = t.signature().toByteArray();
        messages[i] = t.signingBytes(genesis);
      }
    }

    /** Wall-clock verifies/s of both threads, and CPU microseconds per verify. */
    record Result(double perSecond, double cpuMicros) {}

    /** Verifies the next window; fails if any signature does not verify. */
    Result measure() throws InterruptedException {
      int n = keys.length;
      int window = Math.min(WINDOW, n);
      int from = offset;
      offset = (offset + window) % n;
      Thread[] threads = new Thread[THREADS];
      boolean[] ok = new boolean[THREADS];
      long[] cpu = new long[THREADS];
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long start = System.nanoTime();
      for (int t = 0; t < THREADS; t++) {
        int lane = t;
        threads[t] =
            new Thread(
                () -> {
                  long cpu0 = mx.getCurrentThreadCpuTime();
                  boolean all = true;
                  for (int i = lane; i < window; i += THREADS) {
                    int k = (from + i) % n;
                    byte[] m = messages[k];
                    all &= Ed25519.verify(signatures[k], 0, keys[k], 0, m, 0, m.length);
                  }
                  cpu[lane] = mx.getCurrentThreadCpuTime() - cpu0;
                  ok[lane] = all;
                },
                "raw-verify-" + t);
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      for (boolean b : ok) {
        if (!b) {
          throw new IllegalStateException("a benchmark transfer does not verify");
        }
      }
      return new Result(window / seconds, java.util.Arrays.stream(cpu).sum() / 1e3 / window);
    }
  }
}
