package dev.cairn.ledger.store;

import dev.cairn.testkit.TestChain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;

/**
 * The child side of the crash and lock tests. {@code write DIR SEED}: opens the store, catches the
 * deterministic {@link TestChain} up to the stored tip, then connects blocks forever, printing
 * "connected HEIGHT HASH" after each synced commit. {@code hold DIR SEED}: opens the store, prints
 * "ready" and waits until stdin closes.
 */
public final class StoreWriterProcess {
  private StoreWriterProcess() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path dir = Path.of(args[1]);
    TestChain chain = new TestChain(Long.parseLong(args[2]), 5);
    try (ChainStore store = ChainStore.openRocksDb(dir, StoreConfig.SMALL, chain.spec())) {
      if (mode.equals("hold")) {
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        return;
      }
      long stored = store.tip().height();
      for (long h = 1; h <= stored; h++) {
        chain.next(6);
      }
      System.out.println("resumed " + stored);
      for (int i = 0; i < 100_000; i++) {
        TestChain.BuiltBlock b = chain.next(6);
        store.connect(b.block(), b.changes());
        System.out.println("connected " + b.block().header().height() + " " + b.block().hash());
        System.out.flush();
      }
    }
  }
}
