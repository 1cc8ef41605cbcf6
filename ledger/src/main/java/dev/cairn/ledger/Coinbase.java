package dev.cairn.ledger;

import java.util.Set;

/**
 * The first transaction of every block but genesis: pays the block's subsidy plus its fees to the
 * miner. It carries the block height, which makes every coinbase id unique. Its reward matures
 * after the network's coinbase maturity. Immutable.
 *
 * <p>Layout: version u8 ‖ kind u8 ‖ height u64 ‖ recipient (20) ‖ amount u64 = 38 bytes.
 */
public final class Coinbase extends EncodedTransaction {
  public static final int SIZE = 1 + 1 + 8 + Address.SIZE + 8;

  private final long height;
  private final Address recipient;
  private final Amount amount;

  private Coinbase(long height, Address recipient, Amount amount, byte[] encoded) {
    super(encoded);
    this.height = height;
    this.recipient = recipient;
    this.amount = amount;
  }

  public static Coinbase create(long height, Address recipient, Amount amount) {
    if (height < 0) {
      throw new IllegalArgumentException("height " + height);
    }
    byte[] bytes =
        new ByteWriter(SIZE)
            .u8(VERSION)
            .u8(Kind.COINBASE)
            .u64(height)
            .bytes(recipient.bytesUnsafe())
            .u64(amount.units())
            .toByteArray();
    return new Coinbase(height, recipient, amount, bytes);
  }

  static Coinbase decodeBody(ByteReader in) throws DecodeException {
    long height = in.u63("coinbase height");
    Address recipient = Address.wrap(in.bytes(Address.SIZE, "coinbase recipient"));
    Amount amount = Transaction.readAmount(in, "coinbase amount");
    return create(height, recipient, amount);
  }

  public long height() {
    return height;
  }

  public Address recipient() {
    return recipient;
  }

  public Amount amount() {
    return amount;
  }

  @Override
  public Set<Address> touchedAddresses() {
    return Set.of(recipient);
  }

  @Override
  public String toString() {
    return "Coinbase[" + id() + " height=" + height + " to=" + recipient + " amount=" + amount + "]";
  }
}
