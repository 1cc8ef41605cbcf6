package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.BlockStatus;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The block tree finds ancestors through skip pointers: always the same node a walk along parent
 * pointers finds, in O(log height) hops, on a long chain and on a fork off it. What peers may ask
 * for at will (locators, GetHeaders) walks the tree this way, so its cost must not grow with the
 * chain's height.
 */
class BlockTreeTest {
  private static final int LENGTH = 70_000;
  private static final int FORK_AT = 30_000;
  private static final int FORK_LENGTH = 2_000;

  /** The main chain (index = height) and a fork branching off it. */
  private record Tree(BlockTree tree, List<BlockTree.Node> main, List<BlockTree.Node> fork) {}

  private static Tree build() {
    BlockTree tree = new BlockTree();
    BlockHeader genesis = ChainSpec.regtest().genesisBlock().header();
    List<BlockTree.Node> main = new ArrayList<>();
    main.add(tree.add(entry(genesis)));
    for (int h = 1; h <= LENGTH; h++) {
      main.add(tree.add(entry(child(main.get(h - 1).entry().header(), 0))));
    }
    List<BlockTree.Node> fork = new ArrayList<>();
    BlockHeader parent = main.get(FORK_AT).entry().header();
    for (int i = 0; i < FORK_LENGTH; i++) {
      BlockTree.Node n = tree.add(entry(child(parent, 1)));
      fork.add(n);
      parent = n.entry().header();
    }
    return new Tree(tree, main, fork);
  }

  private static BlockHeader child(BlockHeader parent, long nonce) {
    return BlockHeader.of(
        parent.version(), parent.height() + 1, parent.hash(), Hash.of(new byte[32]), Hash.of(new byte[32]),
        parent.timestamp() + 1, parent.target(), nonce);
  }

  private static BlockIndexEntry entry(BlockHeader h) {
    return new BlockIndexEntry(h, BigInteger.valueOf(h.height() + 1), BlockStatus.HEADER_ONLY);
  }

  private static BlockTree.Node walkParents(BlockTree.Node node, long height) {
    BlockTree.Node n = node;
    while (n.height() > height) {
      n = n.parent().orElseThrow();
    }
    return n;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void ancestorsAreThoseOfTheParentWalkInLogarithmicHops(long seed) {
    Tree t = build();
    Random r = new Random(seed);
    int worst = 0;
    for (int i = 0; i < 3_000; i++) {
      boolean onFork = r.nextInt(4) == 0;
      BlockTree.Node from = onFork ? t.fork().get(r.nextInt(FORK_LENGTH)) : t.main().get(r.nextInt(LENGTH + 1));
      long height = r.nextInt(4) == 0 ? from.height() - r.nextInt((int) Math.min(from.height(), 40) + 1) : (long) r.nextInt((int) from.height() + 1);
      BlockTree.Node expected = walkParents(from, height);
      assertThat(BlockTree.ancestor(from, height)).as("ancestor at %d of %d", height, from.height()).isSameAs(expected);
      int hops = BlockTree.hops(from, height);
      // The skip heights are set by the heights' bits, so the bound goes with log(height).
      int bound = 5 * (64 - Long.numberOfLeadingZeros(from.height() + 1)) + 4;
      assertThat(hops).as("hops from %d to %d", from.height(), height).isLessThanOrEqualTo(bound);
      worst = Math.max(worst, hops);
    }
    // From the tip to genesis of a 70,000-block chain: tens of hops, not 70,000.
    assertThat(BlockTree.hops(t.main().get(LENGTH), 0)).isLessThan(100);
    assertThat(worst).isLessThan(100);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {4})
  void theForkPointOfTwoBranchesIsFound(long seed) {
    Tree t = build();
    Random r = new Random(seed);
    for (int i = 0; i < 200; i++) {
      BlockTree.Node a = t.fork().get(r.nextInt(FORK_LENGTH));
      BlockTree.Node b = t.main().get(FORK_AT + 1 + r.nextInt(LENGTH - FORK_AT));
      assertThat(BlockTree.fork(a, b)).isSameAs(t.main().get(FORK_AT));
      BlockTree.Node below = t.main().get(r.nextInt(FORK_AT + 1));
      assertThat(BlockTree.fork(a, below)).isSameAs(below);
    }
  }

  @ParameterizedTest(name = "height {0}")
  @ValueSource(longs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 64, 65, 1_000_001, Long.MAX_VALUE - 1})
  void aSkipGoesBackAndNeverBeforeGenesis(long height) {
    long skip = BlockTree.skipHeight(height);
    assertThat(skip).isGreaterThanOrEqualTo(0);
    if (height >= 2) {
      assertThat(skip).isLessThanOrEqualTo(height - 1);
    } else {
      assertThat(skip).isZero();
    }
  }
}
