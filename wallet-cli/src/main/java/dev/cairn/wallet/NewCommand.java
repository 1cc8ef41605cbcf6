package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "new", description = "Create a fresh Ed25519 key, encrypted under a password.")
final class NewCommand extends WalletCommand {
  @Parameters(paramLabel = "NAME", description = "Name of the key: 1 to 32 of a-z, 0-9, '_' and '-'.")
  String name;

  @Mixin NetworkOption network;

  @Override
  void execute() {
    Keystore keystore = keystore();
    Keystore.requireValidName(name);
    // Checked before the password is typed, and again (atomically enough) when writing.
    keystore.requireAbsent(name);
    char[] password = passwords().forNewKey(name);
    KeyFile file;
    try {
      file = keystore.create(name, PrivateKey.generate(cli.random()), password);
    } finally {
      Arrays.fill(password, '\0');
    }
    report(this, "created", file, network);
  }

  /** Shows a key just written: name, public key, file, and the address when the prefix is known. */
  static void report(WalletCommand command, String verb, KeyFile file, NetworkOption network) {
    Output out = command.output();
    Optional<String> prefix = command.prefixIfAvailable(network, out);
    String path = command.keystore().path(file.name()).toString();
    List<String> text = new ArrayList<>();
    text.add(verb + " key '" + file.name() + "' in " + path);
    text.add("public key: " + file.publicKey().toHex());
    prefix.ifPresent(p -> text.add("address:    " + file.publicKey().address().toText(p)));
    ObjectNode json = Output.object();
    json.put("name", file.name());
    json.put("file", path);
    json.put("publicKey", file.publicKey().toHex());
    prefix.ifPresent(p -> json.put("address", file.publicKey().address().toText(p)));
    out.result(text, json);
  }
}
