package dev.cairn.consensus;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The system clock unless a mock time is set (regtest's {@code setmocktime}); 0 returns to the
 * system clock. Thread-safe.
 */
public final class MockableTime implements TimeSource {
  private final TimeSource system;
  private final AtomicLong mock = new AtomicLong();

  public MockableTime(TimeSource system) {
    this.system = system;
  }

  public void setMockTime(long seconds) {
    if (seconds < 0) {
      throw new IllegalArgumentException("mock time must be >= 0");
    }
    mock.set(seconds);
  }

  @Override
  public long nowSeconds() {
    long m = mock.get();
    return m != 0 ? m : system.nowSeconds();
  }
}
