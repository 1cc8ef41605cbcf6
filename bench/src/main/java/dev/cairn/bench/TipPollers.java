package dev.cairn.bench;

import dev.cairn.consensus.Blockchain;
import dev.cairn.ledger.Hash;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread per node that reads the node's tip every {@code pollNanos} and stamps the first time
 * each new tip hash appears into {@link Arrivals}. Parking instead of spinning: eight spinning
 * threads would take both cores from the nodes being measured; a 250 µs park costs a few percent
 * of one core and adds at most a quarter of a millisecond (plus the kernel's timer slack) to a
 * sighting, on the first node and the last alike. Thread-safe.
 */
final class TipPollers implements AutoCloseable {
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  TipPollers(List<Blockchain> chains, Arrivals arrivals, long pollNanos) {
    for (int i = 0; i < chains.size(); i++) {
      int node = i;
      Blockchain chain = chains.get(i);
      Thread t =
          new Thread(
              () -> {
                Hash last = chain.tip().hash();
                arrivals.record(node, last, System.nanoTime());
                while (running) {
                  Hash now = chain.tip().hash();
                  if (!now.equals(last)) {
                    arrivals.record(node, now, System.nanoTime());
                    last = now;
                  }
                  LockSupport.parkNanos(pollNanos);
                }
              },
              "tip-poller-" + node);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
  }

  /** CPU time all pollers have used so far, in nanoseconds (0 where the JVM cannot tell). */
  long cpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (Thread t : threads) {
      sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
    }
    return sum;
  }

  @Override
  public void close() {
    running = false;
    try {
      for (Thread t : threads) {
        t.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
