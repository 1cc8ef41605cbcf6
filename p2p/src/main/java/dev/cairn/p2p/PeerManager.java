package dev.cairn.p2p;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.Pong;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer core (the node's {@code net_processing}): takes one {@link PeerEvent} at a time and
 * returns the {@link PeerAction}s it calls for. It keeps the connected peers and hands each event
 * to the part whose job it is: {@link ConnectionManager} (whom to dial and accept), {@link
 * Handshakes}, {@link HeaderSync}, {@link BlockDownload}, {@link TxRelay}, {@link GetDataServer}
 * and {@link AddressExchange}; a peer that breaks a rule is disconnected here, with its reason
 * code (docs/PROTOCOL.md, "Peer protocol").
 *
 * <p>It does no I/O and reads no clock of its own: time comes from the injected {@link Clock},
 * every random choice from the injected {@link Random}, and sending, dialling, timers, validation
 * and store reads leave as actions. The same events in the same order give the same actions.
 *
 * <p>Thread-safety: not thread-safe. One thread at a time hands it events (its driver's loop); it
 * reads the chain and mempool, which are thread-safe.
 */
final class PeerManager {
  private static final Logger LOG = LoggerFactory.getLogger(PeerManager.class);

  private final P2pConfig config;
  private final Blockchain chain;
  private final Clock clock;
  private final Random random;
  private final SendQueues queues;
  private final Outbox out;
  private final Map<ConnectionId, Peer> peers = new LinkedHashMap<>();
  private final Map<ConnectionId, PeerStatus> status = new LinkedHashMap<>();
  private boolean statusChanged;
  private final ConnectionManager connections;
  private final Handshakes handshakes;
  private final AddressExchange addresses;
  private final BlockDownload download;
  private final HeaderSync headers;
  private final TxRelay txs;
  private final GetDataServer getData;
  private final PingTimes pings;
  private final InboundEviction eviction;

  PeerManager(P2pConfig config, Blockchain chain, Mempool mempool, AddressBook book, String agent, Clock clock, Random random) {
    this.config = config;
    this.chain = chain;
    this.clock = clock;
    this.random = random;
    this.queues = new SendQueues(config);
    this.out = new Outbox(queues);
    this.connections = new ConnectionManager(config, clock, book, out);
    this.handshakes = new Handshakes(chain, agent);
    this.addresses = new AddressExchange(book, connections, clock, out);
    this.download = new BlockDownload(chain, config, clock, random, out, peers::values);
    this.headers = new HeaderSync(chain, download, clock, random, out);
    this.txs = new TxRelay(chain, mempool, clock, out);
    this.getData = new GetDataServer(chain, mempool, queues, out);
    this.pings = new PingTimes(clock, random, out);
    this.eviction = new InboundEviction(random);
  }

  /** Handles one event; returns the actions it calls for, in order. */
  List<PeerAction> handle(PeerEvent event) {
    try {
      dispatch(event);
      enforceTotalSendBudget();
    } catch (RuntimeException e) {
      // A bug of ours, not a peer's fault: logged, and the core goes on with the next event.
      LOG.error("handling {} failed: {}", event.getClass().getSimpleName(), e.toString(), e);
    }
    return out.drain();
  }

  /** Heap the peers' header presyncs hold, by their own estimate. */
  long presyncMemoryBytes() {
    return peers.values().stream().mapToLong(p -> p.presync.map(HeadersPresync::memoryBytes).orElse(0L)).sum();
  }

  /** Hosts discouraged now. */
  int discouragedHosts() {
    return connections.discouragedHosts();
  }

  /** Bytes queued to all peers and not written yet. */
  long queuedBytes() {
    return queues.total();
  }

  /**
   * Over the total send budget, the peer holding the largest share goes (a peer under its own
   * budget is never throttled for others' sake, so this is the only way to free the total).
   */
  private void enforceTotalSendBudget() {
    while (queues.overTotalBudget()) {
      Optional<Peer> largest = Optional.empty();
      for (Peer p : peers.values()) {
        if (!p.disconnecting && (largest.isEmpty() || p.queuedBytes > largest.get().queuedBytes)) {
          largest = Optional.of(p);
        }
      }
      if (largest.isEmpty()) {
        return;
      }
      disconnect(largest.get(), Reason.PEER_TOO_SLOW,
          largest.get().queuedBytes + " bytes queued unread, the most of any peer, with all peers' send budget ("
              + queues.totalBudget() + " bytes) full");
    }
  }

  /** The connected peers that completed the handshake, as last published. */
  List<PeerStatus> statuses() {
    statusChanged = false;
    return List.copyOf(status.values());
  }

  /** Whether {@link #statuses()} changed since it was last read. */
  boolean statusChanged() {
    return statusChanged;
  }

  private void dispatch(PeerEvent event) {
    if (event instanceof PeerEvent.Received e) {
      onReceived(e);
    } else if (event instanceof PeerEvent.TimerFired e) {
      onTimer(e.timer());
    } else if (event instanceof PeerEvent.Opened e) {
      onOpened(e);
    } else if (event instanceof PeerEvent.Closed e) {
      onClosed(e);
    } else if (event instanceof PeerEvent.BlockValidated e) {
      onBlockValidated(e);
    } else if (event instanceof PeerEvent.TransactionsValidated e) {
      onTransactionsValidated(e);
    } else if (event instanceof PeerEvent.BlockRead e) {
      onBlockRead(e);
    } else if (event instanceof PeerEvent.BlockConnected e) {
      getData.blockConnected(e.block());
    } else if (event instanceof PeerEvent.TipChanged e) {
      txs.tipChanged();
      headers.announceTip(e.tip(), peers.values());
    } else if (event instanceof PeerEvent.TransactionAdded e) {
      txs.transactionAdded(e.txid(), peers.values());
    } else if (event instanceof PeerEvent.Malformed e) {
      peer(e.connection()).ifPresent(p -> disconnect(p, e.reason(), e.detail()));
    } else if (event instanceof PeerEvent.Drained e) {
      peer(e.connection()).ifPresent(p -> onDrained(p, e.bytes()));
    } else if (event instanceof PeerEvent.SendBufferFull e) {
      peer(e.connection()).ifPresent(p -> disconnect(p, Reason.PEER_TOO_SLOW, "send queue full"));
    } else if (event instanceof PeerEvent.AddPeer e) {
      connections.addPeer(e.address());
      connections.maintain(peers.values());
    } else if (event instanceof PeerEvent.Start e) {
      onStart(e.listenPort());
    } else if (event instanceof PeerEvent.Stop) {
      onStop();
    } else {
      throw new IllegalArgumentException("unknown event " + event);
    }
  }

  private Optional<Peer> peer(ConnectionId id) {
    return Optional.ofNullable(peers.get(id));
  }

  // ---- lifecycle and timers -------------------------------------------------------------------

  private void onStart(int listenPort) {
    connections.start(listenPort);
    out.timer(new PeerTimer.Maintain(), 0);
    out.timer(new PeerTimer.AnnounceTransactions(), announceInterval());
    out.timer(new PeerTimer.CheckStalls(), BlockDownload.CHECK_STALLS_MILLIS);
  }

  private long announceInterval() {
    return Math.max(10, config.txAnnounceInterval().toMillis());
  }

  private void onStop() {
    connections.stop();
    for (Peer p : new ArrayList<>(peers.values())) {
      out.send(p, Envelopes.disconnect(Reason.PEER_SHUTDOWN.code(), "node is stopping"));
      removePeer(p, "shutting down");
    }
  }

  private void onTimer(PeerTimer timer) {
    if (timer instanceof PeerTimer.HandshakeTimeout t) {
      peer(t.connection())
          .filter(p -> p.handshake.isEmpty())
          .ifPresent(p -> disconnect(p, Reason.PEER_HANDSHAKE_TIMEOUT, "no handshake within " + config.handshakeTimeout().toMillis() + " ms"));
      return;
    }
    if (connections.stopping()) {
      return; // periodic timers end with the node
    }
    if (timer instanceof PeerTimer.Maintain) {
      connections.maintain(peers.values());
      pings.maintain(peers.values());
      for (Peer p : peers.values()) {
        if (p.ready()) {
          publishStatus(p);
        }
      }
      out.timer(timer, ConnectionManager.MAINTAIN_MILLIS);
    } else if (timer instanceof PeerTimer.AnnounceTransactions) {
      txs.announce(peers.values());
      out.timer(timer, announceInterval());
    } else if (timer instanceof PeerTimer.CheckStalls) {
      download.checkStalls();
      headers.tick(peers.values());
      out.timer(timer, BlockDownload.CHECK_STALLS_MILLIS);
    }
  }

  private void publishStatus(Peer p) {
    status.put(p.id, p.status());
    statusChanged = true;
  }

  // ---- connections ----------------------------------------------------------------------------

  private void onOpened(PeerEvent.Opened e) {
    Peer peer =
        new Peer(e.connection(), e.direction(), e.remote(), NetworkGroup.of(e.remote(), config.loopbackRoutable()), random.nextLong(),
            clock.nowMillis());
    Optional<Rejection> refusal =
        e.direction() == Peer.Direction.INBOUND
            ? connections.refuseInbound(e.remote()).or(() -> makeInboundRoom())
            : connections.stopping() ? Optional.of(new Rejection(Reason.PEER_SHUTDOWN, "node is stopping")) : Optional.empty();
    if (refusal.isPresent()) {
      out.send(peer, Envelopes.disconnect(refusal.get().reason().code(), refusal.get().detail()));
      out.close(peer.id);
      if (e.direction() == Peer.Direction.OUTBOUND) {
        connections.removed(peer);
      }
      return;
    }
    peers.put(peer.id, peer);
    owe(peer, 1);
    out.send(peer, handshakes.ours(peer, connections.advertised()));
    peer.sentHandshake = true;
    out.timer(new PeerTimer.HandshakeTimeout(peer.id), config.handshakeTimeout().toMillis());
  }

  /** When inbound is full, evicts a peer to make room, or says why the newcomer cannot have one. */
  private Optional<Rejection> makeInboundRoom() {
    List<Peer> inbound = peers.values().stream().filter(p -> p.direction == Peer.Direction.INBOUND && !p.disconnecting).toList();
    if (inbound.size() < config.maxInbound()) {
      return Optional.empty();
    }
    Optional<Peer> victim = eviction.select(inbound);
    if (victim.isEmpty()) {
      return Optional.of(new Rejection(Reason.PEER_TOO_MANY, "no room for another inbound peer"));
    }
    disconnect(victim.get(), Reason.PEER_TOO_MANY, "evicted to make room for a new inbound peer");
    return Optional.empty();
  }

  private void onClosed(PeerEvent.Closed e) {
    peer(e.connection())
        .ifPresent(
            p -> {
              if (e.misbehaviour().isPresent()) {
                disconnect(p, e.misbehaviour().get(), "the transport ended the stream: " + e.why());
              } else {
                removePeer(p, e.why());
              }
            });
  }

  /** Closes a peer's connection, saying why; a punishable reason also discourages its address. */
  private void disconnect(Peer peer, Reason reason, String message) {
    if (peer.disconnecting) {
      return;
    }
    peer.disconnecting = true;
    if (reason.punishable()) {
      LOG.warn("disconnecting {}: {} ({})", peer, reason.code(), message);
      connections.discourage(peer);
    } else {
      LOG.info("disconnecting {}: {} ({})", peer, reason.code(), message);
    }
    out.send(peer, Envelopes.disconnect(reason.code(), message));
    removePeer(peer, reason.code());
  }

  private void removePeer(Peer peer, String why) {
    if (peers.remove(peer.id) == null) {
      return;
    }
    if (status.remove(peer.id) != null) {
      statusChanged = true;
    }
    peer.disconnecting = true;
    out.close(peer.id);
    queues.forget(peer);
    connections.removed(peer);
    headers.endPresync(peer);
    if (peer.handshake.isPresent()) {
      LOG.info("{} gone: {}", peer, why);
    }
    download.peerGone(peer);
  }

  // ---- messages -------------------------------------------------------------------------------

  private void onReceived(PeerEvent.Received e) {
    Peer peer = peers.get(e.connection());
    if (peer == null || peer.disconnecting) {
      return;
    }
    peer.bytesIn += e.bytes();
    int validationsBefore = peer.validations;
    Envelope message = e.envelope();
    try {
      if (peer.handshake.isEmpty()) {
        if (message.getPayloadCase() == Envelope.PayloadCase.HANDSHAKE) {
          onHandshake(peer, message.getHandshake());
        } else if (message.getPayloadCase() == Envelope.PayloadCase.DISCONNECT) {
          removePeer(peer, "refused: " + message.getDisconnect().getReasonCode() + " " + message.getDisconnect().getMessage());
        } else {
          disconnect(peer, Reason.PEER_PROTOCOL_VIOLATION, "first message must be a handshake, got " + message.getPayloadCase());
        }
      } else {
        onMessage(peer, message);
      }
    } catch (RejectedException ex) {
      disconnect(peer, ex.reason(), ex.getMessage());
    } catch (RuntimeException ex) {
      // A bug of ours, not the peer's fault: log it and keep reading, so the peer is not stalled.
      LOG.error("handling {} from {} failed: {}", message.getPayloadCase(), peer, ex.toString(), ex);
    }
    if (peer.validations > validationsBefore) {
      return; // read on when the verdict is in
    }
    if (message.getPayloadCase() == Envelope.PayloadCase.GET_DATA && getData.busy(peer)) {
      peer.getDataDeferredReads++; // read on when the GetData queue is served
      return;
    }
    owe(peer, 1);
  }

  /**
   * One read per message handled, owed once the message is done with; a peer that has more than
   * its send budget queued is read from again only as it drains (backpressure).
   */
  private void owe(Peer peer, int reads) {
    peer.owedReads += reads;
    flushReads(peer);
  }

  private void flushReads(Peer peer) {
    if (!peers.containsKey(peer.id) || peer.disconnecting || queues.overPeerBudget(peer)) {
      return;
    }
    for (; peer.owedReads > 0; peer.owedReads--) {
      out.read(peer);
    }
  }

  /** The GetData queue is served: the reads its messages held back are owed now. */
  private void settleGetData(Peer peer) {
    if (!getData.busy(peer) && peer.getDataDeferredReads > 0) {
      int reads = peer.getDataDeferredReads;
      peer.getDataDeferredReads = 0;
      owe(peer, reads);
    }
  }

  private void onDrained(Peer peer, long bytes) {
    queues.drained(peer, bytes);
    getData.resume(peer);
    settleGetData(peer);
    flushReads(peer);
  }

  private void onMessage(Peer peer, Envelope e) throws RejectedException {
    switch (e.getPayloadCase()) {
      case HANDSHAKE -> throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "second handshake");
      case DISCONNECT -> removePeer(peer, "peer said " + e.getDisconnect().getReasonCode() + ": " + e.getDisconnect().getMessage());
      case INVENTORY -> onInventory(peer, e.getInventory().getItemsList());
      case GET_DATA -> getData.onGetData(peer, e.getGetData().getItemsList());
      case NOT_FOUND -> onNotFound(peer, e.getNotFound().getItemsList());
      case TRANSACTIONS -> txs.onTransactions(peer, e.getTransactions());
      case BLOCK -> download.onBlock(peer, e.getBlock());
      case GET_HEADERS -> headers.onGetHeaders(peer, e.getGetHeaders());
      case HEADERS -> headers.onHeaders(peer, e.getHeaders());
      case GET_ADDRESSES -> addresses.onGetAddresses(peer);
      case ADDRESSES -> addresses.onAddresses(peer, e.getAddresses());
      case PING -> out.send(peer, Envelope.newBuilder().setPong(Pong.newBuilder().setNonce(e.getPing().getNonce())).build());
      case PONG -> pings.onPong(peer, e.getPong().getNonce());
      case PAYLOAD_NOT_SET -> throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "empty or unknown message");
    }
  }

  private void onHandshake(Peer peer, dev.cairn.proto.v1.Handshake h) throws RejectedException {
    handshakes.accept(peer, h, peers.values(), connections);
    connections.handshakeDone(peer);
    if (peer.direction == Peer.Direction.OUTBOUND) {
      addresses.askForAddresses(peer);
    }
    LOG.info("{} connected: {} at height {}", peer, h.getAgent(), h.getBestHeight());
    publishStatus(peer);
    headers.peerReady(peer);
  }

  private void onInventory(Peer peer, List<InventoryItem> items) throws RejectedException {
    if (items.size() > Limits.MAX_INVENTORY) {
      throw new RejectedException(Reason.PEER_OVERSIZED, items.size() + " inventory items");
    }
    List<Hash> announcedTxs = new ArrayList<>();
    boolean unknownBlock = false;
    for (InventoryItem item : items) {
      Hash h = Envelopes.hash(item.getHash()).orElseThrow(() -> new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "inventory hash not 32 bytes"));
      if (item.getType() == InventoryType.INVENTORY_TYPE_TRANSACTION) {
        announcedTxs.add(h);
      } else if (item.getType() == InventoryType.INVENTORY_TYPE_BLOCK) {
        peer.knownBlocks.add(h);
        unknownBlock |= chain.entry(h).isEmpty();
      } else {
        throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "unknown inventory type");
      }
    }
    List<Hash> wanted = txs.onAnnounced(peer, announcedTxs);
    if (unknownBlock) {
      headers.onUnknownBlocksAnnounced(peer);
    }
    txs.request(peer, wanted);
  }

  private void onNotFound(Peer peer, List<InventoryItem> items) throws RejectedException {
    if (items.size() > Limits.MAX_INVENTORY) {
      throw new RejectedException(Reason.PEER_OVERSIZED, items.size() + " items not found");
    }
    boolean reassign = false;
    for (InventoryItem item : items) {
      Optional<Hash> h = Envelopes.hash(item.getHash());
      if (h.isEmpty()) {
        continue;
      }
      txs.notFound(peer, h.get());
      reassign |= download.notFound(peer, h.get());
    }
    if (reassign) {
      download.requestBlocks();
    }
  }

  // ---- the worker's answers ---------------------------------------------------------------------

  private void onBlockValidated(PeerEvent.BlockValidated e) {
    Optional<Peer> sender = peer(e.from());
    sender.ifPresent(p -> p.validations--);
    Optional<RejectedException> punish = download.onValidated(sender, e.block(), e.rejection());
    if (e.rejection().map(r -> r.reason() == Reason.PREV_BLOCK_UNKNOWN).orElse(false)) {
      sender.ifPresent(headers::askFromOurLocator);
    }
    sender.ifPresent(p -> afterValidation(p, punish));
  }

  private void onTransactionsValidated(PeerEvent.TransactionsValidated e) {
    Optional<Peer> sender = peer(e.from());
    sender.ifPresent(p -> p.validations--);
    Optional<RejectedException> punish = txs.onAdmitted(sender, e.outcomes());
    sender.ifPresent(p -> afterValidation(p, punish));
  }

  private void afterValidation(Peer peer, Optional<RejectedException> punish) {
    if (punish.isPresent()) {
      disconnect(peer, punish.get().reason(), punish.get().getMessage());
    } else {
      owe(peer, 1);
    }
  }

  private void onBlockRead(PeerEvent.BlockRead e) {
    peer(e.to())
        .ifPresent(
            p -> {
              getData.onBlockRead(p, e.hash(), e.canonical());
              settleGetData(p);
            });
  }
}
