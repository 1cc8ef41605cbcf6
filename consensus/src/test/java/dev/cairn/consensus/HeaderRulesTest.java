package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.Amount;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure header rules: median time past, context-free and contextual checks, expected targets. */
class HeaderRulesTest {
  private static final ChainSpec REGTEST = ChainSpec.regtest();
  private static final HeaderRules RULES = new HeaderRules(REGTEST);
  private static final BlockHeader GENESIS = REGTEST.genesisBlock().header();

  /** A retargeting network like a devnet: spacing 10 s, half-life 1,000 s. */
  static final ChainSpec RETARGETING = retargeting();

  private static ChainSpec retargeting() {
    try {
      return ChainSpec.of(
          new ChainParams("asert", "asrt", 10, 1_000, 40, new CompactTarget(0x2000ffffL), new CompactTarget(0x1f0fffffL),
              false, 10, Amount.coins(50), 100_000, 1_000_000, BigInteger.ZERO),
          1_800_000_000L, List.of());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void rejected(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call).isInstanceOf(RejectedException.class).extracting(e -> ((RejectedException) e).reason()).isEqualTo(reason);
  }

  private static BlockHeader header(long version, long height, long timestamp, CompactTarget bits, long nonce) {
    return BlockHeader.of(version, height, GENESIS.hash(), Hash.of(new byte[32]), Hash.of(new byte[32]), timestamp, bits, nonce);
  }

  // ---- median time past -----------------------------------------------------------------------------

  @Test
  void medianOfFewerThanElevenTimestamps() {
    assertThat(HeaderRules.medianTimePast(List.of(5L))).isEqualTo(5);
    assertThat(HeaderRules.medianTimePast(List.of(3L, 1L, 2L))).isEqualTo(2);
    // An even count takes the upper of the two middle values (as Bitcoin Core does).
    assertThat(HeaderRules.medianTimePast(List.of(10L, 20L))).isEqualTo(20);
    assertThat(HeaderRules.medianTimePast(List.of(40L, 10L, 30L, 20L))).isEqualTo(30);
  }

  @Test
  void medianOfElevenIgnoresOrderAndOnlyTheFirstElevenCount() {
    List<Long> eleven = new ArrayList<>();
    for (long t = 100; t <= 110; t++) {
      eleven.add(t);
    }
    Collections.shuffle(eleven, new Random(7));
    assertThat(HeaderRules.medianTimePast(eleven)).isEqualTo(105);
    List<Long> twelve = new ArrayList<>(eleven);
    twelve.add(0L); // the 12th ancestor is out of the window
    assertThat(HeaderRules.medianTimePast(twelve)).isEqualTo(105);
    List<Long> withDuplicates = List.of(7L, 7L, 7L, 1L, 9L, 9L, 9L, 9L, 9L, 9L, 1L);
    assertThat(HeaderRules.medianTimePast(withDuplicates)).isEqualTo(9);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void medianIsTheMiddleOfTheSortedWindow(long seed) {
    Random r = new Random(seed);
    for (int round = 0; round < 200; round++) {
      int n = 1 + r.nextInt(15);
      List<Long> ts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ts.add((long) r.nextInt(1_000));
      }
      List<Long> window = new ArrayList<>(ts.subList(0, Math.min(n, 11)));
      Collections.sort(window);
      long median = HeaderRules.medianTimePast(ts);
      assertThat(median).isEqualTo(window.get(window.size() / 2));
      long below = window.stream().filter(t -> t < median).count();
      long above = window.stream().filter(t -> t > median).count();
      assertThat(below).isLessThanOrEqualTo(window.size() / 2);
      assertThat(above).isLessThanOrEqualTo((window.size() - 1) / 2);
    }
  }

  @Test
  void noTimestampsIsAnError() {
    assertThatThrownBy(() -> HeaderRules.medianTimePast(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  // ---- context-free ---------------------------------------------------------------------------------

  @Test
  void contextFreeChecksVersionThenTargetThenWork() throws Exception {
    BlockHeader ok = BlockBuilder.meetingNonce(header(1, 1, GENESIS.timestamp() + 60, REGTEST.params().genesisTarget(), 0), 0);
    RULES.checkContextFree(ok);
    BlockHeader high = BlockBuilder.failingNonce(ok);
    rejected(() -> RULES.checkContextFree(high), Reason.HIGH_HASH);
    rejected(() -> RULES.checkContextFree(header(2, 1, 0, new CompactTarget(0x2080_0001L), 0)), Reason.BAD_VERSION);
    rejected(() -> RULES.checkContextFree(header(1, 1, 0, new CompactTarget(0x2080_0001L), 0)), Reason.BAD_COMPACT_TARGET);
    rejected(() -> RULES.checkContextFree(header(1, 1, 0, new CompactTarget(0x2100_ffffL), 0)), Reason.BAD_COMPACT_TARGET);
    // A target must hold its hash to the bit: a hash exactly at the target passes.
    BigInteger hash = ok.hash().toBigInteger();
    assertThat(ok.meetsTarget(hash)).isTrue();
    assertThat(ok.meetsTarget(hash.subtract(BigInteger.ONE))).isFalse();
  }

  // ---- contextual ---------------------------------------------------------------------------------

  @Test
  void contextualChecksAgainstTheParentAndTheClock() throws Exception {
    long g = GENESIS.timestamp();
    CompactTarget bits = REGTEST.params().genesisTarget();
    long drift = REGTEST.params().maxFutureDriftSeconds();
    List<Long> recent = List.of(g);
    long now = g;
    RULES.checkContextual(header(1, 1, g + 1, bits, 0), GENESIS, recent, now);
    RULES.checkContextual(header(1, 1, now + drift, bits, 0), GENESIS, recent, now);
    rejected(() -> RULES.checkContextual(header(1, 1, now + drift + 1, bits, 0), GENESIS, recent, now), Reason.TIME_TOO_NEW);
    rejected(() -> RULES.checkContextual(header(1, 1, g, bits, 0), GENESIS, recent, now), Reason.TIME_TOO_OLD);
    rejected(() -> RULES.checkContextual(header(1, 2, g + 1, bits, 0), GENESIS, recent, now), Reason.BAD_HEIGHT);
    rejected(() -> RULES.checkContextual(header(1, 0, g + 1, bits, 0), GENESIS, recent, now), Reason.BAD_HEIGHT);
    rejected(() -> RULES.checkContextual(header(1, 1, g + 1, new CompactTarget(0x207f_fffeL), 0), GENESIS, recent, now),
        Reason.BAD_COMPACT_TARGET);
    // Everything wrong at once: the height is reported first, then the target, then the time.
    rejected(() -> RULES.checkContextual(header(1, 5, g, new CompactTarget(0x207f_fffeL), 0), GENESIS, recent, now),
        Reason.BAD_HEIGHT);
    rejected(() -> RULES.checkContextual(header(1, 1, g, new CompactTarget(0x207f_fffeL), 0), GENESIS, recent, now),
        Reason.BAD_COMPACT_TARGET);
    rejected(() -> RULES.checkContextual(header(1, 1, g, bits, 0), GENESIS, recent, g - drift - 10), Reason.TIME_TOO_OLD);
  }

  @Test
  void theMedianIsTakenOverTheTimestampsGiven() throws Exception {
    long g = GENESIS.timestamp();
    CompactTarget bits = REGTEST.params().genesisTarget();
    List<Long> recent = List.of(g + 500, g + 100, g + 300); // median g + 300
    RULES.checkContextual(header(1, 1, g + 301, bits, 0), GENESIS, recent, g + 1_000);
    rejected(() -> RULES.checkContextual(header(1, 1, g + 300, bits, 0), GENESIS, recent, g + 1_000), Reason.TIME_TOO_OLD);
  }

  // ---- expected targets ------------------------------------------------------------------------------

  @Test
  void aFixedTargetNetworkAlwaysExpectsItsGenesisTarget() {
    BlockHeader late = header(1, 1_000, GENESIS.timestamp() + 10_000_000, REGTEST.params().genesisTarget(), 0);
    assertThat(RULES.expectedTarget(GENESIS)).isEqualTo(REGTEST.params().genesisTarget());
    assertThat(RULES.expectedTarget(late)).isEqualTo(REGTEST.params().genesisTarget());
  }

  @Test
  void asertIsAnchoredAtGenesisWithItsParentOneSpacingEarlier() throws Exception {
    HeaderRules rules = new HeaderRules(RETARGETING);
    BlockHeader genesis = RETARGETING.genesisBlock().header();
    BigInteger anchor = RETARGETING.params().genesisTarget().toTarget();
    long g = genesis.timestamp();
    long spacing = RETARGETING.params().targetSpacingSeconds();
    long halfLife = RETARGETING.params().asertHalfLifeSeconds();
    // On schedule: the first block after genesis, and any later block, keep the genesis target.
    assertThat(rules.expectedTarget(genesis)).isEqualTo(RETARGETING.params().genesisTarget());
    assertThat(rules.expectedTarget(at(500, g + 500 * spacing))).isEqualTo(RETARGETING.params().genesisTarget());
    // One half-life behind schedule: twice the target; one ahead: half.
    assertThat(rules.expectedTarget(at(500, g + 500 * spacing + halfLife)).toTarget()).isEqualTo(anchor.shiftLeft(1));
    assertThat(rules.expectedTarget(at(500, g + 500 * spacing - halfLife)))
        .isEqualTo(CompactTarget.fromTarget(anchor.shiftRight(1)));
    // Far behind: clamped to the limit.
    assertThat(rules.expectedTarget(at(10, g + 100 * halfLife))).isEqualTo(RETARGETING.params().powLimit());
  }

  @Test
  void mockTimeOverridesTheClockUntilReset() {
    java.util.concurrent.atomic.AtomicLong system = new java.util.concurrent.atomic.AtomicLong(1_000);
    MockableTime time = new MockableTime(system::get);
    assertThat(time.nowSeconds()).isEqualTo(1_000);
    time.setMockTime(5);
    system.set(2_000);
    assertThat(time.nowSeconds()).isEqualTo(5);
    time.setMockTime(0);
    assertThat(time.nowSeconds()).isEqualTo(2_000);
    assertThatThrownBy(() -> time.setMockTime(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  private static BlockHeader at(long height, long timestamp) {
    return BlockHeader.of(1, height, Hashes.sha256(new byte[] {(byte) height}), Hash.of(new byte[32]), Hash.of(new byte[32]),
        timestamp, new CompactTarget(0x1f0fffffL), 0);
  }
}
