package dev.cairn.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Order statistics of a set of latencies, in milliseconds. Percentiles are nearest-rank (the
 * smallest sample with at least p% of the samples at or below it), so every figure is a latency
 * that really happened: with 100 samples p99 is the second largest, with 20 it is the largest.
 */
record LatencySummary(int count, double p50, double p90, double p99, double max, double mean, double min) {

  static LatencySummary of(double[] millis) {
    if (millis.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    return new LatencySummary(
        sorted.length,
        rank(sorted, 0.50),
        rank(sorted, 0.90),
        rank(sorted, 0.99),
        sorted[sorted.length - 1],
        Arrays.stream(sorted).average().orElseThrow(),
        sorted[0]);
  }

  static double rank(double[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** One Markdown table row: label, blocks, p50, p90, p99, max, mean. */
  String markdownRow(String label) {
    return String.format(
        Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |", label, count, p50, p90, p99, max, mean);
  }

  static String markdownHeader() {
    return "| blocks | n | p50 ms | p90 ms | p99 ms | max ms | mean ms |\n|---|---:|---:|---:|---:|---:|---:|";
  }
}
