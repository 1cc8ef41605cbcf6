package dev.cairn.node;

import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecException;
import dev.cairn.ledger.ChainSpecFile;
import dev.cairn.ledger.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cairn node}: runs a full node. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run a full node.",
    subcommands = {VerifyChainCommand.class})
final class NodeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Option(names = "--network", defaultValue = "main", description = "Built-in network: main or regtest (default: ${DEFAULT-VALUE}).")
  String network;

  @Option(names = "--chain-spec", description = "A chain spec file (a devnet's spec.json); overrides --network.")
  Optional<Path> chainSpec;

  @Option(names = "--data-dir", description = "Where the node keeps its data (default: ~/.cairn/<network>).")
  Optional<Path> dataDir;

  @Option(names = "--mine", description = "Mine blocks (default: ${DEFAULT-VALUE}).", defaultValue = "false")
  boolean mine;

  @Option(names = "--miner-address", description = "Address that receives mined rewards (required with --mine).")
  Optional<String> minerAddress;

  @Mixin NodeOptions options;

  @Override
  public Integer call() throws Exception {
    options.validate(commandSpec.commandLine());
    ChainSpec spec;
    try {
      spec = loadSpec();
    } catch (ChainSpecException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
    Optional<Address> miner = Optional.empty();
    if (minerAddress.isPresent()) {
      try {
        miner = Optional.of(Address.parse(minerAddress.get(), spec.params().addressPrefix()));
      } catch (Address.InvalidAddressException e) {
        throw new CommandLine.ParameterException(commandSpec.commandLine(), "--miner-address: " + e.getMessage());
      }
    }
    if (mine && miner.isEmpty()) {
      throw new CommandLine.ParameterException(commandSpec.commandLine(), "--mine needs --miner-address");
    }
    Path dir = dataDir.orElse(Path.of(System.getProperty("user.home"), ".cairn", spec.name()));
    NodeConfig config =
        new NodeConfig(
            spec, dir, options.p2pHost, options.p2pPort, options.rpcHost, options.rpcPort, options.httpHost,
            options.httpPort, mine, miner, options.minerThreads, options.storeConfig(), MempoolPolicy.DEFAULT,
            options.p2pConfig(commandSpec.commandLine(), options.p2pPort, java.util.List.of()),
            options.rpcTls(commandSpec.commandLine()));
    return run(config);
  }

  static int run(NodeConfig config) {
    Node node = new Node(config);
    try {
      node.start();
    } catch (StoreException | IOException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
    NodeRunner.runUntilStopped(node);
    return 0;
  }

  private ChainSpec loadSpec() throws ChainSpecException {
    if (chainSpec.isPresent()) {
      return ChainSpecFile.read(chainSpec.get());
    }
    return switch (network) {
      case "main" -> ChainSpec.main();
      case "regtest" -> ChainSpec.regtest();
      default -> throw new CommandLine.ParameterException(
          commandSpec.commandLine(), "--network must be main or regtest (use --chain-spec for a devnet), got '" + network + "'");
    };
  }
}
