package dev.cairn.wallet;

import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Hash;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code cairn wallet} command: an encrypted keystore and payments through a node's client
 * API.
 *
 * <p>Other modules' tests run it in-process with {@link #run(String[], WalletIo)}, which returns
 * the exit code (see {@link ExitCode}) instead of exiting, and takes its streams and environment
 * from a {@link WalletIo}.
 */
@Command(
    name = "cairn wallet",
    mixinStandardHelpOptions = true,
    version = "cairn wallet 0.1.0",
    description = "Keeps Ed25519 keys in an encrypted keystore and sends payments through a Cairn node.",
    subcommands = {
      NewCommand.class,
      ImportCommand.class,
      ListCommand.class,
      AddressCommand.class,
      ExportCommand.class,
      BalanceCommand.class,
      SendCommand.class,
      TxCommand.class,
      HistoryCommand.class,
      VerifyCommand.class
    })
public final class WalletCli implements Callable<Integer> {
  private final WalletIo io;
  private final KdfParams kdf;
  private final SecureRandom random = new SecureRandom();

  @Spec CommandSpec spec;

  // Also accepted before the command ("cairn wallet --json list"), as scripts tend to write it.
  @Option(names = "--json", description = "Machine-readable output: one JSON object on stdout (also after the command).")
  boolean json;

  private WalletCli(WalletIo io, KdfParams kdf) {
    this.io = io;
    this.kdf = kdf;
  }

  public static void main(String[] args) {
    System.exit(run(args, WalletIo.system()));
  }

  /**
   * Runs one wallet command in this JVM, as {@code cairn wallet ARGS...} would.
   *
   * @param args the command line after {@code cairn wallet}, e.g. {@code {"balance", "alice"}}
   * @param io the streams, environment and password prompt the command uses
   * @return the exit code: 0 on success, otherwise one of {@link ExitCode}
   */
  public static int run(String[] args, WalletIo io) {
    return run(args, io, KdfParams.DEFAULT);
  }

  /** The same, with the scrypt cost of new keys chosen by the caller: tests use a cheap one. */
  static int run(String[] args, WalletIo io, KdfParams kdf) {
    PrintWriter out = new PrintWriter(io.stdout(), true);
    PrintWriter err = new PrintWriter(io.stderr(), true);
    try {
      return commandLine(io, kdf, out, err).execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  static CommandLine commandLine(WalletIo io, KdfParams kdf, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new WalletCli(io, kdf));
    cli.setUsageHelpAutoWidth(true);
    cli.setOut(out);
    cli.setErr(err);
    cli.registerConverter(HostPort.class, text -> convert(() -> HostPort.parse(text)));
    cli.registerConverter(Amount.class, text -> convert(() -> Amount.parseCoins(text)));
    cli.registerConverter(Hash.class, text -> convert(() -> Hash.parse(text)));
    cli.registerConverter(KnownNetwork.class, text -> convert(() -> KnownNetwork.parse(text)));
    cli.registerConverter(Duration.class, text -> convert(() -> parseDuration(text)));
    cli.setDefaultValueProvider(
        arg -> arg instanceof OptionSpec o && o.longestName().equals("--wallet-dir") ? defaultWalletDir(io.env()) : null);
    Map<String, String> exitCodes = new LinkedHashMap<>();
    for (ExitCode code : ExitCode.values()) {
      exitCodes.put(String.format("%2d", code.code()), code.description());
    }
    cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(exitCodes);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          WalletException failure =
              e instanceof WalletException w
                  ? w
                  : new WalletException(ExitCode.ERROR, "internal", "internal error: " + e);
          Output.error(io, jsonRequested(parseResult), failure);
          return failure.exit().code();
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          String help = "'" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'";
          Output.error(
              io,
              Arrays.asList(args).contains("--json"),
              new WalletException(ExitCode.USAGE, ExitCode.USAGE.id(), e.getMessage() + " (see " + help + ")"));
          return ExitCode.USAGE.code();
        });
    return cli;
  }

  private static String defaultWalletDir(Map<String, String> env) {
    return Optional.ofNullable(env.get(CommonOptions.WALLET_DIR_ENV))
        .filter(dir -> !dir.isEmpty())
        .orElseGet(() -> Path.of(System.getProperty("user.home"), ".cairn", "wallet").toString());
  }

  /** "500ms", "90s", "10m", "1h", or a bare number of seconds. */
  static Duration parseDuration(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)?").matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration such as 500ms, 90s, 10m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  private static <T> T convert(Callable<T> parse) {
    try {
      return parse.call();
    } catch (Exception e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  private static boolean jsonRequested(ParseResult parseResult) {
    for (ParseResult level = parseResult; ; level = level.subcommand()) {
      if (level.hasMatchedOption("--json")) {
        return true;
      }
      if (!level.hasSubcommand()) {
        return false;
      }
    }
  }

  /** Without a subcommand there is nothing to do: a usage error. */
  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command: new, import, list, address, export, balance, send, tx, history or verify");
  }

  WalletIo io() {
    return io;
  }

  /** Whether --json was given before the command. */
  boolean json() {
    return json;
  }

  KdfParams kdf() {
    return kdf;
  }

  SecureRandom random() {
    return random;
  }
}
