package dev.cairn.wallet;

import dev.cairn.ledger.ChainSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The networks whose address prefix the wallet knows without asking a node (docs/PROTOCOL.md,
 * "Addresses"), so keys can be shown as addresses offline.
 */
enum KnownNetwork {
  MAIN(ChainSpec.main().params().addressPrefix()),
  REGTEST(ChainSpec.regtest().params().addressPrefix()),
  // Every devnet shares one prefix (DevnetSpecs); its genesis differs, but addresses do not.
  DEVNET("dcairn");

  private final String prefix;

  KnownNetwork(String prefix) {
    this.prefix = prefix;
  }

  String prefix() {
    return prefix;
  }

  String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  static KnownNetwork parse(String text) {
    for (KnownNetwork n : values()) {
      if (n.id().equals(text.toLowerCase(Locale.ROOT))) {
        return n;
      }
    }
    throw new IllegalArgumentException(
        "unknown network '" + text + "', expected one of "
            + Arrays.stream(values()).map(KnownNetwork::id).collect(Collectors.joining(", ")));
  }
}
