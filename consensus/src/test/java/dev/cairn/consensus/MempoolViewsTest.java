package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.TestChain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
import java.util.HashSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The explorer's views of the mempool ({@link Mempool#entries}, {@link Mempool#recent}, {@link
 * Mempool#touching}) against a brute-force reading of the same pool, through seeded random
 * admissions (pending, queued behind gaps, replacements, refusals), evictions from a small pool,
 * blocks that mine part of it and blocks that promote queued transactions; and what a full pool
 * evicts, from its fee-rate indexes, against a full sort of the pool as the reference.
 */
class MempoolViewsTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0x7EE5_0001L, 6);
  private static final ChainSpec SPEC = ChainHarness.funded(KEYS);
  /** Small enough to evict, with room for queued transactions. */
  private static final MempoolPolicy SMALL = new MempoolPolicy(10, 40 * Transfer.SIZE, 8, 10, 3_600, 3);

  private ChainHarness h;
  private final List<Hash> evicted = new ArrayList<>();
  private int evictions;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void queuedTransactionsAreInEveryView() throws Exception {
    h = ChainHarness.inMemory(SPEC, MempoolPolicy.DEFAULT);
    Transfer queued = transfer(0, 1, 2_000, 2);
    Transfer pending = transfer(1, 0, 2_000, 0);
    h.mempool.add(queued);
    h.mempool.add(pending);
    assertThat(h.mempool.pendingFrom(KEYS.get(0).address())).as("behind a gap").isEmpty();
    assertThat(h.mempool.recent(10)).extracting(Mempool.Entry::tx).containsExactly(pending, queued);
    assertThat(h.mempool.touching(KEYS.get(0).address())).extracting(Mempool.Entry::tx).containsExactly(pending, queued);
    assertThat(h.mempool.touching(KEYS.get(2).address())).isEmpty();
    assertThat(h.mempool.recent(1)).extracting(Mempool.Entry::tx).containsExactly(pending);
    assertThat(h.mempool.recent(0)).isEmpty();
  }

  @Test
  void aPaymentToOneselfIsListedOnce() throws Exception {
    h = ChainHarness.inMemory(SPEC, MempoolPolicy.DEFAULT);
    Transfer self = transfer(3, 3, 2_000, 0);
    h.mempool.add(self);
    assertThat(h.mempool.touching(KEYS.get(3).address())).extracting(Mempool.Entry::tx).containsExactly(self);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void viewsAgreeWithTheWholePoolThroughRandomChurn(long seed) throws Exception {
    churn(seed, 400, true, true);
  }

  @Test
  void aFullPoolEvictsWhatAFullSortWould() throws Exception {
    int total = 0;
    for (long seed = 5; seed <= 12; seed++) {
      close();
      // Admissions only, no blocks: the small pool fills up and makes room again and again; with
      // gaps the queued transactions go first, without them only chain tails can.
      churn(seed, 300, false, seed % 2 == 0);
      total += evictions;
    }
    assertThat(total).as("evictions over the seeds").isGreaterThan(100);
  }

  /**
   * Random admissions (and, with {@code blocks}, blocks; with {@code gaps}, nonces that leave gaps,
   * replace or are used), the views and evictions checked at every step.
   */
  private void churn(long seed, int steps, boolean blocks, boolean gaps) throws Exception {
    h = ChainHarness.inMemory(SPEC, SMALL);
    h.mempool.addListener(
        new MempoolListener() {
          @Override
          public void transactionAdded(Transfer tx) {}

          @Override
          public void transactionRemoved(Transfer tx, Removal why) {
            if (why == Removal.EVICTED) {
              evicted.add(tx.id());
            }
          }
        });
    Random random = new Random(seed);
    Map<Integer, Long> nextNonce = new HashMap<>();
    evictions = 0;
    for (int step = 0; step < steps; step++) {
      int op = blocks ? random.nextInt(20) : 2 + random.nextInt(18);
      if (op == 0) {
        // A block mining part of the pool (its template), which may also fill queued gaps.
        h.accept(h.build(h.onTip().addAll(h.mempool.selectForBlock(8 * Transfer.SIZE))));
      } else if (op == 1) {
        // A block carrying a sender's next nonce from outside the pool: promotes its queue.
        int from = random.nextInt(KEYS.size());
        long nonce = h.chain.store().account(KEYS.get(from).address()).nonce();
        h.accept(h.build(h.onTip().add(transfer(from, random.nextInt(KEYS.size()), 9_000 + random.nextInt(1_000), nonce))));
      } else {
        int from = random.nextInt(KEYS.size());
        long base = h.chain.store().account(KEYS.get(from).address()).nonce();
        // Mostly the next nonce; sometimes a gap (queued), a replacement or a used nonce.
        long nonce = Math.max(base, nextNonce.getOrDefault(from, base) + (gaps && random.nextInt(4) == 0 ? random.nextInt(4) - 1 : 0));
        Transfer t = transfer(from, random.nextInt(KEYS.size()), 1_500 + random.nextInt(3_000), nonce);
        List<Mempool.Entry> expectedEvictions = evictionsByFullSort(t);
        evicted.clear();
        try {
          h.mempool.add(t);
          nextNonce.merge(from, nonce + 1, Math::max);
          assertThat(evicted).as("evicted for %s", t.id()).containsExactlyInAnyOrderElementsOf(
              expectedEvictions.stream().map(e -> e.tx().id()).toList());
          evictions += evicted.size();
        } catch (RejectedException refused) {
          // Refusals change nothing; the views are checked below all the same.
        }
      }
      checkViews(random);
    }
  }

  /**
   * What a full pool evicts to admit {@code t}, the slow way: every queued entry and every chain
   * tail sorted cheapest first (ties newest first), queued ones first, tails only if cheaper than
   * {@code t}; never {@code t}'s sender's own.
   */
  private List<Mempool.Entry> evictionsByFullSort(Transfer t) {
    List<Mempool.Entry> all = h.mempool.entries();
    Set<Hash> pending = new HashSet<>();
    List<Mempool.Entry> tails = new ArrayList<>();
    Map<Hash, Mempool.Entry> byId = new HashMap<>();
    all.forEach(e -> byId.put(e.tx().id(), e));
    for (PrivateKey k : KEYS) {
      List<Transfer> chain = h.mempool.pendingFrom(k.address());
      chain.forEach(c -> pending.add(c.id()));
      if (!chain.isEmpty()) {
        tails.add(byId.get(chain.get(chain.size() - 1).id()));
      }
    }
    long replaced = all.stream()
        .filter(e -> e.tx().senderAddress().equals(t.senderAddress()) && e.tx().nonce() == t.nonce())
        .mapToLong(e -> e.tx().size()).sum();
    long current = h.mempool.stats().bytes() - replaced;
    if (current + t.size() <= SMALL.maxBytes()) {
      return List.of();
    }
    Comparator<Mempool.Entry> cheapestFirst =
        Comparator.comparingLong((Mempool.Entry e) -> e.tx().fee().units() * 1000 / e.tx().size())
            .thenComparing(Comparator.comparingLong(Mempool.Entry::sequence).reversed());
    List<Mempool.Entry> queued = new ArrayList<>(all.stream().filter(e -> !pending.contains(e.tx().id())).toList());
    queued.sort(cheapestFirst);
    tails.sort(cheapestFirst);
    long rate = t.fee().units() * 1000 / t.size();
    long freed = 0;
    List<Mempool.Entry> out = new ArrayList<>();
    for (Mempool.Entry e : queued) {
      if (current - freed + t.size() <= SMALL.maxBytes()) {
        break;
      }
      if (!e.tx().senderAddress().equals(t.senderAddress())) {
        out.add(e);
        freed += e.tx().size();
      }
    }
    for (Mempool.Entry e : tails) {
      if (current - freed + t.size() <= SMALL.maxBytes()) {
        break;
      }
      if (e.tx().fee().units() * 1000 / e.tx().size() < rate && !e.tx().senderAddress().equals(t.senderAddress())) {
        out.add(e);
        freed += e.tx().size();
      }
    }
    return out;
  }

  /** Every view equals what a scan of the whole pool gives. */
  private void checkViews(Random random) {
    List<Mempool.Entry> all = h.mempool.entries();
    Mempool.Stats stats = h.mempool.stats();
    assertThat(all).hasSize(stats.count());
    assertThat(all.stream().mapToLong(e -> e.tx().size()).sum()).isEqualTo(stats.bytes());
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).sequence()).as("newest first").isLessThan(all.get(i - 1).sequence());
    }
    for (Mempool.Entry e : all) {
      assertThat(h.mempool.contains(e.tx().id())).isTrue();
    }
    int k = random.nextInt(all.size() + 2);
    assertThat(h.mempool.recent(k)).containsExactlyElementsOf(all.subList(0, Math.min(k, all.size())));
    for (PrivateKey key : KEYS) {
      Address a = key.address();
      List<Mempool.Entry> expected = new ArrayList<>();
      for (Mempool.Entry e : all) {
        if (e.tx().senderAddress().equals(a) || e.tx().recipient().equals(a)) {
          expected.add(e);
        }
      }
      assertThat(h.mempool.touching(a)).as("touching %s", a).containsExactlyElementsOf(expected);
    }
  }

  private static Transfer transfer(int from, int to, long fee, long nonce) {
    return Transfer.sign(KEYS.get(from), KEYS.get(to).address(), Amount.units(1_000), Amount.units(fee), nonce, SPEC.genesisHash());
  }
}
