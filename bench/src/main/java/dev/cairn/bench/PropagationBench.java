package dev.cairn.bench;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Miner;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.node.Node;
import dev.cairn.p2p.PeerStatus;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Block propagation across 8 real nodes on 127.0.0.1 (issue 5): how long after node 0 connects a
 * block the LAST of the 8 nodes has it as its tip. Not JMH: one JVM runs the nodes (real gRPC peer
 * connections, real RocksDB), one poller thread per node ({@link TipPollers}) and the miner. The
 * latency of a block is the last node's poller sighting minus node 0's own poller sighting, or
 * minus the moment {@link Miner#generate} returned on node 0 if that was earlier.
 *
 * <p>Topology: node i dials nodes i+1 and i+3 (mod 8) and nobody else (outbound target 2), so
 * every node has 2 outbound and 2 inbound peers; from node 0, nodes 1, 3, 5 and 7 are one hop
 * away and 2, 4 and 6 two. Blocks are mined on demand on node 0 (regtest's trivial proof of work,
 * {@link Miner#generate}); mining is off everywhere. After each block the tool waits (bounded)
 * until all 8 nodes have it; before the next it pauses {@value #GAP_MILLIS} ms ({@value #TX_GAP_MILLIS}
 * ms before a block of transactions).
 *
 * <p>Phase 1: empty blocks (coinbase only). Phase 2: blocks of {@value #TXS_PER_BLOCK} transfers
 * that every node already holds: the transfers (one each from 1,000 funded senders) go into node
 * 0's mempool, the tool waits until all 8 mempools hold all of them (gossip), then node 0 mines
 * one block with them. The first {@value #EMPTY_WARMUP} empty and {@value #TX_WARMUP} full blocks
 * warm the JIT and are not counted.
 *
 * <p>Usage (from the repository root): {@code java -cp bench/target/benchmarks.jar
 * dev.cairn.bench.PropagationBench [EMPTY_BLOCKS [TX_BLOCKS [SVG]]]}, defaults 100, 20 and
 * {@code docs/propagation.svg}. Prints a Markdown table and writes the latency distributions as
 * an SVG plot.
 */
public final class PropagationBench {
  static final int NODES = 8;
  /** Node i dials i+1 and i+3: connected, 4 peers each, every node within 2 hops of every other. */
  static final int[] DIALS = {1, 3};
  static final int TXS_PER_BLOCK = 1_000;
  static final int EMPTY_WARMUP = 5;
  static final int TX_WARMUP = 2;
  static final long POLL_NANOS = 250_000;
  /** Quiet time before each block, so the previous block's trailing messages do not overlap it. */
  static final long GAP_MILLIS = 100;
  /**
   * Before a full block, longer: nodes announce transactions in 200 ms batches, so for a while
   * after every mempool holds them all, redundant announcements are still travelling; on a live
   * network those are long over when a block with transactions relayed minutes ago arrives.
   */
  static final long TX_GAP_MILLIS = 1_000;
  static final Duration TOPOLOGY_TIMEOUT = Duration.ofSeconds(60);
  static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(60);
  static final Duration RELAY_TIMEOUT = Duration.ofSeconds(120);

  /** The goals of issue 5, for empty blocks. */
  static final double GOAL_P50_MILLIS = 25;
  static final double GOAL_P99_MILLIS = 250;

  private final PropagationNet net;
  private final Arrivals arrivals;
  private final int[] hops;
  private final Address miner = Fixtures.recipient(-1);
  private final HttpClient http = HttpClient.newHttpClient();

  /** One phase's measured blocks and what the 7 receiving nodes spent validating and writing them. */
  record Phase(List<BlockTiming> blocks, BlockTimers receivers) {}

  private PropagationBench(PropagationNet net, Arrivals arrivals, int[] hops) {
    this.net = net;
    this.arrivals = arrivals;
    this.hops = hops;
  }

  public static void main(String[] args) throws Exception {
    int emptyBlocks = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int txBlocks = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Path svg = args.length > 2 ? Path.of(args[2]) : Path.of("docs", "propagation.svg");
    if (emptyBlocks < 1 || txBlocks < 0) {
      throw new IllegalArgumentException("usage: PropagationBench [EMPTY_BLOCKS >= 1 [TX_BLOCKS >= 0 [SVG]]]");
    }
    Fixtures.quietLogs();
    String loadBefore = Fixtures.loadAverage();
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    PrivateKey[] keys = Fixtures.keys(TXS_PER_BLOCK);
    ChainSpec spec = Fixtures.fundedRegtest(keys);
    // Signed before the nodes start, so signing does not compete with the measurement.
    Transfer[] transfers =
        txBlocks == 0
            ? new Transfer[0]
            : Fixtures.noncesFrom(keys, 0, TX_WARMUP + txBlocks, spec.genesisHash());
    System.out.printf(
        Locale.ROOT,
        "# PropagationBench: %d nodes, node i dials %s, %d (+%d warm-up) empty blocks, %d (+%d warm-up)"
            + " blocks of %d relayed transfers; JDK %s, %d CPUs; load average before %s%n",
        NODES, Arrays.toString(DIALS), emptyBlocks, EMPTY_WARMUP, txBlocks, TX_WARMUP, TXS_PER_BLOCK,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), loadBefore);

    Phase empty;
    Phase full;
    double pollerCores;
    String topology;
    try (PropagationNet net = PropagationNet.start(spec, NODES, DIALS)) {
      List<List<PeerStatus>> peers = net.awaitTopology(TOPOLOGY_TIMEOUT);
      topology = PropagationNet.describe(peers);
      int[] hops = net.hopsFromNodeZero();
      System.out.println("# connected: " + topology + "; hops from node 0: " + Arrays.toString(hops));
      Arrivals arrivals = new Arrivals(NODES);
      List<Blockchain> chains = net.nodes().stream().map(Node::chain).toList();
      try (TipPollers pollers = new TipPollers(chains, arrivals, POLL_NANOS)) {
        long cpu0 = pollers.cpuNanos();
        long wall0 = System.nanoTime();
        PropagationBench bench = new PropagationBench(net, arrivals, hops);
        empty = bench.emptyBlocks(emptyBlocks);
        full = bench.fullBlocks(transfers, txBlocks);
        pollerCores = (pollers.cpuNanos() - cpu0) / (double) (System.nanoTime() - wall0);
        // The designed connections must still be the only ones at the end.
        String after = PropagationNet.describe(net.nodes().stream().map(n -> n.network().peers()).toList());
        if (!after.equals(topology)) {
          throw new IllegalStateException("topology changed during the run: " + after);
        }
      }
    }
    String loadAfter = Fixtures.loadAverage();
    report(empty, full, pollerCores, loadBefore, loadAfter, topology);
    writePlot(svg, empty, full, started, loadBefore, loadAfter);
  }

  private Phase emptyBlocks(int count) throws Exception {
    List<BlockTiming> out = new ArrayList<>();
    BlockTimers before = BlockTimers.ZERO;
    for (int i = 0; i < EMPTY_WARMUP + count; i++) {
      if (i == EMPTY_WARMUP) {
        before = receiverTimers();
      }
      BlockTiming t = mineAndMeasure(1, GAP_MILLIS);
      if (i >= EMPTY_WARMUP) {
        out.add(t);
      }
      progress("empty", i - EMPTY_WARMUP, t);
    }
    return new Phase(out, receiverTimers().minus(before));
  }

  /** Summed over nodes 1-7: node 0 mines, so its own timers are not propagation. */
  private BlockTimers receiverTimers() throws IOException, InterruptedException {
    return BlockTimers.scrapeAll(http, net.nodes().subList(1, NODES).stream().map(Node::httpPort).toList());
  }

  private Phase fullBlocks(Transfer[] transfers, int count) throws Exception {
    List<BlockTiming> out = new ArrayList<>();
    Node origin = net.nodes().get(0);
    BlockTimers before = BlockTimers.ZERO;
    for (int i = 0; i < (count == 0 ? 0 : TX_WARMUP + count); i++) {
      if (i == TX_WARMUP) {
        before = receiverTimers();
      }
      Transfer[] batch = Arrays.copyOfRange(transfers, i * TXS_PER_BLOCK, (i + 1) * TXS_PER_BLOCK);
      long t0 = System.nanoTime();
      for (Transfer tx : batch) {
        try {
          origin.mempool().add(tx);
        } catch (RejectedException e) {
          throw new IllegalStateException("node 0 refused transfer " + tx.id() + ": " + e.getMessage(), e);
        }
      }
      long admitted = System.nanoTime();
      awaitMempools(batch);
      long relayed = System.nanoTime();
      BlockTiming t = mineAndMeasure(TXS_PER_BLOCK + 1, TX_GAP_MILLIS);
      if (i >= TX_WARMUP) {
        out.add(t);
      }
      System.out.printf(
          Locale.ROOT, "  (1,000 transfers: admitted on node 0 in %.0f ms, in all 8 mempools %.0f ms later)%n",
          (admitted - t0) / 1e6, (relayed - admitted) / 1e6);
      progress("1,000 tx", i - TX_WARMUP, t);
      awaitEmptyMempools();
    }
    return new Phase(out, count == 0 ? BlockTimers.ZERO : receiverTimers().minus(before));
  }

  /** Mines one block on node 0 and waits for it everywhere; checks it holds {@code expectedTxs}. */
  private BlockTiming mineAndMeasure(int expectedTxs, long gapMillis) throws Exception {
    Thread.sleep(gapMillis);
    Node origin = net.nodes().get(0);
    long start = System.nanoTime();
    Hash hash = Miner.generate(origin.chain(), origin.assembler(), miner, 1).get(0);
    long returned = System.nanoTime();
    long[] seen = arrivals.awaitAll(hash, BLOCK_TIMEOUT);
    // Node 0 had the block by the time generate returned (the tip moves inside processBlock): when
    // its poller was descheduled longer than that (a loaded machine), that moment is the better
    // bound of when node 0 connected it.
    seen[0] = Math.min(seen[0], returned);
    Block block = origin.chain().store().body(hash).orElseThrow();
    if (block.transactions().size() != expectedTxs) {
      throw new IllegalStateException(
          "block " + hash + " has " + block.transactions().size() + " transactions, expected " + expectedTxs);
    }
    for (Node n : net.nodes()) {
      if (!n.chain().tip().hash().equals(hash)) {
        throw new IllegalStateException("a node moved past block " + hash + " without a new block mined");
      }
    }
    return new BlockTiming(block.header().height(), expectedTxs, seen, hops, seen[0] - start);
  }

  /** Waits until every node's mempool holds every transfer of {@code batch}. */
  private void awaitMempools(Transfer[] batch) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + RELAY_TIMEOUT.toNanos();
    for (int i = 0; i < net.nodes().size(); i++) {
      Node n = net.nodes().get(i);
      for (Transfer tx : batch) {
        while (!n.mempool().contains(tx.id())) {
          if (System.nanoTime() > deadline) {
            throw new TimeoutException(
                "node " + i + " lacks transfer " + tx.id() + " after " + RELAY_TIMEOUT + " (holds "
                    + n.mempool().stats().count() + ")");
          }
          Thread.sleep(5);
        }
      }
    }
  }

  /** After a full block every mempool must be empty again before the next round starts. */
  private void awaitEmptyMempools() throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + BLOCK_TIMEOUT.toNanos();
    for (int i = 0; i < net.nodes().size(); i++) {
      while (net.nodes().get(i).mempool().stats().count() > 0) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("node " + i + "'s mempool still holds transfers after the block");
        }
        Thread.sleep(5);
      }
    }
  }

  private static void progress(String kind, int index, BlockTiming t) {
    System.out.printf(
        Locale.ROOT, "%s block %s (height %d, %d txs): last node after %.2f ms (1 hop %.2f, 2 hops %.2f); mined in %.1f ms%n",
        kind, index < 0 ? "warm-up" : Integer.toString(index + 1), t.height(), t.transactions(), t.latencyMillis(),
        t.hopMillis(1), t.hopMillis(2), t.mineNanos() / 1e6);
  }

  private static double[] latencies(List<BlockTiming> timings) {
    return timings.stream().mapToDouble(BlockTiming::latencyMillis).toArray();
  }

  private static void report(
      Phase empty, Phase full, double pollerCores, String loadBefore, String loadAfter, String topology) {
    LatencySummary e = LatencySummary.of(latencies(empty.blocks()));
    boolean hasFull = !full.blocks().isEmpty();
    System.out.println();
    System.out.println("Propagation to the last of " + NODES + " nodes (from node 0 having the block to the last node having it):");
    System.out.println();
    System.out.println(LatencySummary.markdownHeader());
    System.out.println(e.markdownRow("empty"));
    if (hasFull) {
      System.out.println(LatencySummary.of(latencies(full.blocks())).markdownRow("1,000 relayed transfers"));
    }
    System.out.println();
    System.out.println("Per hop (the last node at that distance from node 0):");
    System.out.println();
    System.out.println(LatencySummary.markdownHeader());
    for (Phase phase : hasFull ? List.of(empty, full) : List.of(empty)) {
      String kind = phase == empty ? "empty" : "1,000 txs";
      for (int hop = 1; hop <= 2; hop++) {
        int h = hop;
        System.out.println(
            LatencySummary.of(phase.blocks().stream().mapToDouble(t -> t.hopMillis(h)).toArray())
                .markdownRow(kind + ", " + hop + " hop" + (hop > 1 ? "s" : "")));
      }
    }
    System.out.println();
    for (Phase phase : hasFull ? List.of(empty, full) : List.of(empty)) {
      System.out.printf(
          Locale.ROOT,
          "%s: receiving nodes' own work per block (means over nodes 1-7, from their /metrics): validation %.2f ms,"
              + " synced store write %.2f ms; node 0 mining it (not counted) median %.1f ms%n",
          phase == empty ? "empty" : "1,000 txs", phase.receivers().validateMillisPerBlock(),
          phase.receivers().connectMillisPerBlock(),
          Fixtures.median(phase.blocks().stream().mapToDouble(t -> t.mineNanos() / 1e6).toArray()));
    }
    System.out.printf(Locale.ROOT, "Pollers' CPU: %.3f cores on average%n", pollerCores);
    System.out.println("Peers: " + topology);
    System.out.println("Load average before " + loadBefore + ", after " + loadAfter);
    boolean met = e.p50() < GOAL_P50_MILLIS && e.p99() < GOAL_P99_MILLIS;
    System.out.printf(
        Locale.ROOT, "Goal (empty blocks p50 < %.0f ms and p99 < %.0f ms): %s (p50 %.1f ms, p99 %.1f ms)%n",
        GOAL_P50_MILLIS, GOAL_P99_MILLIS, met ? "MET" : "NOT MET", e.p50(), e.p99());
  }

  private static void writePlot(
      Path svg, Phase empty, Phase full, Instant started, String loadBefore,
      String loadAfter) throws IOException {
    List<LatencyPlot.Series> series = new ArrayList<>();
    series.add(new LatencyPlot.Series("empty blocks", "#1f6fb4", latencies(empty.blocks())));
    if (!full.blocks().isEmpty()) {
      series.add(new LatencyPlot.Series("blocks of 1,000 relayed transfers", "#d9731a", latencies(full.blocks())));
    }
    List<String> subtitle =
        List.of(
            String.format(
                Locale.ROOT,
                "%d nodes on 127.0.0.1 (node i dials i+1 and i+3); latency: node 0 has the block \u2192 the last node"
                    + " has it as tip.",
                NODES),
            String.format(
                Locale.ROOT, "%s, load average %s before, %s after. Each dot is one block; dashed red: the goals.",
                started.atOffset(ZoneOffset.UTC).toLocalDate(), firstField(loadBefore), firstField(loadAfter)));
    Path parent = svg.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(
        svg,
        LatencyPlot.svg(
            "Block propagation to the last of 8 nodes (cumulative distribution)", subtitle, series,
            List.of(
                new LatencyPlot.Goal(GOAL_P50_MILLIS, 0.50, "p50 goal 25 ms"),
                new LatencyPlot.Goal(GOAL_P99_MILLIS, 0.99, "p99 goal 250 ms"))));
    System.out.println("Plot written to " + svg);
  }

  private static String firstField(String load) {
    return load.split(" ")[0];
  }
}
