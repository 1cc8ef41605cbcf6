package dev.cairn.consensus;

/** The local clock, injected so tests (and regtest's mock time) control it. Thread-safe. */
@FunctionalInterface
public interface TimeSource {
  /** Seconds since the epoch. */
  long nowSeconds();

  TimeSource SYSTEM = () -> System.currentTimeMillis() / 1000;
}
