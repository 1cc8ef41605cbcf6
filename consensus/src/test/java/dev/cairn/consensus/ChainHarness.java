package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.BlockStatus;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.ledger.store.StoreConfig;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A real {@link Blockchain} over a real {@link ChainStore} (in memory or RocksDB), with a clock the
 * test moves by hand, a signature cache and verifier (on the calling thread or on an executor), a
 * mempool listening to the chain, and a {@link StateModel} so {@link BlockBuilder}s can craft
 * blocks on any known block. Not thread-safe.
 */
final class ChainHarness implements AutoCloseable {
  /** A clock well past the regtest genesis, so blocks stamped parent + 60 s are never too new. */
  static final long CLOCK_AHEAD = 10_000_000L;

  final ChainSpec spec;
  final AtomicLong clock;
  final TimeSource time;
  final SignatureCache cache;
  final SignatureVerifier verifier;
  final StateModel model;
  final PrivateKey minerKey;
  final Address miner;
  ChainStore store;
  Blockchain chain;
  Mempool mempool;
  private final MempoolPolicy policy;

  private ChainHarness(ChainSpec spec, ChainStore store, ExecutorService executor, int threads, MempoolPolicy policy) {
    this.spec = spec;
    this.clock = new AtomicLong(spec.genesisTimestamp() + CLOCK_AHEAD);
    this.time = clock::get;
    this.cache = new SignatureCache(100_000);
    this.verifier = new SignatureVerifier(cache, executor, threads);
    this.model = new StateModel(spec);
    this.minerKey = TestChain.keys(0x5EED_0001L, 1).get(0);
    this.miner = minerKey.address();
    this.policy = policy;
    attach(store);
  }

  static ChainHarness inMemory(ChainSpec spec) {
    return new ChainHarness(spec, ChainStore.open(new InMemoryKeyValueStore(), spec), null, 1, MempoolPolicy.DEFAULT);
  }

  static ChainHarness inMemory(ChainSpec spec, MempoolPolicy policy) {
    return new ChainHarness(spec, ChainStore.open(new InMemoryKeyValueStore(), spec), null, 1, policy);
  }

  static ChainHarness inMemory(ChainSpec spec, ExecutorService executor, int threads) {
    return new ChainHarness(spec, ChainStore.open(new InMemoryKeyValueStore(), spec), executor, threads, MempoolPolicy.DEFAULT);
  }

  /** A harness over {@code kv}, for tests that make the store fail. */
  static ChainHarness over(ChainSpec spec, dev.cairn.ledger.store.KeyValueStore kv) {
    return new ChainHarness(spec, ChainStore.open(kv, spec), null, 1, MempoolPolicy.DEFAULT);
  }

  static ChainHarness rocksDb(ChainSpec spec, Path directory) {
    return new ChainHarness(spec, ChainStore.openRocksDb(directory, StoreConfig.SMALL, spec), null, 1, MempoolPolicy.DEFAULT);
  }

  /** Builds a Blockchain and mempool over {@code newStore} (as a node does at start-up). */
  void attach(ChainStore newStore) {
    this.store = newStore;
    this.chain = new Blockchain(newStore, time, verifier);
    this.mempool = new Mempool(newStore, policy, cache, time);
    chain.addListener(mempool);
  }

  /** A restart: closes the RocksDB store in {@code directory}, opens it again, builds a new chain. */
  void reopenRocksDb(Path directory) {
    store.close();
    attach(ChainStore.openRocksDb(directory, StoreConfig.SMALL, spec));
  }

  // ---- specs ---------------------------------------------------------------------------------

  /** Regtest parameters, every key funded with {@link TestChain#FUNDING} (TestChain.specFor). */
  static ChainSpec funded(List<PrivateKey> keys) {
    return TestChain.specFor(keys);
  }

  /** Regtest with changed parameters and every key funded. */
  static ChainSpec funded(List<PrivateKey> keys, UnaryOperator<ChainParams> change) {
    List<Allocation> allocations = new ArrayList<>();
    for (PrivateKey k : keys) {
      allocations.add(Allocation.create(k.address(), TestChain.FUNDING));
    }
    try {
      return ChainSpec.of(change.apply(ChainSpec.regtest().params()), ChainSpec.regtest().genesisTimestamp(), allocations);
    } catch (ChainSpecException e) {
      throw new IllegalStateException(e);
    }
  }

  static ChainParams withMaxBlockSize(ChainParams p, int maxBlockSize) {
    return new ChainParams(
        p.name(), p.addressPrefix(), p.targetSpacingSeconds(), p.asertHalfLifeSeconds(), p.maxFutureDriftSeconds(),
        p.powLimit(), p.genesisTarget(), p.fixedTarget(), p.coinbaseMaturity(), p.initialSubsidy(),
        p.halvingInterval(), maxBlockSize, p.minimumChainWork());
  }

  static ChainParams withMaturity(ChainParams p, int maturity) {
    return new ChainParams(
        p.name(), p.addressPrefix(), p.targetSpacingSeconds(), p.asertHalfLifeSeconds(), p.maxFutureDriftSeconds(),
        p.powLimit(), p.genesisTarget(), p.fixedTarget(), maturity, p.initialSubsidy(),
        p.halvingInterval(), p.maxBlockSize(), p.minimumChainWork());
  }

  // ---- building ------------------------------------------------------------------------------

  BlockBuilder on(Hash parent) {
    BlockHeader header = header(parent);
    return new BlockBuilder(spec, model, header, miner);
  }

  BlockBuilder on(Block parent) {
    return on(parent.hash());
  }

  BlockBuilder onTip() {
    return on(chain.tip().hash());
  }

  /** The header of a block the model knows (built here) or the chain knows. */
  BlockHeader header(Hash hash) {
    if (hash.equals(spec.genesisHash())) {
      return spec.genesisBlock().header();
    }
    Optional<BlockIndexEntry> e = chain.entry(hash);
    if (e.isPresent()) {
      return e.get().header();
    }
    Block b = built.get(hash);
    if (b == null) {
      throw new IllegalArgumentException("unknown block " + hash);
    }
    return b.header();
  }

  private final java.util.Map<Hash, Block> built = new java.util.HashMap<>();

  /** Builds with {@code builder} and remembers the block so children can be built on it. */
  Block build(BlockBuilder builder) {
    Block b = builder.build();
    built.put(b.hash(), b);
    return b;
  }

  // ---- submitting ----------------------------------------------------------------------------

  Blockchain.BlockResult submit(Block block) throws RejectedException {
    if (model.knows(block.header().previousHash())) {
      model.register(block);
    }
    built.put(block.hash(), block);
    return chain.processBlock(block);
  }

  /** Submits a block that must be connected. */
  Block accept(Block block) {
    try {
      Blockchain.BlockResult r = submit(block);
      assertThat(r.outcome()).as("outcome of %s", block).isEqualTo(Blockchain.Outcome.CONNECTED);
      assertThat(chain.tip().hash()).isEqualTo(block.hash());
      return block;
    } catch (RejectedException e) {
      throw new AssertionError("block " + block + " rejected: " + e.getMessage(), e);
    }
  }

  /** Builds and connects {@code count} empty blocks on the tip; returns the last. */
  Block mine(int count) {
    Block last = null;
    for (int i = 0; i < count; i++) {
      last = accept(build(onTip()));
    }
    return last;
  }

  /** Submits a block that must be rejected; returns the reason. */
  Reason reject(Block block) {
    try {
      Blockchain.BlockResult r = submit(block);
      throw new AssertionError("block " + block + " was not rejected: " + r.outcome());
    } catch (RejectedException e) {
      return e.reason();
    }
  }

  Optional<BlockStatus> status(Hash hash) {
    return chain.entry(hash).map(BlockIndexEntry::status);
  }

  Account account(Address a) {
    return store.account(a);
  }

  /** Every non-empty account at the tip, as the store lists them. */
  SortedMap<Address, Account> accounts() {
    return accountsOf(store);
  }

  static SortedMap<Address, Account> accountsOf(ChainStore s) {
    SortedMap<Address, Account> out = new TreeMap<>();
    s.forEachAccount(out::put);
    return out;
  }

  /** The best chain's block hashes from genesis to the tip. */
  static List<Hash> bestChain(ChainStore s) {
    List<Hash> out = new ArrayList<>();
    for (long h = 0; h <= s.tip().height(); h++) {
      out.add(s.mainChainHash(h).orElseThrow(() -> new AssertionError("no best-chain block at a height below the tip")));
    }
    return out;
  }

  static Amount coins(long c) {
    return Amount.coins(c);
  }

  @Override
  public void close() {
    store.close();
  }
}
