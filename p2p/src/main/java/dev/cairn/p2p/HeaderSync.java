package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.HeaderCursor;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockIndexEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Headers first (docs/PROTOCOL.md, "Sync"): asks a peer with more work for headers from our
 * locator, checks what arrives, indexes a chain that has the work to enter the block index (the
 * anti-DoS threshold) and follows one that does not yet without keeping it ({@link
 * HeadersPresync}); answers peers' GetHeaders, and announces a new tip as the headers each peer
 * lacks. Bodies are {@link BlockDownload}'s job. Not thread-safe: part of the peer core.
 */
final class HeaderSync {
  private static final Logger LOG = LoggerFactory.getLogger(HeaderSync.class);
  /** Peers whose low-work header chains are followed at once; others wait until a slot frees. */
  static final int MAX_PRESYNCS = 8;
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
  private final java.util.Random random;
  private final Outbox out;
  private int presyncing;

  HeaderSync(Blockchain chain, BlockDownload download, Clock clock, java.util.Random random, Outbox out) {
    this.chain = chain;
    this.download = download;
    this.clock = clock;
    this.random = random;
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
    boolean full = count == Limits.MAX_HEADERS;
    List<BlockHeader> headers = new ArrayList<>(count);
    for (dev.cairn.proto.v1.BlockHeader raw : message.getHeadersList()) {
      headers.add(BlockHeader.decode(raw.getCanonical().toByteArray()));
    }
    for (int i = 1; i < headers.size(); i++) {
      if (!headers.get(i).previousHash().equals(headers.get(i - 1).hash())) {
        throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "headers do not form a chain");
      }
    }
    headers.forEach(h -> peer.knownBlocks.add(h.hash()));
    if (peer.presync.isPresent()) {
      continuePresync(peer, headers, full);
      return;
    }
    if (headers.isEmpty()) {
      peer.syncing = false;
      return;
    }
    BlockHeader first = headers.get(0);
    if (chain.entry(first.previousHash()).isEmpty()) {
      // Not connected to anything we know: ask from our locator, as the peer may have reorganised.
      askFromOurLocator(peer);
      return;
    }
    // Drop the prefix we already have, so an honest re-announcement costs nothing.
    int known = 0;
    while (known < headers.size() && chain.entry(headers.get(known).hash()).isPresent()) {
      known++;
    }
    List<BlockHeader> fresh = headers.subList(known, headers.size());
    BlockHeader last = headers.get(headers.size() - 1);
    peer.bestHeight = Math.max(peer.bestHeight, last.height());
    if (!fresh.isEmpty()) {
      HeaderCursor cursor = chain.headerCursor(fresh.get(0).previousHash());
      try {
        long now = chain.nowSeconds();
        for (BlockHeader h : fresh) {
          cursor.append(h, now);
        }
      } catch (RejectedException e) {
        tooNewOrThrow(peer, e);
        return;
      }
      if (cursor.work().compareTo(chain.headerWorkThreshold()) > 0) {
        chain.acceptHeaders(fresh);
      } else if (full) {
        // Not enough work yet, and the peer has more: follow its chain without keeping it.
        startPresync(peer, fresh);
        return;
      } else {
        LOG.info("{} offered {} headers with too little work; not indexed", peer, fresh.size());
        peer.syncing = false;
        return;
      }
    }
    peer.syncing = full;
    if (full) {
      out.send(peer, Envelopes.getHeaders(List.of(last.hash())));
    }
    download.requestBlocks();
  }

  /** A header from beyond our clock's drift is timing, not misbehaviour: drop the batch, keep the peer. */
  private void tooNewOrThrow(Peer peer, RejectedException e) throws RejectedException {
    if (e.reason().punishable()) {
      throw e;
    }
    LOG.info("{} offered headers not acceptable yet: {}", peer, e.getMessage());
    peer.presync = Optional.empty();
    peer.syncing = false;
  }

  private void startPresync(Peer peer, List<BlockHeader> headers) throws RejectedException {
    if (presyncing >= MAX_PRESYNCS) {
      LOG.info("{} offers a low-work header chain; {} presyncs already running, not followed now", peer, presyncing);
      peer.syncing = false;
      return;
    }
    dev.cairn.ledger.Hash base = headers.get(0).previousHash();
    HeadersPresync p =
        new HeadersPresync(
            chain.headerCursor(base), chain.headerCursor(base), chain.headerWorkThreshold(), HeadersPresync.randomSalt(random),
            HeadersPresync.randomOffset(random), chain.nowSeconds(), chain.spec().params().maxFutureDriftSeconds());
    peer.presync = Optional.of(p);
    presyncing++;
    LOG.info("{} offers a header chain from {} with too little work so far: presyncing it", peer, base);
    continuePresync(peer, headers, true);
  }

  private void continuePresync(Peer peer, List<BlockHeader> headers, boolean full) throws RejectedException {
    HeadersPresync p = peer.presync.orElseThrow();
    HeadersPresync.Step step;
    try {
      step = p.onHeaders(headers, full, chain.nowSeconds());
    } catch (RejectedException e) {
      endPresync(peer);
      if (e.reason() == Reason.TOO_LITTLE_CHAINWORK) {
        LOG.info("{}: presync ended: {}", peer, e.getMessage());
        peer.syncing = false;
        return;
      }
      tooNewOrThrow(peer, e);
      return;
    }
    if (!step.release().isEmpty()) {
      chain.acceptPresyncedHeaders(step.release());
      BlockHeader last = step.release().get(step.release().size() - 1);
      peer.bestHeight = Math.max(peer.bestHeight, last.height());
      download.requestBlocks();
    }
    if (step.phase() == HeadersPresync.Phase.DONE) {
      endPresync(peer);
      LOG.info("{}: presynced header chain indexed", peer);
    }
    peer.syncing = true;
    step.askAfter().ifPresent(h -> out.send(peer, Envelopes.getHeaders(List.of(h))));
  }

  /** The peer's presync is over (or the peer is gone): its slot is free. */
  void endPresync(Peer peer) {
    if (peer.presync.isPresent()) {
      peer.presync = Optional.empty();
      presyncing--;
    }
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
