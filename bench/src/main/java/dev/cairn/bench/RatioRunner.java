package dev.cairn.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Measures each Cairn benchmark as a ratio to its raw primitive with the two <em>interleaved</em>
 * in one JVM: after a warm-up, every round runs one short JMH iteration of each method of a
 * comparison (alternating the order), and the ratio is taken within the round. On a shared,
 * noisy machine the speed of the host drifts by up to 2x over tens of seconds, which a plain JMH
 * run (all iterations of one method, then all of the next) turns into a fake ratio; interleaving
 * exposes both methods to the same drift, and the median over rounds discards the outliers.
 * Slowdowns from other work only ever lower a score, so the ratio of the best rounds is printed
 * too: it approximates the ratio on an idle machine.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.cairn.bench.RatioRunner [rounds
 * [seconds per iteration [filter...]]]}, or {@code bench/run.sh --ratios ...}. A filter is a
 * benchmark class ({@code AdmissionBench}: all its comparisons) or a class and one of its Cairn
 * methods ({@code AdmissionBench.mempoolAdd}: that method against the raw primitive).
 */
public final class RatioRunner {
  /**
   * A raw primitive and the Cairn operations measured against it, all in one class, with how many
   * warm-up iterations each method gets before the rounds start.
   */
  private record Comparison(String benchClass, String raw, List<String> others, int warmups) {
    Comparison(String benchClass, String raw, List<String> others) {
      this(benchClass, raw, others, WARMUP_ITERATIONS);
    }

    /** This comparison restricted to the Cairn methods {@code filters} name, or null if none. */
    Comparison select(List<String> filters) {
      if (filters.isEmpty() || filters.stream().anyMatch(f -> !f.contains(".") && benchClass.contains(f))) {
        return this;
      }
      List<String> chosen = new ArrayList<>();
      for (String m : others) {
        if (filters.contains(benchClass + "." + m)) {
          chosen.add(m);
        }
      }
      return chosen.isEmpty() ? null : new Comparison(benchClass, raw, chosen, warmups);
    }
  }

  private static final List<Comparison> COMPARISONS =
      List.of(
          new Comparison(
              "SignatureBench", "rawBouncyCastleVerify", List.of("cairnPublicKeyVerify")),
          new Comparison(
              "HeaderHashBench",
              "rawJdkDoubleSha256",
              List.of("headerDecodeAndHash", "headerWithNonceHash")),
          new Comparison(
              "TransactionBench", "rawVerify", List.of("decodeAndCheckStateless", "decodeOnly")),
          // gRPC's client and server paths take 20-30 s of calls to reach steady state here.
          new Comparison(
              "AdmissionBench",
              "rawVerify",
              List.of(
                  "mempoolAdd", "decodeAndMempoolAdd", "grpcSubmit", "grpcSubmit4Clients", "grpcRoundTripOnly"),
              15),
          new Comparison(
              "MinerBench", "rawJdkDoubleSha256", List.of("nonceSearch", "nonceSearchTwoThreads")),
          new Comparison(
              "BlockConnectBench", "rawVerify", List.of("connectBlock", "verifyOnly", "storeOnly", "decodeOnly")));

  private static final int WARMUP_ITERATIONS = 5;

  private RatioRunner() {}

  public static void main(String[] args) throws RunnerException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    List<String> filters = args.length > 2 ? Arrays.asList(args).subList(2, args.length) : List.of();

    System.out.printf(
        Locale.ROOT,
        "# interleaved JMH: warm-up x %ds, then %d rounds of 1 x %ds per method; JDK %s, %d CPUs%n",
        seconds, rounds, seconds,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "# load average before: %s%n", Fixtures.loadAverage());
    for (Comparison c : COMPARISONS) {
      Comparison selected = c.select(filters);
      if (selected != null) {
        run(selected, rounds, seconds);
      }
    }
  }

  private static void run(Comparison c, int rounds, int seconds) throws RunnerException {
    List<String> methods = new ArrayList<>();
    methods.add(c.raw());
    methods.addAll(c.others());
    for (String m : methods) {
      measure(c.benchClass(), m, c.warmups(), seconds);
    }
    Map<String, double[]> scores = new LinkedHashMap<>();
    for (String m : methods) {
      scores.put(m, new double[rounds]);
    }
    for (int r = 0; r < rounds; r++) {
      List<String> order = new ArrayList<>(methods);
      if (r % 2 == 1) {
        Collections.reverse(order);
      }
      for (String m : order) {
        scores.get(m)[r] = measure(c.benchClass(), m, 0, seconds);
      }
      System.err.printf(Locale.ROOT, "%s round %d/%d done%n", c.benchClass(), r + 1, rounds);
    }
    report(c, scores, rounds);
  }

  private static double measure(String benchClass, String method, int warmups, int seconds)
      throws RunnerException {
    String name = RatioRunner.class.getPackageName() + "." + benchClass + "." + method;
    Options options =
        new OptionsBuilder()
            .include("^" + Pattern.quote(name) + "$")
            .forks(0)
            .warmupIterations(warmups)
            .warmupTime(TimeValue.seconds(seconds))
            .measurementIterations(1)
            .measurementTime(TimeValue.seconds(seconds))
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .build();
    RunResult result = new Runner(options).runSingle();
    return result.getPrimaryResult().getScore();
  }

  private static void report(Comparison c, Map<String, double[]> scores, int rounds) {
    double[] raw = scores.get(c.raw());
    System.out.printf(
        Locale.ROOT,
        "%n## %s (%d warm-up iterations per method, %d rounds; ratio = method / %s, throughput)%n",
        c.benchClass(), c.warmups(), rounds, c.raw());
    System.out.printf(
        Locale.ROOT,
        "| method | median ops/s | min .. max ops/s | median ratio | ratio min .. max | ratio of sums"
            + " | ratio of bests |%n|---|---:|---:|---:|---:|---:|---:|%n");
    for (Map.Entry<String, double[]> e : scores.entrySet()) {
      double[] s = e.getValue();
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        ratios[r] = s[r] / raw[r];
      }
      System.out.printf(
          Locale.ROOT,
          "| %s | %,.0f | %,.0f .. %,.0f | %.3f | %.3f .. %.3f | %.3f | %.3f |%n",
          e.getKey(), Fixtures.median(s), min(s), max(s), Fixtures.median(ratios), min(ratios), max(ratios),
          Arrays.stream(s).sum() / Arrays.stream(raw).sum(), max(s) / max(raw));
    }
    System.out.printf(Locale.ROOT, "%nload average after: %s%nper-round ops/s:%n", Fixtures.loadAverage());
    for (Map.Entry<String, double[]> e : scores.entrySet()) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-24s", e.getKey()));
      for (double v : e.getValue()) {
        line.append(String.format(Locale.ROOT, " %10.0f", v));
      }
      System.out.println(line);
    }
    System.out.flush();
  }



  private static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }
}
