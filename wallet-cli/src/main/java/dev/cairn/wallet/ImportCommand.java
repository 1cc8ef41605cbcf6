package dev.cairn.wallet;

import dev.cairn.ledger.PrivateKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "import",
    description = "Import an Ed25519 private key (such as a devnet dev account's) into the keystore.")
final class ImportCommand extends WalletCommand {
  private static final int SEED_HEX_DIGITS = 2 * PrivateKey.SIZE;
  // 64 digits and a line ending; anything much larger is the wrong file.
  private static final long MAX_KEY_FILE_BYTES = 1024;

  @Parameters(paramLabel = "NAME", description = "Name for the key: 1 to 32 of a-z, 0-9, '_' and '-'.")
  String name;

  @Option(
      names = "--key-file",
      required = true,
      paramLabel = "FILE",
      description = "File holding the 32-byte private key seed as 64 hex digits (a trailing newline is fine).")
  Path keyFile;

  @Mixin NetworkOption network;

  @Override
  void execute() {
    Keystore keystore = keystore();
    Keystore.requireValidName(name);
    keystore.requireAbsent(name);
    PrivateKey key = readSeed(keyFile);
    // Two names for one key would make balances and nonces look independent when they are not.
    for (Keystore.Entry entry : keystore.list()) {
      if (entry.file().isPresent() && entry.file().get().publicKey().equals(key.publicKey())) {
        throw new WalletException(
            ExitCode.ERROR, "key-exists", "this key is already in the wallet as '" + entry.name() + "'");
      }
    }
    char[] password = passwords().forNewKey(name);
    KeyFile file;
    try {
      file = keystore.create(name, key, password);
    } finally {
      Arrays.fill(password, '\0');
    }
    NewCommand.report(this, "imported", file, network);
  }

  static PrivateKey readSeed(Path path) {
    byte[] content;
    try {
      if (Files.size(path) > MAX_KEY_FILE_BYTES) {
        throw badKeyFile(path);
      }
      content = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new WalletException(ExitCode.ERROR, "cannot read key file " + path + ": no such file");
    } catch (IOException e) {
      throw new WalletException(ExitCode.ERROR, "cannot read key file " + path + ": " + IoErrors.describe(e));
    }
    String text = new String(content, StandardCharsets.US_ASCII);
    Arrays.fill(content, (byte) 0);
    if (text.endsWith("\r\n")) {
      text = text.substring(0, text.length() - 2);
    } else if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.length() != SEED_HEX_DIGITS || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw badKeyFile(path);
    }
    byte[] seed = HexFormat.of().parseHex(text);
    try {
      return PrivateKey.fromSeed(seed);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  private static WalletException badKeyFile(Path path) {
    return new WalletException(
        ExitCode.ERROR, "bad-key-file", "key file " + path + " must hold a 32-byte Ed25519 seed as 64 hex digits");
  }
}
