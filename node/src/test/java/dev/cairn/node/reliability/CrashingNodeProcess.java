package dev.cairn.node.reliability;

import ch.qos.logback.classic.Level;
import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.ChainListener;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.Miner;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.HostPort;
import dev.cairn.testkit.TestChain;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * The child side of {@link NodeCrashTest}: a real regtest {@link Node} on a data directory that
 * survives the process, doing one of three things until it is killed:
 *
 * <ul>
 *   <li>{@code mine}: submits a few transfers to its mempool, mines a block ({@link
 *       Miner#generate}), prints {@code acknowledged HEIGHT HASH} once {@code processBlock} has
 *       returned, and again;
 *   <li>{@code reorg}: the same, and every few blocks a competing branch forks 2-10 blocks below
 *       the tip (mined on an in-memory copy of the chain, with its own transfers) and is handed to
 *       the node block by block: {@code d} blocks that only tie the tip, then, after printing {@code
 *       trigger HEIGHT HASH events E}, the block that makes it heavier, which reorganises the node
 *       ({@code E} = {@code d} disconnects + {@code d + 1} connects);
 *   <li>{@code sync}: no mining; dials the node at the given peer port (the parent's, whose chain
 *       is heavier) and follows it, printing {@code acknowledged HEIGHT HASH} at each {@code
 *       tipChanged} (every connect of the activation is on disk by then).
 * </ul>
 *
 * <p>With {@code haltAt} > 0 it kills itself ({@code Runtime.halt(137)}: no shutdown hooks, nothing
 * flushed, like SIGKILL) inside the {@code haltAt}-th block connect or disconnect, between the
 * store's atomic batches: counted from the start in {@code mine} and {@code sync}, from the first
 * trigger in {@code reorg} (taken modulo that reorganisation's {@code E}, so it lands inside it).
 * Prints {@code started HEIGHT HASH} once the node is up (after it re-activated its best chain).
 * Stdout carries only these lines; logs go to stderr. Exits by itself only if its parent goes away.
 *
 * <p>Arguments: {@code DATA_DIR MODE SEED HALT_AT [SOURCE_PEER_PORT]}.
 */
public final class CrashingNodeProcess {
  /** The keys funded at genesis, shared by every run of the test. */
  static final List<PrivateKey> KEYS = TestChain.keys(0xC4A5_0002L, 8);

  static final ChainSpec SPEC = TestChain.specFor(KEYS);
  /** Rewards of the node's own blocks. */
  static final PrivateKey MINER = TestChain.keys(0xC4A5_0003L, 1).get(0);

  private static PrintStream channel;

  private CrashingNodeProcess() {}

  public static void main(String[] args) throws Exception {
    channel = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err); // the node's console log must not mix with the protocol lines
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    exitWhenParentGoes();

    Path dataDir = Path.of(args[0]);
    String mode = args[1];
    Random random = new Random(Long.parseLong(args[2]));
    int haltAt = Integer.parseInt(args[3]);

    Node node = new Node(NodeConfig.forTests(SPEC, dataDir)).start(); // never closed: this process is killed
    Halt halt = new Halt(haltAt);
    node.chain().addListener(halt);
    if (!mode.equals("reorg")) {
      halt.arm(Integer.MAX_VALUE);
    }
    if (mode.equals("sync")) {
      node.chain().addListener(
          new ChainListener() {
            @Override
            public void tipChanged(BlockIndexEntry tip) {
              channel.println("acknowledged " + tip.height() + " " + tip.hash());
            }
          });
    }
    BlockIndexEntry start = node.chain().tip();
    channel.println("started " + start.height() + " " + start.hash());
    switch (mode) {
      case "mine" -> {
        while (true) {
          submitTransfers(node, random);
          mineOne(node);
        }
      }
      case "reorg" -> {
        while (true) {
          int blocks = 1 + random.nextInt(4);
          for (int i = 0; i < blocks; i++) {
            submitTransfers(node, random);
            mineOne(node);
          }
          reorganise(node, random, halt);
        }
      }
      case "sync" -> {
        node.network().addPeer(new HostPort("127.0.0.1", Integer.parseInt(args[4])));
        new CountDownLatch(1).await();
      }
      default -> throw new IllegalArgumentException("mode " + mode);
    }
  }

  /** Halts the JVM if the parent dies (stdin closes) or after ten minutes, so no child outlives a run. */
  private static void exitWhenParentGoes() {
    Thread watchdog =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // The parent never writes; EOF means it is gone.
                }
              } catch (IOException e) {
                // Same.
              }
              Runtime.getRuntime().halt(3);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Thread timer =
        new Thread(
            () -> {
              try {
                new CountDownLatch(1).await(10, java.util.concurrent.TimeUnit.MINUTES);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(4);
            },
            "deadline");
    timer.setDaemon(true);
    timer.start();
  }

  /** Hands 0-3 transfers between the funded keys to the node's mempool; refusals are fine. */
  private static void submitTransfers(Node node, Random random) {
    int count = random.nextInt(4);
    for (int i = 0; i < count; i++) {
      PrivateKey from = KEYS.get(random.nextInt(KEYS.size()));
      Address to = KEYS.get(random.nextInt(KEYS.size())).address();
      long nonce = node.chain().store().account(from.address()).nonce() + node.mempool().pendingFrom(from.address()).size();
      Transfer t = Transfer.sign(from, to, Amount.units(1 + random.nextInt(100_000)), Amount.units(2_000 + random.nextInt(2_000)), nonce, SPEC.genesisHash());
      try {
        node.mempool().add(t);
      } catch (RejectedException e) {
        // e.g. a nonce race after a reorganisation: not what this test is about.
      }
    }
  }

  private static void mineOne(Node node) throws RejectedException {
    Hash hash = Miner.generate(node.chain(), node.assembler(), MINER.address(), 1).get(0);
    // processBlock has returned: the block is acknowledged.
    if (!node.chain().tip().hash().equals(hash)) {
      throw new IllegalStateException("the mined block " + hash + " is not the tip");
    }
    channel.println("acknowledged " + node.chain().entry(hash).orElseThrow().height() + " " + hash);
  }

  /**
   * Forks {@code d} blocks below the tip: mines {@code d + 1} blocks there on an in-memory copy of
   * the best chain up to the fork, hands the first {@code d} to the node (they only tie its tip),
   * then the last one, which makes the branch heavier.
   */
  private static void reorganise(Node node, Random random, Halt halt) throws RejectedException {
    Blockchain chain = node.chain();
    long tipHeight = chain.tip().height();
    int depth = (int) Math.min(2 + random.nextInt(9), tipHeight);
    if (depth < 1) {
      return;
    }
    List<Block> branch = mineBranch(chain.store(), tipHeight - depth, depth + 1, random);
    for (int i = 0; i < depth; i++) {
      Blockchain.BlockResult r = chain.processBlock(branch.get(i));
      if (r.outcome() != Blockchain.Outcome.SIDE_CHAIN) {
        throw new IllegalStateException("a lighter branch block became " + r.outcome());
      }
    }
    Block trigger = branch.get(depth);
    int events = depth + depth + 1;
    channel.println("trigger " + trigger.header().height() + " " + trigger.hash() + " events " + events);
    halt.arm(events);
    Blockchain.BlockResult r = chain.processBlock(trigger);
    if (r.outcome() != Blockchain.Outcome.CONNECTED || !r.tip().hash().equals(trigger.hash())) {
      throw new IllegalStateException("the heavier branch did not win: " + r);
    }
    channel.println("acknowledged " + trigger.header().height() + " " + trigger.hash());
  }

  /** Mines {@code count} blocks on the best chain's block at {@code forkHeight}, in memory. */
  private static List<Block> mineBranch(ChainStore source, long forkHeight, int count, Random random) throws RejectedException {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (ChainStore store = ChainStore.open(new InMemoryKeyValueStore(), SPEC)) {
      SignatureCache signatures = new SignatureCache(10_000);
      Blockchain copy = new Blockchain(store, TimeSource.SYSTEM, new SignatureVerifier(signatures, pool, 1));
      for (long h = 1; h <= forkHeight; h++) {
        copy.processBlock(source.body(source.mainChainHash(h).orElseThrow()).orElseThrow());
      }
      // Each branch pays a fresh address, so no two branches mined in the same second are the same blocks.
      byte[] seed = new byte[32];
      random.nextBytes(seed);
      Address miner = PrivateKey.fromSeed(seed).address();
      Mempool mempool = new Mempool(store, MempoolPolicy.DEFAULT, signatures, TimeSource.SYSTEM);
      copy.addListener(mempool);
      BlockAssembler assembler = new BlockAssembler(copy, mempool, TimeSource.SYSTEM);
      List<Block> out = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if (random.nextBoolean()) {
          PrivateKey from = KEYS.get(random.nextInt(KEYS.size()));
          long nonce = store.account(from.address()).nonce();
          Transfer t = Transfer.sign(from, miner, Amount.units(1 + random.nextInt(100_000)), Amount.units(3_000), nonce, SPEC.genesisHash());
          try {
            mempool.add(t);
          } catch (RejectedException e) {
            // Not affordable on this branch: mine it without.
          }
        }
        Hash hash = Miner.generate(copy, assembler, miner, 1).get(0);
        out.add(store.body(hash).orElseThrow());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Halts the JVM inside the {@code haltAt}-th connect or disconnect after it is armed. */
  private static final class Halt implements ChainListener {
    private final int haltAt;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicInteger events = new AtomicInteger();
    private volatile int target;

    Halt(int haltAt) {
      this.haltAt = haltAt;
    }

    /** Starts counting (once); the halt lands on event ((haltAt - 1) mod span) + 1. */
    void arm(int span) {
      if (haltAt > 0 && armed.compareAndSet(false, true)) {
        target = (haltAt - 1) % span + 1;
      }
    }

    @Override
    public void blockConnected(Block block, BlockIndexEntry entry) {
      count();
    }

    @Override
    public void blockDisconnected(Block block, BlockIndexEntry entry) {
      count();
    }

    private void count() {
      if (armed.get() && events.incrementAndGet() == target) {
        channel.flush();
        Runtime.getRuntime().halt(137);
      }
    }
  }
}
