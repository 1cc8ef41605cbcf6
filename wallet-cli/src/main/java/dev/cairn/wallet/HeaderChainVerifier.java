package dev.cairn.wallet;

import dev.cairn.consensus.HeaderRules;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Checks a header chain from genesis one header at a time, as a light client does, keeping only
 * what the next header's checks need (the parent and the last 11 timestamps), so a long chain
 * costs no memory. Header 0 must be the expected genesis (its proof of work is not checked, as
 * nodes do not check it); every later header must link to the previous one (previous hash, height
 * + 1) and pass every header rule of docs/PROTOCOL.md §12 under the network's {@link
 * HeaderRules}: version, proof of work, a target no easier than the limit and bit for bit the
 * expected one (ASERT, or the fixed target), stamped after the median time past and not beyond
 * this computer's clock plus the allowed drift. The rules are required: a header that only meets
 * a target it chose itself proves no work the network would accept. Not thread-safe.
 */
final class HeaderChainVerifier {
  /** The first header that fails, and why. */
  static final class Invalid extends Exception {
    private final long height;

    Invalid(long height, String message) {
      super(message);
      this.height = height;
    }

    long height() {
      return height;
    }
  }

  private final Hash genesis;
  private final HeaderRules rules;
  private final long nowSeconds;
  // Most recent first, at most HeaderRules.MEDIAN_TIME_SPAN.
  private final Deque<Long> recentTimestamps = new ArrayDeque<>();
  private BlockHeader parent;
  private long count;
  private BigInteger work = BigInteger.ZERO;

  /**
   * @param genesis the hash header 0 must have
   * @param rules the network's header rules, from its chain spec
   * @param nowSeconds this computer's clock, for the future-drift rule
   */
  HeaderChainVerifier(Hash genesis, HeaderRules rules, long nowSeconds) {
    this.genesis = genesis;
    this.rules = rules;
    this.nowSeconds = nowSeconds;
  }

  /** Checks the next header: the one at height {@link #count()}. */
  void accept(BlockHeader header) throws Invalid {
    long height = count;
    if (height == 0) {
      if (!header.hash().equals(genesis)) {
        throw new Invalid(0, "header 0 is not the expected genesis: its hash is " + header.hash() + ", the network's genesis is "
            + genesis);
      }
    } else {
      check(header, height);
    }
    BigInteger target;
    try {
      target = header.target().toTarget();
    } catch (RejectedException e) {
      throw new Invalid(height, "bad target at height " + height + ": " + e.getMessage());
    }
    work = work.add(CompactTarget.workFor(target));
    recentTimestamps.addFirst(header.timestamp());
    if (recentTimestamps.size() > HeaderRules.MEDIAN_TIME_SPAN) {
      recentTimestamps.removeLast();
    }
    parent = header;
    count++;
  }

  private void check(BlockHeader header, long height) throws Invalid {
    if (header.height() != height) {
      throw new Invalid(height, "broken link at height " + height + ": the header there says height " + header.height());
    }
    if (!header.previousHash().equals(parent.hash())) {
      throw new Invalid(height, "broken link at height " + height + ": its previous hash " + header.previousHash()
          + " is not the hash of header " + (height - 1) + " (" + parent.hash() + ")");
    }
    List<Long> recent = new ArrayList<>(recentTimestamps);
    try {
      rules.checkContextFree(header);
      rules.checkContextual(header, parent, recent, nowSeconds);
    } catch (RejectedException e) {
      throw new Invalid(height, describe(e, height));
    }
  }

  private static String describe(RejectedException e, long height) {
    String what =
        switch (e.reason()) {
          case HIGH_HASH -> "bad PoW";
          case BAD_VERSION -> "bad version";
          case BAD_COMPACT_TARGET -> "bad target";
          case BAD_HEIGHT -> "broken link";
          case TIME_TOO_OLD, TIME_TOO_NEW -> "bad timestamp";
          default -> e.reason().code();
        };
    String message = e.getMessage();
    String prefix = e.reason().code() + ": ";
    return what + " at height " + height + ": " + (message.startsWith(prefix) ? message.substring(prefix.length()) : message);
  }

  /** Headers accepted so far; the next one must have this height. */
  long count() {
    return count;
  }

  /** The last header accepted. */
  BlockHeader last() {
    return parent;
  }

  /** The chain's work so far: the sum over its headers of 2^256 / (target + 1). */
  BigInteger work() {
    return work;
  }
}
