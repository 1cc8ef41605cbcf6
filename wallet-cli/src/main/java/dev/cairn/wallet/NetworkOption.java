package dev.cairn.wallet;

import java.util.Optional;
import picocli.CommandLine.Option;

/** Lets commands that only show addresses work without a node (a picocli mixin). */
final class NetworkOption {
  @Option(
      names = "--network",
      paramLabel = "NETWORK",
      description = "Show addresses for this network (main, regtest or devnet) without asking the node.")
  Optional<KnownNetwork> network;
}
