package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockStatus;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * A named sequence of blocks and actions with the exact outcome of each, in the spirit of btcd's
 * {@code fullblocktests}: "accepted, tip becomes X", "stored as a side chain", "rejected with
 * reason Y". After every step the node's accounts and tip must equal a fresh replay of its best
 * chain ({@link ReplayOracle}); after every rejection that does not move the tip, the state must
 * be unchanged. Steps run in order as JUnit dynamic tests, one per step. Not thread-safe.
 */
final class BlockScenario {
  /** What a rejection must leave in the block index. */
  enum Mark {
    /** The block is not indexed (mutated, too new, context-free failures, unknown parent). */
    NOT_INDEXED,
    /** The block is indexed and marked FAILED. */
    FAILED,
    /** The block is indexed and marked FAILED_PARENT. */
    FAILED_PARENT,
    /** Whatever it was before (a block already known). */
    ANY
  }

  /** One named step: what to do and what must hold afterwards. */
  record Step(String name, Optional<Reason> expectedReason, StepBody body) {}

  @FunctionalInterface
  interface StepBody {
    void run(ChainHarness h) throws Exception;
  }

  private final String title;
  private final List<Step> steps = new ArrayList<>();

  BlockScenario(String title) {
    this.title = title;
  }

  List<Step> steps() {
    return steps;
  }

  /** Every reason some step of this scenario expects. */
  Set<Reason> expectedReasons() {
    Set<Reason> out = EnumSet.noneOf(Reason.class);
    for (Step s : steps) {
      s.expectedReason().ifPresent(out::add);
    }
    return out;
  }

  private BlockScenario add(String name, Reason reason, StepBody body) {
    steps.add(new Step(String.format("%s %03d %s", title, steps.size() + 1, name), Optional.ofNullable(reason), body));
    return this;
  }

  // ---- outcomes ------------------------------------------------------------------------------

  /** The block connects and becomes the tip. */
  BlockScenario accept(String name, Block block) {
    return accept(name, block, block.hash());
  }

  /** The block connects (is on the best chain) and the tip becomes {@code tip}. */
  BlockScenario accept(String name, Block block, Hash tip) {
    return add(name + " -> accepted", null, h -> {
      Blockchain.BlockResult r = submitOrFail(h, block);
      assertThat(r.outcome()).as("outcome").isEqualTo(Blockchain.Outcome.CONNECTED);
      assertThat(h.chain.tip().hash()).as("tip").isEqualTo(tip);
      assertThat(ChainHarness.bestChain(h.store)).contains(block.hash());
      assertThat(h.status(block.hash()).orElseThrow().has(BlockStatus.VALID)).isTrue();
    });
  }

  /** The block is stored on a branch with no more work than the best chain; the tip stays. */
  BlockScenario side(String name, Block block) {
    return add(name + " -> side chain", null, h -> {
      Hash before = h.chain.tip().hash();
      Blockchain.BlockResult r = submitOrFail(h, block);
      assertThat(r.outcome()).as("outcome").isEqualTo(Blockchain.Outcome.SIDE_CHAIN);
      assertThat(h.chain.tip().hash()).as("tip").isEqualTo(before);
      BlockStatus s = h.status(block.hash()).orElseThrow();
      assertThat(s.has(BlockStatus.HAVE_BODY)).isTrue();
      assertThat(s.isFailed()).isFalse();
    });
  }

  /** The block was stored before: nothing changes. */
  BlockScenario known(String name, Block block) {
    return add(name + " -> already known", null, h -> {
      SortedMap<Address, Account> accounts = h.accounts();
      Hash before = h.chain.tip().hash();
      Blockchain.BlockResult r = submitOrFail(h, block);
      assertThat(r.outcome()).as("outcome").isEqualTo(Blockchain.Outcome.ALREADY_KNOWN);
      assertThat(h.chain.tip().hash()).isEqualTo(before);
      assertThat(h.accounts()).isEqualTo(accounts);
    });
  }

  /** The block is rejected for {@code reason}; tip and accounts are unchanged. */
  BlockScenario reject(String name, Block block, Reason reason, Mark mark) {
    return add(name + " -> " + reason.code(), reason, h -> {
      SortedMap<Address, Account> accounts = h.accounts();
      Hash before = h.chain.tip().hash();
      expectRejection(h, block, reason);
      assertThat(h.chain.tip().hash()).as("tip after a rejection").isEqualTo(before);
      assertThat(h.accounts()).as("accounts after a rejection").isEqualTo(accounts);
      checkMark(h, block.hash(), mark);
    });
  }

  /**
   * The block is rejected for {@code reason}, but only after the chain moved (a heavier branch
   * failed part-way through): the tip ends at {@code tip}.
   */
  BlockScenario rejectAndSettle(String name, Block block, Reason reason, Mark mark, Hash tip) {
    return add(name + " -> " + reason.code(), reason, h -> {
      expectRejection(h, block, reason);
      assertThat(h.chain.tip().hash()).as("tip").isEqualTo(tip);
      checkMark(h, block.hash(), mark);
    });
  }

  /** Raw bytes from the wire: decoded, then processed; the rejection is {@code reason}. */
  BlockScenario rejectBytes(String name, byte[] bytes, Reason reason) {
    return add(name + " -> " + reason.code(), reason, h -> {
      SortedMap<Address, Account> accounts = h.accounts();
      Hash before = h.chain.tip().hash();
      Reason got;
      try {
        Block b = Block.decode(bytes);
        got = h.reject(b);
      } catch (DecodeException e) {
        got = e.reason();
      }
      assertThat(got).isEqualTo(reason);
      assertThat(h.chain.tip().hash()).isEqualTo(before);
      assertThat(h.accounts()).isEqualTo(accounts);
    });
  }

  /** Anything else: move the clock, invalidate, check a status. */
  BlockScenario action(String name, StepBody body) {
    return add(name, null, body);
  }

  /** The index status of a block. */
  BlockScenario expectMark(String name, Block block, Mark mark) {
    return add(name + " is " + mark, null, h -> checkMark(h, block.hash(), mark));
  }

  BlockScenario expectTip(String name, Hash tip) {
    return add(name, null, h -> assertThat(h.chain.tip().hash()).isEqualTo(tip));
  }

  BlockScenario check(String name, Consumer<ChainHarness> check) {
    return add(name, null, check::accept);
  }

  // ---- running -------------------------------------------------------------------------------

  /** One dynamic test per step; each also checks the node against a replay of its best chain. */
  Stream<DynamicTest> tests(ChainHarness h, ReplayOracle oracle) {
    return steps.stream()
        .map(
            s ->
                DynamicTest.dynamicTest(
                    s.name(),
                    () -> {
                      s.body().run(h);
                      assertThat(h.store.tip()).as("store tip vs. chain tip").isEqualTo(h.chain.tip());
                      oracle.check(h.store);
                    }));
  }

  private static Blockchain.BlockResult submitOrFail(ChainHarness h, Block block) {
    try {
      return h.submit(block);
    } catch (RejectedException e) {
      throw new AssertionError("rejected: " + e.getMessage(), e);
    }
  }

  private static void expectRejection(ChainHarness h, Block block, Reason reason) {
    try {
      Blockchain.BlockResult r = h.submit(block);
      throw new AssertionError("expected " + reason.code() + " but the block was " + r.outcome());
    } catch (RejectedException e) {
      assertThat(e.reason()).as("reason (%s)", e.getMessage()).isEqualTo(reason);
    }
  }

  static void checkMark(ChainHarness h, Hash hash, Mark mark) {
    Optional<BlockStatus> s = h.status(hash);
    switch (mark) {
      case NOT_INDEXED -> assertThat(s).as("index entry of %s", hash).isEmpty();
      case FAILED -> {
        assertThat(s).as("index entry of %s", hash).isPresent();
        assertThat(s.get().has(BlockStatus.FAILED)).as("FAILED in %s", s.get()).isTrue();
      }
      case FAILED_PARENT -> {
        assertThat(s).as("index entry of %s", hash).isPresent();
        assertThat(s.get().has(BlockStatus.FAILED_PARENT)).as("FAILED_PARENT in %s", s.get()).isTrue();
      }
      case ANY -> {}
    }
  }
}
