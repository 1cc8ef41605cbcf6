package dev.cairn.ledger;

import java.util.List;
import java.util.Optional;

/**
 * An RFC 6962 inclusion proof: leaf {@code index} of a tree of {@code treeSize} leaves, with the
 * sibling hashes from the leaf upward. Verified with the algorithm of RFC 9162 section 2.1.3.2,
 * which also rejects a path longer or shorter than the index and size imply. Immutable.
 */
public record MerkleProof(long index, long treeSize, List<Hash> path) {
  public MerkleProof {
    path = List.copyOf(path);
  }

  /** Whether this proof shows {@code txid} under {@code root}. */
  public boolean verify(Hash txid, Hash root) {
    return index >= 0 && index < treeSize && computeRoot(txid).filter(root::equals).isPresent();
  }

  /** The root the path leads to from {@code txid}, or empty if the path has the wrong shape. */
  public Optional<Hash> computeRoot(Hash txid) {
    long fn = index;
    long sn = treeSize - 1;
    Hash r = MerkleTree.leafHash(txid);
    for (Hash p : path) {
      if (sn == 0) {
        return Optional.empty();
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleTree.nodeHash(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = MerkleTree.nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 ? Optional.of(r) : Optional.empty();
  }
}
