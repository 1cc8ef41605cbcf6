package dev.cairn.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolListener.Removal;
import dev.cairn.consensus.MempoolListener;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.Miner;
import dev.cairn.consensus.MockableTime;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.testkit.TestChain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No admitted transaction leaves the mempool silently: each way out (mined, replaced, evicted,
 * nonce used by a block, unaffordable after a block, orphaned behind a gap, expired) is told to
 * {@link MempoolListener#transactionRemoved} with its reason, once; and under seeded random
 * admissions, blocks (with and without conflicting transactions) and expiry, the pool always holds
 * exactly what was admitted minus what was reported removed.
 */
class MempoolRemovalTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0x7E_0A1L, 5);
  private static final ChainSpec SPEC = TestChain.specFor(KEYS);
  private static final long MIN_FEE = 10L * Transfer.SIZE;
  private static final Address MINER = TestChain.keys(0x7E_0A2L, 1).get(0).address();

  private final ExecutorService pool = Executors.newSingleThreadExecutor();
  private final MockableTime time = new MockableTime(TimeSource.SYSTEM);
  private ChainStore store;
  private Blockchain chain;
  private SignatureCache signatures;
  private Mempool mempool;
  private final Map<Hash, Removal> removed = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  /** Admitted (by add, or announced) and not reported removed since. */
  private final Set<Hash> live = new HashSet<>();

  private void start(MempoolPolicy policy) {
    store = ChainStore.open(new InMemoryKeyValueStore(), SPEC);
    signatures = new SignatureCache(100_000);
    chain = new Blockchain(store, time, new SignatureVerifier(signatures, pool, 1));
    mempool = new Mempool(store, policy, signatures, time);
    chain.addListener(mempool);
    mempool.addListener(
        new MempoolListener() {
          @Override
          public void transactionAdded(Transfer tx) {
            live.add(tx.id());
          }

          @Override
          public void transactionRemoved(Transfer tx, Removal why) {
            if (!live.remove(tx.id())) {
              violations.add(why + " reported for " + tx.id() + ", which was not in the pool");
            }
            removed.put(tx.id(), why);
          }
        });
  }

  @BeforeEach
  void defaults() {
    start(new MempoolPolicy(10, 1 << 20, 16, 10, 3_600, 4));
  }

  @AfterEach
  void close() {
    store.close();
    pool.shutdownNow();
  }

  private static Transfer tx(int from, long nonce, long fee, Amount amount) {
    return Transfer.sign(KEYS.get(from), KEYS.get((from + 1) % KEYS.size()).address(), amount, Amount.units(fee), nonce, SPEC.genesisHash());
  }

  private static Transfer tx(int from, long nonce, long fee) {
    return tx(from, nonce, fee, Amount.coins(1));
  }

  private void admit(Transfer t) throws RejectedException {
    mempool.add(t);
    live.add(t.id());
  }

  /** Mines the node's own template (what its pool offers). */
  private void mine() throws RejectedException {
    Miner.generate(chain, new BlockAssembler(chain, mempool, time), MINER, 1);
  }

  /** Mines a block of {@code txs} that never went through this pool (another node's block). */
  private void mineForeign(Transfer... txs) throws RejectedException {
    Mempool other = new Mempool(store, new MempoolPolicy(0, 1 << 20, 64, 10, 3_600, 0), new SignatureCache(100), time);
    for (Transfer t : txs) {
      try {
        other.add(t);
      } catch (RejectedException e) {
        // Not valid on the tip (e.g. unaffordable): the block goes without it.
      }
    }
    Miner.generate(chain, new BlockAssembler(chain, other, time), MINER, 1);
  }

  @Test
  void eachWayOutIsReportedWithItsReason() throws Exception {
    Transfer mined = tx(0, 0, MIN_FEE);
    admit(mined);
    mine();
    assertThat(removed).containsEntry(mined.id(), Removal.MINED);

    Transfer first = tx(1, 0, MIN_FEE);
    Transfer better = tx(1, 0, MIN_FEE * 2);
    admit(first);
    admit(better);
    assertThat(removed).containsEntry(first.id(), Removal.REPLACED);

    // Sender 2's chain 0, 1, 2; a foreign block spends nearly all its balance with another nonce 0:
    // 0 is used, 1 no longer affordable, 2 left behind the gap.
    Transfer used = tx(2, 0, MIN_FEE);
    Transfer unaffordable = tx(2, 1, MIN_FEE);
    Transfer orphan = tx(2, 2, MIN_FEE);
    admit(used);
    admit(unaffordable);
    admit(orphan);
    mineForeign(tx(2, 0, MIN_FEE, TestChain.FUNDING.minus(Amount.coins(1))));
    assertThat(removed)
        .containsEntry(used.id(), Removal.NONCE_USED)
        .containsEntry(unaffordable.id(), Removal.UNAFFORDABLE)
        .containsEntry(orphan.id(), Removal.ORPHANED);

    // A queued transaction (behind sender 3's gap at nonce 0) whose nonce a block then uses.
    Transfer queued = tx(3, 1, MIN_FEE);
    admit(queued);
    mineForeign(tx(3, 0, MIN_FEE), tx(3, 1, MIN_FEE * 3));
    assertThat(removed).containsEntry(queued.id(), Removal.NONCE_USED);

    // Sender 4 waits too long: its first expires and the rest are orphaned.
    Transfer old = tx(4, 0, MIN_FEE);
    Transfer after = tx(4, 1, MIN_FEE);
    admit(old);
    admit(after);
    time.setMockTime(TimeSource.SYSTEM.nowSeconds() + 3_601);
    mempool.expire();
    assertThat(removed).containsEntry(old.id(), Removal.EXPIRED).containsEntry(after.id(), Removal.ORPHANED);

    assertThat(violations).isEmpty();
    assertThat(live).isEmpty();
    assertThat(mempool.stats().count()).isZero();
  }

  @Test
  void aFullPoolReportsWhomItEvicts() throws Exception {
    close();
    start(new MempoolPolicy(10, 3L * Transfer.SIZE, 16, 10, 3_600, 4));
    Transfer queued = tx(0, 1, MIN_FEE * 3); // behind a gap: evicted first, whatever it pays
    Transfer cheap = tx(1, 0, MIN_FEE);
    Transfer middle = tx(2, 0, MIN_FEE * 2);
    admit(queued);
    admit(cheap);
    admit(middle);
    admit(tx(3, 0, MIN_FEE * 4));
    assertThat(removed).containsEntry(queued.id(), Removal.EVICTED);
    admit(tx(4, 0, MIN_FEE * 4));
    assertThat(removed).containsEntry(cheap.id(), Removal.EVICTED);
    assertThat(removed).doesNotContainKey(middle.id());
    assertThat(violations).isEmpty();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void thePoolHoldsExactlyWhatWasAdmittedMinusWhatWasReportedRemoved(long seed) throws Exception {
    close();
    start(new MempoolPolicy(10, 12L * Transfer.SIZE, 6, 10, 600, 3));
    Random random = new Random(seed);
    long now = TimeSource.SYSTEM.nowSeconds();
    time.setMockTime(now);
    for (int step = 0; step < 400; step++) {
      int op = random.nextInt(100);
      if (op < 70) {
        int from = random.nextInt(KEYS.size());
        long nonce = store.account(KEYS.get(from).address()).nonce() + random.nextInt(8);
        Amount amount = Amount.units(1 + random.nextInt((int) (TestChain.FUNDING.units() / 3_000_000)) * 1_000_000L);
        try {
          admit(tx(from, nonce, MIN_FEE * (1 + random.nextInt(5)), amount));
        } catch (RejectedException e) {
          // refused: not admitted, nothing to account for
        }
      } else if (op < 85) {
        mine();
      } else if (op < 95) {
        int from = random.nextInt(KEYS.size());
        long nonce = store.account(KEYS.get(from).address()).nonce();
        mineForeign(tx(from, nonce, MIN_FEE * 7, Amount.coins(1 + random.nextInt(300))));
      } else {
        now += random.nextInt(400);
        time.setMockTime(now);
        mempool.expire();
      }
      assertThat(violations).as("step %d", step).isEmpty();
      assertThat(mempool.stats().count()).as("pool size at step %d", step).isEqualTo(live.size());
      for (Hash id : live) {
        assertThat(mempool.contains(id)).as("%s admitted and not reported removed", id).isTrue();
      }
    }
    assertThat(new HashSet<>(removed.values())).as("ways out seen").hasSizeGreaterThan(3);
  }
}
