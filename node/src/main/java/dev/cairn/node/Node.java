package dev.cairn.node;

import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.Miner;
import dev.cairn.consensus.MockableTime;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.p2p.PeerNetwork;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full node: the chain store, the chain, the mempool, the miner, the client API (gRPC) and the
 * explorer (HTTP), wired together. {@link #start} brings them up in dependency order and {@link
 * #close} takes them down in reverse: servers and miner stop before the store closes, so no reader
 * touches a closed database. Owns every resource it creates. Thread-safe.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  public static final String AGENT = "cairn/0.1.0";

  private final NodeConfig config;
  private final MockableTime time;
  private ChainStore store;
  private ExecutorService verifyPool;
  private Blockchain chain;
  private Mempool mempool;
  private BlockAssembler assembler;
  private NodeQueries queries;
  private Optional<Miner> miner = Optional.empty();
  private Server rpcServer;
  private HealthStatusManager health;
  private ExplorerServer explorer;
  private EventFeed events;
  private NodeMetrics metrics;
  private PeerNetwork network;
  private boolean closed;

  public Node(NodeConfig config) {
    this(config, TimeSource.SYSTEM);
  }

  public Node(NodeConfig config, TimeSource clock) {
    this.config = config;
    this.time = new MockableTime(clock);
  }

  public synchronized Node start() throws IOException {
    try {
      store = ChainStore.openRocksDb(config.dataDir().resolve("chain"), config.storeConfig(), config.spec());
      int cores = Runtime.getRuntime().availableProcessors();
      verifyPool = Executors.newFixedThreadPool(cores, daemon("verify"));
      SignatureCache signatures = new SignatureCache(200_000);
      chain = new Blockchain(store, time, new SignatureVerifier(signatures, verifyPool, cores));
      mempool = new Mempool(store, config.mempoolPolicy(), signatures, time);
      chain.addListener(mempool);
      assembler = new BlockAssembler(chain, mempool, time);
      network = new PeerNetwork(config.p2p(), chain, mempool, AGENT).start();
      queries = new NodeQueries(chain, mempool, network::peers);
      events = new EventFeed(queries);
      chain.addListener(events);
      mempool.addListener(events);
      PeerNetwork peers = network;
      EventFeed feed = events;
      metrics = new NodeMetrics(chain, mempool, () -> peers.peers().size(), feed::clientCount);
      chain.setObserver(metrics);
      mempool.setObserver(metrics);
      startRpc();
      explorer =
          ExplorerServer.start(
              queries, config.httpHost(), config.httpPort(), Optional.of(events), Optional.of(metrics));
      if (config.mine()) {
        Miner m = new Miner(chain, assembler, config.minerAddress().orElseThrow(), config.minerThreads());
        m.start();
        miner = Optional.of(m);
      }
      LOG.info("node up on {} ({}): peers {}:{}, client API {}:{}, explorer http://{}:{}/, data {}",
          config.spec().name(), config.spec().chainId(), config.p2pHost(), p2pPort(), config.rpcHost(), rpcPort(),
          config.httpHost(), httpPort(), config.dataDir());
      return this;
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void startRpc() throws IOException {
    health = new HealthStatusManager();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(config.rpcHost(), config.rpcPort()))
            .maxInboundMessageSize(2 * 1024 * 1024)
            .addService(new ClientApiService(queries, AGENT))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance());
    if (config.rpcTls().isPresent()) {
      NodeConfig.RpcTls tls = config.rpcTls().get();
      try {
        builder.useTransportSecurity(tls.certificateChain().toFile(), tls.privateKey().toFile());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        throw new IOException("cannot use the TLS certificate " + tls.certificateChain() + " and key " + tls.privateKey() + ": " + e.getMessage(), e);
      }
    }
    if (config.spec().params().fixedTarget()) {
      builder.addService(new RegtestControlService(chain, assembler, time));
    }
    rpcServer = builder.build().start();
    health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  public int p2pPort() {
    return network.port();
  }

  public PeerNetwork network() {
    return network;
  }

  public int rpcPort() {
    return rpcServer.getPort();
  }

  public int httpPort() {
    return explorer.port();
  }

  public Blockchain chain() {
    return chain;
  }

  public Mempool mempool() {
    return mempool;
  }

  public BlockAssembler assembler() {
    return assembler;
  }

  public MockableTime time() {
    return time;
  }

  public NodeQueries queries() {
    return queries;
  }

  /** The explorer's HTTP server (tests list its routes). */
  ExplorerServer explorer() {
    return explorer;
  }

  public Optional<Miner> miner() {
    return miner;
  }

  public NodeConfig config() {
    return config;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    miner.ifPresent(Miner::close);
    if (network != null) {
      network.close();
    }
    if (health != null) {
      health.enterTerminalState();
    }
    if (events != null) {
      events.close(); // ends the event streams, so the HTTP server stops without waiting for them
    }
    if (explorer != null) {
      explorer.close();
    }
    if (rpcServer != null) {
      rpcServer.shutdown();
      try {
        if (!rpcServer.awaitTermination(5, TimeUnit.SECONDS)) {
          rpcServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        rpcServer.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    if (verifyPool != null) {
      verifyPool.shutdownNow();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (store != null) {
      // Everything that reads the store has stopped: closing cannot pull it out from under a reader.
      synchronized (chain != null ? chain : this) {
        store.close();
      }
    }
    LOG.info("node stopped");
  }
}
