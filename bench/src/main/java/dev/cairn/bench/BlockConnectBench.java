package dev.cairn.bench;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.NonceSearch;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.StateTransition;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.StoreConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Connecting blocks of {@value #TXS} signed transfers the node has never seen (an empty signature
 * cache), with signatures verified on a 2-thread executor as a 2-core node does, beside the raw
 * single-core Bouncy Castle verify of the same transfers. Scores are transactions per second, so
 * the ratio says how many cores' worth of raw verification block connection delivers: it can only
 * exceed 1 if parallel verification pays off and everything else (decoding, state, storage) stays
 * small.
 *
 * <p>{@code connectBlock}: {@link Blockchain#processBlock} of the next block on a real RocksDB
 * chain store (the node's default {@link StoreConfig}): header checks, Merkle root, storing the
 * body, signature verification, the state transition and commitment, and the synced connect
 * batch. The chain: {@value #BLOCKS} consecutive blocks on a regtest-parameter network whose
 * genesis funds {@value #TXS} keys; block {@code h} holds a coinbase and one transfer from every
 * key (nonce {@code h - 1}) to a fresh address, built once per JVM by {@link TransferChain} (valid
 * Merkle root, state commitment from {@link StateTransition}, proof of work from {@link
 * NonceSearch}; the signed blocks are cached in java.io.tmpdir across JVMs). A fresh chain
 * (new store directory, new {@link SignatureCache}, new {@link Blockchain}) starts every iteration
 * and whenever all {@value #BLOCKS} blocks are connected; that set-up is outside the timing.
 *
 * <p>Diagnostics, to attribute the cost, all in transactions per second of the same blocks: {@code
 * verifyOnly} (the signature checks alone, on the same two threads), {@code storeOnly} (the three
 * store writes alone) and {@code decodeOnly} (decoding a block's canonical bytes).
 *
 * <p>Acceptance target: connectBlock / rawVerify &gt;= 1.5 (transactions per second).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 4)
@Measurement(iterations = 5, time = 4)
public class BlockConnectBench {
  static final int TXS = 2000;
  static final int BLOCKS = 16;
  static final int VERIFY_THREADS = 2;

  /** The blocks and their transfers, built once per JVM. */
  static final class Data {
    private static Data instance;

    final ChainSpec spec;
    final Block[] blocks = new Block[BLOCKS];
    /** The accounts each block writes: what {@link ChainStore#connect} stores for it. */
    final List<SortedMap<Address, Account>> changes = new ArrayList<>();
    final byte[][] publicKeys = new byte[BLOCKS * TXS][];
    final byte[][] signatures = new byte[BLOCKS * TXS][];
    final byte[][] signingBytes = new byte[BLOCKS * TXS][];

    private Data() {
      TransferChain chain = TransferChain.cached(BLOCKS, TXS);
      spec = chain.spec;
      Hash genesis = spec.genesisHash();
      List<Transfer> all = chain.transfers();
      for (int b = 0; b < BLOCKS; b++) {
        blocks[b] = chain.blocks.get(b);
      }
      changes.addAll(chain.changes);
      for (int k = 0; k < all.size(); k++) {
        Transfer t = all.get(k);
        publicKeys[k] = t.sender().toByteArray();
        signatures[k] = t.signature().toByteArray();
        signingBytes[k] = t.signingBytes(genesis);
      }
    }

    static synchronized Data get() throws Exception {
      if (instance == null) {
        Fixtures.quietLogs();
        instance = new Data();
      }
      return instance;
    }
  }

  /** The verification threads of a 2-core node (daemon threads, one pool per JVM). */
  private static ExecutorService verifyPool;

  static synchronized ExecutorService verifyPool() {
    if (verifyPool == null) {
      verifyPool =
          Executors.newFixedThreadPool(
              VERIFY_THREADS,
              r -> {
                Thread t = new Thread(r, "verify");
                t.setDaemon(true);
                return t;
              });
    }
    return verifyPool;
  }

  @State(Scope.Thread)
  public static class Raw {
    Data data;
    int next;

    @Setup
    public void setUp() throws Exception {
      data = Data.get();
      for (int i = 0; i < BLOCKS * TXS; i += 257) {
        byte[] m = data.signingBytes[i];
        if (!Ed25519.verify(data.signatures[i], 0, data.publicKeys[i], 0, m, 0, m.length)) {
          throw new IllegalStateException("transfer " + i + " does not verify");
        }
      }
    }
  }

  /**
   * A fresh chain store in its own directory, replaced (outside the timing) once all {@link
   * #BLOCKS} blocks are in it, and deleted after each iteration.
   */
  abstract static class FreshStore {
    Data data;
    Path dir;
    ChainStore store;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      data = Data.get();
    }

    /** What the benchmark builds on top of a new store. */
    abstract void opened();

    abstract String prefix();

    void fresh() {
      close();
      dir = Fixtures.tempDir(prefix());
      store = ChainStore.openRocksDb(dir.resolve("chain"), StoreConfig.DEFAULT, data.spec);
      opened();
      next = 0;
    }

    @Setup(Level.Iteration)
    public void freshPerIteration() {
      fresh();
    }

    @Setup(Level.Invocation)
    public void freshWhenDone() {
      if (next == BLOCKS) {
        fresh();
      }
    }

    @TearDown(Level.Iteration)
    public void close() {
      if (store != null) {
        store.close();
        store = null;
        Fixtures.deleteTree(dir);
      }
    }
  }

  /** A chain to connect the blocks to: a new store, signature cache and chain, nothing known. */
  @State(Scope.Thread)
  public static class Chain extends FreshStore {
    Blockchain chain;

    @Override
    void opened() {
      SignatureVerifier verifier = new SignatureVerifier(new SignatureCache(200_000), verifyPool(), VERIFY_THREADS);
      chain = new Blockchain(store, TimeSource.SYSTEM, verifier);
    }

    @Override
    String prefix() {
      return "cairn-bench-connect-";
    }
  }

  /** A bare chain store (no consensus) to store the blocks in. */
  @State(Scope.Thread)
  public static class Store extends FreshStore {
    @Override
    void opened() {}

    @Override
    String prefix() {
      return "cairn-bench-store-";
    }
  }

  /** The blocks' canonical encodings, to decode. */
  @State(Scope.Thread)
  public static class Encoded {
    byte[][] bodies;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Data data = Data.get();
      bodies = new byte[BLOCKS][];
      for (int b = 0; b < BLOCKS; b++) {
        bodies[b] = data.blocks[b].encode();
      }
    }
  }

  /** A signature verifier with an empty cache for every block. */
  @State(Scope.Thread)
  public static class Verifier {
    Data data;
    SignatureVerifier verifier;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      data = Data.get();
    }

    @Setup(Level.Invocation)
    public void emptyCache() {
      verifier = new SignatureVerifier(new SignatureCache(200_000), verifyPool(), VERIFY_THREADS);
    }
  }

  @Benchmark
  public boolean rawVerify(Raw r) {
    int i = r.next;
    r.next = i + 1 == BLOCKS * TXS ? 0 : i + 1;
    Data d = r.data;
    byte[] m = d.signingBytes[i];
    return Ed25519.verify(d.signatures[i], 0, d.publicKeys[i], 0, m, 0, m.length);
  }

  @Benchmark
  @OperationsPerInvocation(TXS)
  public Blockchain.BlockResult connectBlock(Chain c) throws Exception {
    Block block = c.data.blocks[c.next++];
    Blockchain.BlockResult result = c.chain.processBlock(block);
    if (result.outcome() != Blockchain.Outcome.CONNECTED) {
      throw new IllegalStateException("block " + block.hash() + ": " + result.outcome());
    }
    return result;
  }

  /**
   * Diagnostic: the signature checks of {@code connectBlock} alone: {@link
   * SignatureVerifier#verifyAll} of the next block on the two verification threads, cache empty.
   */
  @Benchmark
  @OperationsPerInvocation(TXS)
  public SignatureVerifier verifyOnly(Verifier v) throws Exception {
    Block block = v.data.blocks[v.next];
    v.next = (v.next + 1) % BLOCKS;
    v.verifier.verifyAll(block, v.data.spec.genesisHash());
    return v.verifier;
  }

  /**
   * Diagnostic: decoding a stored body ({@link Block#decode}), which {@link Blockchain} did for
   * every block it connected until it kept the block it was handed (see docs/BENCHMARKS.md).
   */
  @Benchmark
  @OperationsPerInvocation(TXS)
  public Block decodeOnly(Encoded e) throws Exception {
    byte[] body = e.bodies[e.next];
    e.next = (e.next + 1) % BLOCKS;
    return Block.decode(body);
  }

  /**
   * Diagnostic: the storage of {@code connectBlock} alone: index the header, store the body, then
   * {@link ChainStore#connect} with the block's precomputed account changes (three synced batches,
   * as {@link Blockchain#processBlock} writes them).
   */
  @Benchmark
  @OperationsPerInvocation(TXS)
  public ChainStore storeOnly(Store s) {
    int b = s.next++;
    Block block = s.data.blocks[b];
    s.store.indexHeader(block.header());
    s.store.storeBody(block);
    s.store.connect(block, s.data.changes.get(b));
    return s.store;
  }
}
