package dev.cairn.wallet;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Where a password comes from, first match wins: {@code --password-file} (its first line), the
 * environment variable {@value #ENV}, then a no-echo prompt. Scripts use the first two; people get
 * the prompt, which for a new key asks twice.
 */
final class Passwords {
  static final String ENV = "CAIRN_WALLET_PASSWORD";

  private final Optional<Path> file;
  private final Map<String, String> env;
  private final Optional<WalletIo.PasswordPrompt> prompt;

  Passwords(Optional<Path> file, Map<String, String> env, Optional<WalletIo.PasswordPrompt> prompt) {
    this.file = file;
    this.env = env;
    this.prompt = prompt;
  }

  /** The password that opens an existing key. */
  char[] forUnlock(String keyName) {
    return given().orElseGet(() -> prompt("Password for key '" + keyName + "': "));
  }

  /** The password for a new key: typed twice when prompted, never empty. */
  char[] forNewKey(String keyName) {
    Optional<char[]> given = given();
    char[] password;
    if (given.isPresent()) {
      password = given.get();
    } else {
      password = prompt("New password for key '" + keyName + "': ");
      char[] again = prompt("Repeat the password: ");
      boolean same = Arrays.equals(password, again);
      Arrays.fill(again, '\0');
      if (!same) {
        Arrays.fill(password, '\0');
        throw new WalletException(ExitCode.ERROR, "password-mismatch", "the two passwords do not match");
      }
    }
    if (password.length == 0) {
      throw new WalletException(
          ExitCode.ERROR, "empty-password", "refusing an empty password: the key file is only as safe as its password");
    }
    return password;
  }

  private Optional<char[]> given() {
    if (file.isPresent()) {
      return Optional.of(firstLine(file.get()));
    }
    // An empty variable counts as unset, as `CAIRN_WALLET_PASSWORD= cairn wallet ...` means to.
    return Optional.ofNullable(env.get(ENV)).filter(p -> !p.isEmpty()).map(String::toCharArray);
  }

  private static char[] firstLine(Path path) {
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line = reader.readLine();
      return line == null ? new char[0] : line.toCharArray();
    } catch (IOException e) {
      throw new WalletException(ExitCode.ERROR, "cannot read password file " + path + ": " + IoErrors.describe(e));
    }
  }

  private char[] prompt(String text) {
    WalletIo.PasswordPrompt terminal =
        prompt.orElseThrow(
            () -> new WalletException(
                ExitCode.ERROR,
                "no-password",
                "a password is needed and there is no terminal to ask on: use --password-file FILE or set "
                    + ENV));
    return terminal
        .readPassword(text)
        .orElseThrow(() -> new WalletException(ExitCode.ERROR, "no-password", "no password entered"));
  }
}
