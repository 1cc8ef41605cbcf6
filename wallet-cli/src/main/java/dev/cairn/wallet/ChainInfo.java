package dev.cairn.wallet;

import dev.cairn.ledger.Hash;

/**
 * What the wallet needs to know about the node's network: the address prefix to show and parse
 * addresses, the genesis hash that transfers sign (so they cannot be replayed elsewhere), the
 * minimum relay fee, and the node's tip (to notice a node that is behind).
 */
record ChainInfo(
    String network, Hash genesisHash, String addressPrefix, long tipHeight, Hash tipHash, long minFeePerByte) {
  /** The short network identity people compare: the genesis hash's first 8 hex digits. */
  String chainId() {
    return genesisHash.toHex().substring(0, 8);
  }

  /** For messages: {@code 'regtest' (chain id 1a2b3c4d, address prefix rcairn)}. */
  String describe() {
    return "'" + network + "' (chain id " + chainId() + ", address prefix " + addressPrefix + ")";
  }
}
