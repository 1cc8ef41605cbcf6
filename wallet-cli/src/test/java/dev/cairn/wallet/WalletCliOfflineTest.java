package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.ledger.PrivateKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands run in-process with no node listening: what works offline, and how the rest fails. */
class WalletCliOfflineTest {
  @TempDir Path tmp;
  Path walletDir;
  CliRunner cli;
  int closedPort;

  @BeforeEach
  void setUp() {
    walletDir = tmp.resolve("wallet");
    closedPort = CliRunner.closedPort();
    cli = new CliRunner(walletDir).node(closedPort);
  }

  private static String seedHex(long seed) {
    byte[] bytes = new byte[32];
    new Random(seed).nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static final String REFUSED =
      ": connection refused (is the node running, and is this its client API port?)\n";

  @Test
  void newThenAddressThenListDegradeGracefullyWithoutANode() {
    CliRunner.Result created = cli.run("new", "alice");
    assertThat(created.exit()).as(created.toString()).isZero();
    assertThat(created.out()).contains("created key 'alice'").contains("public key: ");
    assertThat(created.err()).contains("node unreachable at 127.0.0.1:" + closedPort);
    assertThat(walletDir.resolve("alice.json")).exists();
    String publicKey = cli.run("list", "--json").json().get("keys").get(0).get("publicKey").textValue();

    CliRunner.Result address = cli.run("address", "alice");
    assertThat(address.exit()).as(address.toString()).isEqualTo(7);
    assertThat(address.err()).isEqualTo("error: node unreachable at 127.0.0.1:" + closedPort + REFUSED);

    CliRunner.Result offline = cli.run("address", "alice", "--network", "regtest");
    assertThat(offline.exit()).as(offline.toString()).isZero();
    assertThat(offline.out()).startsWith("rcairn1");

    CliRunner.Result list = cli.run("list");
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).isEqualTo("alice  public key " + publicKey + "\n");
    assertThat(list.err()).contains("addresses need").contains("node unreachable");

    CliRunner.Result balance = cli.run("balance", "alice");
    assertThat(balance.exit()).as(balance.toString()).isEqualTo(ExitCode.NODE_UNREACHABLE.code());
    assertThat(balance.err()).isEqualTo("error: node unreachable at 127.0.0.1:" + closedPort + REFUSED);
  }

  @Test
  void jsonOutputIsOneObject() {
    JsonNode created = cli.run("new", "alice", "--json", "--network", "devnet").json();
    assertThat(created.get("name").textValue()).isEqualTo("alice");
    assertThat(created.get("address").textValue()).startsWith("dcairn1");

    CliRunner.Result list = cli.run("list", "--json");
    assertThat(list.exit()).isZero();
    JsonNode keys = list.json().get("keys");
    assertThat(keys).hasSize(1);
    assertThat(keys.get(0).get("publicKey").textValue()).isEqualTo(created.get("publicKey").textValue());
    assertThat(keys.get(0).has("address")).isFalse();

    CliRunner.Result balance = cli.run("balance", "alice", "--json");
    assertThat(balance.exit()).isEqualTo(7);
    JsonNode error = balance.json().get("error");
    assertThat(error.get("code").textValue()).isEqualTo("node-unreachable");
    assertThat(error.get("message").textValue()).contains("node unreachable");
    assertThat(error.get("exitCode").intValue()).isEqualTo(7);
  }

  @Test
  void importedKeyKeepsItsAddress() throws Exception {
    String seed = seedHex(42);
    Path keyFile = tmp.resolve("dev0.key");
    Files.writeString(keyFile, seed + "\n");

    CliRunner.Result imported = cli.run("import", "dev0", "--key-file", keyFile.toString(), "--network", "devnet");
    assertThat(imported.exit()).as(imported.toString()).isZero();

    String expected = PrivateKey.fromSeed(HexFormat.of().parseHex(seed)).address().toText("dcairn");
    CliRunner.Result address = cli.run("address", "dev0", "--network", "devnet");
    assertThat(address.out()).isEqualTo(expected + "\n");
    assertThat(imported.out()).contains(expected);
  }

  @Test
  void importAcceptsAKeyWithoutNewlineAndRefusesTheSameKeyTwice() throws Exception {
    Path keyFile = tmp.resolve("k");
    Files.writeString(keyFile, seedHex(7).toUpperCase());
    assertThat(cli.run("import", "one", "--key-file", keyFile.toString()).exit()).isZero();

    CliRunner.Result again = cli.run("import", "two", "--key-file", keyFile.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("already in the wallet as 'one'");
    assertThat(walletDir.resolve("two.json")).doesNotExist();
  }

  @Test
  void importRefusesAMalformedKeyFile() throws Exception {
    Path keyFile = tmp.resolve("k");
    Files.writeString(keyFile, seedHex(7).substring(2) + "\n");

    CliRunner.Result result = cli.run("import", "one", "--key-file", keyFile.toString());
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err()).contains("64 hex digits");
    assertThat(walletDir.resolve("one.json")).doesNotExist();
  }

  @Test
  void newRefusesToOverwrite() throws Exception {
    assertThat(cli.run("new", "alice").exit()).isZero();
    byte[] before = Files.readAllBytes(walletDir.resolve("alice.json"));

    CliRunner.Result again = cli.run("new", "alice", "--json");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.json().get("error").get("code").textValue()).isEqualTo("key-exists");
    assertThat(Files.readAllBytes(walletDir.resolve("alice.json"))).isEqualTo(before);
  }

  @Test
  void newRefusesAnEmptyPasswordAndWithoutAnySourceSaysHowToGiveOne() {
    CliRunner.Result noSource = cli.withoutEnv(Passwords.ENV).run("new", "alice");
    assertThat(noSource.exit()).isEqualTo(1);
    assertThat(noSource.err()).startsWith("error: ").contains("--password-file").contains(Passwords.ENV);

    CliRunner.Result empty = cli.prompt(new PasswordsTest.ScriptedPrompt("", "")).run("new", "alice");
    assertThat(empty.exit()).isEqualTo(1);
    assertThat(empty.err()).contains("empty password");
    assertThat(walletDir).doesNotExist();
  }

  @Test
  void passwordFileBeatsTheEnvironment() throws Exception {
    Path passwordFile = tmp.resolve("pw");
    Files.writeString(passwordFile, "from-file\n");
    assertThat(cli.run("new", "alice", "--password-file", passwordFile.toString()).exit()).isZero();

    Keystore keystore = new Keystore(walletDir, KdfParams.TESTING, new java.security.SecureRandom());
    KeyFile file = keystore.load("alice");
    assertThat(keystore.unlock(file, "from-file".toCharArray()).publicKey()).isEqualTo(file.publicKey());
  }

  @Test
  void walletDirOptionOverridesTheEnvironment() {
    Path other = tmp.resolve("other");
    assertThat(cli.run("new", "alice", "--wallet-dir", other.toString()).exit()).isZero();
    assertThat(other.resolve("alice.json")).exists();
    assertThat(walletDir).doesNotExist();
  }

  @Test
  void aWalletDirThatIsARegularFileIsRefusedBeforeAnyPasswordIsAsked() throws Exception {
    Path notADir = tmp.resolve("wallet-file");
    Files.writeString(notADir, "not a directory");
    PasswordsTest.ScriptedPrompt prompt = new PasswordsTest.ScriptedPrompt("pw", "pw");
    CliRunner runner = new CliRunner(notADir).withoutEnv(Passwords.ENV).prompt(prompt).node(closedPort);
    String expected = "error: the wallet directory " + notADir + " is not a directory (from --wallet-dir or $CAIRN_WALLET_DIR)\n";

    CliRunner.Result created = runner.run("new", "alice", "--json");
    assertThat(created.exit()).as(created.toString()).isEqualTo(ExitCode.USAGE.code());
    assertThat(created.err()).isEqualTo(expected);
    assertThat(created.json().get("error").get("code").textValue()).isEqualTo("bad-wallet-dir");
    assertThat(prompt.asked).isEmpty();

    for (String[] args : List.of(
        new String[] {"list"}, new String[] {"address", "alice", "--network", "regtest"}, new String[] {"balance", "alice"})) {
      CliRunner.Result result = runner.run(args);
      assertThat(result.exit()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(result.err()).isEqualTo(expected);
    }
    assertThat(Files.readString(notADir)).isEqualTo("not a directory");
  }

  @Test
  void jsonIsAcceptedBeforeTheCommandToo() {
    assertThat(cli.run("new", "alice", "--network", "regtest").exit()).isZero();
    CliRunner.Result list = cli.run("--json", "list", "--network", "regtest");
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.json().get("keys").get(0).get("address").textValue()).startsWith("rcairn1");

    CliRunner.Result unknown = cli.run("--json", "address", "nobody", "--network", "regtest");
    assertThat(unknown.exit()).isEqualTo(ExitCode.NOT_FOUND.code());
    assertThat(unknown.json().get("error").get("code").textValue()).isEqualTo("not-found");

    CliRunner.Result usage = cli.run("--json", "list", "--network", "moon");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.json().get("error").get("code").textValue()).isEqualTo("usage");
  }

  @Test
  void unknownKeyIsNotFound() {
    CliRunner.Result result = cli.run("address", "nobody", "--network", "main");
    assertThat(result.exit()).isEqualTo(ExitCode.NOT_FOUND.code());
    assertThat(result.err()).isEqualTo("error: no key named 'nobody' in " + walletDir + "\n");
  }

  @Test
  void emptyWalletListsNothing() {
    CliRunner.Result result = cli.run("list");
    assertThat(result.exit()).isZero();
    assertThat(result.out()).contains("no keys");
    assertThat(cli.run("list", "--json").json().get("keys")).isEmpty();
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(cli.run().exit()).isEqualTo(2);
    assertThat(cli.run("frobnicate").exit()).isEqualTo(2);
    assertThat(cli.run("new", "Bad.Name").exit()).isEqualTo(2);
    assertThat(cli.run("send", "--from", "a", "--to", "x", "--amount", "1.123456789").exit()).isEqualTo(2);
    assertThat(cli.run("send", "--from", "a", "--to", "x", "--amount", "-1").exit()).isEqualTo(2);
    assertThat(cli.run("balance", "alice", "--node", "nowhere").exit()).isEqualTo(2);
    assertThat(cli.run("tx", "abcd").exit()).isEqualTo(2);
    assertThat(cli.run("list", "--network", "moon").exit()).isEqualTo(2);

    CliRunner.Result missing = cli.run("send", "--from", "a", "--json");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).startsWith("error: Missing required options").doesNotContain("\tat ");
    assertThat(missing.err().lines()).hasSize(1);
    assertThat(missing.json().get("error").get("code").textValue()).isEqualTo("usage");
  }

  @Test
  void helpListsCommandsAndExitCodes() {
    CliRunner.Result help = cli.run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("send", "balance", "Exit codes:", "10   keystore file damaged");

    CliRunner.Result sendHelp = cli.run("send", "--help");
    assertThat(sendHelp.exit()).isZero();
    assertThat(sendHelp.out()).contains("--node=HOST:PORT", "default: 127.0.0.1:9701", "--wallet-dir", "--password-file");
  }
}
