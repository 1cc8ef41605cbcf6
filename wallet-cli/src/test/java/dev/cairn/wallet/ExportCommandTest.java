package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.ledger.PrivateKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export needs no node: it runs against a closed port, and must never write anything. */
class ExportCommandTest {
  private static final String PROMPT =
      "Export the private key of alice? It gives full control of its funds. Type the name to confirm: ";

  @TempDir Path tmp;
  Path walletDir;
  CliRunner cli;
  String seed;

  @BeforeEach
  void setUp() throws Exception {
    walletDir = tmp.resolve("wallet");
    cli = new CliRunner(walletDir).node(CliRunner.closedPort());
    byte[] bytes = new byte[32];
    new Random(3).nextBytes(bytes);
    seed = HexFormat.of().formatHex(bytes);
    Path keyFile = tmp.resolve("k");
    Files.writeString(keyFile, seed + "\n");
    assertThat(cli.run("import", "alice", "--key-file", keyFile.toString(), "--network", "regtest").exit()).isZero();
  }

  /** Every file of the wallet directory with its content, to show that nothing changed. */
  private Map<String, String> snapshot() {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.list(walletDir)) {
      all.forEach(f -> {
        try {
          files.put(f.getFileName().toString(), HexFormat.of().formatHex(Files.readAllBytes(f)));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  @Test
  void typingTheNameTwicePrintsTheSeedAndWritesNothing() {
    Map<String, String> before = snapshot();
    CliRunner.Result result = cli.stdin("alice\nalice\n").run("export", "alice");
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo(seed + "\n");
    assertThat(result.err()).startsWith(PROMPT + "Type the name again to export the private key of alice: ")
        .contains("warning: this is the private key of 'alice'");
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void anyOtherAnswerAbortsBeforeThePasswordIsAsked() {
    PasswordsTest.ScriptedPrompt prompt = new PasswordsTest.ScriptedPrompt(CliRunner.PASSWORD);
    CliRunner.Result wrong = cli.withoutEnv(Passwords.ENV).prompt(prompt).stdin("alice\nyes\n").run("export", "alice");
    assertThat(wrong.exit()).isEqualTo(1);
    assertThat(wrong.out()).isEmpty();
    assertThat(wrong.err()).endsWith("error: aborted: the name typed was not 'alice'\n");
    assertThat(prompt.asked).isEmpty();

    CliRunner.Result once = cli.stdin("alice\n").run("export", "alice", "--json", "--json-private-key");
    assertThat(once.exit()).isEqualTo(1);
    assertThat(once.json().get("error").get("code").textValue()).isEqualTo("aborted");
    assertThat(once.out()).doesNotContain(seed);
  }

  @Test
  void iUnderstandSkipsTheQuestions() {
    CliRunner.Result result = cli.run("export", "alice", "--i-understand");
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo(seed + "\n");
    assertThat(result.err()).doesNotContain("Type the name");
  }

  @Test
  void jsonCarriesTheKeyOnlyWhenExplicitlyAskedFor() {
    CliRunner.Result refused = cli.run("export", "alice", "--i-understand", "--json");
    assertThat(refused.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(refused.out()).doesNotContain(seed);
    assertThat(refused.err()).contains("--json-private-key");

    JsonNode json = cli.run("export", "alice", "--i-understand", "--json", "--json-private-key").json();
    assertThat(json.get("privateKey").textValue()).isEqualTo(seed);
    assertThat(json.get("name").textValue()).isEqualTo("alice");
    assertThat(json.get("publicKey").textValue())
        .isEqualTo(PrivateKey.fromSeed(HexFormat.of().parseHex(seed)).publicKey().toHex());
  }

  @Test
  void wrongPasswordIsExitSixAndChangesNothing() {
    Map<String, String> before = snapshot();
    CliRunner.Result result = cli.env(Passwords.ENV, "wrong").stdin("alice\nalice\n").run("export", "alice");
    assertThat(result.exit()).isEqualTo(ExitCode.WRONG_PASSWORD.code());
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).contains("error: wrong password for key 'alice'");
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void aDamagedFileIsReportedBeforeAnyQuestion() throws Exception {
    Path file = walletDir.resolve("alice.json");
    Files.writeString(file, "{\"version\": 1");
    Map<String, String> before = snapshot();
    CliRunner.Result result = cli.stdin("alice\nalice\n").run("export", "alice");
    assertThat(result.exit()).isEqualTo(ExitCode.KEYSTORE_DAMAGED.code());
    assertThat(result.err()).startsWith("error: keystore file " + file + " is damaged");
    assertThat(result.out()).isEmpty();
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void anUnknownKeyIsNotFound() {
    assertThat(cli.run("export", "bob", "--i-understand").exit()).isEqualTo(ExitCode.NOT_FOUND.code());
  }

  @Test
  void anExportedKeyImportsAsTheSameKey() throws Exception {
    Path exported = tmp.resolve("exported.key");
    Files.writeString(exported, cli.run("export", "alice", "--i-understand").out());
    Path otherWallet = tmp.resolve("other");
    CliRunner other = new CliRunner(otherWallet).node(CliRunner.closedPort());
    assertThat(other.run("import", "alice2", "--key-file", exported.toString(), "--network", "regtest").exit()).isZero();
    assertThat(other.run("address", "alice2", "--network", "regtest").out())
        .isEqualTo(cli.run("address", "alice", "--network", "regtest").out());
  }
}
