package dev.cairn.ledger.store;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.ByteReader;
import dev.cairn.ledger.ByteWriter;
import dev.cairn.ledger.DecodeException;
import java.util.Optional;
import java.util.SortedMap;

/**
 * What connecting a block overwrote: each changed account's previous record (absent if it did not
 * exist) and each touched address's previous history length. Disconnecting restores exactly
 * these, so the accounts column returns byte for byte to its state before the block.
 *
 * <p>Encoding: u32 n ‖ n × (address ‖ u8 existed ‖ account) ‖ u32 m ‖ m × (address ‖ u64 count).
 */
record UndoRecord(
    SortedMap<Address, Optional<Account>> previousAccounts, SortedMap<Address, Long> previousCounts) {

  byte[] encode() {
    ByteWriter w =
        new ByteWriter(
            8 + previousAccounts.size() * (Address.SIZE + 1 + Account.SIZE)
                + previousCounts.size() * (Address.SIZE + 8));
    w.u32(previousAccounts.size());
    previousAccounts.forEach(
        (address, account) -> {
          w.bytes(address.toByteArray()).u8(account.isPresent() ? 1 : 0);
          w.bytes(account.orElse(Account.EMPTY).encode());
        });
    w.u32(previousCounts.size());
    previousCounts.forEach((address, count) -> w.bytes(address.toByteArray()).u64(count));
    return w.toByteArray();
  }

  static UndoRecord decode(byte[] bytes) throws DecodeException {
    ByteReader in = new ByteReader(bytes);
    SortedMap<Address, Optional<Account>> accounts = new java.util.TreeMap<>();
    long n = in.u32("undo account count");
    for (long i = 0; i < n; i++) {
      Address address = Address.fromBytes(in.bytes(Address.SIZE, "undo address"));
      boolean existed = in.u8("undo existed flag") == 1;
      Account account = Account.decode(in.bytes(Account.SIZE, "undo account"));
      accounts.put(address, existed ? Optional.of(account) : Optional.empty());
    }
    SortedMap<Address, Long> counts = new java.util.TreeMap<>();
    long m = in.u32("undo count count");
    for (long i = 0; i < m; i++) {
      Address address = Address.fromBytes(in.bytes(Address.SIZE, "undo address"));
      counts.put(address, in.u63("undo history length"));
    }
    in.requireEnd("undo record");
    return new UndoRecord(accounts, counts);
  }
}
