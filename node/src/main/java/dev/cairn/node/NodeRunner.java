package dev.cairn.node;

import java.util.concurrent.CountDownLatch;

/** Runs a started node until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes it. */
final class NodeRunner {
  private NodeRunner() {}

  static void runUntilStopped(AutoCloseable node) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    node.close();
                  } catch (Exception e) {
                    System.err.println("error while stopping: " + e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
