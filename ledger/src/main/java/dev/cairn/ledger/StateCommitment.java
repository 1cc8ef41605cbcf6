package dev.cairn.ledger;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;

/**
 * The header's state-delta commitment: SHA-256 over the tag {@code CAIRN/state/v1}, the number of
 * accounts a block changes (u32), then each changed account in address order as address ‖ account
 * encoding. Two nodes whose state application differs disagree on the first block where it shows.
 * Stateless.
 */
public final class StateCommitment {
  private static final byte[] TAG = "CAIRN/state/v1".getBytes(StandardCharsets.US_ASCII);

  private StateCommitment() {}

  public static Hash of(SortedMap<Address, Account> changed) {
    if (changed.comparator() != null) {
      throw new IllegalArgumentException("accounts must be in natural address order");
    }
    ByteWriter w = new ByteWriter(TAG.length + 4 + changed.size() * (Address.SIZE + Account.SIZE));
    w.bytes(TAG).u32(changed.size());
    for (Map.Entry<Address, Account> e : changed.entrySet()) {
      w.bytes(e.getKey().bytesUnsafe()).bytes(e.getValue().encode());
    }
    return Hashes.sha256(w.toByteArray());
  }
}
