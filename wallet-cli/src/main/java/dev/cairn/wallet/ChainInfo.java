package dev.cairn.wallet;

import dev.cairn.ledger.Hash;

/**
 * What the wallet needs to know about the node's network: the address prefix to show and parse
 * addresses, the genesis hash that transfers sign (so they cannot be replayed elsewhere), and the
 * minimum relay fee.
 */
record ChainInfo(String network, Hash genesisHash, String addressPrefix, long tipHeight, long minFeePerByte) {
  /** The short network identity people compare: the genesis hash's first 8 hex digits. */
  String chainId() {
    return genesisHash.toHex().substring(0, 8);
  }
}
