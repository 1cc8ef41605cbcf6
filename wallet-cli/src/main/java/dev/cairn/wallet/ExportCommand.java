package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.PrivateKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Prints a key's private key seed as 64 hex digits, the form {@code import --key-file} reads. The
 * seed gives full control of the key's funds, so the command asks twice, each time for the key's
 * name to be typed (a "yes" typed by habit is not enough); {@code --i-understand} replaces the two
 * questions for scripts. With {@code --json} the seed is only printed if {@code
 * --json-private-key} asks for it too, so machine-readable output piped into logs does not carry
 * it by accident. Nothing is written to disk; the keystore file is only read.
 */
@Command(
    name = "export",
    description = "Print a key's private key (64 hex digits, as 'import --key-file' reads it), after the key's name is"
        + " typed twice (or --i-understand).")
final class ExportCommand extends WalletCommand {
  @Parameters(paramLabel = "NAME", description = "Name of the key.")
  String name;

  @Option(
      names = "--i-understand",
      description = "Skip the two confirmations: I understand that whoever sees the output controls the key's funds.")
  boolean understood;

  @Option(
      names = "--json-private-key",
      description = "With --json, put the private key in the JSON object (without it, --json is refused).")
  boolean jsonPrivateKey;

  @Override
  void execute() {
    if (json() && !jsonPrivateKey) {
      throw new WalletException(
          ExitCode.USAGE,
          "export prints a private key: with --json add --json-private-key to really put it in the JSON output");
    }
    Keystore keystore = keystore();
    // Unknown or damaged key: said before any question is asked.
    KeyFile file = keystore.load(name);
    if (!understood) {
      confirmTwice();
    }
    char[] password = passwords().forUnlock(name);
    PrivateKey key;
    try {
      key = keystore.unlock(file, password);
    } finally {
      Arrays.fill(password, '\0');
    }
    byte[] seed = key.seedBytes();
    String hex = HexFormat.of().formatHex(seed);
    Arrays.fill(seed, (byte) 0);
    output().note("warning: this is the private key of '" + name + "': whoever sees it controls its funds");
    ObjectNode json = Output.object();
    json.put("name", name);
    json.put("publicKey", file.publicKey().toHex());
    json.put("privateKey", hex);
    output().result(List.of(hex), json);
  }

  private void confirmTwice() {
    // One reader for both answers: a second reader would miss what the first one buffered.
    BufferedReader in = new BufferedReader(new InputStreamReader(io().stdin(), StandardCharsets.UTF_8));
    ask(in, "Export the private key of " + name + "? It gives full control of its funds. Type the name to confirm: ");
    ask(in, "Type the name again to export the private key of " + name + ": ");
  }

  private void ask(BufferedReader in, String prompt) {
    io().stderr().print(prompt);
    io().stderr().flush();
    String answer;
    try {
      answer = in.readLine();
    } catch (IOException e) {
      answer = null;
    }
    if (answer == null) {
      io().stderr().println();
      throw new WalletException(
          ExitCode.ERROR, "aborted", "aborted: no answer (type the key's name twice, or pass --i-understand)");
    }
    if (!answer.strip().equals(name)) {
      throw new WalletException(ExitCode.ERROR, "aborted", "aborted: the name typed was not '" + name + "'");
    }
  }
}
