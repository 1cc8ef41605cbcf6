package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.BlockRules;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.ChainListener;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolListener;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.proto.v1.Addresses;
import dev.cairn.proto.v1.BlockData;
import dev.cairn.proto.v1.ConnectRequest;
import dev.cairn.proto.v1.ConnectResponse;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.GetAddresses;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.NotFound;
import dev.cairn.proto.v1.PeerAddress;
import dev.cairn.proto.v1.PeerServiceGrpc;
import dev.cairn.proto.v1.Pong;
import dev.cairn.proto.v1.TransactionBatch;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's peer-to-peer layer: accepts and dials peer connections (one gRPC bidirectional stream
 * each), handshakes, gossips transactions and blocks (announce, then fetch on request), syncs
 * headers first and then bodies from several peers in a moving window, exchanges addresses, and
 * cuts off peers that break rules (docs/PROTOCOL.md, "Peer protocol").
 *
 * <p>Thread-safety: all peer state lives on one network loop thread; gRPC callbacks, chain and
 * mempool events only post tasks to it. {@link #peers()} reads a concurrent snapshot. Owns its
 * server, channels and loop, and releases them on {@link #close()}.
 */
public final class PeerNetwork implements ChainListener, MempoolListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerNetwork.class);
  private static final long DISCOURAGE_MILLIS = 24 * 3600 * 1000L;
  private static final int MAX_UNREQUESTED_TXS = 100;
  private static final int MAX_PENDING_HEADERS = 50_000;

  private final P2pConfig config;
  private final Blockchain chain;
  private final Mempool mempool;
  private final String agent;
  private final ScheduledExecutorService loop;
  private final AddressBook book;
  private final Random random = new SecureRandom();
  private final Map<Long, Peer> peers = new HashMap<>();
  private final Map<Long, PeerStatus> status = new ConcurrentHashMap<>();
  private final Map<String, Long> discouraged = new HashMap<>();
  private final Map<Hash, Peer> blocksInFlight = new HashMap<>();
  private final Map<Hash, Long> txsInFlight = new HashMap<>();
  private final KnownSet recentlyRejectedTxs = new KnownSet(50_000);
  /** A few, not one: a reorganisation connects several blocks, and peers ask for each. */
  private final RecentBlocks recentBlocks = new RecentBlocks(4);
  private final Set<HostPort> dialing = new HashSet<>();
  private final Map<HostPort, Long> bootstrapRetry = new HashMap<>();
  private final Map<HostPort, Integer> bootstrapFailures = new HashMap<>();
  /** Peers added at run time ({@link #addPeer}): kept connected like bootstrap peers. */
  private final Set<HostPort> addedPeers = new HashSet<>();
  /** Addresses that turned out to be this node (a self-connection): never dialled again. */
  private final Set<HostPort> selfAddresses = new HashSet<>();
  private Server server;
  private volatile boolean closed;

  public PeerNetwork(P2pConfig config, Blockchain chain, Mempool mempool, String agent) {
    this.config = config;
    this.chain = chain;
    this.mempool = mempool;
    this.agent = agent;
    java.util.concurrent.ScheduledThreadPoolExecutor executor =
        new java.util.concurrent.ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "p2p");
              t.setDaemon(true);
              return t;
            });
    // On close, pending timers (handshake timeouts, channel shutdowns) are dropped, not waited for.
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setRemoveOnCancelPolicy(true);
    this.loop = executor;
    this.book = new AddressBook(chain.store(), random);
  }

  /** Listens on the peer port and starts dialling. */
  public PeerNetwork start() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(config.listenHost(), config.listenPort()))
            .maxInboundMessageSize(Limits.MAX_MESSAGE_BYTES)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .addStreamTracerFactory(PeerService.TRACERS)
            .addService(io.grpc.ServerInterceptors.intercept(new PeerService(this), PeerService.REMOTE_ADDRESS))
            .build()
            .start();
    chain.addListener(this);
    mempool.addListener(this);
    for (HostPort b : config.bootstrap()) {
      loop.execute(() -> book.addNew(b, System.currentTimeMillis()));
    }
    loop.scheduleWithFixedDelay(guarded(this::maintainConnections), 0, 500, TimeUnit.MILLISECONDS);
    long announce = Math.max(10, config.txAnnounceInterval().toMillis());
    loop.scheduleWithFixedDelay(guarded(this::flushTxAnnouncements), announce, announce, TimeUnit.MILLISECONDS);
    loop.scheduleWithFixedDelay(guarded(this::checkStalls), 250, 250, TimeUnit.MILLISECONDS);
    LOG.info("peer port {}:{} open{}", config.listenHost(), port(),
        config.bootstrap().isEmpty() ? " (no bootstrap peers: serving as a bootstrap node)" : ", bootstrap " + config.bootstrap());
    return this;
  }

  private Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.error("network task failed: {}", e.toString(), e);
      }
    };
  }

  public int port() {
    return server.getPort();
  }

  /** The connected peers that completed the handshake. Thread-safe snapshot. */
  public List<PeerStatus> peers() {
    return List.copyOf(status.values());
  }

  /**
   * Dials {@code address} and keeps re-dialling it while it is not connected, like a bootstrap
   * peer (an operator's "add node"). Thread-safe.
   */
  public void addPeer(HostPort address) {
    post(
        () -> {
          addedPeers.add(address);
          book.addNew(address, System.currentTimeMillis());
          maintainConnections();
        });
  }

  private boolean isPinned(HostPort address) {
    return config.bootstrap().contains(address) || addedPeers.contains(address);
  }

  // ---- connections ---------------------------------------------------------------------------

  StreamObserver<ConnectRequest> acceptInbound(
      HostPort remote, ServerCallStreamObserver<ConnectResponse> stream, PeerService.CloseTracer tracer) {
    PeerHolder holder = new PeerHolder();
    PeerConnection connection = PeerConnection.server(stream, () -> post(() -> holder.ifPresent(p -> disconnect(p, Reason.PEER_TOO_SLOW, "send queue full"))));
    // The stream ended under us; if gRPC ended it over the peer's input (a message over the size
    // limit, bytes that are not a message), that is misbehaviour like any other.
    java.util.function.Consumer<String> ended =
        why ->
            holder.ifPresent(
                p -> {
                  Optional<Reason> misbehaviour = tracer.misbehaviour();
                  if (misbehaviour.isPresent()) {
                    disconnect(p, misbehaviour.get(), "gRPC ended the stream: " + tracer.describe());
                  } else {
                    removePeer(p, why);
                  }
                });
    stream.setOnCancelHandler(() -> post(() -> ended.accept("cancelled")));
    // Also when gRPC closes the call itself without telling the request observer (a frame that
    // does not parse): without this the peer would linger and hold an inbound slot for ever.
    stream.setOnCloseHandler(() -> post(() -> ended.accept("closed")));
    post(
        () -> {
          Peer peer = new Peer(Peer.Direction.INBOUND, remote, connection, Optional.empty(), random.nextLong(), System.currentTimeMillis());
          holder.set(peer);
          long inbound = peers.values().stream().filter(p -> p.direction == Peer.Direction.INBOUND).count();
          if (closed) {
            reject(peer, Reason.PEER_SHUTDOWN, "node is stopping");
          } else if (isDiscouraged(remote)) {
            reject(peer, Reason.PEER_DISCOURAGED, "your address misbehaved recently");
          } else if (inbound >= config.maxInbound()) {
            reject(peer, Reason.PEER_TOO_MANY, "no room for another inbound peer");
          } else {
            register(peer);
          }
        });
    return new StreamObserver<>() {
      @Override
      public void onNext(ConnectRequest request) {
        connection.countIn(request.getSerializedSize());
        post(() -> holder.ifPresent(p -> onMessage(p, request.getEnvelope())));
      }

      @Override
      public void onError(Throwable t) {
        post(() -> ended.accept("stream error: " + t.getMessage()));
      }

      @Override
      public void onCompleted() {
        post(() -> holder.ifPresent(p -> removePeer(p, "closed by peer")));
      }
    };
  }

  /** A reference to a peer filled in on the loop once it exists. */
  private static final class PeerHolder {
    private Peer peer;

    void set(Peer p) {
      peer = p;
    }

    void ifPresent(java.util.function.Consumer<Peer> action) {
      if (peer != null) {
        action.accept(peer);
      }
    }
  }

  /** Dials {@code address}; the handshake follows on the stream. Must run on the loop. */
  private void dial(HostPort address) {
    if (closed || dialing.contains(address)) {
      return;
    }
    dialing.add(address);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(address.host(), address.port())
            .usePlaintext()
            .maxInboundMessageSize(Limits.MAX_MESSAGE_BYTES)
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(true)
            .build();
    PeerHolder holder = new PeerHolder();
    ClientResponseObserver<ConnectRequest, ConnectResponse> responses =
        new ClientResponseObserver<>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<ConnectRequest> requestStream) {
            requestStream.disableAutoRequestWithInitial(1);
            PeerConnection connection =
                PeerConnection.client(
                    requestStream, () -> post(() -> holder.ifPresent(p -> disconnect(p, Reason.PEER_TOO_SLOW, "send queue full"))));
            Peer peer = new Peer(Peer.Direction.OUTBOUND, address, connection, Optional.of(channel), random.nextLong(), System.currentTimeMillis());
            holder.set(peer);
          }

          @Override
          public void onNext(ConnectResponse response) {
            holder.ifPresent(p -> p.connection.countIn(response.getSerializedSize()));
            post(() -> holder.ifPresent(p -> onMessage(p, response.getEnvelope())));
          }

          @Override
          public void onError(Throwable t) {
            post(
                () -> {
                  dialing.remove(address);
                  holder.ifPresent(
                      p -> {
                        Optional<Reason> misbehaviour = inputFailure(t);
                        if (misbehaviour.isPresent()) {
                          disconnect(p, misbehaviour.get(), "gRPC ended the stream: " + t.getMessage());
                        } else {
                          removePeer(p, "stream error: " + t.getMessage());
                        }
                      });
                });
          }

          @Override
          public void onCompleted() {
            post(() -> holder.ifPresent(p -> removePeer(p, "closed by peer")));
          }
        };
    PeerServiceGrpc.newStub(channel).connect(responses);
    holder.ifPresent(this::register);
  }

  /**
   * Whether our outbound call failed over what the peer sent: a message over the size limit, or
   * bytes that do not parse as a message. Other failures (unreachable, reset) punish nobody.
   */
  private static Optional<Reason> inputFailure(Throwable t) {
    if (io.grpc.Status.fromThrowable(t).getCode() == io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
      return Optional.of(Reason.PEER_OVERSIZED);
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof com.google.protobuf.InvalidProtocolBufferException) {
        return Optional.of(Reason.PEER_PROTOCOL_VIOLATION);
      }
    }
    return Optional.empty();
  }

  private void noteDialFailure(HostPort address) {
    book.markAttempt(address, System.currentTimeMillis(), true);
    if (isPinned(address)) {
      int failures = bootstrapFailures.merge(address, 1, Integer::sum);
      bootstrapRetry.put(address, System.currentTimeMillis() + Math.min(60_000L, 250L << Math.min(failures, 8)));
    }
  }

  private void register(Peer peer) {
    peers.put(peer.id, peer);
    peer.connection.requestNext();
    sendHandshake(peer);
    loop.schedule(
        guarded(
            () -> {
              if (peers.containsKey(peer.id) && peer.handshake.isEmpty()) {
                disconnect(peer, Reason.PEER_HANDSHAKE_TIMEOUT, "no handshake within " + config.handshakeTimeout().toMillis() + " ms");
              }
            }),
        config.handshakeTimeout().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void sendHandshake(Peer peer) {
    BlockIndexEntry tip = chain.tip();
    Handshake.Builder h =
        Handshake.newBuilder()
            .setProtocolVersion(Limits.PROTOCOL_VERSION)
            .setGenesisHash(Envelopes.bytes(chain.spec().genesisHash()))
            .setNonce(peer.localNonce)
            .setBestHeight(tip.height())
            .setTotalWork(ByteString.copyFrom(tip.chainWork().toByteArray()))
            .setAgent(agent);
    if (server != null) {
      h.setListenAddress(new HostPort(config.advertisedHost(), port()).toString());
    }
    peer.send(Envelope.newBuilder().setHandshake(h).build());
    peer.sentHandshake = true;
  }

  private void reject(Peer peer, Reason reason, String message) {
    peer.send(Envelopes.disconnect(reason.code(), message));
    peer.connection.close();
    peer.channel.ifPresent(ManagedChannel::shutdown);
  }

  /** Closes a peer's connection, saying why; a punishable reason also discourages its address. */
  void disconnect(Peer peer, Reason reason, String message) {
    if (peer.disconnecting) {
      return;
    }
    peer.disconnecting = true;
    if (reason.punishable()) {
      LOG.warn("disconnecting {}: {} ({})", peer, reason.code(), message);
      Misbehavior.discourageKey(peer.remote)
          .ifPresent(host -> discouraged.put(host, System.currentTimeMillis() + DISCOURAGE_MILLIS));
    } else {
      LOG.info("disconnecting {}: {} ({})", peer, reason.code(), message);
    }
    peer.send(Envelopes.disconnect(reason.code(), message));
    peer.connection.close();
    removePeer(peer, reason.code());
    peer.channel.ifPresent(
        ch -> loop.schedule(() -> ch.shutdownNow(), 200, TimeUnit.MILLISECONDS));
  }

  private boolean isDiscouraged(HostPort remote) {
    Long until = discouraged.get(remote.host());
    if (until == null) {
      return false;
    }
    if (until < System.currentTimeMillis()) {
      discouraged.remove(remote.host());
      return false;
    }
    return true;
  }

  private void removePeer(Peer peer, String why) {
    if (peers.remove(peer.id) == null) {
      return;
    }
    status.remove(peer.id);
    peer.disconnecting = true;
    peer.connection.close();
    peer.channel.ifPresent(ManagedChannel::shutdown);
    if (peer.direction == Peer.Direction.OUTBOUND) {
      dialing.remove(peer.remote);
      if (peer.handshake.isEmpty() && !closed) {
        // Refused, closed or unreachable before it said hello: back off before dialling again.
        noteDialFailure(peer.remote);
      }
    }
    List<Hash> orphaned = new ArrayList<>(peer.blocksInFlight.keySet());
    for (Hash h : orphaned) {
      blocksInFlight.remove(h);
    }
    if (peer.handshake.isPresent()) {
      LOG.info("{} gone: {}", peer, why);
    }
    if (!orphaned.isEmpty()) {
      requestBlocks();
    }
  }

  private void maintainConnections() {
    if (closed) {
      return;
    }
    long now = System.currentTimeMillis();
    Set<HostPort> connected = new HashSet<>(dialing);
    for (Peer p : peers.values()) {
      connected.add(p.remote);
      p.listenAddress().ifPresent(connected::add);
    }
    connected.add(new HostPort(config.advertisedHost(), port()));
    connected.addAll(selfAddresses);
    List<HostPort> pinned = new ArrayList<>(config.bootstrap());
    pinned.addAll(addedPeers);
    for (HostPort b : pinned) {
      if (!connected.contains(b) && bootstrapRetry.getOrDefault(b, 0L) <= now) {
        bootstrapRetry.put(b, now + 1_000);
        dial(b);
        connected.add(b);
      }
    }
    // Every outbound connection, being dialled or established, is in `dialing` until it is removed.
    long outbound = dialing.size();
    for (int i = 0; outbound < config.outboundTarget() && i < 4; i++) {
      Optional<HostPort> next = book.pick(now, connected);
      if (next.isEmpty()) {
        break;
      }
      if (isDiscouraged(next.get())) {
        book.markAttempt(next.get(), now, true);
        connected.add(next.get());
        continue;
      }
      book.markAttempt(next.get(), now, false);
      dial(next.get());
      connected.add(next.get());
      outbound++;
    }
    for (Peer p : peers.values()) {
      if (p.ready()) {
        publishStatus(p);
      }
    }
  }

  private void publishStatus(Peer p) {
    status.put(
        p.id,
        new PeerStatus(
            p.id, p.remote.toString(), p.direction == Peer.Direction.INBOUND, p.bestHeight, p.agent(), p.connectedSince / 1000,
            p.connection.bytesIn(), p.connection.bytesOut(), p.listenAddress().map(HostPort::toString).orElse(""),
            p.blocksReceived));
  }

  // ---- messages ------------------------------------------------------------------------------

  private void post(Runnable task) {
    if (!loop.isShutdown()) {
      try {
        loop.execute(guarded(task));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Shutting down.
      }
    }
  }

  private void onMessage(Peer peer, Envelope e) {
    if (!peers.containsKey(peer.id) || peer.disconnecting) {
      return;
    }
    try {
      if (peer.handshake.isEmpty()) {
        if (e.getPayloadCase() == Envelope.PayloadCase.HANDSHAKE) {
          onHandshake(peer, e.getHandshake());
        } else if (e.getPayloadCase() == Envelope.PayloadCase.DISCONNECT) {
          removePeer(peer, "refused: " + e.getDisconnect().getReasonCode() + " " + e.getDisconnect().getMessage());
        } else {
          disconnect(peer, Reason.PEER_PROTOCOL_VIOLATION, "first message must be a handshake, got " + e.getPayloadCase());
        }
      } else {
        dispatch(peer, e);
      }
    } catch (RejectedException ex) {
      disconnect(peer, ex.reason(), ex.getMessage());
    } catch (RuntimeException ex) {
      // A bug of ours, not the peer's fault: log it and keep reading, so the peer is not stalled.
      LOG.error("handling {} from {} failed: {}", e.getPayloadCase(), peer, ex.toString(), ex);
    }
    if (peers.containsKey(peer.id)) {
      peer.connection.requestNext();
    }
  }

  private void dispatch(Peer peer, Envelope e) throws RejectedException {
    switch (e.getPayloadCase()) {
      case HANDSHAKE -> throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "second handshake");
      case DISCONNECT -> removePeer(peer, "peer said " + e.getDisconnect().getReasonCode() + ": " + e.getDisconnect().getMessage());
      case INVENTORY -> onInventory(peer, e.getInventory().getItemsList());
      case GET_DATA -> onGetData(peer, e.getGetData().getItemsList());
      case NOT_FOUND -> onNotFound(peer, e.getNotFound().getItemsList());
      case TRANSACTIONS -> onTransactions(peer, e.getTransactions());
      case BLOCK -> onBlock(peer, e.getBlock());
      case GET_HEADERS -> onGetHeaders(peer, e.getGetHeaders());
      case HEADERS -> onHeaders(peer, e.getHeaders());
      case GET_ADDRESSES -> onGetAddresses(peer);
      case ADDRESSES -> onAddresses(peer, e.getAddresses());
      case PING -> peer.send(Envelope.newBuilder().setPong(Pong.newBuilder().setNonce(e.getPing().getNonce())).build());
      case PONG -> {
        // Liveness only.
      }
      case PAYLOAD_NOT_SET -> throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "empty or unknown message");
    }
  }

  private void onHandshake(Peer peer, Handshake h) throws RejectedException {
    if (h.getProtocolVersion() != Limits.PROTOCOL_VERSION) {
      throw new RejectedException(Reason.PEER_INCOMPATIBLE, "protocol version " + h.getProtocolVersion());
    }
    if (!h.getGenesisHash().equals(Envelopes.bytes(chain.spec().genesisHash()))) {
      throw new RejectedException(Reason.PEER_WRONG_NETWORK, "peer's genesis differs from " + chain.spec().chainId());
    }
    for (Peer other : peers.values()) {
      if (other.localNonce == h.getNonce()) {
        // One end of this connection is our own outbound dial: that address is us, never dial it.
        if (peer.direction == Peer.Direction.OUTBOUND) {
          selfAddresses.add(peer.remote);
        } else if (other.direction == Peer.Direction.OUTBOUND) {
          selfAddresses.add(other.remote);
        }
        throw new RejectedException(Reason.PEER_SELF, "received our own nonce");
      }
    }
    if (h.getTotalWork().size() > 33 || h.getAgent().length() > 256 || h.getListenAddress().length() > 300) {
      throw new RejectedException(Reason.PEER_OVERSIZED, "handshake field too long");
    }
    peer.handshake = Optional.of(h);
    peer.bestHeight = h.getBestHeight();
    peer.bestWork = new BigInteger(1, h.getTotalWork().toByteArray());
    Optional<HostPort> listen = peer.listenAddress();
    for (Peer other : peers.values()) {
      if (other != peer && other.ready() && listen.isPresent()
          && (listen.equals(other.listenAddress()) || (other.direction == Peer.Direction.OUTBOUND && other.remote.equals(listen.get())))) {
        throw new RejectedException(Reason.PEER_DUPLICATE, "already connected to " + listen.get());
      }
    }
    long now = System.currentTimeMillis();
    if (peer.direction == Peer.Direction.OUTBOUND) {
      book.markTried(peer.remote, now);
      bootstrapFailures.remove(peer.remote);
      peer.send(Envelope.newBuilder().setGetAddresses(GetAddresses.getDefaultInstance()).build());
    } else {
      listen.ifPresent(l -> book.addNew(l, now));
    }
    LOG.info("{} connected: {} at height {}", peer, h.getAgent(), h.getBestHeight());
    publishStatus(peer);
    if (peer.bestWork.compareTo(chain.tip().chainWork()) > 0) {
      startHeaderSync(peer);
    }
  }

  // ---- transactions --------------------------------------------------------------------------

  private void onInventory(Peer peer, List<InventoryItem> items) throws RejectedException {
    if (items.size() > Limits.MAX_INVENTORY) {
      throw new RejectedException(Reason.PEER_OVERSIZED, items.size() + " inventory items");
    }
    Set<Hash> wantTx = new java.util.LinkedHashSet<>();
    boolean unknownBlock = false;
    for (InventoryItem item : items) {
      Hash h = Envelopes.hash(item.getHash()).orElseThrow(() -> new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "inventory hash not 32 bytes"));
      if (item.getType() == InventoryType.INVENTORY_TYPE_TRANSACTION) {
        peer.knownTransactions.add(h);
        if (!mempool.contains(h) && !recentlyRejectedTxs.contains(h) && !txsInFlight.containsKey(h)
            && chain.store().txLocation(h).isEmpty()) {
          wantTx.add(h);
        }
      } else if (item.getType() == InventoryType.INVENTORY_TYPE_BLOCK) {
        peer.knownBlocks.add(h);
        unknownBlock |= chain.entry(h).isEmpty();
      } else {
        throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "unknown inventory type");
      }
    }
    // An honest peer answers what it announced; one that keeps announcing more than a full
    // inventory of transactions it never delivers is flooding us.
    if (peer.requestedTransactions.size() + wantTx.size() > Limits.MAX_TX_REQUESTS_PER_PEER) {
      throw new RejectedException(
          Reason.PEER_UNREQUESTED,
          "inventory flood: " + (peer.requestedTransactions.size() + wantTx.size()) + " announced transactions not delivered");
    }
    long now = System.currentTimeMillis();
    for (Hash h : wantTx) {
      txsInFlight.put(h, now);
      peer.requestedTransactions.add(h);
    }
    if (unknownBlock) {
      // One request however many unknown blocks were named: no amplification.
      peer.send(Envelopes.getHeaders(chain.locator()));
    }
    if (!wantTx.isEmpty()) {
      peer.send(Envelopes.getData(InventoryType.INVENTORY_TYPE_TRANSACTION, wantTx));
    }
  }

  private void onGetData(Peer peer, List<InventoryItem> items) throws RejectedException {
    if (items.size() > Limits.MAX_INVENTORY) {
      throw new RejectedException(Reason.PEER_OVERSIZED, items.size() + " items requested");
    }
    TransactionBatch.Builder txs = TransactionBatch.newBuilder();
    NotFound.Builder missing = NotFound.newBuilder();
    for (InventoryItem item : items) {
      Hash h = Envelopes.hash(item.getHash()).orElseThrow(() -> new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "requested hash not 32 bytes"));
      if (item.getType() == InventoryType.INVENTORY_TYPE_TRANSACTION) {
        Optional<Transfer> tx = mempool.get(h);
        if (tx.isPresent()) {
          txs.addTransactions(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(tx.get().encoded())));
          peer.knownTransactions.add(h);
          if (txs.getTransactionsCount() == Limits.MAX_TRANSACTIONS) {
            peer.send(Envelope.newBuilder().setTransactions(txs).build());
            txs = TransactionBatch.newBuilder();
          }
        } else {
          missing.addItems(item);
        }
      } else if (item.getType() == InventoryType.INVENTORY_TYPE_BLOCK) {
        // Never serve a body known to be invalid (stored, then failed when connected): the peer
        // would rightly punish us for it.
        boolean invalid = chain.entry(h).map(en -> en.status().isFailed()).orElse(false);
        Optional<ByteString> block =
            invalid
                ? Optional.empty()
                : recentBlocks.encoded(h).or(() -> chain.store().body(h).map(b -> ByteString.copyFrom(b.encode())));
        if (block.isPresent()) {
          peer.knownBlocks.add(h);
          peer.send(
              Envelope.newBuilder()
                  .setBlock(BlockData.newBuilder().setBlock(dev.cairn.proto.v1.Block.newBuilder().setCanonical(block.get())))
                  .build());
        } else {
          missing.addItems(item);
        }
      } else {
        throw new RejectedException(Reason.PEER_PROTOCOL_VIOLATION, "unknown inventory type");
      }
    }
    if (txs.getTransactionsCount() > 0) {
      peer.send(Envelope.newBuilder().setTransactions(txs).build());
    }
    if (missing.getItemsCount() > 0) {
      peer.send(Envelope.newBuilder().setNotFound(missing).build());
    }
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
      txsInFlight.remove(h.get());
      peer.requestedTransactions.remove(h.get());
      if (peer.blocksInFlight.remove(h.get()) != null) {
        blocksInFlight.remove(h.get());
        reassign = true;
      }
    }
    if (reassign) {
      requestBlocks();
    }
  }

  private void onTransactions(Peer peer, TransactionBatch batch) throws RejectedException {
    if (batch.getTransactionsCount() > Limits.MAX_TRANSACTIONS) {
      throw new RejectedException(Reason.PEER_OVERSIZED, batch.getTransactionsCount() + " transactions in one message");
    }
    for (dev.cairn.proto.v1.Transaction raw : batch.getTransactionsList()) {
      Transaction tx = Transaction.decode(raw.getCanonical().toByteArray());
      Hash id = tx.id();
      txsInFlight.remove(id);
      if (!peer.requestedTransactions.contains(id)) {
        peer.unrequestedTransactions++;
        if (peer.unrequestedTransactions > MAX_UNREQUESTED_TXS) {
          throw new RejectedException(Reason.PEER_UNREQUESTED, "more than " + MAX_UNREQUESTED_TXS + " unrequested transactions");
        }
        continue;
      }
      peer.requestedTransactions.remove(id);
      peer.knownTransactions.add(id);
      try {
        mempool.add(tx);
      } catch (RejectedException e) {
        if (!Misbehavior.mayBecomeValidSoon(e.reason())) {
          recentlyRejectedTxs.add(id);
        }
        if (Misbehavior.punishableForLooseTransaction(e.reason())) {
          throw e;
        }
        LOG.debug("transaction {} from {} not admitted: {}", id, peer, e.getMessage());
      }
    }
  }

  @Override
  public void transactionAdded(Transfer tx) {
    Hash id = tx.id();
    post(
        () -> {
          for (Peer p : peers.values()) {
            if (p.ready() && !p.knownTransactions.contains(id)) {
              p.pendingTxAnnouncements.add(id);
            }
          }
        });
  }

  private void flushTxAnnouncements() {
    for (Peer p : peers.values()) {
      if (!p.ready() || p.pendingTxAnnouncements.isEmpty()) {
        continue;
      }
      List<Hash> fresh = new ArrayList<>();
      for (Hash h : p.pendingTxAnnouncements) {
        if (p.knownTransactions.add(h)) {
          fresh.add(h);
        }
      }
      p.pendingTxAnnouncements.clear();
      for (int i = 0; i < fresh.size(); i += Limits.MAX_INVENTORY) {
        p.send(Envelopes.inventory(InventoryType.INVENTORY_TYPE_TRANSACTION, fresh.subList(i, Math.min(fresh.size(), i + Limits.MAX_INVENTORY))));
      }
    }
    long cutoff = System.currentTimeMillis() - 30_000;
    txsInFlight.values().removeIf(t -> t < cutoff);
  }

  // ---- headers and blocks --------------------------------------------------------------------

  private void startHeaderSync(Peer peer) {
    peer.syncing = true;
    peer.send(Envelopes.getHeaders(chain.locator()));
  }

  private void onGetHeaders(Peer peer, dev.cairn.proto.v1.GetHeaders request) throws RejectedException {
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
    peer.send(Envelopes.headers(headers));
  }

  private void onHeaders(Peer peer, dev.cairn.proto.v1.Headers message) throws RejectedException {
    int count = message.getHeadersCount();
    if (count > Limits.MAX_HEADERS) {
      throw new RejectedException(Reason.PEER_OVERSIZED, count + " headers in one message");
    }
    if (count == 0) {
      flushPendingHeaders(peer, true);
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
      peer.pendingHeaders.clear();
      peer.pendingHeadersWork = BigInteger.ZERO;
      if (chain.entry(first.previousHash()).isEmpty()) {
        // Not connected to anything we know: ask from our locator, as the peer may have reorganised.
        peer.send(Envelopes.getHeaders(chain.locator()));
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
        peer.pendingHeaders.clear();
        peer.pendingHeadersWork = BigInteger.ZERO;
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
    flushPendingHeaders(peer, !full);
    if (full) {
      peer.send(Envelopes.getHeaders(List.of(last.hash())));
    }
    requestBlocks();
  }

  /**
   * Commits the peer's buffered headers to the index once their chain has enough work; if the
   * peer has no more to send and they still do not, they are dropped (a cheap fork).
   */
  private void flushPendingHeaders(Peer peer, boolean peerIsDone) throws RejectedException {
    if (peer.pendingHeaders.isEmpty()) {
      peer.syncing = !peerIsDone;
      return;
    }
    if (peer.pendingHeadersWork.compareTo(chain.headerWorkThreshold()) > 0) {
      chain.acceptHeaders(peer.pendingHeaders);
      peer.pendingHeaders.clear();
      peer.pendingHeadersWork = BigInteger.ZERO;
    } else if (peerIsDone) {
      LOG.info("{} offered {} headers with too little work; not indexed", peer, peer.pendingHeaders.size());
      peer.pendingHeaders.clear();
      peer.pendingHeadersWork = BigInteger.ZERO;
    }
    peer.syncing = !peerIsDone;
  }

  /** Asks peers for missing bodies of the best header chain, a moving window ahead of the tip. */
  private void requestBlocks() {
    List<BlockIndexEntry> missing = chain.blocksToDownload(Limits.DOWNLOAD_WINDOW);
    if (missing.isEmpty()) {
      return;
    }
    List<Peer> ready = new ArrayList<>();
    for (Peer p : peers.values()) {
      if (p.ready()) {
        ready.add(p);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    java.util.Collections.shuffle(ready, random);
    Map<Peer, List<Hash>> requests = new HashMap<>();
    for (BlockIndexEntry e : missing) {
      if (blocksInFlight.containsKey(e.hash())) {
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
      p.blocksInFlight.put(e.hash(), System.currentTimeMillis());
      blocksInFlight.put(e.hash(), p);
      requests.computeIfAbsent(p, k -> new ArrayList<>()).add(e.hash());
    }
    requests.forEach((p, hashes) -> p.send(Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, hashes)));
  }

  private static boolean better(Peer p, Peer than, Hash block) {
    boolean pStalled = p.stalledOn.contains(block);
    boolean thanStalled = than.stalledOn.contains(block);
    if (pStalled != thanStalled) {
      return !pStalled;
    }
    return p.blocksInFlight.size() < than.blocksInFlight.size();
  }

  private void checkStalls() {
    long cutoff = System.currentTimeMillis() - config.stallTimeout().toMillis();
    boolean moved = false;
    for (Peer p : peers.values()) {
      for (Iterator<Map.Entry<Hash, Long>> it = p.blocksInFlight.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Hash, Long> e = it.next();
        if (e.getValue() < cutoff) {
          it.remove();
          blocksInFlight.remove(e.getKey());
          p.stalledOn.add(e.getKey());
          moved = true;
          LOG.info("{} stalled on block {}; asking another peer", p, e.getKey());
        }
      }
    }
    if (moved || !blocksInFlight.isEmpty() || !chain.blocksToDownload(1).isEmpty()) {
      requestBlocks();
    }
  }

  private void onBlock(Peer peer, BlockData data) throws RejectedException {
    Block block = Block.decode(data.getBlock().getCanonical().toByteArray());
    Hash hash = block.hash();
    if (peer.blocksInFlight.remove(hash) != null) {
      blocksInFlight.remove(hash);
    } else if (!peer.stalledOn.contains(hash)) {
      throw new RejectedException(Reason.PEER_UNREQUESTED, "block " + hash + " was not requested");
    }
    // Else a late answer to a request we gave up on after the stall timeout: welcome, not punished.
    peer.blocksReceived++;
    peer.knownBlocks.add(hash);
    peer.bestHeight = Math.max(peer.bestHeight, block.header().height());
    try {
      chain.processBlock(block);
    } catch (RejectedException e) {
      if (e.reason() == Reason.PREV_BLOCK_UNKNOWN) {
        peer.send(Envelopes.getHeaders(chain.locator()));
      } else if (e.reason() == Reason.TIME_TOO_NEW) {
        LOG.info("block {} from {} is too new; will ask again later", hash, peer);
      } else if (BlockRules.MUTATIONS.contains(e.reason())) {
        peer.stalledOn.add(hash);
        throw e;
      } else if (e.reason().punishable()) {
        throw e;
      }
    } finally {
      requestBlocks();
    }
  }

  @Override
  public void blockConnected(Block block, BlockIndexEntry entry) {
    // Announced after the whole activation, in tipChanged, so a reorg sends one batch; kept at
    // hand now (before that announcement is posted), since peers will ask for it right away.
    post(() -> recentBlocks.add(block));
  }

  @Override
  public void tipChanged(BlockIndexEntry tip) {
    post(
        () -> {
          // A rejected transaction may be valid on the new tip (as Bitcoin Core's recentRejects).
          recentlyRejectedTxs.clear();
          announceTip(tip);
        });
  }

  private void announceTip(BlockIndexEntry tip) {
    for (Peer p : peers.values()) {
      if (!p.ready() || p.knownBlocks.contains(tip.hash())) {
        continue;
      }
      // The headers the peer lacks between what it is known to have and our tip, at most 8.
      List<BlockHeader> announce = chain.headersEndingAt(tip.hash(), 8, p.knownBlocks::contains);
      announce.forEach(h -> p.knownBlocks.add(h.hash()));
      if (!announce.isEmpty()) {
        p.send(Envelopes.headers(announce));
      }
    }
  }

  // ---- addresses -----------------------------------------------------------------------------

  private void onGetAddresses(Peer peer) {
    long now = System.currentTimeMillis();
    if (now - peer.lastAddressRequestMillis < 10_000) {
      return; // rate limit: at most one answer per 10 s per peer
    }
    peer.lastAddressRequestMillis = now;
    Addresses.Builder b = Addresses.newBuilder();
    for (AddressBook.Entry e : book.sample(Limits.MAX_ADDRESSES)) {
      if (!isDiscouraged(e.address())) {
        b.addAddresses(PeerAddress.newBuilder().setHost(e.address().host()).setPort(e.address().port()).setLastSeen(e.lastSeen() / 1000));
      }
    }
    peer.send(Envelope.newBuilder().setAddresses(b).build());
  }

  private void onAddresses(Peer peer, Addresses message) throws RejectedException {
    if (message.getAddressesCount() > Limits.MAX_ADDRESSES) {
      throw new RejectedException(Reason.PEER_OVERSIZED, message.getAddressesCount() + " addresses in one message");
    }
    long now = System.currentTimeMillis();
    // Token bucket: about one address per 10 s sustained, bursts of 1,000 (as Bitcoin Core).
    peer.addressTokens = Math.min(Limits.MAX_ADDRESSES, peer.addressTokens + (now - peer.addressTokensUpdatedMillis) / 10_000.0);
    peer.addressTokensUpdatedMillis = now;
    for (PeerAddress a : message.getAddressesList()) {
      if (peer.addressTokens < 1) {
        break;
      }
      peer.addressTokens -= 1;
      try {
        HostPort hp = new HostPort(a.getHost(), a.getPort());
        long seen = Math.min(now, a.getLastSeen() * 1000);
        book.addNew(hp, seen);
      } catch (IllegalArgumentException e) {
        // An unusable address is skipped, not punished: it may come from a third party.
      }
    }
  }

  // ---- shutdown ------------------------------------------------------------------------------

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    post(
        () -> {
          for (Peer p : new ArrayList<>(peers.values())) {
            p.send(Envelopes.disconnect(Reason.PEER_SHUTDOWN.code(), "node is stopping"));
            removePeer(p, "shutting down");
          }
          done.countDown();
        });
    try {
      done.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (server != null) {
      server.shutdown();
      try {
        if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
          server.shutdownNow();
        }
      } catch (InterruptedException e) {
        server.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    loop.shutdown();
    try {
      if (!loop.awaitTermination(3, TimeUnit.SECONDS)) {
        loop.shutdownNow();
      }
    } catch (InterruptedException e) {
      loop.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
