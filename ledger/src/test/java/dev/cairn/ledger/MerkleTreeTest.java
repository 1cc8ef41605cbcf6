package dev.cairn.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RFC 6962 Merkle tree and its inclusion proofs, against an independent recursive
 * implementation of RFC 6962 section 2.1 written here.
 */
class MerkleTreeTest {

  // ------------------------------------------------------------- reference (RFC 6962)

  private static byte[] leaf(Hash txid) {
    return TestSupport.sha256(new byte[] {0x00}, txid.toByteArray());
  }

  private static byte[] node(byte[] left, byte[] right) {
    return TestSupport.sha256(new byte[] {0x01}, left, right);
  }

  /** Largest power of two strictly below n (n >= 2). */
  private static int split(int n) {
    int k = 1;
    while (k << 1 < n) {
      k <<= 1;
    }
    return k;
  }

  /** MTH(D[n]) of RFC 6962 section 2.1. */
  private static byte[] mth(List<Hash> d) {
    if (d.isEmpty()) {
      return TestSupport.sha256();
    }
    if (d.size() == 1) {
      return leaf(d.get(0));
    }
    int k = split(d.size());
    return node(mth(d.subList(0, k)), mth(d.subList(k, d.size())));
  }

  /** A path element and whether the sibling sits on the left. */
  private record Step(Hash sibling, boolean siblingOnLeft) {}

  /** PATH(m, D[n]) of RFC 6962 section 2.1.1, bottom-up, with the side of each sibling. */
  private static List<Step> path(int m, List<Hash> d) {
    List<Step> out = new ArrayList<>();
    if (d.size() <= 1) {
      return out;
    }
    int k = split(d.size());
    if (m < k) {
      out.addAll(path(m, d.subList(0, k)));
      out.add(new Step(Hash.of(mth(d.subList(k, d.size()))), false));
    } else {
      out.addAll(path(m - k, d.subList(k, d.size())));
      out.add(new Step(Hash.of(mth(d.subList(0, k))), true));
    }
    return out;
  }

  /** The sides alone, as PATH(m, D[n]) places them: all a verifier derives from (index, size). */
  private static List<Boolean> shape(int m, int n) {
    List<Boolean> out = new ArrayList<>();
    if (n <= 1) {
      return out;
    }
    int k = split(n);
    if (m < k) {
      out.addAll(shape(m, k));
      out.add(false);
    } else {
      out.addAll(shape(m - k, n - k));
      out.add(true);
    }
    return out;
  }

  @Test
  void shapeAgreesWithTheReferencePath() {
    Random r = new Random(0);
    for (int n = 1; n <= 20; n++) {
      List<Hash> ids = txids(r, n);
      for (int i = 0; i < n; i++) {
        assertThat(shape(i, n)).isEqualTo(path(i, ids).stream().map(Step::siblingOnLeft).toList());
      }
    }
  }

  private static List<Hash> txids(Random r, int n) {
    List<Hash> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(TestSupport.hash(r));
    }
    return ids;
  }

  // ---------------------------------------------------------------------------- roots

  @Test
  void emptyRootIsSha256OfNothing() {
    assertThat(MerkleTree.EMPTY_ROOT.toByteArray()).isEqualTo(TestSupport.sha256());
    assertThat(MerkleTree.EMPTY_ROOT.toHex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(MerkleTree.root(List.of())).isEqualTo(MerkleTree.EMPTY_ROOT);
  }

  @Test
  void leafAndNodeHashesUseTheirPrefixes() {
    Random r = new Random(1);
    Hash a = TestSupport.hash(r);
    Hash b = TestSupport.hash(r);
    assertThat(MerkleTree.leafHash(a).toByteArray()).isEqualTo(leaf(a));
    assertThat(MerkleTree.nodeHash(a, b).toByteArray()).isEqualTo(node(a.toByteArray(), b.toByteArray()));
    assertThat(MerkleTree.root(List.of(a)).toByteArray()).isEqualTo(leaf(a));
  }

  @Test
  void rootMatchesTheRecursiveDefinitionForEverySizeUpTo70() {
    Random r = new Random(70);
    for (int n = 1; n <= 70; n++) {
      List<Hash> ids = txids(r, n);
      assertThat(MerkleTree.root(ids).toByteArray()).as("n = %d", n).isEqualTo(mth(ids));
    }
  }

  @Test
  void duplicatingTheLastTransactionChangesTheRoot() {
    // CVE-2012-2459: Bitcoin's tree gives [a, b, c] and [a, b, c, c] the same root.
    Random r = new Random(2459);
    Hash a = TestSupport.hash(r);
    Hash b = TestSupport.hash(r);
    Hash c = TestSupport.hash(r);
    assertThat(MerkleTree.root(List.of(a, b, c))).isNotEqualTo(MerkleTree.root(List.of(a, b, c, c)));
    for (int n = 1; n <= 40; n += 2) {
      List<Hash> ids = txids(r, n);
      List<Hash> dup = new ArrayList<>(ids);
      dup.add(ids.get(n - 1));
      assertThat(MerkleTree.root(dup)).as("n = %d", n).isNotEqualTo(MerkleTree.root(ids));
    }
  }

  @Test
  void orderMatters() {
    Random r = new Random(3);
    Hash a = TestSupport.hash(r);
    Hash b = TestSupport.hash(r);
    assertThat(MerkleTree.root(List.of(a, b))).isNotEqualTo(MerkleTree.root(List.of(b, a)));
  }

  // ---------------------------------------------------------------------------- proofs

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void everyProofMatchesRfc6962AndVerifies(long seed) {
    Random r = new Random(seed);
    for (int n = 1; n <= 40; n++) {
      List<Hash> ids = txids(r, n);
      Hash root = MerkleTree.root(ids);
      for (int i = 0; i < n; i++) {
        MerkleProof proof = MerkleTree.proof(ids, i);
        assertThat(proof.index()).isEqualTo(i);
        assertThat(proof.treeSize()).isEqualTo(n);
        assertThat(proof.path()).isEqualTo(path(i, ids).stream().map(Step::sibling).toList());
        assertThat(proof.verify(ids.get(i), root)).as("n = %d, i = %d", n, i).isTrue();
        assertThat(proof.computeRoot(ids.get(i))).contains(root);
      }
    }
  }

  private static Hash flipByte(Hash h, int pos, Random r) {
    byte[] b = h.toByteArray();
    b[pos] ^= (byte) (1 + r.nextInt(255));
    return Hash.of(b);
  }

  @Test
  void changingAnyByteOfThePathTheTxidOrTheRootFails() {
    Random r = new Random(4);
    for (int n = 1; n <= 40; n++) {
      List<Hash> ids = txids(r, n);
      Hash root = MerkleTree.root(ids);
      for (int i = 0; i < n; i++) {
        MerkleProof proof = MerkleTree.proof(ids, i);
        Hash txid = ids.get(i);
        for (int pos = 0; pos < Hash.SIZE; pos++) {
          assertThat(proof.verify(flipByte(txid, pos, r), root)).isFalse();
          assertThat(proof.verify(txid, flipByte(root, pos, r))).isFalse();
          for (int p = 0; p < proof.path().size(); p++) {
            List<Hash> path = new ArrayList<>(proof.path());
            path.set(p, flipByte(path.get(p), pos, r));
            assertThat(new MerkleProof(i, n, path).verify(txid, root))
                .as("n = %d, i = %d, element %d, byte %d", n, i, p, pos)
                .isFalse();
          }
        }
        // The proof of one transaction does not prove another one.
        if (n > 1) {
          assertThat(proof.verify(ids.get((i + 1) % n), root)).isFalse();
        }
      }
    }
  }

  @Test
  void aWrongIndexNeverVerifies() {
    Random r = new Random(5);
    for (int n = 1; n <= 40; n++) {
      List<Hash> ids = txids(r, n);
      Hash root = MerkleTree.root(ids);
      for (int i = 0; i < n; i++) {
        MerkleProof proof = MerkleTree.proof(ids, i);
        for (int j = -1; j <= n; j++) {
          if (j != i) {
            assertThat(new MerkleProof(j, n, proof.path()).verify(ids.get(i), root))
                .as("n = %d, real index %d, claimed %d", n, i, j)
                .isFalse();
          }
        }
      }
    }
  }

  /**
   * The tree size enters a proof only through the path's shape (which side each sibling is on).
   * A claimed size with a different shape fails; one with the same shape (e.g. leaf 0 of 5 or
   * of 6) recomputes the same root and so verifies: the root, not the size, is what a header
   * commits to, so callers must not treat treeSize as authenticated.
   */
  @Test
  void aWrongTreeSizeVerifiesExactlyWhenItGivesTheSameShape() {
    Random r = new Random(6);
    int differentShapes = 0;
    for (int n = 1; n <= 40; n++) {
      List<Hash> ids = txids(r, n);
      Hash root = MerkleTree.root(ids);
      for (int i = 0; i < n; i++) {
        MerkleProof proof = MerkleTree.proof(ids, i);
        List<Boolean> trueShape = shape(i, n);
        for (int m = 0; m <= 80; m++) {
          if (m == n) {
            continue;
          }
          boolean sameShape = i < m && shape(i, m).equals(trueShape);
          differentShapes += sameShape ? 0 : 1;
          assertThat(new MerkleProof(i, m, proof.path()).verify(ids.get(i), root))
              .as("n = %d, i = %d, claimed size %d", n, i, m)
              .isEqualTo(sameShape);
        }
      }
    }
    assertThat(differentShapes).isGreaterThan(10_000);
  }

  @Test
  void namedWrongSizeExamples() {
    Random r = new Random(7);
    List<Hash> four = txids(r, 4);
    Hash root = MerkleTree.root(four);
    MerkleProof last = MerkleTree.proof(four, 3);
    assertThat(last.verify(four.get(3), root)).isTrue();
    // Leaf 3 of 5 would need a third path element (the promoted leaf 4).
    assertThat(new MerkleProof(3, 5, last.path()).verify(four.get(3), root)).isFalse();
    // Leaf 3 of 3 does not exist; in a tree of 2 there is no leaf 3 either.
    assertThat(new MerkleProof(3, 3, last.path()).verify(four.get(3), root)).isFalse();
    assertThat(new MerkleProof(3, 0, last.path()).verify(four.get(3), root)).isFalse();
    assertThat(new MerkleProof(3, -4, last.path()).verify(four.get(3), root)).isFalse();
  }

  @Test
  void anExtraOrMissingPathElementFails() {
    Random r = new Random(8);
    for (int n = 1; n <= 40; n++) {
      List<Hash> ids = txids(r, n);
      Hash root = MerkleTree.root(ids);
      for (int i = 0; i < n; i++) {
        MerkleProof proof = MerkleTree.proof(ids, i);
        for (int at = 0; at <= proof.path().size(); at++) {
          List<Hash> longer = new ArrayList<>(proof.path());
          longer.add(at, TestSupport.hash(r));
          assertThat(new MerkleProof(i, n, longer).verify(ids.get(i), root)).isFalse();
          assertThat(new MerkleProof(i, n, longer).computeRoot(ids.get(i))).isEmpty();
        }
        for (int at = 0; at < proof.path().size(); at++) {
          List<Hash> shorter = new ArrayList<>(proof.path());
          shorter.remove(at);
          assertThat(new MerkleProof(i, n, shorter).verify(ids.get(i), root)).isFalse();
          assertThat(new MerkleProof(i, n, shorter).computeRoot(ids.get(i))).isEmpty();
        }
      }
    }
  }

  @Test
  void proofIndexMustBeInRange() {
    List<Hash> ids = txids(new Random(9), 3);
    assertThatThrownBy(() -> MerkleTree.proof(ids, -1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> MerkleTree.proof(ids, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> MerkleTree.proof(List.of(), 0)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void proofPathIsImmutable() {
    List<Hash> path = new ArrayList<>(List.of(Hash.ZERO));
    MerkleProof proof = new MerkleProof(0, 2, path);
    path.clear();
    assertThat(proof.path()).hasSize(1);
    assertThatThrownBy(() -> proof.path().add(Hash.ZERO)).isInstanceOf(UnsupportedOperationException.class);
  }

  // ------------------------------------------------------- CVE-2017-12842 (64-byte "tx")

  /**
   * In Bitcoin's tree (leaf = txid, node = dSHA(left ‖ right)), the 64 bytes x ‖ y of an inner
   * node's children hash to that inner node, so a 64-byte transaction with those bytes "is" the
   * node and an SPV proof can show it as a leaf. With RFC 6962 prefixes a leaf hashes 0x00 ‖ 32
   * bytes and a node 0x01 ‖ 64 bytes: no 32-byte txid can hash to an inner node.
   */
  @Test
  void anInnerNodeCannotBeProvenAsALeaf() {
    Random r = new Random(12842);
    List<Hash> ids = txids(r, 4);
    Hash root = MerkleTree.root(ids);
    Hash x = MerkleTree.leafHash(ids.get(0));
    Hash y = MerkleTree.leafHash(ids.get(1));
    Hash n01 = MerkleTree.nodeHash(x, y);
    Hash n23 = MerkleTree.nodeHash(MerkleTree.leafHash(ids.get(2)), MerkleTree.leafHash(ids.get(3)));
    assertThat(MerkleTree.nodeHash(n01, n23)).isEqualTo(root);

    byte[] sixtyFour = TestSupport.concat(x.toByteArray(), y.toByteArray());
    List<Hash> forgedTxids =
        List.of(
            n01, // the inner node itself, passed off as a txid
            Hash.of(TestSupport.sha256(sixtyFour)), // the "id" of a 64-byte tx x ‖ y
            Hashes.doubleSha256(sixtyFour), // Bitcoin's txid of that 64-byte tx
            x,
            y);
    for (Hash forged : forgedTxids) {
      // The attacker's proof: "forged is leaf 0 of a 2-leaf tree whose other half is n23",
      // and every other index and size such a one-element path could claim.
      for (int size = 1; size <= 8; size++) {
        for (int index = 0; index < size; index++) {
          assertThat(new MerkleProof(index, size, List.of(n23)).verify(forged, root)).isFalse();
          assertThat(new MerkleProof(index, size, List.of()).verify(forged, root)).isFalse();
        }
      }
    }
    // The genuine proofs still verify.
    assertThat(MerkleTree.proof(ids, 0).verify(ids.get(0), root)).isTrue();
    assertThat(MerkleTree.proof(ids, 0).path()).containsExactly(MerkleTree.leafHash(ids.get(1)), n23);
  }

  @Test
  void theSameForgeryWorksWithoutPrefixes() {
    // Shows the attack the prefixes stop: in an unprefixed tree (node = H(left ‖ right), leaf =
    // txid), the node above t0 and t1 is exactly the id of the 64-byte blob t0 ‖ t1.
    Random r = new Random(12842);
    List<Hash> ids = txids(r, 4);
    byte[] n01 = TestSupport.sha256(ids.get(0).toByteArray(), ids.get(1).toByteArray());
    byte[] n23 = TestSupport.sha256(ids.get(2).toByteArray(), ids.get(3).toByteArray());
    byte[] unprefixedRoot = TestSupport.sha256(n01, n23);
    byte[] blobId = TestSupport.sha256(TestSupport.concat(ids.get(0).toByteArray(), ids.get(1).toByteArray()));
    // "blob is leaf 0 of a 2-leaf tree with sibling n23" verifies in the unprefixed scheme.
    assertThat(TestSupport.sha256(blobId, n23)).isEqualTo(unprefixedRoot);
  }
}
