package dev.cairn.node;

import picocli.CommandLine.Option;

/** Network-facing options shared by {@code cairn node} and {@code cairn devnet}. */
final class NodeOptions {
  @Option(names = "--p2p-host", defaultValue = "0.0.0.0", description = "Interface for the peer port (default: ${DEFAULT-VALUE}).")
  String p2pHost;

  @Option(names = "--p2p-port", defaultValue = "9700", description = "Peer-to-peer port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int p2pPort;

  @Option(names = "--rpc-host", defaultValue = "127.0.0.1", description = "Interface for the client API (default: ${DEFAULT-VALUE}).")
  String rpcHost;

  @Option(names = "--rpc-port", defaultValue = "9701", description = "Client API (gRPC) port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int rpcPort;

  @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "Interface for the explorer (default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--http-port", defaultValue = "8080", description = "Explorer (HTTP) port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--miner-threads", defaultValue = "1", description = "Threads searching for proof of work (default: ${DEFAULT-VALUE}).")
  int minerThreads;

  @Option(names = "--cache-mb", defaultValue = "128", description = "RocksDB block cache, shared by all data (default: ${DEFAULT-VALUE} MiB).")
  int cacheMb;

  void validate(picocli.CommandLine commandLine) {
    for (int port : new int[] {p2pPort, rpcPort, httpPort}) {
      if (port < 0 || port > 65_535) {
        throw new picocli.CommandLine.ParameterException(commandLine, "ports must be between 0 and 65535, got " + port);
      }
    }
    if (minerThreads < 1 || minerThreads > 256) {
      throw new picocli.CommandLine.ParameterException(commandLine, "--miner-threads must be between 1 and 256");
    }
    if (cacheMb < 16 || cacheMb > 65_536) {
      throw new picocli.CommandLine.ParameterException(commandLine, "--cache-mb must be between 16 and 65536");
    }
  }

  dev.cairn.ledger.store.StoreConfig storeConfig() {
    long cache = (long) cacheMb << 20;
    return new dev.cairn.ledger.store.StoreConfig(cache, cache / 4, 512);
  }
}
