package dev.cairn.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 6962 Merkle tree over transaction ids: a leaf is SHA-256(0x00 ‖ txid), an inner node
 * SHA-256(0x01 ‖ left ‖ right), and an odd node at the end of a level is promoted, never
 * duplicated. The prefixes keep a leaf from posing as an inner node (the 64-byte transaction
 * confusion of CVE-2017-12842); promotion keeps [a, b, c] and [a, b, c, c] apart (CVE-2012-2459).
 * Stateless and thread-safe.
 */
public final class MerkleTree {
  private static final byte[] LEAF_PREFIX = {0x00};
  private static final byte[] NODE_PREFIX = {0x01};
  /** The root of an empty tree, as RFC 6962 defines it: SHA-256 of the empty string. */
  public static final Hash EMPTY_ROOT = Hashes.sha256(new byte[0]);

  private MerkleTree() {}

  public static Hash leafHash(Hash txid) {
    return Hashes.sha256(LEAF_PREFIX, txid.bytesUnsafe());
  }

  public static Hash nodeHash(Hash left, Hash right) {
    return Hashes.sha256(NODE_PREFIX, left.bytesUnsafe(), right.bytesUnsafe());
  }

  public static Hash root(List<Hash> txids) {
    if (txids.isEmpty()) {
      return EMPTY_ROOT;
    }
    List<Hash> level = new ArrayList<>(txids.size());
    for (Hash id : txids) {
      level.add(leafHash(id));
    }
    while (level.size() > 1) {
      level = parentLevel(level);
    }
    return level.get(0);
  }

  private static List<Hash> parentLevel(List<Hash> level) {
    List<Hash> parents = new ArrayList<>((level.size() + 1) / 2);
    for (int i = 0; i + 1 < level.size(); i += 2) {
      parents.add(nodeHash(level.get(i), level.get(i + 1)));
    }
    if (level.size() % 2 == 1) {
      parents.add(level.get(level.size() - 1));
    }
    return parents;
  }

  /** The audit path proving that {@code txids.get(index)} is in the tree. */
  public static MerkleProof proof(List<Hash> txids, int index) {
    if (index < 0 || index >= txids.size()) {
      throw new IndexOutOfBoundsException("leaf " + index + " of " + txids.size());
    }
    List<Hash> level = new ArrayList<>(txids.size());
    for (Hash id : txids) {
      level.add(leafHash(id));
    }
    List<Hash> path = new ArrayList<>();
    int i = index;
    while (level.size() > 1) {
      int sibling = i ^ 1;
      if (sibling < level.size()) {
        path.add(level.get(sibling));
      }
      level = parentLevel(level);
      i >>= 1;
    }
    return new MerkleProof(index, txids.size(), path);
  }
}
