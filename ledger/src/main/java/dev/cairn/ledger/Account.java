package dev.cairn.ledger;

/**
 * An account's state: spendable balance, coinbase rewards not yet mature, and the nonce its next
 * transaction must carry. Encoded as balance u64 ‖ immature u64 ‖ nonce u64. Immutable.
 */
public record Account(Amount balance, Amount immature, long nonce) {
  public static final int SIZE = 24;
  public static final Account EMPTY = new Account(Amount.ZERO, Amount.ZERO, 0);

  public Account {
    if (nonce < 0) {
      throw new IllegalArgumentException("nonce " + nonce);
    }
  }

  public byte[] encode() {
    return new ByteWriter(SIZE).u64(balance.units()).u64(immature.units()).u64(nonce).toByteArray();
  }

  public static Account decode(byte[] bytes) throws DecodeException {
    ByteReader in = new ByteReader(bytes);
    Account a = decode(in);
    in.requireEnd("account");
    return a;
  }

  static Account decode(ByteReader in) throws DecodeException {
    Amount balance = Transaction.readAmount(in, "balance");
    Amount immature = Transaction.readAmount(in, "immature balance");
    long nonce = in.u63("nonce");
    return new Account(balance, immature, nonce);
  }

  public Account withBalance(Amount newBalance) {
    return new Account(newBalance, immature, nonce);
  }

  public Account withImmature(Amount newImmature) {
    return new Account(balance, newImmature, nonce);
  }

  public Account withNonce(long newNonce) {
    return new Account(balance, immature, newNonce);
  }

  public boolean isEmpty() {
    return equals(EMPTY);
  }
}
