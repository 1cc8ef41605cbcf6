package dev.cairn.p2p;

import dev.cairn.consensus.HeaderCursor;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * One peer's header chain that does not (yet) have the work to be indexed, followed without
 * keeping it, in the manner of Bitcoin Core's {@code HeadersSyncState}. Presync: the headers are
 * checked and their work counted as they arrive, keeping only a cursor and a one-bit commitment
 * (a secret-salted hash) to every {@link #COMMITMENT_PERIOD}-th header. Once the work passes the
 * threshold, redownload: the same chain is asked for again from its base, checked again and
 * against the commitments, and released for indexing once {@link #REDOWNLOAD_BUFFER} headers
 * (about 30 commitments) vouch for them, or all at once when the redownloaded chain's own work
 * passes the threshold. A peer that swaps chains between the passes fails a commitment with
 * probability 1/2 per commitment.
 *
 * <p>Memory is bounded by construction: the commitments by the longest chain the time rules allow
 * since the base ({@link #maxHeaders}), the buffer by {@link #REDOWNLOAD_BUFFER} headers. Not
 * thread-safe: part of the peer core.
 */
final class HeadersPresync {
  /** Headers per commitment. */
  static final int COMMITMENT_PERIOD = 300;
  /** Headers held in redownload before release: about 30 commitments deep, 2^-30 to fool. */
  static final int REDOWNLOAD_BUFFER = 9_000;
  /**
   * Headers per second a valid chain can average: a timestamp must exceed the median of the 11
   * before it, so the median moves at least one second every 6 headers.
   */
  static final long MAX_HEADERS_PER_SECOND = 6;
  /** Bytes a buffered header costs the heap, at most (its encoding, hash and object headers). */
  static final long HEADER_BYTES = 400;

  enum Phase {
    PRESYNC,
    REDOWNLOAD,
    DONE
  }

  /** What the caller does next: index {@code release}, then ask for {@code askAfter}'s successors (if any). */
  record Step(List<BlockHeader> release, Optional<dev.cairn.ledger.Hash> askAfter, Phase phase) {}

  private final HeaderCursor presync;
  private final HeaderCursor redownload;
  private final BigInteger threshold;
  private final byte[] salt;
  private final int offset;
  private final long maxCommitments;
  private final BitSet commitments = new BitSet();
  private int committed;
  private int checked;
  private final ArrayDeque<BlockHeader> buffer = new ArrayDeque<>();
  private Phase phase = Phase.PRESYNC;
  private boolean releaseAll;

  /**
   * @param presync a cursor at the chain's base, for the first pass
   * @param redownload another cursor at the same base, for the second
   * @param threshold the work the chain must pass to be indexed
   * @param salt the secret behind the commitments (from the core's random source)
   * @param offset which header of each period is committed to, in [0, {@link #COMMITMENT_PERIOD})
   * @param now local time, seconds
   * @param maxFutureDriftSeconds how far past the local clock a timestamp may be
   */
  HeadersPresync(
      HeaderCursor presync, HeaderCursor redownload, BigInteger threshold, byte[] salt, int offset, long now, long maxFutureDriftSeconds) {
    this.presync = presync;
    this.redownload = redownload;
    this.threshold = threshold;
    this.salt = salt.clone();
    this.offset = offset;
    this.maxCommitments = maxHeaders(presync.medianTimePast(), now, maxFutureDriftSeconds) / COMMITMENT_PERIOD + 1;
  }

  /**
   * The most headers a valid chain can have above a base whose median time past is {@code
   * baseMedianTime}: 6 a second from then to the furthest timestamp allowed now.
   */
  static long maxHeaders(long baseMedianTime, long now, long maxFutureDriftSeconds) {
    return MAX_HEADERS_PER_SECOND * Math.max(0, now + maxFutureDriftSeconds - baseMedianTime) + SLACK_HEADERS;
  }

  /** Headers of slack on {@link #maxHeaders}: the first few may share the base's median second. */
  private static final long SLACK_HEADERS = 12;

  Phase phase() {
    return phase;
  }

  dev.cairn.ledger.Hash base() {
    return presync.base();
  }

  /** An upper estimate of the heap this presync holds: its commitments and its redownload buffer. */
  long memoryBytes() {
    return commitments.size() / 8 + buffer.size() * HEADER_BYTES;
  }

  /** The bound {@link #memoryBytes} stays within: every possible commitment and a full buffer. */
  long memoryBound() {
    return maxCommitments / 8 + 64 + REDOWNLOAD_BUFFER * HEADER_BYTES;
  }

  /**
   * Takes the next batch of the peer's chain ({@code full}: the peer may have more). Throws with
   * a reason if a header breaks a rule (its reason decides whether the peer is punished), or if the
   * chain cannot be followed further: longer than time allows, not the chain committed to, ended
   * without enough work ({@link Reason#TOO_LITTLE_CHAINWORK}, not punished).
   */
  Step onHeaders(List<BlockHeader> headers, boolean full, long now) throws RejectedException {
    if (phase == Phase.PRESYNC) {
      for (BlockHeader h : headers) {
        presync.append(h, now);
        if (h.height() % COMMITMENT_PERIOD == offset) {
          if (committed >= maxCommitments) {
            throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION,
                "header chain longer than the time rules allow since " + presync.base() + " (" + presync.count() + " headers)");
          }
          commitments.set(committed++, bit(h));
        }
      }
      if (presync.work().compareTo(threshold) > 0) {
        phase = Phase.REDOWNLOAD;
        return new Step(List.of(), Optional.of(presync.base()), phase);
      }
      if (!full) {
        throw new RejectedException(Reason.TOO_LITTLE_CHAINWORK,
            presync.count() + " headers from " + presync.base() + " end with too little work");
      }
      return new Step(List.of(), Optional.of(presync.last().hash()), phase);
    }
    if (phase == Phase.DONE) {
      return new Step(List.of(), Optional.empty(), phase);
    }
    for (BlockHeader h : headers) {
      if (redownload.count() >= presync.count()) {
        break; // past what presync saw: the normal sync takes over once this is indexed
      }
      redownload.append(h, now);
      if (h.height() % COMMITMENT_PERIOD == offset) {
        if (checked >= committed || commitments.get(checked++) != bit(h)) {
          throw new RejectedException(Reason.TOO_LITTLE_CHAINWORK,
              "the redownloaded headers are not the chain presynced (commitment at height " + h.height() + ")");
        }
      }
      buffer.addLast(h);
      if (redownload.work().compareTo(threshold) > 0) {
        releaseAll = true;
      }
    }
    List<BlockHeader> release = new ArrayList<>();
    while (buffer.size() > REDOWNLOAD_BUFFER || (releaseAll && !buffer.isEmpty())) {
      release.add(buffer.pollFirst());
    }
    if (releaseAll && redownload.count() >= presync.count()) {
      phase = Phase.DONE;
      return new Step(release, Optional.of(redownload.last().hash()), phase);
    }
    if (!full && redownload.count() < presync.count()) {
      throw new RejectedException(Reason.TOO_LITTLE_CHAINWORK, "the peer stopped sending the chain it presynced");
    }
    return new Step(release, Optional.of(redownload.last().hash()), phase);
  }

  private boolean bit(BlockHeader h) {
    MessageDigest sha = Hashes.newSha256();
    sha.update(salt);
    sha.update(h.hash().toByteArray());
    return (sha.digest()[0] & 1) == 1;
  }

  /** A commitment offset and salt from the core's random source. */
  static int randomOffset(java.util.Random random) {
    return random.nextInt(COMMITMENT_PERIOD);
  }

  static byte[] randomSalt(java.util.Random random) {
    byte[] salt = new byte[32];
    random.nextBytes(salt);
    return salt;
  }
}
