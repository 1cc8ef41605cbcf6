package dev.cairn.consensus;

import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A header chain checked header by header as it arrives, without keeping the headers: where it
 * starts (an indexed block), its last header, the timestamps the median-time rule needs, and its
 * chain work. What a headers presync holds per peer, instead of the headers themselves. Made by
 * {@link Blockchain#headerCursor}. Not thread-safe: one owner.
 */
public final class HeaderCursor {
  private final Hash base;
  private final HeaderRules rules;
  private final ArrayDeque<Long> window;
  private BlockHeader last;
  private BigInteger work;
  private long count;

  HeaderCursor(Hash base, BlockHeader baseHeader, List<Long> baseTimestampsNewestFirst, BigInteger baseWork, HeaderRules rules) {
    this.base = base;
    this.rules = rules;
    this.last = baseHeader;
    this.work = baseWork;
    this.window = new ArrayDeque<>();
    for (int i = baseTimestampsNewestFirst.size() - 1; i >= 0; i--) {
      window.addLast(baseTimestampsNewestFirst.get(i));
    }
  }

  /** The indexed block the chain builds on. */
  public Hash base() {
    return base;
  }

  /** The last header appended (the base's header before any). */
  public BlockHeader last() {
    return last;
  }

  /** Chain work at {@link #last}, the base's included. */
  public BigInteger work() {
    return work;
  }

  /** Headers appended. */
  public long count() {
    return count;
  }

  /** The median of the last timestamps (the base's chain before any header is appended). */
  public long medianTimePast() {
    return HeaderRules.medianTimePast(new ArrayList<>(window));
  }

  /**
   * Checks {@code h} as the next header (it must build on {@link #last}) against the context-free
   * and contextual rules at local time {@code now}, then makes it the last.
   */
  public void append(BlockHeader h, long now) throws RejectedException {
    if (!h.previousHash().equals(last.hash())) {
      throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "header " + h.hash() + " does not build on " + last.hash());
    }
    rules.checkContextFree(h);
    List<Long> recent = new ArrayList<>(HeaderRules.MEDIAN_TIME_SPAN);
    java.util.Iterator<Long> newestFirst = window.descendingIterator();
    while (newestFirst.hasNext() && recent.size() < HeaderRules.MEDIAN_TIME_SPAN) {
      recent.add(newestFirst.next());
    }
    rules.checkContextual(h, last, recent, now);
    window.addLast(h.timestamp());
    while (window.size() > HeaderRules.MEDIAN_TIME_SPAN) {
      window.removeFirst();
    }
    work = work.add(CompactTarget.workFor(h.target().toTarget()));
    last = h;
    count++;
  }
}
