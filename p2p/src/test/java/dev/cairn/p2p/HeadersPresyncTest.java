package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.consensus.HeaderRules;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.proto.v1.Envelope;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A header chain that lacks the work to be indexed is followed without being kept ({@link
 * HeadersPresync}): counted and committed to in a first pass, indexed only from a second pass that
 * matches the commitments. The chain spec here sets {@code minimumChainWork} to 4,500 regtest
 * headers' work, so a fresh node presyncs any chain shorter than that, in batches of 2,000.
 */
class HeadersPresyncTest {
  private static final int THRESHOLD_HEADERS = 4_500;
  private static final ChainSpec SPEC = spec(THRESHOLD_HEADERS);
  /** A minimum chain work no chain the time rules allow today can reach. */
  private static final ChainSpec FAR_SPEC = spec(1_000_000);
  private static final long GENESIS_TIME = SPEC.genesisTimestamp();
  /** The node's clock: past every header built here. */
  private static final long NOW = GENESIS_TIME + 60L * 10_000;

  private static ChainSpec spec(int thresholdHeaders) {
    ChainParams p = ChainSpec.regtest().params();
    BigInteger perHeader;
    try {
      perHeader = CompactTarget.workFor(p.genesisTarget().toTarget());
    } catch (RejectedException e) {
      throw new IllegalStateException(e);
    }
    ChainParams withMinimum =
        new ChainParams(
            p.name(), p.addressPrefix(), p.targetSpacingSeconds(), p.asertHalfLifeSeconds(), p.maxFutureDriftSeconds(), p.powLimit(),
            p.genesisTarget(), p.fixedTarget(), p.coinbaseMaturity(), p.initialSubsidy(), p.halvingInterval(), p.maxBlockSize(),
            perHeader.multiply(BigInteger.valueOf(thresholdHeaders + 1)));
    try {
      return ChainSpec.of(withMinimum, ChainSpec.regtest().genesisTimestamp(), List.of());
    } catch (dev.cairn.ledger.ChainSpecException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code count} valid regtest headers on {@code from}, timestamps from {@code timestamp(height)}. */
  private static List<BlockHeader> headers(HeaderRules rules, BlockHeader from, int count, long seed, LongUnaryOperator timestamp) {
    Random r = new Random(seed);
    List<BlockHeader> out = new ArrayList<>(count);
    BlockHeader prev = from;
    for (int i = 0; i < count; i++) {
      byte[] root = new byte[32];
      r.nextBytes(root);
      long height = prev.height() + 1;
      for (long nonce = r.nextLong(); ; nonce++) {
        BlockHeader h =
            BlockHeader.of(BlockHeader.CURRENT_VERSION, height, prev.hash(), Hash.of(root), Hash.of(new byte[32]),
                timestamp.applyAsLong(height), SPEC.params().genesisTarget(), nonce);
        try {
          rules.checkContextFree(h);
          out.add(h);
          prev = h;
          break;
        } catch (RejectedException highHash) {
          // try the next nonce
        }
      }
    }
    return out;
  }

  /** Stamps as dense as the median-time rule allows: one second apart at first, then six headers a second. */
  private static long sixASecond(long height) {
    return height <= 12 ? GENESIS_TIME + height : GENESIS_TIME + 12 + (height - 12 + 5) / 6;
  }

  private static PeerHarness node(long seed) {
    return new PeerHarness(SPEC, NOW * 1000, PeerHarness.quietConfig(), seed).start();
  }

  private static ScriptedTransport.Connection peerClaiming(PeerHarness node, String host, List<BlockHeader> chain) {
    return peerClaiming(node, SPEC, host, chain);
  }

  private static ScriptedTransport.Connection peerClaiming(PeerHarness node, ChainSpec spec, String host, List<BlockHeader> chain) {
    ScriptedTransport.Connection c = node.open(new HostPort(host, 9700));
    BigInteger work = BigInteger.valueOf(2L * (chain.size() + 1));
    node.deliver(c, Envelope.newBuilder().setHandshake(dev.cairn.proto.v1.Handshake.newBuilder()
        .setProtocolVersion(Limits.PROTOCOL_VERSION)
        .setGenesisHash(Envelopes.bytes(spec.genesisHash()))
        .setNonce(host.hashCode())
        .setBestHeight(chain.size())
        .setTotalWork(com.google.protobuf.ByteString.copyFrom(work.toByteArray()))
        .setAgent("test/1")).build());
    return c;
  }

  /** The last GetHeaders the node sent on {@code c}: the hash it asks for headers after. */
  private static Hash askedAfter(ScriptedTransport.Connection c) {
    Envelope last = c.sent.stream().filter(Envelope::hasGetHeaders).reduce((a, b) -> b).orElseThrow();
    return Hash.of(last.getGetHeaders().getLocator(0).toByteArray());
  }

  /** Answers the node's last GetHeaders from {@code chain} (2,000 at most after the hash asked after). */
  private static void answer(PeerHarness node, ScriptedTransport.Connection c, List<BlockHeader> chain) {
    Hash after = askedAfter(c);
    int start = after.equals(chain.get(0).previousHash()) ? 0 : indexOf(chain, after) + 1;
    node.deliver(c, Envelopes.headers(chain.subList(start, Math.min(chain.size(), start + Limits.MAX_HEADERS))));
  }

  private static int indexOf(List<BlockHeader> chain, Hash h) {
    for (int i = 0; i < chain.size(); i++) {
      if (chain.get(i).hash().equals(h)) {
        return i;
      }
    }
    throw new AssertionError("not in the chain: " + h);
  }

  @Test
  void aLowWorkChainIsCountedWithoutBeingKeptThenRedownloadedAndIndexed() {
    try (PeerHarness node = node(1)) {
      BlockHeader genesis = SPEC.genesisBlock().header();
      List<BlockHeader> chain = headers(node.chain.headerRules(), genesis, 6_000, 11, h -> GENESIS_TIME + 60 * h);
      ScriptedTransport.Connection peer = peerClaiming(node, "203.0.113.30", chain);
      assertThat(askedAfter(peer)).isEqualTo(SPEC.genesisHash());

      // Presync: three batches counted, nothing indexed, only commitments held.
      for (int batch = 0; batch < 3; batch++) {
        answer(node, peer, chain);
        assertThat(node.chain.entry(chain.get(0).hash())).as("batch %d: nothing indexed", batch).isEmpty();
        assertThat(node.core.presyncMemoryBytes()).as("batch %d: commitments only", batch).isLessThanOrEqualTo(64);
      }
      // 6,000 headers passed the threshold: the node asks again from the chain's base.
      assertThat(askedAfter(peer)).isEqualTo(SPEC.genesisHash());

      // Redownload: held in the buffer while their own work is short, then all released.
      answer(node, peer, chain);
      answer(node, peer, chain);
      assertThat(node.chain.entry(chain.get(0).hash())).as("4,000 redownloaded: still below the threshold").isEmpty();
      assertThat(node.core.presyncMemoryBytes()).as("the commitments and 4,000 buffered headers").isLessThanOrEqualTo(64 + 4_000 * HeadersPresync.HEADER_BYTES);
      answer(node, peer, chain);
      for (BlockHeader h : chain) {
        assertThat(node.chain.entry(h.hash())).as("header %d indexed", h.height()).isPresent();
      }
      assertThat(node.core.presyncMemoryBytes()).isZero();
      assertThat(peer.isClosed()).isFalse();
      assertThat(peer.sent).as("bodies requested").anyMatch(Envelope::hasGetData);
    }
  }

  @Test
  void aChainSwappedBetweenThePassesFailsTheCommitmentsAndIsNotIndexed() {
    try (PeerHarness node = node(2)) {
      BlockHeader genesis = SPEC.genesisBlock().header();
      List<BlockHeader> presynced = headers(node.chain.headerRules(), genesis, 6_000, 21, h -> GENESIS_TIME + 60 * h);
      List<BlockHeader> swapped = headers(node.chain.headerRules(), genesis, 6_000, 22, h -> GENESIS_TIME + 60 * h);
      ScriptedTransport.Connection peer = peerClaiming(node, "203.0.113.31", presynced);
      for (int batch = 0; batch < 3; batch++) {
        answer(node, peer, presynced);
      }
      assertThat(askedAfter(peer)).isEqualTo(SPEC.genesisHash());
      // The first redownloaded batch holds about 6 committed heights: a different chain fails one.
      answer(node, peer, swapped);
      for (BlockHeader h : swapped) {
        assertThat(node.chain.entry(h.hash())).as("swapped header %d", h.height()).isEmpty();
      }
      assertThat(node.core.presyncMemoryBytes()).as("the presync is over").isZero();
      assertThat(peer.isClosed()).as("a chain that changed is not punished: the peer may have reorganised").isFalse();
    }
  }

  @Test
  void aLowWorkChainThatEndsIsDroppedWithNothingIndexed() {
    try (PeerHarness node = node(3)) {
      List<BlockHeader> chain = headers(node.chain.headerRules(), SPEC.genesisBlock().header(), 3_000, 31, h -> GENESIS_TIME + 60 * h);
      ScriptedTransport.Connection peer = peerClaiming(node, "203.0.113.32", chain);
      answer(node, peer, chain);
      answer(node, peer, chain);
      assertThat(chain).allSatisfy(h -> assertThat(node.chain.entry(h.hash())).isEmpty());
      assertThat(node.core.presyncMemoryBytes()).isZero();
      assertThat(peer.isClosed()).isFalse();
    }
  }

  @Test
  void theCommitmentsAreBoundedByTheLongestChainTheTimeRulesAllow() {
    // A base whose median time is the node's clock: at most 6 headers a second from then to now +
    // drift can be valid. The node's clock then moves on, and a peer sends headers stamped up to
    // it, six a second: more than the presync allowed for when it began. It is cut off.
    long start = GENESIS_TIME + 11;
    try (PeerHarness node = new PeerHarness(FAR_SPEC, start * 1000, PeerHarness.quietConfig(), 4).start()) {
      long drift = FAR_SPEC.params().maxFutureDriftSeconds();
      long bound = HeadersPresync.maxHeaders(GENESIS_TIME, start, drift);
      assertThat(bound).isEqualTo(6 * (11 + drift) + 12);
      int length = (int) (bound + 6 * 3_000);
      List<BlockHeader> chain =
          headers(node.chain.headerRules(), FAR_SPEC.genesisBlock().header(), length, 41, HeadersPresyncTest::sixASecond);
      ScriptedTransport.Connection peer = peerClaiming(node, FAR_SPEC, "203.0.113.33", chain);
      answer(node, peer, chain); // the presync begins, its bound set by the clock now
      node.advance(Duration.ofSeconds(4_000)); // the later headers' stamps are no longer too new
      long maxMemory = node.core.presyncMemoryBytes();
      for (int batch = 0; batch < length / Limits.MAX_HEADERS + 2 && !peer.isClosed(); batch++) {
        answer(node, peer, chain);
        maxMemory = Math.max(maxMemory, node.core.presyncMemoryBytes());
      }
      assertThat(peer.goodbye()).hasValueSatisfying(g -> assertThat(g.getDisconnect().getReasonCode()).isEqualTo("protocol-violation"));
      assertThat(maxMemory).as("commitments for at most the allowed length").isLessThanOrEqualTo(bound / HeadersPresync.COMMITMENT_PERIOD / 8 + 64);
    }
  }
}
