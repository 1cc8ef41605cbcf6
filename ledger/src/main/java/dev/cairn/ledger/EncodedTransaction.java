package dev.cairn.ledger;

/**
 * What every transaction kind shares: its canonical bytes and their SHA-256, kept from
 * construction, and identity by id. Immutable.
 */
abstract sealed class EncodedTransaction implements Transaction permits Coinbase, Transfer, Allocation {
  private final byte[] encoded;
  private final Hash id;

  EncodedTransaction(byte[] encoded) {
    this.encoded = encoded;
    this.id = Hashes.sha256(encoded);
  }

  @Override
  public final Hash id() {
    return id;
  }

  @Override
  public final byte[] encoded() {
    return encoded;
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof EncodedTransaction t && getClass() == t.getClass() && id.equals(t.id);
  }

  @Override
  public final int hashCode() {
    return id.hashCode();
  }
}
