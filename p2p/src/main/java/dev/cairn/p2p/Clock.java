package dev.cairn.p2p;

/**
 * The peer layer's one clock, in milliseconds since the epoch: the system clock in a node, a
 * virtual one in tests and simulations. Implementations are thread-safe.
 */
@FunctionalInterface
interface Clock {
  long nowMillis();
}
