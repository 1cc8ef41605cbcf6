package dev.cairn.wallet;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every subcommand takes (a picocli mixin). */
final class CommonOptions {
  static final String WALLET_DIR_ENV = "CAIRN_WALLET_DIR";

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "--node",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9701",
      description = "The node's client API (default: ${DEFAULT-VALUE}).")
  HostPort node;

  @Option(names = "--node-tls", description = "Connect to the node's client API over TLS (a node started with --rpc-tls-cert).")
  boolean nodeTls;

  @Option(
      names = "--node-ca",
      paramLabel = "FILE",
      description = "With --node-tls: trust the node's certificate if it is signed by this PEM CA (or is this certificate), instead of the system's CAs.")
  Optional<Path> nodeCa;

  @Option(names = "--json", description = "Machine-readable output: one JSON object on stdout.")
  boolean json;

  // The default comes from WalletCli's default provider, which reads the injected environment.
  @Option(
      names = "--wallet-dir",
      paramLabel = "DIR",
      description = "Keystore dir: $" + WALLET_DIR_ENV + " or ~/.cairn/wallet (default: ${DEFAULT-VALUE}).")
  Path walletDir;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "Read the password from the first line of FILE (otherwise from $"
          + Passwords.ENV + ", otherwise a prompt).")
  Optional<Path> passwordFile;
}
