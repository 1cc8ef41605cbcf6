package dev.cairn.consensus;

import dev.cairn.ledger.Hash;
import dev.cairn.ledger.store.BlockIndexEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The block index in memory, as a tree: every indexed header with its parent and children, and
 * the order in which each was first seen (first seen wins a tie in work). It mirrors the store's
 * block index; {@link Blockchain} keeps both in step. Each node also keeps a skip pointer to an
 * ancestor further back (the deterministic skip list Bitcoin Core's block index uses), so finding
 * an ancestor takes O(log height) hops, not one per block: locators and GetHeaders answers, which
 * peers can ask for at will, cost the same at height 10 million as at 10. Not thread-safe: guarded
 * by the chain lock.
 */
final class BlockTree {
  static final class Node {
    private BlockIndexEntry entry;
    private final Node parent;
    /** The ancestor at {@link #skipHeight}(height), or null at heights 0 and 1. */
    private final Node skip;
    private final List<Node> children = new ArrayList<>(1);
    private final long sequence;

    private Node(BlockIndexEntry entry, Node parent, long sequence) {
      this.entry = entry;
      this.parent = parent;
      this.sequence = sequence;
      this.skip = parent == null ? null : ancestor(parent, skipHeight(entry.height()));
    }

    BlockIndexEntry entry() {
      return entry;
    }

    Optional<Node> parent() {
      return Optional.ofNullable(parent);
    }

    List<Node> children() {
      return children;
    }

    long sequence() {
      return sequence;
    }

    Hash hash() {
      return entry.hash();
    }

    long height() {
      return entry.height();
    }
  }

  private final Map<Hash, Node> nodes = new HashMap<>();
  private long nextSequence;

  /** Adds an entry whose parent is already in the tree (or genesis, which has none). */
  Node add(BlockIndexEntry entry) {
    Node existing = nodes.get(entry.hash());
    if (existing != null) {
      return existing;
    }
    Node parent = nodes.get(entry.header().previousHash());
    if (parent == null && entry.height() != 0) {
      throw new IllegalArgumentException("parent of " + entry.hash() + " is not in the tree");
    }
    Node node = new Node(entry, parent, nextSequence++);
    if (parent != null) {
      parent.children.add(node);
    }
    nodes.put(entry.hash(), node);
    return node;
  }

  /** Loads entries in any order (as the store lists them): parents are linked before children. */
  void addAll(Collection<BlockIndexEntry> entries) {
    List<BlockIndexEntry> sorted = new ArrayList<>(entries);
    sorted.sort((a, b) -> Long.compare(a.height(), b.height()));
    for (BlockIndexEntry e : sorted) {
      if (e.height() == 0 || nodes.containsKey(e.header().previousHash())) {
        add(e);
      }
    }
  }

  Optional<Node> get(Hash hash) {
    return Optional.ofNullable(nodes.get(hash));
  }

  void update(BlockIndexEntry entry) {
    Node node = nodes.get(entry.hash());
    if (node == null) {
      throw new IllegalArgumentException("not in the tree: " + entry.hash());
    }
    node.entry = entry;
  }

  Collection<Node> all() {
    return nodes.values();
  }

  int size() {
    return nodes.size();
  }

  /** The node and all nodes below it. */
  List<Node> subtree(Node root) {
    List<Node> out = new ArrayList<>();
    List<Node> stack = new ArrayList<>();
    stack.add(root);
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      out.add(n);
      stack.addAll(n.children);
    }
    return out;
  }

  /**
   * The height a node at {@code height} skips back to: with the lowest set bit cleared (twice for
   * odd heights, then one up), so skips of many lengths interleave and any ancestor is a few long
   * skips and a few short ones away.
   */
  static long skipHeight(long height) {
    if (height < 2) {
      return 0;
    }
    return (height & 1) == 0 ? clearLowestSetBit(height) : clearLowestSetBit(clearLowestSetBit(height - 1)) + 1;
  }

  private static long clearLowestSetBit(long n) {
    return n & (n - 1);
  }

  /** The ancestor of {@code node} at {@code height} (or the node itself). */
  static Node ancestor(Node node, long height) {
    return walk(node, height, new int[1]);
  }

  /** Hops {@link #ancestor} takes from {@code node} to {@code height}: O(log height). */
  static int hops(Node node, long height) {
    int[] hops = new int[1];
    walk(node, height, hops);
    return hops[0];
  }

  private static Node walk(Node node, long height, int[] hops) {
    if (height < 0) {
      throw new IllegalArgumentException("no ancestor at height " + height);
    }
    Node n = node;
    while (n.height() > height) {
      long skipTo = skipHeight(n.height());
      long parentSkipTo = skipHeight(n.height() - 1);
      // Take the skip if it lands on the target, or overshoots nothing and the parent's skip would
      // not get there better (a short skip from the parent past a long one from here).
      boolean takeSkip = n.skip != null
          && (skipTo == height || (skipTo > height && !(parentSkipTo < skipTo - 2 && parentSkipTo >= height)));
      n = takeSkip ? n.skip : n.parent;
      hops[0]++;
    }
    return n;
  }

  /** The last common ancestor of two nodes. */
  static Node fork(Node a, Node b) {
    Node x = ancestor(a, Math.min(a.height(), b.height()));
    Node y = ancestor(b, Math.min(a.height(), b.height()));
    while (x != y) {
      x = x.parent;
      y = y.parent;
    }
    return x;
  }
}
