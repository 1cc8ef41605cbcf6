package dev.cairn.bench;

import dev.cairn.ledger.Hash;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * When each node first had each block as its tip ({@link System#nanoTime}), as its poller saw it.
 * Thread-safe: the pollers record, the benchmark's main thread waits for a block to reach every
 * node.
 */
final class Arrivals {
  private static final long UNSEEN = Long.MIN_VALUE;

  private final int nodes;
  private final Map<Hash, long[]> seen = new HashMap<>();
  private final Map<Hash, Integer> reached = new HashMap<>();

  Arrivals(int nodes) {
    this.nodes = nodes;
  }

  /** Node {@code node} has {@code block} as tip since {@code nanos}; later sightings change nothing. */
  synchronized void record(int node, Hash block, long nanos) {
    long[] times = seen.computeIfAbsent(block, k -> unseen());
    if (times[node] != UNSEEN) {
      return;
    }
    times[node] = nanos;
    if (reached.merge(block, 1, Integer::sum) == nodes) {
      notifyAll();
    }
  }

  /** Waits until every node has had {@code block} as tip; returns each node's first sighting. */
  synchronized long[] awaitAll(Hash block, Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (reached.getOrDefault(block, 0) < nodes) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(
            "block " + block + " reached " + reached.getOrDefault(block, 0) + " of " + nodes + " nodes in " + timeout
                + "; first sightings " + Arrays.toString(seen.getOrDefault(block, unseen())));
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return seen.get(block).clone();
  }

  private long[] unseen() {
    long[] times = new long[nodes];
    Arrays.fill(times, UNSEEN);
    return times;
  }
}
