package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordsTest {
  @TempDir Path tmp;

  /** A terminal that answers prompts from a script and remembers what it was asked. */
  static final class ScriptedPrompt implements WalletIo.PasswordPrompt {
    final List<String> asked = new ArrayList<>();
    private final Deque<String> answers;

    ScriptedPrompt(String... answers) {
      this.answers = new ArrayDeque<>(List.of(answers));
    }

    @Override
    public Optional<char[]> readPassword(String prompt) {
      asked.add(prompt);
      return Optional.ofNullable(answers.poll()).map(String::toCharArray);
    }
  }

  private Path file(String content) throws Exception {
    Path f = tmp.resolve("password");
    Files.writeString(f, content);
    return f;
  }

  @Test
  void fileComesFirstAndOnlyItsFirstLineCounts() throws Exception {
    ScriptedPrompt prompt = new ScriptedPrompt("from-prompt");
    Passwords passwords =
        new Passwords(Optional.of(file("from-file\r\nsecond line\n")), Map.of(Passwords.ENV, "from-env"), Optional.of(prompt));

    assertThat(new String(passwords.forUnlock("alice"))).isEqualTo("from-file");
    assertThat(new String(passwords.forNewKey("alice"))).isEqualTo("from-file");
    assertThat(prompt.asked).isEmpty();
  }

  @Test
  void environmentComesSecond() {
    ScriptedPrompt prompt = new ScriptedPrompt("from-prompt");
    Passwords passwords = new Passwords(Optional.empty(), Map.of(Passwords.ENV, "from-env"), Optional.of(prompt));

    assertThat(new String(passwords.forUnlock("alice"))).isEqualTo("from-env");
    assertThat(prompt.asked).isEmpty();
  }

  @Test
  void promptComesLastAndAnEmptyVariableCountsAsUnset() {
    ScriptedPrompt prompt = new ScriptedPrompt("from-prompt");
    Passwords passwords = new Passwords(Optional.empty(), Map.of(Passwords.ENV, ""), Optional.of(prompt));

    assertThat(new String(passwords.forUnlock("alice"))).isEqualTo("from-prompt");
    assertThat(prompt.asked).containsExactly("Password for key 'alice': ");
  }

  @Test
  void aNewKeyIsAskedForTwice() {
    ScriptedPrompt prompt = new ScriptedPrompt("hunter2", "hunter2");
    Passwords passwords = new Passwords(Optional.empty(), Map.of(), Optional.of(prompt));

    assertThat(new String(passwords.forNewKey("alice"))).isEqualTo("hunter2");
    assertThat(prompt.asked).hasSize(2);
  }

  @Test
  void differentAnswersAreRefused() {
    Passwords passwords = new Passwords(Optional.empty(), Map.of(), Optional.of(new ScriptedPrompt("hunter2", "hunter3")));

    assertThatThrownBy(() -> passwords.forNewKey("alice")).hasMessageContaining("do not match");
  }

  @Test
  void anEmptyPasswordIsRefusedForANewKeyFromAnySource() throws Exception {
    assertThatThrownBy(
            () -> new Passwords(Optional.empty(), Map.of(), Optional.of(new ScriptedPrompt("", ""))).forNewKey("a"))
        .hasMessageContaining("empty password");
    assertThatThrownBy(() -> new Passwords(Optional.of(file("\n")), Map.of(), Optional.empty()).forNewKey("a"))
        .hasMessageContaining("empty password");
  }

  @Test
  void withoutAnySourceTheMessageSaysHowToGiveOne() {
    Passwords passwords = new Passwords(Optional.empty(), Map.of(), Optional.empty());

    assertThatThrownBy(() -> passwords.forUnlock("alice"))
        .isInstanceOf(WalletException.class)
        .hasMessageContaining("--password-file")
        .hasMessageContaining(Passwords.ENV);
  }

  @Test
  void endOfInputAtThePromptIsNoPassword() {
    Passwords passwords = new Passwords(Optional.empty(), Map.of(), Optional.of(new ScriptedPrompt()));

    assertThatThrownBy(() -> passwords.forUnlock("alice")).hasMessageContaining("no password entered");
  }

  @Test
  void aMissingPasswordFileIsAnError() {
    Passwords passwords = new Passwords(Optional.of(tmp.resolve("absent")), Map.of(Passwords.ENV, "x"), Optional.empty());

    assertThatThrownBy(() -> passwords.forUnlock("alice"))
        .hasMessage("cannot read password file " + tmp.resolve("absent") + ": no such file");
  }

  @Test
  void aPasswordFileThatIsADirectoryIsSaidInPlainWords() {
    Passwords passwords = new Passwords(Optional.of(tmp), Map.of(), Optional.empty());

    assertThatThrownBy(() -> passwords.forUnlock("alice"))
        .hasMessage("cannot read password file " + tmp + ": is a directory");
  }
}
