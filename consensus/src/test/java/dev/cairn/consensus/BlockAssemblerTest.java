package dev.cairn.consensus;

import static dev.cairn.consensus.ChainHarness.coins;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.testkit.TestChain;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Templates from {@link BlockAssembler}, mined by {@link Miner#generate}, are blocks the chain accepts. */
class BlockAssemblerTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0xA55E_0001L, 20);

  private ChainHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private static Transfer pay(ChainSpec spec, int from, int to, Amount amount, long fee, long nonce) {
    return Transfer.sign(KEYS.get(from), KEYS.get(to).address(), amount, Amount.units(fee), nonce, spec.genesisHash());
  }

  private BlockAssembler assembler() {
    return new BlockAssembler(h.chain, h.mempool, h.time);
  }

  @Test
  void generatesEmptyBlocks() throws Exception {
    h = ChainHarness.inMemory(ChainSpec.regtest());
    List<Hash> hashes = Miner.generate(h.chain, assembler(), h.miner, 5);
    assertThat(hashes).hasSize(5);
    assertThat(h.chain.tip().hash()).isEqualTo(hashes.get(4));
    assertThat(ChainHarness.bestChain(h.store).subList(1, 6)).isEqualTo(hashes);
    assertThat(h.account(h.miner).immature()).isEqualTo(coins(250));
    Block first = h.store.body(hashes.get(0)).orElseThrow();
    assertThat(first.transactions()).hasSize(1);
    assertThat(first.header().target()).isEqualTo(h.spec.params().genesisTarget());
  }

  @Test
  void includesThePoolPaysItsFeesAndEmptiesIt() throws Exception {
    h = ChainHarness.inMemory(ChainHarness.funded(KEYS));
    long fees = 0;
    for (int i = 0; i < 10; i++) {
      h.mempool.add(pay(h.spec, i, i + 1, coins(1 + i), 2_000 + i, 0));
      h.mempool.add(pay(h.spec, i, i + 2, coins(1), 2_000, 1));
      fees += 4_000 + i;
    }
    Hash hash = Miner.generate(h.chain, assembler(), h.miner, 1).get(0);
    Block block = h.store.body(hash).orElseThrow();
    assertThat(block.transactions()).hasSize(21);
    assertThat(((Coinbase) block.transactions().get(0)).amount()).isEqualTo(coins(50).plus(Amount.units(fees)));
    assertThat(h.mempool.stats().count()).isZero();
    // Highest fee rate first, each sender's nonce 1 after its nonce 0.
    assertThat(((Transfer) block.transactions().get(1)).senderAddress()).isEqualTo(KEYS.get(9).address());
    new ReplayOracle().check(h.store);
  }

  @Test
  void fillsABlockToExactlyTheSizeLimit() throws Exception {
    h = ChainHarness.inMemory(ChainHarness.funded(KEYS, p -> ChainHarness.withMaxBlockSize(p, FullBlockTest.SIZE_LIMIT)));
    for (int i = 0; i < 20; i++) {
      h.mempool.add(pay(h.spec, i, (i + 1) % 20, coins(1), 2_000 + 10 * i, 0));
    }
    Hash hash = Miner.generate(h.chain, assembler(), h.miner, 1).get(0);
    Block block = h.store.body(hash).orElseThrow();
    assertThat(block.size()).isEqualTo(FullBlockTest.SIZE_LIMIT);
    assertThat(block.transactions()).hasSize(14);
    assertThat(h.mempool.stats().count()).isEqualTo(7);
    Miner.generate(h.chain, assembler(), h.miner, 1);
    assertThat(h.mempool.stats().count()).isZero();
  }

  @Test
  void skipsTransactionsTheTipMadeStale() throws Exception {
    h = ChainHarness.inMemory(ChainHarness.funded(KEYS));
    // A pool that does not follow the chain, so it keeps what the chain has made stale.
    Mempool detached = new Mempool(h.store, MempoolPolicy.DEFAULT, new SignatureCache(100), h.time);
    Transfer a0 = pay(h.spec, 0, 1, coins(1), 3_000, 0);
    Transfer a1 = pay(h.spec, 0, 1, coins(1), 3_000, 1);
    Transfer b0 = pay(h.spec, 1, 2, coins(1), 2_000, 0);
    detached.add(a0);
    detached.add(a1);
    detached.add(b0);
    h.accept(h.build(h.onTip().add(pay(h.spec, 0, 3, coins(2), 2_000, 0)))); // a conflicting nonce 0
    Hash hash = Miner.generate(h.chain, new BlockAssembler(h.chain, detached, h.time), h.miner, 1).get(0);
    List<Transaction> txs = h.store.body(hash).orElseThrow().transactions();
    // a0 lost its nonce, so a1 (same sender) is skipped too; b0 goes in.
    assertThat(txs).hasSize(2).contains(b0);
  }

  @Test
  void spendsARewardInTheBlockThatMaturesIt() throws Exception {
    h = ChainHarness.inMemory(ChainSpec.regtest());
    int maturity = h.spec.params().coinbaseMaturity();
    Miner.generate(h.chain, assembler(), h.miner, maturity);
    Transfer spend = Transfer.sign(h.minerKey, KEYS.get(0).address(), coins(49), Amount.units(2_000), 0, h.spec.genesisHash());
    // The pool judges against the tip, where the first reward is still immature (although block
    // maturity + 1 could already carry this spend).
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.mempool.add(spend))
        .isInstanceOf(dev.cairn.ledger.RejectedException.class)
        .hasMessageContaining(dev.cairn.ledger.Reason.IMMATURE_SPEND.code());
    // Block maturity + 1 releases the reward: its template commits to the released balance.
    Miner.generate(h.chain, assembler(), h.miner, 1);
    assertThat(h.account(h.miner).balance()).isEqualTo(coins(50));
    h.mempool.add(spend);
    Miner.generate(h.chain, assembler(), h.miner, 1);
    assertThat(h.account(KEYS.get(0).address()).balance()).isEqualTo(coins(49));
    assertThat(h.account(h.miner).balance()).isEqualTo(coins(100).minus(coins(49)).minus(Amount.units(2_000)));
  }

  @Test
  void stampsAfterTheMedianTimePastWhenTheClockIsBehind() throws Exception {
    h = ChainHarness.inMemory(ChainSpec.regtest());
    h.mine(11);
    h.clock.set(h.spec.genesisTimestamp()); // a clock far behind the chain
    long mtp = h.chain.medianTimePast();
    Hash hash = Miner.generate(h.chain, assembler(), h.miner, 1).get(0);
    assertThat(h.store.body(hash).orElseThrow().header().timestamp()).isEqualTo(mtp + 1);
  }

  @Test
  void anotherNodeAcceptsTheGeneratedChain() throws Exception {
    // Maturity 2: templates release rewards from the store's best chain as they mature.
    ChainSpec spec = ChainHarness.funded(KEYS, p -> ChainHarness.withMaturity(p, 2));
    h = ChainHarness.inMemory(spec);
    Miner.generate(h.chain, assembler(), h.miner, 6);
    ChainStore replica = ChainStore.open(new InMemoryKeyValueStore(), spec);
    Blockchain other = new Blockchain(replica, h.time, new SignatureVerifier(new SignatureCache(10), null, 1));
    for (Hash hash : ChainHarness.bestChain(h.store).subList(1, 7)) {
      other.processBlock(h.store.body(hash).orElseThrow());
    }
    assertThat(other.tip()).isEqualTo(h.chain.tip());
    assertThat(h.account(h.miner)).isEqualTo(new dev.cairn.ledger.Account(coins(200), coins(100), 0));
    replica.close();
  }
}
