package dev.cairn.p2p;

/**
 * The peer layer's one scheduler: runs tasks one at a time, in the order given, now or after a
 * delay on its {@link Clock}. A node backs it with one thread; a simulation with a virtual clock
 * and an event queue. Implementations are thread-safe; tasks never run concurrently.
 */
interface Scheduler {
  Clock clock();

  /** Runs {@code task} soon, after every task already asked to run now. */
  void execute(Runnable task);

  /** Runs {@code task} once {@code delayMillis} have passed. */
  void schedule(long delayMillis, Runnable task);
}
