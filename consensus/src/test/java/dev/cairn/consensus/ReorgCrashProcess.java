package dev.cairn.consensus;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child side of {@link ReorgCrashTest}: builds a 40-block branch A on RocksDB, then stores a
 * competing branch B from height 1 until one more block makes B heavier, and dies (halt, like
 * SIGKILL: no shutdown hooks, nothing flushed) at the {@code KILL_AT}-th connect or disconnect of
 * the deep reorganisation that block triggers. Prints "trigger HASH" before submitting it.
 */
public final class ReorgCrashProcess {
  static final List<PrivateKey> KEYS = TestChain.keys(0xC4A5_0001L, 4);
  static final ChainSpec SPEC = ChainHarness.funded(KEYS);
  static final int A_LENGTH = 40;

  private ReorgCrashProcess() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int killAt = Integer.parseInt(args[1]);
    ChainHarness h = ChainHarness.rocksDb(SPEC, dir);
    Block base = h.accept(h.build(h.on(SPEC.genesisHash()).pay(KEYS.get(0), KEYS.get(1).address(), ChainHarness.coins(5))));
    Block tip = base;
    for (int i = 0; i < A_LENGTH; i++) {
      BlockBuilder b = h.on(tip);
      if (i % 2 == 0) {
        b.pay(KEYS.get(i % 4), KEYS.get((i + 1) % 4).address(), ChainHarness.coins(1));
      }
      tip = h.accept(h.build(b));
    }
    Block fork = base;
    for (int i = 0; i <= A_LENGTH; i++) {
      BlockBuilder b = h.on(fork).miner(KEYS.get(3).address());
      if (i % 3 == 0) {
        b.pay(KEYS.get((i + 2) % 4), KEYS.get(i % 4).address(), ChainHarness.coins(2));
      }
      fork = h.build(b);
      if (i < A_LENGTH) {
        h.submit(fork);
      }
    }
    AtomicInteger events = new AtomicInteger();
    h.chain.addListener(
        new ChainListener() {
          @Override
          public void blockConnected(Block block, BlockIndexEntry entry) {
            count();
          }

          @Override
          public void blockDisconnected(Block block, BlockIndexEntry entry) {
            count();
          }

          private void count() {
            if (events.incrementAndGet() == killAt) {
              Runtime.getRuntime().halt(137);
            }
          }
        });
    System.out.println("trigger " + fork.hash());
    System.out.flush();
    h.submit(fork);
    System.out.println("completed " + h.chain.tip().hash());
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
