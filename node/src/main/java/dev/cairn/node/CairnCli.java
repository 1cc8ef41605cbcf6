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
    System.exit(run(args, System.getenv()));
  }

  /** Runs the command with option defaults from {@code env} and the config file. */
  static int run(String[] args, java.util.Map<String, String> env) {
    CommandLine cli = new CommandLine(new CairnCli());
    try {
      ConfigDefaults defaults = ConfigDefaults.load(args, env);
      cli.setDefaultValueProvider(defaults);
      CommandLine.ParseResult parsed = cli.parseArgs(args);
      while (parsed.hasSubcommand()) {
        parsed = parsed.subcommand();
      }
      defaults.checkKeys(parsed.commandSpec());
    } catch (ConfigDefaults.ConfigException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    } catch (CommandLine.ParameterException e) {
      // execute() below reports it with the usage text.
    }
    return cli.execute(args);
  }
}
