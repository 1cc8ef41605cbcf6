package dev.cairn.bench;

/**
 * One measured block: when each node's poller first saw it as tip, and how far each node is from
 * node 0 (where it was mined).
 *
 * @param height the block's height
 * @param transactions transactions in the block, coinbase included
 * @param arrivals {@link System#nanoTime} at which node i first had the block as tip
 * @param hops hops from node 0 to node i
 * @param mineNanos node 0's own time from the start of mining to its poller seeing the block (regtest
 *     nonce search, assembly and connect: not part of the propagation latency)
 */
record BlockTiming(long height, int transactions, long[] arrivals, int[] hops, long mineNanos) {

  /** From node 0 having the block to the last node having it, in milliseconds. */
  double latencyMillis() {
    long last = arrivals[0];
    for (long a : arrivals) {
      last = Math.max(last, a);
    }
    return (last - arrivals[0]) / 1e6;
  }

  /** From node 0 having it to the last of the nodes {@code hop} hops away having it. */
  double hopMillis(int hop) {
    long last = Long.MIN_VALUE;
    for (int i = 0; i < arrivals.length; i++) {
      if (hops[i] == hop) {
        last = Math.max(last, arrivals[i]);
      }
    }
    if (last == Long.MIN_VALUE) {
      throw new IllegalArgumentException("no node is " + hop + " hops away");
    }
    return (last - arrivals[0]) / 1e6;
  }
}
