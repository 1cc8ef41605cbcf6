package dev.cairn.wallet;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the wallet reads from or writes to its surroundings, so a test (or the node module's
 * end-to-end tests) can run commands in-process with {@link WalletCli#run(String[], WalletIo)}:
 * captured stdout and stderr, a scripted stdin (the "Send? [y/N]" answer), an explicit environment
 * ({@code CAIRN_WALLET_DIR}, {@code CAIRN_WALLET_PASSWORD}) and, optionally, a password prompt.
 *
 * <p>Example:
 *
 * <pre>{@code
 * var out = new ByteArrayOutputStream();
 * var err = new ByteArrayOutputStream();
 * WalletIo io = WalletIo.of(
 *     new ByteArrayInputStream("y\n".getBytes()), new PrintStream(out, true), new PrintStream(err, true),
 *     Map.of("CAIRN_WALLET_DIR", dir.toString(), "CAIRN_WALLET_PASSWORD", "secret"));
 * int exit = WalletCli.run(new String[] {"balance", "alice", "--node", "127.0.0.1:" + port, "--json"}, io);
 * }</pre>
 *
 * @param stdin answers to confirmation prompts
 * @param stdout results (one JSON object with {@code --json})
 * @param stderr errors, notes and the confirmation summary
 * @param env the environment variables the wallet consults
 * @param prompt a no-echo password prompt; empty when there is no terminal
 * @param terminal whether a person watches stderr on a terminal: progress lines ({@code send
 *     --wait}) are then rewritten in place instead of printed one per change
 */
public record WalletIo(
    InputStream stdin,
    PrintStream stdout,
    PrintStream stderr,
    Map<String, String> env,
    Optional<PasswordPrompt> prompt,
    boolean terminal) {

  public WalletIo {
    Objects.requireNonNull(stdin);
    Objects.requireNonNull(stdout);
    Objects.requireNonNull(stderr);
    env = Map.copyOf(env);
    Objects.requireNonNull(prompt);
  }

  /** Streams without a terminal for progress lines. */
  public WalletIo(
      InputStream stdin, PrintStream stdout, PrintStream stderr, Map<String, String> env, Optional<PasswordPrompt> prompt) {
    this(stdin, stdout, stderr, env, prompt, false);
  }

  /** The process's own streams, environment and terminal. */
  public static WalletIo system() {
    Optional<PasswordPrompt> prompt = Optional.ofNullable(System.console()).map(WalletIo::consolePrompt);
    return new WalletIo(System.in, System.out, System.err, System.getenv(), prompt, System.console() != null);
  }

  /** Streams and environment without a terminal: passwords must come from a file or the environment. */
  public static WalletIo of(InputStream stdin, PrintStream stdout, PrintStream stderr, Map<String, String> env) {
    return new WalletIo(stdin, stdout, stderr, env, Optional.empty());
  }

  /** The same, with {@code prompt} standing in for the terminal. */
  public WalletIo withPrompt(PasswordPrompt prompt) {
    return new WalletIo(stdin, stdout, stderr, env, Optional.of(prompt), terminal);
  }

  /** The same, with progress lines rewritten in place ({@code true}) or one per change. */
  public WalletIo withTerminal(boolean terminal) {
    return new WalletIo(stdin, stdout, stderr, env, prompt, terminal);
  }

  private static PasswordPrompt consolePrompt(Console console) {
    // "%s": readPassword takes a format string, and a prompt is text, not a format.
    return text -> Optional.ofNullable(console.readPassword("%s", text));
  }

  /** Reads a password without echoing it. */
  @FunctionalInterface
  public interface PasswordPrompt {
    /** The password typed after {@code prompt}; empty at end of input. */
    Optional<char[]> readPassword(String prompt);
  }
}
