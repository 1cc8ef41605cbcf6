package dev.cairn.consensus;

import static dev.cairn.consensus.ChainHarness.coins;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.testkit.TestChain;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chain's behaviour around the rules: what listeners hear and in which order, the regtest
 * controls, and signature verification spread over an executor.
 */
class BlockchainTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0xB10C_0001L, 4);
  private static final ChainSpec SPEC = ChainHarness.funded(KEYS);
  private static ExecutorService executor;

  private ChainHarness h;

  @BeforeAll
  static void startExecutor() {
    executor = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stopExecutor() throws InterruptedException {
    executor.shutdown();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  /** Records listener calls as short strings: +height, -height, tip@height. */
  static final class Recorder implements ChainListener {
    final List<String> events = new ArrayList<>();

    @Override
    public void blockConnected(Block block, BlockIndexEntry entry) {
      events.add("+" + entry.height());
    }

    @Override
    public void blockDisconnected(Block block, BlockIndexEntry entry) {
      events.add("-" + entry.height());
    }

    @Override
    public void tipChanged(BlockIndexEntry tip) {
      events.add("tip@" + tip.height());
    }
  }

  // ---- listeners ---------------------------------------------------------------------------------

  @Test
  void listenersHearAReorganisationInOrderThenOneTipChange() throws Exception {
    h = ChainHarness.inMemory(SPEC);
    Recorder r = new Recorder();
    h.chain.addListener(r);
    Block b1 = h.mine(1);
    h.mine(2);
    assertThat(r.events).containsExactly("+1", "tip@1", "+2", "tip@2", "+3", "tip@3");
    r.events.clear();
    Block f2 = h.build(h.on(b1).miner(KEYS.get(0).address()));
    Block f3 = h.build(h.on(f2).miner(KEYS.get(0).address()));
    List<Block> fork = List.of(f2, f3, h.build(h.on(f3).miner(KEYS.get(0).address())));
    h.submit(fork.get(0));
    h.submit(fork.get(1));
    assertThat(r.events).isEmpty();
    h.submit(fork.get(2));
    assertThat(r.events).containsExactly("-3", "-2", "+2", "+3", "+4", "tip@4");
  }

  @Test
  void aReorganisationThatFailsHalfWayStillEndsWithATipChange() throws Exception {
    h = ChainHarness.inMemory(SPEC);
    Recorder r = new Recorder();
    h.chain.addListener(r);
    Block b1 = h.mine(1);
    Block b2 = h.mine(1);
    Block f2 = h.build(h.on(b1).miner(KEYS.get(0).address()));
    Block f3 = h.build(h.on(f2).add(FullBlockTest.flipSignatureBit(
        Transfer.sign(KEYS.get(1), KEYS.get(2).address(), coins(1), Amount.units(2_000), 0, SPEC.genesisHash()))));
    Block f4 = h.build(h.on(f3));
    h.submit(f2);
    r.events.clear();
    // f3 makes the fork heavier: b2 goes, f2 comes, f3 fails, f2 goes, b2 comes back.
    assertThat(h.reject(f3)).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(h.chain.tip().hash()).isEqualTo(b2.hash());
    assertThat(r.events).containsExactly("-2", "+2", "-2", "+2", "tip@2");
    r.events.clear();
    assertThat(h.reject(f4)).isEqualTo(Reason.PREV_BLOCK_INVALID);
    assertThat(r.events).isEmpty();
  }

  @Test
  void invalidatingTheTipDisconnectsItAndTellsListeners() throws Exception {
    h = ChainHarness.inMemory(SPEC);
    Recorder r = new Recorder();
    Block b1 = h.mine(1);
    Block b2 = h.mine(1);
    h.chain.addListener(r);
    h.chain.invalidateBlock(b2.hash());
    assertThat(h.chain.tip().hash()).isEqualTo(b1.hash());
    assertThat(r.events).containsExactly("-2", "tip@1");
    assertThat(h.reject(b2)).isEqualTo(Reason.KNOWN_INVALID);
    r.events.clear();
    h.chain.reconsiderBlock(b2.hash());
    assertThat(h.chain.tip().hash()).isEqualTo(b2.hash());
    assertThat(r.events).containsExactly("+2", "tip@2");
    assertThatThrownBy(() -> h.chain.invalidateBlock(SPEC.genesisHash())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.chain.invalidateBlock(Hash.of(new byte[32])))
        .isInstanceOf(RejectedException.class);
  }

  @Test
  void invalidatingATransactionsBlockPutsItBackInThePool() throws Exception {
    h = ChainHarness.inMemory(SPEC);
    Transfer t = Transfer.sign(KEYS.get(0), KEYS.get(1).address(), coins(3), Amount.units(2_000), 0, SPEC.genesisHash());
    Block b1 = h.accept(h.build(h.onTip().add(t)));
    h.chain.invalidateBlock(b1.hash());
    assertThat(h.mempool.contains(t.id())).isTrue();
    assertThat(h.account(KEYS.get(1).address()).balance()).isEqualTo(TestChain.FUNDING);
  }

  @Test
  void exposesTheNextBlocksRules() throws Exception {
    h = ChainHarness.inMemory(SPEC);
    assertThat(h.chain.nextTarget()).isEqualTo(SPEC.params().genesisTarget());
    assertThat(h.chain.medianTimePast()).isEqualTo(SPEC.genesisTimestamp());
    h.mine(4); // stamped g+60 .. g+240: the median of five is g+120
    assertThat(h.chain.medianTimePast()).isEqualTo(SPEC.genesisTimestamp() + 120);
    assertThat(h.chain.entry(h.chain.tip().hash())).contains(h.chain.tip());
    assertThat(h.chain.spec()).isEqualTo(SPEC);
  }

  // ---- signatures on an executor ------------------------------------------------------------------

  /** 200 transfers of k0 with nonces 0..199; those at {@code broken} carry a flipped signature bit. */
  private List<Transaction> transfers(int count, TreeSet<Integer> broken) {
    List<Transaction> txs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Transfer t = Transfer.sign(KEYS.get(0), KEYS.get(1 + i % 3).address(), Amount.units(1_000 + i), Amount.units(i), i,
          SPEC.genesisHash());
      txs.add(broken.contains(i) ? FullBlockTest.flipSignatureBit(t) : t);
    }
    return txs;
  }

  @Test
  void aLargeBlockVerifiedOnTwoThreadsConnects() throws Exception {
    h = ChainHarness.inMemory(SPEC, executor, 2);
    List<Transaction> txs = transfers(300, new TreeSet<>());
    h.accept(h.build(h.onTip().addAll(txs)));
    for (Transaction t : txs) {
      assertThat(h.cache.contains(t.id())).isTrue();
    }
    assertThat(h.account(KEYS.get(0).address()).nonce()).isEqualTo(300);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void twoThreadsReportTheFirstBadSignatureInBlockOrder(long seed) throws Exception {
    Random random = new Random(seed);
    TreeSet<Integer> broken = new TreeSet<>();
    int count = 130 + random.nextInt(200);
    for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
      broken.add(random.nextInt(count));
    }
    List<Transaction> txs = transfers(count, broken);
    // The verifier looks at the transfers only: any header will do.
    Block block = Block.of(SPEC.genesisBlock().header(), prependCoinbase(txs));
    Hash firstBad = txs.get(broken.first()).id();
    SignatureVerifier parallel = new SignatureVerifier(new SignatureCache(1_000), executor, 2);
    SignatureVerifier sequential = new SignatureVerifier(new SignatureCache(1_000), null, 1);
    for (SignatureVerifier v : List.of(parallel, sequential)) {
      assertThatThrownBy(() -> v.verifyAll(block, SPEC.genesisHash()))
          .isInstanceOf(RejectedException.class)
          .hasMessageContaining(firstBad.toString())
          .extracting(e -> ((RejectedException) e).reason())
          .isEqualTo(Reason.BAD_SIGNATURE);
    }
    // Through the chain: rejected with that reason, and the valid ones before it are cached.
    h = ChainHarness.inMemory(SPEC, executor, 2);
    Block viaChain = h.build(h.onTip().addAll(txs));
    assertThatThrownBy(() -> h.submit(viaChain))
        .isInstanceOf(RejectedException.class)
        .hasMessageContaining(firstBad.toString());
    assertThat(h.cache.contains(txs.get(0).id())).isEqualTo(broken.first() != 0);
    assertThat(h.cache.contains(firstBad)).isFalse();
  }

  @Test
  void aCachedTransactionIsNotCheckedAgainEvenItsRange() throws Exception {
    // The cache vouches for the whole stateless check: an id is only ever added after it passed.
    SignatureCache cache = new SignatureCache(10);
    SignatureVerifier v = new SignatureVerifier(cache, null, 1);
    Transfer bad = FullBlockTest.flipSignatureBit(
        Transfer.sign(KEYS.get(0), KEYS.get(1).address(), coins(1), Amount.ZERO, 0, SPEC.genesisHash()));
    Block block = Block.of(SPEC.genesisBlock().header(), List.of(bad));
    assertThatThrownBy(() -> v.verifyAll(block, SPEC.genesisHash())).isInstanceOf(RejectedException.class);
    cache.add(bad.id());
    v.verifyAll(block, SPEC.genesisHash());
  }

  private static List<Transaction> prependCoinbase(List<Transaction> txs) {
    List<Transaction> out = new ArrayList<>();
    out.add(dev.cairn.ledger.Coinbase.create(1, KEYS.get(3).address(), coins(50)));
    out.addAll(txs);
    return out;
  }
}
