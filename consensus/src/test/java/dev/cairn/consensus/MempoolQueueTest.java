package dev.cairn.consensus;

import static dev.cairn.consensus.ChainHarness.coins;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.TestChain;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Queued slots: a transaction behind a nonce gap waits (not mined, not relayed) until the gap
 * fills, then joins its sender's chain; the queue is capped per sender and evicted first.
 */
class MempoolQueueTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0x9E9E_0001L, 4);
  private static final ChainSpec SPEC = ChainHarness.funded(KEYS);
  private static final MempoolPolicy QUEUE_OF_TWO = new MempoolPolicy(10, 1 << 20, 8, 10, 3_600, 2);

  private ChainHarness h;
  private final List<Transfer> relayed = new ArrayList<>();

  private void harness(MempoolPolicy policy) {
    h = ChainHarness.inMemory(SPEC, policy);
    h.mempool.addListener(relayed::add);
  }

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private static Transfer tx(int from, long fee, long nonce) {
    return Transfer.sign(KEYS.get(from), KEYS.get((from + 1) % KEYS.size()).address(), coins(1), Amount.units(fee), nonce, SPEC.genesisHash());
  }

  @Test
  void aGapWaitsUnseenThenTheWholeChainMovesUpWhenItFills() throws Exception {
    harness(QUEUE_OF_TWO);
    Transfer n2 = tx(0, 2_000, 2);
    Transfer n1 = tx(0, 2_000, 1);
    h.mempool.add(n2);
    h.mempool.add(n1);
    assertThat(h.mempool.contains(n2.id())).isTrue();
    assertThat(h.mempool.pendingFrom(KEYS.get(0).address())).isEmpty();
    assertThat(h.mempool.selectForBlock(1 << 20)).isEmpty();
    assertThat(relayed).as("queued transactions are not relayed").isEmpty();

    Transfer n0 = tx(0, 2_000, 0);
    h.mempool.add(n0);
    assertThat(h.mempool.pendingFrom(KEYS.get(0).address())).containsExactly(n0, n1, n2);
    assertThat(relayed).containsExactly(n0, n1, n2);
    assertThat(h.mempool.selectForBlock(1 << 20)).containsExactly(n0, n1, n2);
  }

  @Test
  void aBlockThatFillsTheGapPromotesTheQueue() throws Exception {
    harness(QUEUE_OF_TWO);
    Transfer n1 = tx(0, 2_000, 1);
    h.mempool.add(n1);
    // nonce 0 arrives in a block instead of through the mempool
    h.accept(h.build(h.onTip().add(tx(0, 3_000, 0))));
    assertThat(h.mempool.pendingFrom(KEYS.get(0).address())).containsExactly(n1);
    assertThat(relayed).containsExactly(n1);
  }

  @Test
  void theQueueIsCappedPerSenderAndBoundedAhead() throws Exception {
    harness(QUEUE_OF_TWO);
    h.mempool.add(tx(0, 2_000, 3));
    h.mempool.add(tx(0, 2_000, 5));
    assertThatThrownBy(() -> h.mempool.add(tx(0, 2_000, 4)))
        .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NONCE_TOO_FAR))
        .hasMessageContaining("queued slots are full");
    // A replacement of a queued transaction is still possible, at the usual +10%.
    h.mempool.add(tx(0, 2_200, 5));
    assertThatThrownBy(() -> h.mempool.add(tx(1, 2_000, 100)))
        .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NONCE_TOO_FAR));
  }

  @Test
  void queuedTransactionsAreEvictedBeforeExecutableOnes() throws Exception {
    long room = 3L * Transfer.SIZE;
    harness(new MempoolPolicy(10, room, 8, 10, 3_600, 4));
    Transfer queuedRich = tx(0, 9_000, 5);
    Transfer a = tx(1, 2_000, 0);
    Transfer b = tx(2, 2_000, 0);
    h.mempool.add(queuedRich);
    h.mempool.add(a);
    h.mempool.add(b);
    Transfer c = tx(3, 3_000, 0);
    h.mempool.add(c);
    assertThat(h.mempool.contains(queuedRich.id())).as("evicted despite its higher fee: it cannot be mined").isFalse();
    assertThat(h.mempool.contains(a.id()) && h.mempool.contains(b.id()) && h.mempool.contains(c.id())).isTrue();
  }

  @Test
  void withoutQueuedSlotsAGapIsRefused() {
    harness(new MempoolPolicy(10, 1 << 20, 8, 10, 3_600));
    assertThatThrownBy(() -> h.mempool.add(tx(0, 2_000, 1)))
        .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NONCE_TOO_FAR));
  }
}
