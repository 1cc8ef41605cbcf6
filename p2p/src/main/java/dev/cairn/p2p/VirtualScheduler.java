package dev.cairn.p2p;

import java.util.PriorityQueue;

/**
 * A {@link Scheduler} on a virtual clock, for tests and simulations: tasks run when {@link
 * #runUntil} or {@link #runFor} reaches their time, in time order, ties in the order they were
 * given, so a run is the same every time. Any number of nodes may share one. Not thread-safe:
 * confined to the one thread that drives it.
 */
final class VirtualScheduler implements Scheduler {
  private record Task(long time, long sequence, Runnable body) {}

  private final PriorityQueue<Task> queue =
      new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.sequence, b.sequence));
  private long now;
  private long sequence;
  private long executed;

  VirtualScheduler(long startMillis) {
    this.now = startMillis;
  }

  @Override
  public Clock clock() {
    return () -> now;
  }

  long now() {
    return now;
  }

  /** Tasks run so far. */
  long executed() {
    return executed;
  }

  @Override
  public void execute(Runnable task) {
    schedule(0, task);
  }

  @Override
  public void schedule(long delayMillis, Runnable task) {
    long delay = Math.max(0, delayMillis);
    // Saturates: a delay past the end of time ("never") must not wrap into the past.
    long due = delay > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delay;
    queue.add(new Task(due, sequence++, task));
  }

  /** Runs every task due by {@code time} (those they schedule too), then sets the clock to it. */
  void runUntil(long time) {
    while (!queue.isEmpty() && queue.peek().time <= time) {
      Task t = queue.poll();
      now = t.time;
      executed++;
      t.body.run();
    }
    now = Math.max(now, time);
  }

  void runFor(long millis) {
    runUntil(now + millis);
  }

  /** Runs what is due now, without moving the clock. */
  void runDue() {
    runUntil(now);
  }
}
