package dev.cairn.ledger.store;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.ByteReader;
import dev.cairn.ledger.ByteWriter;
import dev.cairn.ledger.DecodeException;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What connecting a block overwrote: each changed account's previous record (absent if it did not
 * exist). Disconnecting restores exactly these, so the accounts column returns byte for byte to
 * its state before the block. The address history needs no undo data: the block's entries are
 * found from the block itself (see {@link ChainStore#disconnectTip()}).
 *
 * <p>Encoding: u32 n ‖ n × (address ‖ u8 existed ‖ account), in address order.
 */
record UndoRecord(SortedMap<Address, Optional<Account>> previousAccounts) {
  /** Bytes per account entry. */
  static final int ACCOUNT_SIZE = Address.SIZE + 1 + Account.SIZE;

  /**
   * Writes one account entry. Connecting writes the entries straight into the undo bytes after the
   * u32 count, in address order, without building a record first.
   */
  static void writeAccount(ByteWriter w, byte[] address, Optional<Account> account) {
    w.bytes(address).u8(account.isPresent() ? 1 : 0);
    w.bytes(account.orElse(Account.EMPTY).encode());
  }

  static UndoRecord decode(byte[] bytes) throws DecodeException {
    ByteReader in = new ByteReader(bytes);
    SortedMap<Address, Optional<Account>> accounts = new TreeMap<>();
    long n = in.u32("undo account count");
    for (long i = 0; i < n; i++) {
      Address address = Address.fromBytes(in.bytes(Address.SIZE, "undo address"));
      boolean existed = in.u8("undo existed flag") == 1;
      Account account = Account.decode(in.bytes(Account.SIZE, "undo account"));
      accounts.put(address, existed ? Optional.of(account) : Optional.empty());
    }
    in.requireEnd("undo record");
    return new UndoRecord(accounts);
  }
}
