package dev.cairn.consensus;

import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/**
 * The rules a header must pass on its own and against its parent (docs/PROTOCOL.md, "Header
 * rules"). Pure: the caller supplies the parent, the ancestors' timestamps and the local clock, so
 * the wallet can run the same checks on headers it fetched. Immutable and thread-safe.
 */
public final class HeaderRules {
  /** How many previous timestamps the median time past is taken over. */
  public static final int MEDIAN_TIME_SPAN = 11;

  private final ChainParams params;
  private final BlockHeader genesis;
  private final BigInteger powLimit;
  private final BigInteger genesisTarget;

  public HeaderRules(ChainSpec spec) {
    this.params = spec.params();
    this.genesis = spec.genesisBlock().header();
    this.powLimit = params.powLimitValue();
    try {
      this.genesisTarget = params.genesisTarget().toTarget();
    } catch (RejectedException e) {
      throw new IllegalStateException("validated chain spec has an invalid genesis target", e);
    }
  }

  /**
   * Checks needing nothing but the header, cheapest first: version, a sane target no easier than
   * the network's limit, then proof of work.
   */
  public void checkContextFree(BlockHeader header) throws RejectedException {
    if (header.version() != BlockHeader.CURRENT_VERSION) {
      throw new RejectedException(Reason.BAD_VERSION, "header version " + header.version());
    }
    BigInteger target = header.target().toTarget();
    if (target.compareTo(powLimit) > 0) {
      throw new RejectedException(Reason.BAD_COMPACT_TARGET, "target " + header.target() + " is easier than the limit");
    }
    if (!header.meetsTarget(target)) {
      throw new RejectedException(Reason.HIGH_HASH, "hash " + header.hash() + " above target " + header.target());
    }
  }

  /**
   * The target a child of {@code parent} must carry: the genesis target on fixed-target networks,
   * otherwise ASERT anchored at genesis, whose parent is taken to be one spacing before it.
   */
  public CompactTarget expectedTarget(BlockHeader parent) {
    if (params.fixedTarget()) {
      return params.genesisTarget();
    }
    long anchorParentTime = genesis.timestamp() - params.targetSpacingSeconds();
    return Asert.nextTarget(
        genesisTarget,
        parent.timestamp() - anchorParentTime,
        parent.height() - genesis.height(),
        params.targetSpacingSeconds(),
        params.asertHalfLifeSeconds(),
        powLimit);
  }

  /**
   * Checks against the parent: height, the expected target, a timestamp after the median of the
   * previous blocks and not beyond the local clock plus the allowed drift.
   *
   * @param recentTimestamps the parent's timestamp and those of up to 10 of its ancestors
   */
  public void checkContextual(BlockHeader header, BlockHeader parent, List<Long> recentTimestamps, long now)
      throws RejectedException {
    if (header.height() != parent.height() + 1) {
      throw new RejectedException(
          Reason.BAD_HEIGHT, "height " + header.height() + " after parent height " + parent.height());
    }
    CompactTarget expected = expectedTarget(parent);
    if (!header.target().equals(expected)) {
      throw new RejectedException(
          Reason.BAD_COMPACT_TARGET, "target " + header.target() + ", expected " + expected);
    }
    long mtp = medianTimePast(recentTimestamps);
    if (header.timestamp() <= mtp) {
      throw new RejectedException(
          Reason.TIME_TOO_OLD, "timestamp " + header.timestamp() + " not after median time past " + mtp);
    }
    long limit = now + params.maxFutureDriftSeconds();
    if (header.timestamp() > limit) {
      throw new RejectedException(
          Reason.TIME_TOO_NEW, "timestamp " + header.timestamp() + " is " + (header.timestamp() - now) + " s ahead of the local clock");
    }
  }

  /** The median of up to the last 11 timestamps (the parent's first). */
  public static long medianTimePast(List<Long> recentTimestamps) {
    if (recentTimestamps.isEmpty()) {
      throw new IllegalArgumentException("no timestamps");
    }
    int n = Math.min(recentTimestamps.size(), MEDIAN_TIME_SPAN);
    long[] sorted = new long[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = recentTimestamps.get(i);
    }
    Arrays.sort(sorted);
    return sorted[n / 2];
  }

  public ChainParams params() {
    return params;
  }
}
