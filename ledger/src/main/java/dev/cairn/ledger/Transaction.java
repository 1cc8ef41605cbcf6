package dev.cairn.ledger;

import java.util.Set;

/**
 * A transaction in one of its kinds. Every transaction has one canonical encoding (docs/PROTOCOL.md,
 * "Transactions"); its id is the SHA-256 of those bytes and its size is their length. Instances
 * are immutable and keep their encoding and id, so neither is computed twice.
 */
public sealed interface Transaction permits EncodedTransaction {
  /** The only encoding version so far. */
  int VERSION = 1;

  /** SHA-256 of {@link #encoded()}. */
  Hash id();

  /** The canonical bytes. Never modify the returned array. */
  byte[] encoded();

  default int size() {
    return encoded().length;
  }

  /** The accounts whose history includes this transaction (the address index). */
  Set<Address> touchedAddresses();

  /** Kind byte values, fixed forever. */
  final class Kind {
    public static final int COINBASE = 1;
    public static final int TRANSFER = 2;
    public static final int ALLOCATION = 3;

    private Kind() {}
  }

  /** Decodes exactly one transaction; trailing bytes are an error. */
  static Transaction decode(byte[] bytes) throws DecodeException {
    ByteReader in = new ByteReader(bytes);
    Transaction tx = decode(in);
    in.requireEnd("transaction");
    return tx;
  }

  /** Decodes one transaction from the reader's position (inside a block). */
  static Transaction decode(ByteReader in) throws DecodeException {
    return decode(in, true);
  }

  /**
   * Decodes one transaction that this node validated before it stored it (a transaction index
   * entry), from the reader's position: as {@link #decode(ByteReader)}, except that a transfer's
   * sender key is not checked again (see {@link PublicKey}). Never for bytes from anyone else.
   */
  static Transaction decodeValidated(ByteReader in) throws DecodeException {
    return decode(in, false);
  }

  private static Transaction decode(ByteReader in, boolean checkKeys) throws DecodeException {
    int version = in.u8("tx version");
    if (version != VERSION) {
      throw new DecodeException(Reason.DECODE_UNKNOWN_VERSION, "transaction version " + version);
    }
    int kind = in.u8("tx kind");
    return switch (kind) {
      case Kind.COINBASE -> Coinbase.decodeBody(in);
      case Kind.TRANSFER -> Transfer.decodeBody(in, checkKeys);
      case Kind.ALLOCATION -> Allocation.decodeBody(in);
      default -> throw new DecodeException(Reason.DECODE_UNKNOWN_KIND, "transaction kind " + kind);
    };
  }

  /** Reads an amount field, which must lie in 0..MAX_MONEY. */
  static Amount readAmount(ByteReader in, String field) throws DecodeException {
    long units = in.u64(field);
    if (units < 0 || units > Amount.MAX_MONEY) {
      throw new DecodeException(
          Reason.AMOUNT_OUT_OF_RANGE, field + " " + Long.toUnsignedString(units) + " exceeds MAX_MONEY");
    }
    return Amount.units(units);
  }
}
