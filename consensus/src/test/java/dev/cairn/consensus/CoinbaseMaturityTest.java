package dev.cairn.consensus;

import static dev.cairn.consensus.ChainHarness.coins;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Reason;
import dev.cairn.testkit.TestChain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Coinbase rewards through the real chain: immature until exactly {@code coinbaseMaturity} blocks
 * later, then spendable; undone when the maturing block is disconnected; and, on random trees of
 * forks, always equal to a closed-form sum over the best chain's coinbases.
 */
class CoinbaseMaturityTest {
  private static final List<PrivateKey> MINERS = TestChain.keys(0xC01B_0001L, 3);

  private ChainHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private static Address miner(int i) {
    return MINERS.get(i).address();
  }

  @Test
  void aRewardIsReleasedExactlyAtMaturity() throws Exception {
    h = ChainHarness.inMemory(ChainSpec.regtest());
    int maturity = h.spec.params().coinbaseMaturity();
    h.accept(h.build(h.onTip().miner(miner(0))));
    for (int height = 2; height <= maturity; height++) {
      h.accept(h.build(h.onTip().miner(miner(1))));
      assertThat(h.account(miner(0))).as("at height %d", height).isEqualTo(new Account(Amount.ZERO, coins(50), 0));
    }
    Block maturing = h.accept(h.build(h.onTip().miner(miner(1))));
    assertThat(maturing.header().height()).isEqualTo(maturity + 1);
    assertThat(h.account(miner(0))).isEqualTo(new Account(coins(50), Amount.ZERO, 0));
    assertThat(h.account(miner(1))).isEqualTo(new Account(Amount.ZERO, coins(50L * maturity), 0));
    // Disconnecting the maturing block makes the reward immature again.
    h.chain.invalidateBlock(maturing.hash());
    assertThat(h.account(miner(0))).isEqualTo(new Account(Amount.ZERO, coins(50), 0));
    h.chain.reconsiderBlock(maturing.hash());
    assertThat(h.account(miner(0))).isEqualTo(new Account(coins(50), Amount.ZERO, 0));
    // The released reward is spendable in the very next block, and only the released part.
    Block spend = h.build(h.onTip().pay(MINERS.get(0), miner(2), coins(50).minus(BlockBuilder.DEFAULT_FEE)));
    h.accept(spend);
    assertThat(h.account(miner(0))).isEqualTo(new Account(Amount.ZERO, Amount.ZERO, 1));
    // At height 103 miner 1 has the rewards of blocks 2 and 3 mature, 100 coins: not 101.
    assertThat(h.reject(h.build(h.onTip().pay(MINERS.get(1), miner(2), coins(101))))).isEqualTo(Reason.IMMATURE_SPEND);
  }

  /** Maturity 3: on a random tree of forks, accounts always equal the closed-form sums. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void randomForksKeepRewardsConsistent(long seed) throws Exception {
    int maturity = 3;
    h = ChainHarness.inMemory(ChainHarness.funded(List.of(), p -> ChainHarness.withMaturity(p, maturity)));
    Random r = new Random(seed);
    List<Block> all = new ArrayList<>();
    Map<Hash, Block> byHash = new HashMap<>();
    for (int i = 0; i < 60; i++) {
      // Mostly extend the tip; sometimes fork from a recent block on any branch.
      Hash parent =
          all.isEmpty() || r.nextInt(4) != 0
              ? h.chain.tip().hash()
              : all.get(Math.max(0, all.size() - 1 - r.nextInt(Math.min(all.size(), 8)))).hash();
      Block b = h.build(h.on(parent).miner(miner(r.nextInt(MINERS.size()))).nonceFrom(r.nextInt(1 << 20)));
      all.add(b);
      byHash.put(b.hash(), b);
      h.submit(b);
      checkRewards(maturity, byHash);
    }
  }

  /** Halving every block and maturity 1: rewards reach zero, and zero rewards come and go cleanly. */
  @Test
  void zeroRewardsAreWrittenAndMatureAsEmptyAccounts() throws Exception {
    h = ChainHarness.inMemory(ChainHarness.funded(List.of(), p -> new dev.cairn.ledger.ChainParams(
        p.name(), p.addressPrefix(), p.targetSpacingSeconds(), p.asertHalfLifeSeconds(), p.maxFutureDriftSeconds(),
        p.powLimit(), p.genesisTarget(), p.fixedTarget(), 1, p.initialSubsidy(), 1, p.maxBlockSize(),
        p.minimumChainWork())));
    ReplayOracle oracle = new ReplayOracle();
    List<PrivateKey> fresh = TestChain.keys(0xC01B_0002L, 70);
    for (int i = 0; i < 70; i++) {
      h.accept(h.build(h.onTip().miner(fresh.get(i).address())));
      oracle.check(h.store);
    }
    assertThat(h.spec.params().subsidyAt(40)).isEqualTo(Amount.ZERO);
    assertThat(h.account(fresh.get(40).address())).isEqualTo(Account.EMPTY);
    assertThat(h.account(fresh.get(0).address())).isEqualTo(new Account(coins(25), Amount.ZERO, 0));
    oracle.close();
  }

  private void checkRewards(int maturity, Map<Hash, Block> byHash) {
    long tipHeight = h.chain.tip().height();
    Map<Address, long[]> expected = new HashMap<>();
    for (long height = 1; height <= tipHeight; height++) {
      Block b = byHash.get(h.store.mainChainHash(height).orElseThrow());
      Coinbase cb = (Coinbase) b.transactions().get(0);
      long[] acc = expected.computeIfAbsent(cb.recipient(), a -> new long[2]);
      // Matured once the chain reaches height + maturity.
      acc[height + maturity <= tipHeight ? 0 : 1] += cb.amount().units();
    }
    for (int i = 0; i < MINERS.size(); i++) {
      long[] e = expected.getOrDefault(miner(i), new long[2]);
      assertThat(h.account(miner(i))).as("miner %d at height %d", i, tipHeight)
          .isEqualTo(new Account(Amount.units(e[0]), Amount.units(e[1]), 0));
    }
  }
}
