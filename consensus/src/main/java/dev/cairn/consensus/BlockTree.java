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
 * block index; {@link Blockchain} keeps both in step. Not thread-safe: guarded by the chain lock.
 */
final class BlockTree {
  static final class Node {
    private BlockIndexEntry entry;
    private final Node parent;
    private final List<Node> children = new ArrayList<>(1);
    private final long sequence;

    private Node(BlockIndexEntry entry, Node parent, long sequence) {
      this.entry = entry;
      this.parent = parent;
      this.sequence = sequence;
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

  /** The ancestor of {@code node} at {@code height} (or the node itself). */
  static Node ancestor(Node node, long height) {
    Node n = node;
    while (n.height() > height) {
      n = n.parent;
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
