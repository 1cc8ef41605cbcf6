package dev.cairn.bench;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.StoreConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Where the CPU of a block connect goes, in CPU time rather than wall time, so that other work on
 * a shared machine (which steals whole cores from a 2-thread measurement) distorts it far less
 * than {@link BlockConnectBench}'s throughput. Connects {@link BlockConnectBench}'s blocks exactly
 * as {@code connectBlock} does (fresh chain, empty signature cache, 2 verification threads) and
 * splits each block's CPU time into the calling thread's (everything but the signatures: header
 * and body checks, storing, state transition, the connect batch), the verification threads' and
 * the rest of the process (RocksDB's background flushes, GC, JIT); beside it the CPU time of 2,000
 * raw Bouncy Castle verifies on one thread. From those it predicts the ratio an otherwise idle
 * 2-core machine would show: raw time / (calling thread + verification / 2).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.cairn.bench.BlockConnectCpu [rounds]}
 * (default 6; the first round is warm-up and not counted).
 */
public final class BlockConnectCpu {
  private BlockConnectCpu() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    BlockConnectBench.Data data = BlockConnectBench.Data.get();
    List<Thread> verifyThreads = new CopyOnWriteArrayList<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            BlockConnectBench.VERIFY_THREADS,
            r -> {
              Thread t = new Thread(r, "verify");
              t.setDaemon(true);
              verifyThreads.add(t);
              return t;
            });
    int blocks = data.blocks.length;
    int txs = BlockConnectBench.TXS;
    long wall = 0;
    long main = 0;
    long verify = 0;
    long process = 0;
    long raw = 0;
    int counted = 0;
    System.out.printf(
        Locale.ROOT,
        "# %d blocks of %d transfers per round, %d rounds (first not counted); JDK %s, %d CPUs; load %s%n",
        blocks, txs, rounds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Fixtures.loadAverage());
    for (int round = 0; round < rounds; round++) {
      Path dir = Fixtures.tempDir("cairn-bench-cpu-");
      ChainStore store = ChainStore.openRocksDb(dir.resolve("chain"), StoreConfig.DEFAULT, data.spec);
      try {
        Blockchain chain =
            new Blockchain(
                store,
                TimeSource.SYSTEM,
                new SignatureVerifier(new SignatureCache(200_000), pool, BlockConnectBench.VERIFY_THREADS));
        long roundWall = 0;
        long roundMain = 0;
        long roundVerify = 0;
        long roundProcess = 0;
        for (Block block : data.blocks) {
          long w0 = System.nanoTime();
          long m0 = mx.getCurrentThreadCpuTime();
          long v0 = cpu(mx, verifyThreads);
          long p0 = os.getProcessCpuTime();
          Blockchain.BlockResult result = chain.processBlock(block);
          roundProcess += os.getProcessCpuTime() - p0;
          roundVerify += cpu(mx, verifyThreads) - v0;
          roundMain += mx.getCurrentThreadCpuTime() - m0;
          roundWall += System.nanoTime() - w0;
          if (result.outcome() != Blockchain.Outcome.CONNECTED) {
            throw new IllegalStateException("block " + block.hash() + ": " + result.outcome());
          }
        }
        long r0 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < blocks * txs; i++) {
          byte[] m = data.signingBytes[i];
          if (!Ed25519.verify(data.signatures[i], 0, data.publicKeys[i], 0, m, 0, m.length)) {
            throw new IllegalStateException("transfer " + i + " does not verify");
          }
        }
        long roundRaw = mx.getCurrentThreadCpuTime() - r0;
        System.out.printf(
            Locale.ROOT,
            "round %d: per block wall %.1f ms; CPU: calling thread %.1f ms, verification %.1f ms,"
                + " rest of process %.1f ms; raw verify (1 thread) %.1f ms%n",
            round, ms(roundWall, blocks), ms(roundMain, blocks), ms(roundVerify, blocks),
            ms(roundProcess - roundMain - roundVerify, blocks), ms(roundRaw, blocks));
        if (round > 0) {
          wall += roundWall;
          main += roundMain;
          verify += roundVerify;
          process += roundProcess;
          raw += roundRaw;
          counted += blocks;
        }
      } finally {
        store.close();
        Fixtures.deleteTree(dir);
      }
    }
    pool.shutdownNow();
    if (counted == 0) {
      return;
    }
    double m = ms(main, counted);
    double v = ms(verify, counted);
    double rest = ms(process - main - verify, counted);
    double r = ms(raw, counted);
    System.out.printf(
        Locale.ROOT,
        "%nper block of %d transfers (mean of %d blocks): wall %.1f ms; CPU: calling thread %.1f ms,"
            + " verification threads %.1f ms (%.1f us per signature), rest of process %.1f ms;"
            + " raw verify %.1f ms (%.1f us per signature)%n",
        txs, counted, ms(wall, counted), m, v, v * 1000 / txs, rest, r, r * 1000 / txs);
    System.out.printf(
        Locale.ROOT,
        "idle 2-core prediction, raw / (calling thread + verification / 2): %.3f%n"
            + "2-core bound if every CPU-second overlapped perfectly, raw / (all CPU / 2): %.3f%n"
            + "load average after: %s%n",
        r / (m + v / 2), r / ((m + v + rest) / 2), Fixtures.loadAverage());
  }

  private static long cpu(ThreadMXBean mx, List<Thread> threads) {
    long sum = 0;
    for (Thread t : threads) {
      long c = mx.getThreadCpuTime(t.getId());
      if (c > 0) {
        sum += c;
      }
    }
    return sum;
  }

  private static double ms(long nanos, int blocks) {
    return nanos / 1e6 / blocks;
  }
}
