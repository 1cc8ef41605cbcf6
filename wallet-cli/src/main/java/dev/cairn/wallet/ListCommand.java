package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "list",
    description = "List the keys with their addresses (public keys when no node answers and no --network is given).")
final class ListCommand extends WalletCommand {
  @Mixin NetworkOption network;

  @Override
  void execute() {
    Output out = output();
    Keystore keystore = keystore();
    List<Keystore.Entry> entries = keystore.list();
    ObjectNode json = Output.object();
    json.put("walletDir", keystore.dir().toString());
    ArrayNode keys = json.putArray("keys");
    if (entries.isEmpty()) {
      out.result(List.of("no keys in " + keystore.dir()), json);
      return;
    }
    // Only worth a node round trip when there is something to show.
    Optional<String> prefix = prefixIfAvailable(network, out);
    prefix.ifPresent(p -> json.put("addressPrefix", p));
    int width = entries.stream().mapToInt(e -> e.name().length()).max().orElse(0);
    List<String> text = new ArrayList<>();
    for (Keystore.Entry entry : entries) {
      ObjectNode key = keys.addObject();
      key.put("name", entry.name());
      String shown;
      if (entry.file().isPresent()) {
        KeyFile file = entry.file().get();
        key.put("publicKey", file.publicKey().toHex());
        Optional<String> address = prefix.map(p -> file.publicKey().address().toText(p));
        address.ifPresent(a -> key.put("address", a));
        shown = address.orElse("public key " + file.publicKey().toHex());
      } else {
        key.put("damaged", entry.problem().orElse("unreadable"));
        shown = "DAMAGED: " + entry.problem().orElse("unreadable");
      }
      text.add(String.format("%-" + width + "s  %s", entry.name(), shown));
    }
    out.result(text, json);
  }
}
