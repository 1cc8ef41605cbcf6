package dev.cairn.node.cluster;

import java.util.List;

/**
 * Something that must hold on a set of nodes, checked with assertions (an {@link AssertionError}
 * says what does not hold yet). {@link Cluster#verify} retries it until it holds or times out.
 */
@FunctionalInterface
public interface Condition {
  void check(List<ClusterNode> nodes);
}
