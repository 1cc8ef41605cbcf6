package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.Blockchain;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockIndexEntry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Headers first (docs/PROTOCOL.md, "Sync"): asks a peer with more work for headers from our
 * locator, checks what arrives and buffers it per peer until its chain has enough work to enter
 * the block index (the anti-DoS threshold), answers peers' GetHeaders, and announces a new tip as
 * the headers each peer lacks. Bodies are {@link BlockDownload}'s job. Not thread-safe: part of the
 * peer core.
 */
final class HeaderSync {
  private static final Logger LOG = LoggerFactory.getLogger(HeaderSync.class);
  static final int MAX_PENDING_HEADERS = 50_000;
  /** Headers announced with a new tip: the ones the peer lacks below it, at most this many. */
  static final int MAX_ANNOUNCED_HEADERS = 8;
  /**
   * How long a locator GetHeaders may go unanswered before another is sent to the same peer: what
   * peers make us send one with (unknown blocks announced, headers that do not connect) cannot
   * make us walk the chain and send locators faster than they answer.
   */
  static final long LOCATOR_ANSWER_MILLIS = 2_000;

  private final Blockchain chain;
  private final BlockDownload download;
  private final Clock clock;
  private final Outbox out;

  HeaderSync(Blockchain chain, BlockDownload download, Clock clock, Outbox out) {
    this.chain = chain;
    this.download = download;
    this.clock = clock;
    this.out = out;
  }

  /** After the handshake: a peer with more work than our tip is where we sync from. */
  void peerReady(Peer peer) {
    if (peer.bestWork.compareTo(chain.tip().chainWork()) > 0) {
      peer.syncing = true;
      askFromOurLocator(peer);
    }
  }

  /**
   * Asks the peer for headers from our locator, unless one such request is unanswered and recent:
   * then the request waits for that one's answer time to pass ({@link #tick}).
   */
  void askFromOurLocator(Peer peer) {
    long now = clock.nowMillis();
    if (peer.locatorSentMillis >= 0 && now - peer.locatorSentMillis < LOCATOR_ANSWER_MILLIS) {
      peer.locatorDeferred = true;
      return;
    }
    peer.locatorSentMillis = now;
    peer.locatorDeferred = false;
    out.send(peer, Envelopes.getHeaders(chain.locator()));
  }

  /** Sends the locator requests held back whose predecessor went unanswered too long. */
  void tick(Iterable<Peer> peers) {
    long now = clock.nowMillis();
    for (Peer p : peers) {
      if (p.ready() && p.locatorDeferred && now - p.locatorSentMillis >= LOCATOR_ANSWER_MILLIS) {
        askFromOurLocator(p);
      }
    }
  }

  void onGetHeaders(Peer peer, dev.cairn.proto.v1.GetHeaders request) throws RejectedException {
    if (request.getLocatorCount() > Limits.MAX_LOCATOR) {
      throw new RejectedException(Reason.PEER_OVERSIZED, request.getLocatorCount() + " locator entries");
    }
    List<Hash> locator = new ArrayList<>();
    for (ByteString raw : request.getLocatorList()) {
      locator.add(Envelopes.hash(raw).orElseThrow(() -> new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "locator hash not 32 bytes")));
    }
    Optional<Hash> stop = Envelopes.hash(request.getStopHash());
    List<BlockHeader> headers = chain.headersAfter(locator, stop, Limits.MAX_HEADERS);
    headers.forEach(h -> peer.knownBlocks.add(h.hash()));
    out.send(peer, Envelopes.headers(headers));
  }

  void onHeaders(Peer peer, dev.cairn.proto.v1.Headers message) throws RejectedException {
    peer.locatorSentMillis = -1; // any Headers message answers: the next locator may go at once
    int count = message.getHeadersCount();
    if (count > Limits.MAX_HEADERS) {
      throw new RejectedException(Reason.PEER_OVERSIZED, count + " headers in one message");
    }
    if (count == 0) {
      flushPending(peer, true);
      return;
    }
    List<BlockHeader> headers = new ArrayList<>(count);
    for (dev.cairn.proto.v1.BlockHeader raw : message.getHeadersList()) {
      headers.add(BlockHeader.decode(raw.getCanonical().toByteArray()));
    }
    for (int i = 1; i < headers.size(); i++) {
      if (!headers.get(i).previousHash().equals(headers.get(i - 1).hash())) {
        throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "headers do not form a chain");
      }
    }
    BlockHeader first = headers.get(0);
    boolean extendsPending = !peer.pendingHeaders.isEmpty()
        && peer.pendingHeaders.get(peer.pendingHeaders.size() - 1).hash().equals(first.previousHash());
    if (!extendsPending) {
      dropPending(peer);
      if (chain.entry(first.previousHash()).isEmpty()) {
        // Not connected to anything we know: ask from our locator, as the peer may have reorganised.
        askFromOurLocator(peer);
        return;
      }
    }
    // Drop the prefix we already have, so an honest re-announcement costs nothing.
    int known = 0;
    while (known < headers.size() && chain.entry(headers.get(known).hash()).isPresent() && !extendsPending) {
      known++;
    }
    List<BlockHeader> fresh = headers.subList(known, headers.size());
    for (BlockHeader h : headers) {
      peer.knownBlocks.add(h.hash());
    }
    BlockHeader last = headers.get(headers.size() - 1);
    if (!fresh.isEmpty()) {
      BigInteger work;
      try {
        work = chain.checkHeaders(peer.pendingHeaders, fresh);
      } catch (RejectedException e) {
        if (e.reason().punishable()) {
          throw e;
        }
        // Timing, not misbehaviour (a header from beyond our clock's drift): drop what this peer
        // offered and keep the peer; its next announcement brings the headers again.
        LOG.info("{} offered headers not acceptable yet: {}", peer, e.getMessage());
        dropPending(peer);
        peer.syncing = false;
        return;
      }
      peer.pendingHeaders.addAll(fresh);
      peer.pendingHeadersWork = work;
      if (peer.pendingHeaders.size() > MAX_PENDING_HEADERS) {
        peer.pendingHeaders.clear();
        throw new RejectedException(Reason.TOO_LITTLE_CHAINWORK, "more than " + MAX_PENDING_HEADERS + " headers without enough work");
      }
    }
    peer.bestHeight = Math.max(peer.bestHeight, last.height());
    boolean full = count == Limits.MAX_HEADERS;
    flushPending(peer, !full);
    if (full) {
      out.send(peer, Envelopes.getHeaders(List.of(last.hash())));
    }
    download.requestBlocks();
  }

  /**
   * Commits the peer's buffered headers to the index once their chain has enough work; if the
   * peer has no more to send and they still do not, they are dropped (a cheap fork).
   */
  private void flushPending(Peer peer, boolean peerIsDone) throws RejectedException {
    if (peer.pendingHeaders.isEmpty()) {
      peer.syncing = !peerIsDone;
      return;
    }
    if (peer.pendingHeadersWork.compareTo(chain.headerWorkThreshold()) > 0) {
      chain.acceptHeaders(peer.pendingHeaders);
      dropPending(peer);
    } else if (peerIsDone) {
      LOG.info("{} offered {} headers with too little work; not indexed", peer, peer.pendingHeaders.size());
      dropPending(peer);
    }
    peer.syncing = !peerIsDone;
  }

  private static void dropPending(Peer peer) {
    peer.pendingHeaders.clear();
    peer.pendingHeadersWork = BigInteger.ZERO;
  }

  /** A new tip: each ready peer gets the headers it lacks up to it (at most a few). */
  void announceTip(BlockIndexEntry tip, Iterable<Peer> peers) {
    for (Peer p : peers) {
      if (!p.ready() || p.knownBlocks.contains(tip.hash())) {
        continue;
      }
      List<BlockHeader> announce = chain.headersEndingAt(tip.hash(), MAX_ANNOUNCED_HEADERS, p.knownBlocks::contains);
      announce.forEach(h -> p.knownBlocks.add(h.hash()));
      if (!announce.isEmpty()) {
        out.send(p, Envelopes.headers(announce));
      }
    }
  }

  /** The peer announced blocks we do not know: one headers request, however many it named. */
  void onUnknownBlocksAnnounced(Peer peer) {
    askFromOurLocator(peer);
  }
}
