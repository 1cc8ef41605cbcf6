package dev.cairn.p2p;

import dev.cairn.consensus.BlockRules;
import dev.cairn.consensus.Blockchain;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.proto.v1.BlockData;
import dev.cairn.proto.v1.InventoryType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Block bodies of the best header chain: requested a moving window ahead of the tip from the
 * least busy peers that have them, at most {@link Limits#MAX_BLOCKS_IN_FLIGHT_PER_PEER} per peer;
 * a block not delivered within the stall timeout is asked of someone else. A delivered block goes
 * to validation (a {@link PeerAction.ValidateBlock}); its outcome decides whether the sender
 * broke a rule. Not thread-safe: part of the peer core.
 */
final class BlockDownload {
  private static final Logger LOG = LoggerFactory.getLogger(BlockDownload.class);
  static final long CHECK_STALLS_MILLIS = 250;

  private final Blockchain chain;
  private final P2pConfig config;
  private final Clock clock;
  private final Random random;
  private final Outbox out;
  private final Supplier<Iterable<Peer>> peers;
  private final Map<Hash, Peer> inFlight = new HashMap<>();
  /** Delivered blocks handed to validation and not back yet: not to be asked for again. */
  private final Set<Hash> validating = new HashSet<>();

  BlockDownload(Blockchain chain, P2pConfig config, Clock clock, Random random, Outbox out, Supplier<Iterable<Peer>> peers) {
    this.chain = chain;
    this.config = config;
    this.clock = clock;
    this.random = random;
    this.out = out;
    this.peers = peers;
  }

  /** Asks peers for missing bodies of the best header chain, a moving window ahead of the tip. */
  void requestBlocks() {
    List<BlockIndexEntry> missing = chain.blocksToDownload(Limits.DOWNLOAD_WINDOW);
    if (missing.isEmpty()) {
      return;
    }
    List<Peer> ready = new ArrayList<>();
    for (Peer p : peers.get()) {
      if (p.ready()) {
        ready.add(p);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    Collections.shuffle(ready, random);
    Map<Peer, List<Hash>> requests = new LinkedHashMap<>();
    for (BlockIndexEntry e : missing) {
      if (inFlight.containsKey(e.hash()) || validating.contains(e.hash())) {
        continue;
      }
      // The least busy peer that has the block, preferring one that has not stalled on it; a
      // peer that stalled is asked again only when nobody else can serve it.
      Optional<Peer> chosen = Optional.empty();
      for (Peer p : ready) {
        if (p.blocksInFlight.size() < Limits.MAX_BLOCKS_IN_FLIGHT_PER_PEER
            && (p.knownBlocks.contains(e.hash()) || p.bestHeight >= e.height())) {
          if (chosen.isEmpty() || better(p, chosen.get(), e.hash())) {
            chosen = Optional.of(p);
          }
        }
      }
      if (chosen.isEmpty()) {
        continue;
      }
      Peer p = chosen.get();
      p.blocksInFlight.put(e.hash(), clock.nowMillis());
      inFlight.put(e.hash(), p);
      requests.computeIfAbsent(p, k -> new ArrayList<>()).add(e.hash());
    }
    requests.forEach((p, hashes) -> out.send(p, Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, hashes)));
  }

  private static boolean better(Peer p, Peer than, Hash block) {
    boolean pStalled = p.stalledOn.contains(block);
    boolean thanStalled = than.stalledOn.contains(block);
    if (pStalled != thanStalled) {
      return !pStalled;
    }
    return p.blocksInFlight.size() < than.blocksInFlight.size();
  }

  /** Gives up on blocks a peer did not deliver within the stall timeout, and asks again. */
  void checkStalls() {
    long cutoff = clock.nowMillis() - config.stallTimeout().toMillis();
    boolean moved = false;
    for (Peer p : peers.get()) {
      for (Iterator<Map.Entry<Hash, Long>> it = p.blocksInFlight.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Hash, Long> e = it.next();
        if (e.getValue() < cutoff) {
          it.remove();
          inFlight.remove(e.getKey());
          p.stalledOn.add(e.getKey());
          moved = true;
          LOG.info("{} stalled on block {}; asking another peer", p, e.getKey());
        }
      }
    }
    if (moved || !inFlight.isEmpty() || !chain.blocksToDownload(1).isEmpty()) {
      requestBlocks();
    }
  }

  /**
   * A block arrived from {@code peer}: it must have been requested (or be a late answer to a
   * request given up on); it goes to validation, and the peer's next message waits for that.
   */
  void onBlock(Peer peer, BlockData data) throws RejectedException {
    Block block = Block.decode(data.getBlock().getCanonical().toByteArray());
    Hash hash = block.hash();
    if (peer.blocksInFlight.remove(hash) != null) {
      inFlight.remove(hash);
    } else if (!peer.stalledOn.contains(hash)) {
      throw new RejectedException(Reason.PEER_UNREQUESTED, "block " + hash + " was not requested");
    }
    // Else a late answer to a request we gave up on after the stall timeout: welcome, not punished.
    peer.blocksReceived++;
    peer.knownBlocks.add(hash);
    peer.bestHeight = Math.max(peer.bestHeight, block.header().height());
    validating.add(hash);
    peer.validations++;
    out.validateBlock(peer, block);
  }

  /**
   * The chain's verdict on a block {@code sender} delivered (the sender may be gone by now):
   * returns the rejection that costs the sender its connection, if any.
   */
  Optional<RejectedException> onValidated(Optional<Peer> sender, Block block, Optional<Rejection> rejection) {
    Hash hash = block.hash();
    validating.remove(hash);
    Optional<RejectedException> punish = Optional.empty();
    if (rejection.isEmpty()) {
      sender.ifPresent(p -> p.lastUsefulBlockMillis = clock.nowMillis());
    } else {
      Reason reason = rejection.get().reason();
      // PREV_BLOCK_UNKNOWN (not punishable): the caller asks the sender for headers (HeaderSync).
      if (reason == Reason.TIME_TOO_NEW) {
        LOG.info("block {} from {} is too new; will ask again later", hash, sender.map(Peer::toString).orElse("a gone peer"));
      } else if (BlockRules.MUTATIONS.contains(reason)) {
        sender.ifPresent(p -> p.stalledOn.add(hash));
        punish = Optional.of(rejection.get().toException());
      } else if (reason.punishable()) {
        punish = Optional.of(rejection.get().toException());
      }
    }
    requestBlocks();
    return punish;
  }

  /** The peer has not got {@code hash}: ask someone else. Returns whether it was in flight from it. */
  boolean notFound(Peer peer, Hash hash) {
    if (peer.blocksInFlight.remove(hash) != null) {
      inFlight.remove(hash);
      return true;
    }
    return false;
  }

  /** The peer is gone: what it was to deliver is asked of others. */
  void peerGone(Peer peer) {
    List<Hash> orphaned = new ArrayList<>(peer.blocksInFlight.keySet());
    for (Hash h : orphaned) {
      inFlight.remove(h);
    }
    if (!orphaned.isEmpty()) {
      requestBlocks();
    }
  }

  /** Whether any block is requested and not delivered yet. */
  boolean anyInFlight() {
    return !inFlight.isEmpty();
  }
}
