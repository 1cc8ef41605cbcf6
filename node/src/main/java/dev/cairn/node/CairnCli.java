package dev.cairn.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cairn} command: {@code cairn node} and {@code cairn devnet}. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    version = Node.AGENT,
    description = "Cairn: a proof-of-work blockchain ledger. Run a full node or a local devnet.",
    subcommands = {NodeCommand.class, DevnetCommand.class})
public final class CairnCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new CairnCli()).execute(args));
  }
}
