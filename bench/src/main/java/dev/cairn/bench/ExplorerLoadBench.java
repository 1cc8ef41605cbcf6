package dev.cairn.bench;

import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.store.StoreConfig;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.P2pConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The block explorer's lookups under concurrent load (issue 6): one node holding a {@link
 * TransferChain} (default 100 blocks x 2,000 transfers = 200,000 transactions), its explorer on
 * 127.0.0.1 (port chosen by the OS), and {@code C} client threads, each with one keep-alive
 * HTTP/1.1 connection ({@link HttpConnection}), sending a seeded random mix of four lookups, one
 * quarter each, over the whole chain so that no cache holds the answers:
 *
 * <ul>
 *   <li>{@code block}: {@code GET /api/block/{hash}} of a random block; the answer must carry that
 *       {@code "id"};
 *   <li>{@code tx}: {@code GET /api/tx/{txid}} of a random transaction (any block, any position);
 *       the answer must carry that {@code "txid"};
 *   <li>{@code address}: {@code GET /api/address/{address}/txs} of a random sender (a history of
 *       one transfer per block: the answer must start with its newest) or a random recipient (one
 *       transaction: it must be that one), half each;
 *   <li>{@code page}: {@code GET /api/address/{sender}/txs/chain/{txid}} with the cursor at a
 *       random block's transfer of a random sender: the page must start with the same sender's
 *       transfer of the block before.
 * </ul>
 *
 * Each thread warms up for {@code W} seconds, then counts and times (System.nanoTime around each
 * request, to the last byte of the answer) every request it starts during the next {@code S}
 * seconds. A status other than 200 or an answer without the expected id fails the run. Reports
 * lookups/s overall and per route, latency percentiles (exact, from the sorted samples), and the
 * CPU the server used: the process's CPU time minus the client threads' own, as a share of the
 * machine's cores. Client and server share this JVM and the machine's cores, so the clients' CPU
 * is taken from what the server could have had.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.cairn.bench.ExplorerLoadBench
 * [--clients 4,8,16] [--warmup W] [--seconds S] [--blocks B] [--senders K]}; defaults: clients 8,
 * W=10, S=20, B=100, K=2000. Several client counts run one after another against the same node.
 */
public final class ExplorerLoadBench {
  private static final long SEED = Fixtures.SEED;

  private ExplorerLoadBench() {}

  record Options(int[] clients, int warmupSeconds, int seconds, int blocks, int senders) {
    static Options parse(String[] args) {
      int[] clients = {8};
      int warmup = 60, seconds = 20, blocks = 100, senders = 2_000;
      if (args.length % 2 != 0) {
        throw new IllegalArgumentException(
            "usage: ExplorerLoadBench [--clients 4,8,16] [--warmup W] [--seconds S] [--blocks B] [--senders K]");
      }
      for (int i = 0; i < args.length; i += 2) {
        String v = args[i + 1];
        switch (args[i]) {
          case "--clients" -> clients = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
          case "--warmup" -> warmup = Integer.parseInt(v);
          case "--seconds" -> seconds = Integer.parseInt(v);
          case "--blocks" -> blocks = Integer.parseInt(v);
          case "--senders" -> senders = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      return new Options(clients, warmup, seconds, blocks, senders);
    }
  }

  enum Route { BLOCK, TX, ADDRESS, PAGE }

  /** What a request asks and what its answer must contain. */
  record Lookup(Route route, String path, String expected) {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Fixtures.quietLogs();
    System.out.printf(
        Locale.ROOT, "# ExplorerLoadBench clients=%s warm-up %d s, window %d s, %d blocks x %d transfers; JDK %s, %d CPUs; load average before: %s%n",
        Arrays.toString(o.clients()), o.warmupSeconds(), o.seconds(), o.blocks(), o.senders(),
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), Fixtures.loadAverage());
    Path dir = Fixtures.tempDir("cairn-explorer-load-");
    try {
      Prepared p = prepare(o, dir);
      Targets targets = p.targets();
      // The node's default store settings (128 MiB block cache), not the small test ones.
      NodeConfig config =
          new NodeConfig(
              p.spec(), dir, "127.0.0.1", 0, "127.0.0.1", 0, "127.0.0.1", 0, false, Optional.empty(), 1,
              StoreConfig.DEFAULT, MempoolPolicy.DEFAULT, P2pConfig.forTests(List.of()));
      try (Node node = new Node(config).start()) {
        List<String> rows = new ArrayList<>();
        for (int c : o.clients()) {
          rows.addAll(run(node.httpPort(), targets, c, o));
        }
        System.out.printf(
            Locale.ROOT,
            "%n| clients | route | lookups/s | p50 ms | p90 ms | p99 ms | max ms | server CPU (of 2 cores) |%n"
                + "|---:|---|---:|---:|---:|---:|---:|---:|%n");
        rows.forEach(System.out::println);
      }
    } finally {
      Fixtures.deleteTree(dir);
    }
    System.out.printf(Locale.ROOT, "%nload average after: %s%n", Fixtures.loadAverage());
  }

  record Prepared(ChainSpec spec, Targets targets) {}

  /**
   * Writes the chain into {@code dir} and keeps only its ids: the decoded chain (hundreds of MB
   * of transfers) becomes garbage before the measurement, so the JVM's heap is the node's own.
   */
  private static Prepared prepare(Options o, Path dir) throws Exception {
    TransferChain chain = TransferChain.cached(o.blocks(), o.senders());
    long t0 = System.nanoTime();
    chain.writeDataDir(dir);
    System.out.printf(Locale.ROOT, "# data directory written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    return new Prepared(chain.spec, new Targets(chain));
  }

  /** One measurement with {@code clients} threads; returns its table rows. */
  private static List<String> run(int port, Targets targets, int clients, Options o) throws Exception {
    long startAt = System.nanoTime();
    long measureFrom = startAt + o.warmupSeconds() * 1_000_000_000L;
    long measureTo = measureFrom + o.seconds() * 1_000_000_000L;
    Client[] workers = new Client[clients];
    Thread[] threads = new Thread[clients];
    CountDownLatch done = new CountDownLatch(clients);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < clients; i++) {
      workers[i] = new Client(port, targets, new Random(SEED + 31L * clients + i), measureFrom, measureTo);
      Client w = workers[i];
      threads[i] =
          new Thread(
              () -> {
                try {
                  w.run();
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                } finally {
                  done.countDown();
                }
              },
              "explorer-client-" + i);
      threads[i].start();
    }
    // The process's CPU over the window: sampled at its edges on this (sleeping) thread.
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Thread.sleep(Math.max(0, (measureFrom - System.nanoTime()) / 1_000_000));
    long cpu0 = os.getProcessCpuTime();
    Thread.sleep(Math.max(0, (measureTo - System.nanoTime()) / 1_000_000));
    long cpu1 = os.getProcessCpuTime();
    done.await();
    if (failure.get() != null) {
      throw new IllegalStateException("a lookup failed", failure.get());
    }
    long clientCpu = 0;
    long[][] byRoute = new long[Route.values().length][];
    List<long[]> all = new ArrayList<>();
    for (Route r : Route.values()) {
      List<long[]> parts = new ArrayList<>();
      for (Client w : workers) {
        parts.add(w.latencies(r));
      }
      byRoute[r.ordinal()] = concat(parts);
      all.add(byRoute[r.ordinal()]);
    }
    for (Client w : workers) {
      clientCpu += w.windowCpuNanos;
    }
    long[] every = concat(all);
    double window = o.seconds();
    int cores = Runtime.getRuntime().availableProcessors();
    double serverShare = (cpu1 - cpu0 - clientCpu) / 1e9 / window / cores;
    double clientShare = clientCpu / 1e9 / window / cores;
    // CPU per lookup depends far less on other work on the machine than lookups/s does: the
    // bound 2 idle cores would give is cores / (server CPU per lookup).
    double serverMsPerLookup = (cpu1 - cpu0 - clientCpu) / 1e6 / Math.max(1, every.length);
    System.out.printf(
        Locale.ROOT,
        "clients %d: %,.0f lookups/s, p99 %.2f ms; CPU of %d cores: server+JVM %.0f%%, client threads %.0f%%;"
            + " server CPU %.2f ms per lookup (idle-core bound %,.0f lookups/s); load %s%n",
        clients, every.length / window, percentile(every, 0.99), cores, 100 * serverShare, 100 * clientShare,
        serverMsPerLookup, cores * 1000 / serverMsPerLookup, Fixtures.loadAverage());
    List<String> rows = new ArrayList<>();
    rows.add(row(clients, "**all**", every, window, String.format(Locale.ROOT, "%.0f%% (clients %.0f%%)", 100 * serverShare, 100 * clientShare)));
    for (Route r : Route.values()) {
      rows.add(row(clients, r.name().toLowerCase(Locale.ROOT), byRoute[r.ordinal()], window, ""));
    }
    return rows;
  }

  private static String row(int clients, String route, long[] sorted, double window, String cpu) {
    return String.format(
        Locale.ROOT, "| %d | %s | %,.0f | %.2f | %.2f | %.2f | %.2f | %s |",
        clients, route, sorted.length / window, percentile(sorted, 0.50), percentile(sorted, 0.90),
        percentile(sorted, 0.99), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6, cpu);
  }

  private static long[] concat(List<long[]> parts) {
    long[] out = new long[parts.stream().mapToInt(p -> p.length).sum()];
    int at = 0;
    for (long[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    Arrays.sort(out);
    return out;
  }

  /** The nearest-rank percentile of sorted nanosecond samples, in milliseconds. */
  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
  }

  /**
   * The chain's ids, as the explorer writes them, to draw lookups from. Immutable; shared by the
   * client threads.
   */
  static final class Targets {
    private final String[] blockHashes;
    /** [block][position]: transaction ids, coinbase first. */
    private final String[][] txids;
    /** [block][sender]: the sender's transfer's recipient. */
    private final String[][] recipients;
    private final String[] senders;
    private final int blocks;
    private final int senderCount;

    Targets(TransferChain chain) {
      String hrp = chain.spec.params().addressPrefix();
      blocks = chain.blocks.size();
      senderCount = chain.senders;
      blockHashes = new String[blocks];
      txids = new String[blocks][];
      recipients = new String[blocks][senderCount];
      senders = new String[senderCount];
      for (int b = 0; b < blocks; b++) {
        Block block = chain.blocks.get(b);
        blockHashes[b] = block.hash().toHex();
        List<Transaction> txs = block.transactions();
        txids[b] = new String[txs.size()];
        for (int i = 0; i < txs.size(); i++) {
          txids[b][i] = txs.get(i).id().toHex();
          if (txs.get(i) instanceof dev.cairn.ledger.Transfer t) {
            recipients[b][i - 1] = t.recipient().toText(hrp);
            if (b == 0) {
              senders[i - 1] = t.senderAddress().toText(hrp);
            }
          }
        }
      }
    }

    /** A random lookup; the route cycles so that each is a quarter of the mix. */
    Lookup next(Random random) {
      Route route = Route.values()[random.nextInt(Route.values().length)];
      int b = random.nextInt(blocks);
      int s = random.nextInt(senderCount);
      return switch (route) {
        case BLOCK -> new Lookup(route, "/api/block/" + blockHashes[b], "\"id\":\"" + blockHashes[b] + "\"");
        case TX -> {
          String id = txids[b][random.nextInt(txids[b].length)];
          yield new Lookup(route, "/api/tx/" + id, "\"txid\":\"" + id + "\"");
        }
        case ADDRESS -> random.nextBoolean()
            // A sender's newest confirmed transaction is its transfer in the last block.
            ? new Lookup(route, "/api/address/" + senders[s] + "/txs", "[{\"txid\":\"" + txids[blocks - 1][s + 1] + "\"")
            : new Lookup(route, "/api/address/" + recipients[b][s] + "/txs", "[{\"txid\":\"" + txids[b][s + 1] + "\"");
        case PAGE -> {
          int cursor = 1 + random.nextInt(blocks - 1);
          yield new Lookup(
              route,
              "/api/address/" + senders[s] + "/txs/chain/" + txids[cursor][s + 1],
              "[{\"txid\":\"" + txids[cursor - 1][s + 1] + "\"");
        }
      };
    }
  }

  /** One client thread's connection, lookups and latency samples. Confined to its thread. */
  private static final class Client {
    private final int port;
    private final Targets targets;
    private final Random random;
    private final long measureFrom;
    private final long measureTo;
    private final long[][] samples = new long[Route.values().length][1 << 14];
    private final int[] counts = new int[Route.values().length];
    long windowCpuNanos;

    Client(int port, Targets targets, Random random, long measureFrom, long measureTo) {
      this.port = port;
      this.targets = targets;
      this.random = random;
      this.measureFrom = measureFrom;
      this.measureTo = measureTo;
    }

    void run() throws Exception {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long cpuAtStart = -1;
      try (HttpConnection http = new HttpConnection("127.0.0.1", port)) {
        while (true) {
          long start = System.nanoTime();
          if (start >= measureTo) {
            break;
          }
          if (cpuAtStart < 0 && start >= measureFrom) {
            cpuAtStart = mx.getCurrentThreadCpuTime();
          }
          Lookup l = targets.next(random);
          HttpConnection.Response r = http.get(l.path());
          long end = System.nanoTime();
          if (r.status() != 200 || !r.body().contains(l.expected())) {
            throw new IllegalStateException(
                "GET " + l.path() + ": status " + r.status() + ", expected " + l.expected() + " in "
                    + r.body().substring(0, Math.min(300, r.body().length())));
          }
          if (start >= measureFrom) {
            record(l.route(), end - start);
          }
        }
      }
      windowCpuNanos = cpuAtStart < 0 ? 0 : mx.getCurrentThreadCpuTime() - cpuAtStart;
    }

    private void record(Route route, long nanos) {
      int r = route.ordinal();
      if (counts[r] == samples[r].length) {
        samples[r] = Arrays.copyOf(samples[r], counts[r] * 2);
      }
      samples[r][counts[r]++] = nanos;
    }

    long[] latencies(Route route) {
      return Arrays.copyOf(samples[route.ordinal()], counts[route.ordinal()]);
    }
  }
}
