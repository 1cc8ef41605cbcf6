package dev.cairn.node;

import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.store.StoreConfig;
import java.nio.file.Path;
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
    MempoolPolicy mempoolPolicy) {

  public NodeConfig {
    if (mine && minerAddress.isEmpty()) {
      throw new IllegalArgumentException("--mine needs --miner-address");
    }
    if (minerThreads < 1) {
      throw new IllegalArgumentException("--miner-threads must be at least 1");
    }
  }

  /** A regtest-style configuration on loopback with every port chosen by the OS (tests). */
  public static NodeConfig forTests(ChainSpec spec, Path dataDir) {
    return new NodeConfig(
        spec, dataDir, "127.0.0.1", 0, "127.0.0.1", 0, "127.0.0.1", 0, false, Optional.empty(), 1,
        new StoreConfig(16L << 20, 4L << 20, 64), MempoolPolicy.DEFAULT);
  }

  public NodeConfig withMining(Address address, int threads) {
    return new NodeConfig(
        spec, dataDir, p2pHost, p2pPort, rpcHost, rpcPort, httpHost, httpPort, true, Optional.of(address), threads,
        storeConfig, mempoolPolicy);
  }
}
