package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.PrivateKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeystoreTest {
  private static final char[] PASSWORD = "s3cret".toCharArray();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private Keystore keystore() {
    return new Keystore(tmp.resolve("wallet"), KdfParams.TESTING, new SecureRandom());
  }

  private static PrivateKey key(long seed) {
    byte[] bytes = new byte[32];
    new Random(seed).nextBytes(bytes);
    return PrivateKey.fromSeed(bytes);
  }

  @Test
  void roundTripGivesBackTheSameKey() {
    Keystore keystore = keystore();
    PrivateKey key = key(1);
    keystore.create("alice", key, PASSWORD);

    KeyFile loaded = keystore.load("alice");
    assertThat(loaded.name()).isEqualTo("alice");
    assertThat(loaded.publicKey()).isEqualTo(key.publicKey());
    assertThat(keystore.unlock(loaded, PASSWORD)).isEqualTo(key);
  }

  @Test
  void roundTripWithTheDefaultCost() {
    Keystore keystore = new Keystore(tmp, KdfParams.DEFAULT, new SecureRandom());
    PrivateKey key = key(2);
    keystore.create("bob", key, PASSWORD);
    KeyFile loaded = keystore.load("bob");
    assertThat(loaded.kdf()).isEqualTo(new KdfParams(32768, 8, 1));
    assertThat(keystore.unlock(loaded, PASSWORD)).isEqualTo(key);
  }

  @Test
  void fileHasTheDocumentedFormat() throws Exception {
    Keystore keystore = keystore();
    PrivateKey key = key(3);
    keystore.create("carol", key, PASSWORD);

    JsonNode file = JSON.readTree(keystore.path("carol").toFile());
    assertThat(file.get("version").intValue()).isEqualTo(1);
    assertThat(file.get("name").textValue()).isEqualTo("carol");
    assertThat(file.get("publicKey").textValue()).isEqualTo(key.publicKey().toHex());
    assertThat(file.get("kdf").get("name").textValue()).isEqualTo("scrypt");
    assertThat(file.get("kdf").get("n").intValue()).isEqualTo(KdfParams.TESTING.n());
    assertThat(file.get("kdf").get("r").intValue()).isEqualTo(8);
    assertThat(file.get("kdf").get("p").intValue()).isEqualTo(1);
    assertThat(file.get("kdf").get("salt").textValue()).matches("[0-9a-f]{32}");
    assertThat(file.get("cipher").get("name").textValue()).isEqualTo("aes-256-gcm");
    assertThat(file.get("cipher").get("nonce").textValue()).matches("[0-9a-f]{24}");
    assertThat(file.get("ciphertext").textValue()).matches("[0-9a-f]{96}");
    // The seed must not appear in clear.
    assertThat(Files.readString(keystore.path("carol")))
        .doesNotContain(java.util.HexFormat.of().formatHex(key.seedBytes()));
  }

  @Test
  void saltAndNonceAreFreshPerFile() throws Exception {
    Keystore keystore = keystore();
    keystore.create("a", key(4), PASSWORD);
    keystore.create("b", key(5), PASSWORD);
    JsonNode a = JSON.readTree(keystore.path("a").toFile());
    JsonNode b = JSON.readTree(keystore.path("b").toFile());
    assertThat(a.get("kdf").get("salt")).isNotEqualTo(b.get("kdf").get("salt"));
    assertThat(a.get("cipher").get("nonce")).isNotEqualTo(b.get("cipher").get("nonce"));
  }

  @Test
  void fileIsOwnerOnlyAndNoTemporaryFileIsLeft() throws Exception {
    Keystore keystore = keystore();
    keystore.create("alice", key(7), PASSWORD);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keystore.path("alice"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keystore.dir())))
        .isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(keystore.dir())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("alice.json");
    }
  }

  @Test
  void wrongPasswordFailsAndChangesNothing() throws Exception {
    Keystore keystore = keystore();
    keystore.create("alice", key(8), PASSWORD);
    byte[] before = Files.readAllBytes(keystore.path("alice"));

    assertThatThrownBy(() -> keystore.unlock(keystore.load("alice"), "wrong".toCharArray()))
        .isInstanceOf(WalletException.class)
        .hasMessageContaining("wrong password")
        .extracting(e -> ((WalletException) e).exit())
        .isEqualTo(ExitCode.WRONG_PASSWORD);
    assertThat(Files.readAllBytes(keystore.path("alice"))).isEqualTo(before);
  }

  @Test
  void refusesToOverwriteAnExistingKey() throws Exception {
    Keystore keystore = keystore();
    keystore.create("alice", key(9), PASSWORD);
    byte[] before = Files.readAllBytes(keystore.path("alice"));

    assertThatThrownBy(() -> keystore.create("alice", key(10), PASSWORD))
        .isInstanceOf(WalletException.class)
        .hasMessageContaining("already exists")
        .hasMessageContaining("refusing to overwrite");
    assertThat(Files.readAllBytes(keystore.path("alice"))).isEqualTo(before);
    try (Stream<Path> files = Files.list(keystore.dir())) {
      assertThat(files).hasSize(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "alice", "dev-0", "dev_1", "0", "abcdefghijklmnopqrstuvwxyz012345"})
  void acceptsValidNames(String name) {
    assertThat(Keystore.isValidName(name)).isTrue();
    keystore().create(name, key(name.hashCode()), PASSWORD);
    assertThat(keystore().load(name).name()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "Alice", "a.b", "../x", "a/b", "a b", "abcdefghijklmnopqrstuvwxyz0123456", "é", "a\n", ".hidden"})
  void refusesInvalidNames(String name) {
    assertThat(Keystore.isValidName(name)).isFalse();
    assertThatThrownBy(() -> keystore().create(name, key(11), PASSWORD))
        .isInstanceOf(WalletException.class)
        .hasMessageContaining("invalid key name")
        .extracting(e -> ((WalletException) e).exit())
        .isEqualTo(ExitCode.USAGE);
    assertThat(Files.exists(tmp.resolve("wallet"))).isFalse();
  }

  @Test
  void unknownNameIsNotFound() {
    assertThatThrownBy(() -> keystore().load("nobody"))
        .isInstanceOf(WalletException.class)
        .hasMessageContaining("no key named 'nobody'")
        .extracting(e -> ((WalletException) e).exit())
        .isEqualTo(ExitCode.NOT_FOUND);
  }

  @Test
  void aCopiedFileIsDetectedByItsName() throws Exception {
    Keystore keystore = keystore();
    keystore.create("alice", key(12), PASSWORD);
    Files.copy(keystore.path("alice"), keystore.path("mallory"));

    assertThatThrownBy(() -> keystore.load("mallory"))
        .hasMessageContaining("is damaged")
        .extracting(e -> ((WalletException) e).exit())
        .isEqualTo(ExitCode.KEYSTORE_DAMAGED);
  }

  @Test
  void aRenamedAndEditedFileFailsAuthentication() throws Exception {
    Keystore keystore = keystore();
    keystore.create("alice", key(13), PASSWORD);
    ObjectNode file = (ObjectNode) JSON.readTree(keystore.path("alice").toFile());
    file.put("name", "mallory");
    Files.writeString(keystore.path("mallory"), JSON.writeValueAsString(file));

    KeyFile loaded = keystore.load("mallory");
    // The name is authenticated: the right password no longer opens the renamed key.
    assertThatThrownBy(() -> keystore.unlock(loaded, PASSWORD))
        .extracting(e -> ((WalletException) e).exit())
        .isEqualTo(ExitCode.WRONG_PASSWORD);
  }

  @Test
  void refusesExpensiveKdfParametersFromAFile() throws Exception {
    Keystore keystore = keystore();
    keystore.create("alice", key(14), PASSWORD);
    ObjectNode file = (ObjectNode) JSON.readTree(keystore.path("alice").toFile());
    ((ObjectNode) file.get("kdf")).put("n", 1 << 30);
    Files.writeString(keystore.path("alice"), JSON.writeValueAsString(file));

    assertThatThrownBy(() -> keystore.load("alice"))
        .hasMessageContaining("is damaged")
        .hasMessageContaining("256 MiB");
  }

  @Test
  void listShowsKeysByNameAndDamagedFilesWithTheirProblem() throws Exception {
    Keystore keystore = keystore();
    keystore.create("zed", key(15), PASSWORD);
    keystore.create("amy", key(16), PASSWORD);
    Files.writeString(keystore.path("broken"), "{", StandardCharsets.UTF_8);
    Files.writeString(keystore.dir().resolve("notes.txt"), "ignored");

    assertThat(keystore.list())
        .extracting(Keystore.Entry::name, e -> e.file().isPresent())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("amy", true),
            org.assertj.core.groups.Tuple.tuple("broken", false),
            org.assertj.core.groups.Tuple.tuple("zed", true));
    assertThat(keystore.list().get(1).problem()).hasValueSatisfying(p -> assertThat(p).contains("not valid JSON"));
  }

  @Test
  void listOfAMissingDirectoryIsEmpty() {
    assertThat(keystore().list()).isEmpty();
  }
}
