package dev.cairn.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.HeaderRules;
import dev.cairn.consensus.NonceSearch;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecException;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.Handshake;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anti-DoS header threshold against a cheap long fork. On an ASERT network, an attacker forks
 * from genesis and stamps its blocks as far ahead as the drift allows, so ASERT drives its target
 * to powLimit (minimum difficulty) and its blocks are nearly free: its fork is longer than the
 * honest chain but has less work than the honest tip minus 144 blocks' work. Offered by a scripted peer as headers, it is checked but never written to the
 * block index and does not move the tip; the same headers offered to a node still at genesis are
 * indexed, which proves they are valid and that only their work kept them out.
 */
class ClusterCheapForkTest {
  static final long SPACING = 10;
  static final long HALF_LIFE = 100 * SPACING;
  static final long DRIFT = HALF_LIFE / 24;
  static final long GENESIS_TIME = 1_700_000_000L;
  /**
   * Enough that the fork's first 140 or so blocks are stamped over 7 half-lives ahead of schedule,
   * which takes their target from the genesis target to powLimit.
   */
  static final int HONEST_BLOCKS = 850;

  @TempDir Path dir;

  /**
   * ASERT with a half-life of 100 spacings and drift of half-life/24; genesis target 2^248 (about
   * 256 hashes a block: cheap to mine, yet 7 halvings harder than powLimit, about 2^255).
   */
  static ChainSpec asertSpec() {
    ChainParams regtest = ChainSpec.regtest().params();
    ChainParams params =
        new ChainParams(
            "asert-test", "acairn", SPACING, HALF_LIFE, DRIFT, new CompactTarget(0x207fffffL),
            CompactTarget.fromTarget(BigInteger.ONE.shiftLeft(248)), false, regtest.coinbaseMaturity(),
            Amount.coins(50), regtest.halvingInterval(), regtest.maxBlockSize(), BigInteger.ZERO);
    try {
      return ChainSpec.of(params, GENESIS_TIME, List.of());
    } catch (ChainSpecException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aLongerForkWithLessWorkIsNeitherIndexedNorFollowed() throws RejectedException {
    ChainSpec spec = asertSpec();
    try (Cluster cluster = Cluster.on(dir, spec, List.of())) {
      ClusterNode honest = cluster.startNode();
      // The honest chain, mined on schedule: the target stays at the genesis target.
      for (int k = 1; k <= HONEST_BLOCKS; k++) {
        honest.node().time().setMockTime(GENESIS_TIME + k * SPACING);
        honest.mine(1);
      }
      BlockIndexEntry tip = honest.tip();
      assertThat(tip.header().target()).isEqualTo(spec.params().genesisTarget());
      long now = GENESIS_TIME + HONEST_BLOCKS * SPACING;

      List<BlockHeader> fork = cheapFork(spec, HONEST_BLOCKS + 1, now + DRIFT);
      BigInteger forkWork = CompactTarget.workFor(spec.params().genesisTarget().toTarget());
      for (BlockHeader h : fork) {
        forkWork = forkWork.add(CompactTarget.workFor(h.target().toTarget()));
      }
      BigInteger threshold = honest.chain().headerWorkThreshold();
      assertThat(fork).as("the fork is longer than the honest chain").hasSizeGreaterThan(HONEST_BLOCKS);
      assertThat(fork.stream().filter(h -> h.target().equals(spec.params().powLimit())).count())
          .as("fork blocks at minimum difficulty").isGreaterThan(100);
      assertThat(forkWork).as("the fork's work is below tip work - 144 blocks' work").isLessThan(threshold);

      try (FakePeer attacker = FakePeer.connect(honest.p2pPort())) {
        attacker.handshake(claimingMoreWork(attacker, spec, fork));
        attacker.next(Envelope.PayloadCase.GET_HEADERS);
        attacker.send(ClusterMisbehaviourTest.headers(fork));
        attacker.pingPong(); // the headers were handled before the ping
        for (BlockHeader h : fork) {
          assertThat(honest.chain().entry(h.hash())).as("fork header at height %d indexed", h.height()).isEmpty();
        }
        assertThat(honest.tip()).isEqualTo(tip);
        assertThat(attacker.hasEnded()).as("too little work is not misbehaviour").isFalse();
      }

      // The same headers are valid: a node still at genesis (threshold 0) indexes every one.
      ClusterNode atGenesis = cluster.startNode();
      atGenesis.node().time().setMockTime(now);
      try (FakePeer peer = FakePeer.connect(atGenesis.p2pPort())) {
        peer.handshake(spec);
        peer.send(ClusterMisbehaviourTest.headers(fork));
        peer.pingPong();
        for (BlockHeader h : fork) {
          assertThat(atGenesis.chain().entry(h.hash())).as("fork header at height %d", h.height()).isPresent();
        }
      }

      // And the honest node carries on.
      honest.node().time().setMockTime(now + SPACING);
      Hash next = honest.mine(1).get(0);
      assertThat(honest.tip().hash()).isEqualTo(next);
    }
  }

  private static long stamp(int k) {
    return k <= 11 ? k : 11 + (k - 11) / 6;
  }

  private static Handshake.Builder claimingMoreWork(FakePeer peer, ChainSpec spec, List<BlockHeader> fork) {
    return peer.handshakeFor(spec)
        .setBestHeight(fork.size())
        .setTotalWork(ByteString.copyFrom(BigInteger.ONE.shiftLeft(250).toByteArray()));
  }

  /**
   * {@code length} headers forking from genesis, each with the target ASERT demands and a valid
   * proof of work, stamped as far ahead as a node whose clock reads {@code latest - drift} allows:
   * the last at {@code latest}, and each timestamp only as far above the one before as keeps it
   * above the median of the 11 before it (one second for the first 11, then one every 6 blocks).
   */
  static List<BlockHeader> cheapFork(ChainSpec spec, int length, long latest) throws RejectedException {
    HeaderRules rules = new HeaderRules(spec);
    List<BlockHeader> out = new ArrayList<>(length);
    BlockHeader parent = spec.genesisBlock().header();
    long base = latest - stamp(length);
    for (int k = 1; k <= length; k++) {
      CompactTarget target = rules.expectedTarget(parent);
      BlockHeader h =
          BlockHeader.of(
              BlockHeader.CURRENT_VERSION, k, parent.hash(), FakePeer.randomHash(), FakePeer.randomHash(), base + stamp(k),
              target, 0);
      long nonce = new NonceSearch(h, target.toTarget()).search(0, Long.MAX_VALUE).orElseThrow();
      parent = h.withNonce(nonce);
      out.add(parent);
    }
    return out;
  }
}
