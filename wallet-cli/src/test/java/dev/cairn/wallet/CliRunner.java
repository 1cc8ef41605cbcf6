package dev.cairn.wallet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs wallet commands in-process against one wallet directory, capturing what they print. */
final class CliRunner {
  static final String PASSWORD = "correct horse battery staple";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> env = new HashMap<>();
  private String stdin = "";
  private Optional<WalletIo.PasswordPrompt> prompt = Optional.empty();
  private List<String> defaultArgs = List.of();
  private boolean terminal;

  CliRunner(Path walletDir) {
    env.put("CAIRN_WALLET_DIR", walletDir.toString());
    env.put("CAIRN_WALLET_PASSWORD", PASSWORD);
  }

  /** Adds {@code --node} pointing at {@code port} to every command that takes no explicit node. */
  CliRunner node(int port) {
    defaultArgs = List.of("--node", "127.0.0.1:" + port);
    return this;
  }

  CliRunner env(String name, String value) {
    env.put(name, value);
    return this;
  }

  CliRunner withoutEnv(String name) {
    env.remove(name);
    return this;
  }

  CliRunner stdin(String text) {
    stdin = text;
    return this;
  }

  /** Whether stderr counts as a terminal: progress lines are then rewritten in place. */
  CliRunner terminal(boolean t) {
    terminal = t;
    return this;
  }

  CliRunner prompt(WalletIo.PasswordPrompt p) {
    prompt = Optional.of(p);
    return this;
  }

  Result run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    boolean hasSubcommand = !all.isEmpty() && !all.get(0).startsWith("-");
    if (hasSubcommand && !all.contains("--node")) {
      all.addAll(defaultArgs);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    WalletIo io =
        new WalletIo(
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env,
            prompt,
            terminal);
    int exit = WalletCli.run(all.toArray(String[]::new), io, KdfParams.TESTING);
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** A loopback port nothing listens on: bound once by us, then released. */
  static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record Result(int exit, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("stdout is not JSON: " + out, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}
