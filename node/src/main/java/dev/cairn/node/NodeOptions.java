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

  @Option(names = "--rpc-tls-cert", paramLabel = "FILE", description = "Serve the client API over TLS with this PEM certificate chain (needs --rpc-tls-key).")
  java.util.Optional<java.nio.file.Path> rpcTlsCert;

  @Option(names = "--rpc-tls-key", paramLabel = "FILE", description = "The PEM private key (PKCS#8) for --rpc-tls-cert.")
  java.util.Optional<java.nio.file.Path> rpcTlsKey;

  @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "Interface for the explorer (default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--http-port", defaultValue = "8080", description = "Explorer (HTTP) port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--config", paramLabel = "FILE", description = "A TOML file of option values (keys named like the options, e.g. rpc-port = 9701). Flags win over CAIRN_* environment variables, which win over the file.")
  java.util.Optional<java.nio.file.Path> config;

  @Option(names = "--log-level", defaultValue = "info", description = "Log level: error, warn, info, debug or trace (default: ${DEFAULT-VALUE}).")
  String logLevel;

  @Option(names = "--bootstrap", split = ",", paramLabel = "HOST:PORT", description = "A peer to dial first and keep re-dialling; repeatable. Without any, this node serves as a bootstrap node.")
  java.util.List<String> bootstrap = new java.util.ArrayList<>();

  @Option(names = "--p2p-advertise-host", description = "Host other peers should dial to reach this node (default: the --p2p-host, or 127.0.0.1 if that is 0.0.0.0).")
  java.util.Optional<String> advertiseHost;

  @Option(names = "--max-outbound", defaultValue = "8", description = "Outbound peer connections to keep (default: ${DEFAULT-VALUE}).")
  int maxOutbound;

  @Option(names = "--max-inbound", defaultValue = "125", description = "Inbound peer connections to accept at most (default: ${DEFAULT-VALUE}).")
  int maxInbound;

  @Option(names = "--miner-threads", defaultValue = "1", description = "Threads searching for proof of work (default: ${DEFAULT-VALUE}).")
  int minerThreads;

  @Option(names = "--cache-mb", defaultValue = "128", description = "RocksDB block cache, shared by all data (default: ${DEFAULT-VALUE} MiB).")
  int cacheMb;

  void validate(picocli.CommandLine commandLine) {
    LogLevel.apply(commandLine, logLevel);
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

  /** The p2p settings for a node listening on {@code port} (devnet nodes shift the base port). */
  dev.cairn.p2p.P2pConfig p2pConfig(picocli.CommandLine commandLine, int port, java.util.List<dev.cairn.p2p.HostPort> extraBootstrap) {
    java.util.List<dev.cairn.p2p.HostPort> peers = new java.util.ArrayList<>(extraBootstrap);
    for (String b : bootstrap) {
      try {
        peers.add(dev.cairn.p2p.HostPort.parse(b));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(commandLine, "--bootstrap: " + e.getMessage());
      }
    }
    if (maxOutbound < 0 || maxOutbound > 1_000 || maxInbound < 0 || maxInbound > 10_000) {
      throw new picocli.CommandLine.ParameterException(commandLine, "--max-outbound must be 0-1000 and --max-inbound 0-10000");
    }
    String advertised = advertiseHost.orElse(p2pHost.equals("0.0.0.0") || p2pHost.equals("::") ? "127.0.0.1" : p2pHost);
    return new dev.cairn.p2p.P2pConfig(
        p2pHost, port, advertised, peers, maxOutbound, maxInbound, java.time.Duration.ofSeconds(10),
        java.time.Duration.ofSeconds(10), java.time.Duration.ofMillis(200));
  }

  /** TLS for the client API, if both files were given; a usage error if only one was. */
  java.util.Optional<NodeConfig.RpcTls> rpcTls(picocli.CommandLine commandLine) {
    if (rpcTlsCert.isPresent() != rpcTlsKey.isPresent()) {
      throw new picocli.CommandLine.ParameterException(commandLine, "--rpc-tls-cert and --rpc-tls-key go together");
    }
    for (java.util.Optional<java.nio.file.Path> file : java.util.List.of(rpcTlsCert, rpcTlsKey)) {
      if (file.isPresent() && !java.nio.file.Files.isReadable(file.get())) {
        throw new picocli.CommandLine.ParameterException(commandLine, "cannot read " + file.get());
      }
    }
    return rpcTlsCert.map(cert -> new NodeConfig.RpcTls(cert, rpcTlsKey.orElseThrow()));
  }

  dev.cairn.ledger.store.StoreConfig storeConfig() {
    long cache = (long) cacheMb << 20;
    return new dev.cairn.ledger.store.StoreConfig(cache, cache / 4, 512);
  }
}
