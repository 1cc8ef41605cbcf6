package dev.cairn.node;

import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.store.StoreConfig;
import dev.cairn.p2p.P2pConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything a node needs to start, already parsed and checked (the command line parses it at the
 * edge). Port 0 means "any free port" (tests). Immutable.
 */
public record NodeConfig(
    ChainSpec spec,
    Path dataDir,
    String p2pHost,
    int p2pPort,
    String rpcHost,
    int rpcPort,
    String httpHost,
    int httpPort,
    boolean mine,
    Optional<Address> minerAddress,
    int minerThreads,
    StoreConfig storeConfig,
    MempoolPolicy mempoolPolicy,
    P2pConfig p2p,
    Optional<RpcTls> rpcTls) {

  /** The client API's TLS certificate chain and private key, both PEM files. */
  public record RpcTls(Path certificateChain, Path privateKey) {}

  /** A configuration whose client API speaks plaintext. */
  public NodeConfig(
      ChainSpec spec, Path dataDir, String p2pHost, int p2pPort, String rpcHost, int rpcPort, String httpHost,
      int httpPort, boolean mine, Optional<Address> minerAddress, int minerThreads, StoreConfig storeConfig,
      MempoolPolicy mempoolPolicy, P2pConfig p2p) {
    this(spec, dataDir, p2pHost, p2pPort, rpcHost, rpcPort, httpHost, httpPort, mine, minerAddress, minerThreads,
        storeConfig, mempoolPolicy, p2p, Optional.empty());
  }

  public NodeConfig {
    if (mine && minerAddress.isEmpty()) {
      throw new IllegalArgumentException("--mine needs --miner-address");
    }
    if (!p2p.listenHost().equals(p2pHost) || p2p.listenPort() != p2pPort) {
      p2p = p2p.withListen(p2pHost, p2pPort, p2p.advertisedHost());
    }
    if (minerThreads < 1) {
      throw new IllegalArgumentException("--miner-threads must be at least 1");
    }
  }

  /** A configuration on loopback with every port chosen by the OS and fast network timers (tests). */
  public static NodeConfig forTests(ChainSpec spec, Path dataDir) {
    return new NodeConfig(
        spec, dataDir, "127.0.0.1", 0, "127.0.0.1", 0, "127.0.0.1", 0, false, Optional.empty(), 1,
        StoreConfig.SMALL, MempoolPolicy.DEFAULT, P2pConfig.forTests(List.of()));
  }

  public NodeConfig withMining(Address address, int threads) {
    return new NodeConfig(
        spec, dataDir, p2pHost, p2pPort, rpcHost, rpcPort, httpHost, httpPort, true, Optional.of(address), threads,
        storeConfig, mempoolPolicy, p2p, rpcTls);
  }

  public NodeConfig withP2p(P2pConfig newP2p) {
    return new NodeConfig(
        spec, dataDir, p2pHost, p2pPort, rpcHost, rpcPort, httpHost, httpPort, mine, minerAddress, minerThreads,
        storeConfig, mempoolPolicy, newP2p, rpcTls);
  }

  public NodeConfig withRpcTls(RpcTls tls) {
    return new NodeConfig(
        spec, dataDir, p2pHost, p2pPort, rpcHost, rpcPort, httpHost, httpPort, mine, minerAddress, minerThreads,
        storeConfig, mempoolPolicy, p2p, Optional.of(tls));
  }
}
