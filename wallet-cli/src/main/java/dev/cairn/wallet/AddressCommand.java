package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "address", description = "Print a key's address (the node, or --network, gives the prefix).")
final class AddressCommand extends WalletCommand {
  @Parameters(paramLabel = "NAME", description = "Name of the key.")
  String name;

  @Mixin NetworkOption network;

  @Override
  void execute() {
    KeyFile file = keystore().load(name);
    String prefix;
    if (network.network.isPresent()) {
      prefix = network.network.get().prefix();
    } else {
      try (NodeClient node = connect()) {
        prefix = chainInfo(node).addressPrefix();
      }
    }
    String address = file.publicKey().address().toText(prefix);
    ObjectNode json = Output.object();
    json.put("name", name);
    json.put("address", address);
    json.put("publicKey", file.publicKey().toHex());
    output().result(List.of(address), json);
  }
}
