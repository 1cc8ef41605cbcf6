package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.PrivateKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged keystore files, through the command line: every one is reported with its own exit code,
 * nothing is submitted, and no file changes.
 */
class KeystoreDamageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  FakeNode node;
  CliRunner cli;
  Path file;
  String bob;

  @BeforeEach
  void setUp() throws Exception {
    node = new FakeNode();
    Path walletDir = tmp.resolve("wallet");
    cli = new CliRunner(walletDir).node(node.port());
    assertThat(cli.run("new", "alice").exit()).isZero();
    assertThat(cli.run("new", "bob").exit()).isZero();
    String alice = cli.run("address", "alice").out().strip();
    bob = cli.run("address", "bob").out().strip();
    node.account(alice, 100 * Amount.UNITS_PER_COIN, 0, 0, 0, 0);
    file = walletDir.resolve("alice.json");
  }

  @AfterEach
  void tearDown() throws Exception {
    node.close();
  }

  private CliRunner.Result send() {
    return cli.run("send", "--from", "alice", "--to", bob, "--amount", "1", "--yes");
  }

  private ObjectNode content() throws Exception {
    return (ObjectNode) JSON.readTree(file.toFile());
  }

  private byte[] write(ObjectNode content) throws Exception {
    Files.writeString(file, JSON.writeValueAsString(content));
    return Files.readAllBytes(file);
  }

  @Test
  void truncatedJsonIsDamaged() throws Exception {
    byte[] original = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(original, original.length / 2));
    byte[] damaged = Files.readAllBytes(file);

    CliRunner.Result sent = send();
    assertThat(sent.exit()).isEqualTo(ExitCode.KEYSTORE_DAMAGED.code());
    assertThat(sent.err()).startsWith("error: keystore file " + file + " is damaged: not valid JSON");
    assertThat(sent.err().lines()).hasSize(1);

    CliRunner.Result address = cli.run("address", "alice", "--json");
    assertThat(address.exit()).isEqualTo(10);
    assertThat(address.json().get("error").get("code").textValue()).isEqualTo("keystore-damaged");

    CliRunner.Result list = cli.run("list");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains("alice  DAMAGED: keystore file").contains("bob    rcairn1");

    assertThat(Files.readAllBytes(file)).isEqualTo(damaged);
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void trailingDataAfterTheObjectIsDamaged() throws Exception {
    Files.writeString(file, Files.readString(file) + "{\"extra\": true}\n");
    byte[] damaged = Files.readAllBytes(file);

    CliRunner.Result sent = send();
    assertThat(sent.exit()).as(sent.toString()).isEqualTo(ExitCode.KEYSTORE_DAMAGED.code());
    assertThat(sent.err()).startsWith("error: keystore file " + file + " is damaged: not valid JSON");
    assertThat(Files.readAllBytes(file)).isEqualTo(damaged);
    assertThat(node.submitted).isEmpty();

    Files.writeString(file, new String(damaged, java.nio.charset.StandardCharsets.UTF_8).replace("{\"extra\": true}", "junk"));
    assertThat(send().exit()).isEqualTo(10);
  }

  @Test
  void aKeyFileThatIsADirectoryIsSaidInPlainWords() throws Exception {
    Files.delete(file);
    Files.createDirectory(file);
    CliRunner.Result result = cli.run("address", "alice", "--network", "regtest");
    assertThat(result.exit()).isEqualTo(ExitCode.ERROR.code());
    assertThat(result.err()).isEqualTo("error: cannot read keystore file " + file + ": is a directory\n");
  }

  @Test
  void flippedCiphertextByteFailsAsWrongPassword() throws Exception {
    ObjectNode content = content();
    String ciphertext = content.get("ciphertext").textValue();
    char flipped = ciphertext.charAt(10) == '0' ? '1' : '0';
    content.put("ciphertext", ciphertext.substring(0, 10) + flipped + ciphertext.substring(11));
    byte[] damaged = write(content);

    CliRunner.Result sent = send();
    // GCM cannot tell a wrong password from altered ciphertext: both fail the tag.
    assertThat(sent.exit()).isEqualTo(ExitCode.WRONG_PASSWORD.code());
    assertThat(sent.err()).contains("wrong password").contains("altered");
    assertThat(Files.readAllBytes(file)).isEqualTo(damaged);
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void swappedPublicKeyFailsAuthentication() throws Exception {
    byte[] seed = new byte[32];
    new Random(5).nextBytes(seed);
    PrivateKey other = PrivateKey.fromSeed(seed);
    ObjectNode content = content();
    content.put("publicKey", other.publicKey().toHex());
    byte[] damaged = write(content);
    // The clear public key now names another account; fund it, so only the unlock can object.
    node.account(other.address().toText(FakeNode.PREFIX), 100 * Amount.UNITS_PER_COIN, 0, 0, 0, 0);

    CliRunner.Result sent = send();
    assertThat(sent.exit()).isEqualTo(ExitCode.WRONG_PASSWORD.code());
    assertThat(Files.readAllBytes(file)).isEqualTo(damaged);
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void publicKeyThatIsNoKeyIsDamaged() throws Exception {
    ObjectNode content = content();
    content.put("publicKey", "00".repeat(31));
    byte[] damaged = write(content);

    CliRunner.Result sent = send();
    assertThat(sent.exit()).isEqualTo(ExitCode.KEYSTORE_DAMAGED.code());
    assertThat(sent.err()).contains("publicKey");
    assertThat(Files.readAllBytes(file)).isEqualTo(damaged);
  }

  @Test
  void missingOrUnknownFieldsAreDamaged() throws Exception {
    ObjectNode content = content();
    content.remove("cipher");
    write(content);
    assertThat(send().err()).contains("is damaged: missing field 'cipher'");

    ObjectNode fresh = content();
    fresh.put("extra", 1);
    write(fresh);
    CliRunner.Result sent = send();
    assertThat(sent.exit()).isEqualTo(10);
    assertThat(sent.err()).contains("unknown field 'extra'");
  }

  @Test
  void wrongVersionIsDamaged() throws Exception {
    ObjectNode content = content();
    content.put("version", 2);
    write(content);
    CliRunner.Result sent = send();
    assertThat(sent.exit()).isEqualTo(10);
    assertThat(sent.err()).contains("unsupported version 2");
  }
}
