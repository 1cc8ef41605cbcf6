package dev.cairn.ledger;

import java.util.Set;

/**
 * A genesis allocation: money that exists from the first block, as a chain spec declares it. Only
 * valid in the genesis block, so the genesis hash commits to every pre-funded account. Immutable.
 *
 * <p>Layout: version u8 ‖ kind u8 ‖ recipient (20) ‖ amount u64 = 30 bytes.
 */
public final class Allocation extends EncodedTransaction {
  public static final int SIZE = 1 + 1 + Address.SIZE + 8;

  private final Address recipient;
  private final Amount amount;

  private Allocation(Address recipient, Amount amount, byte[] encoded) {
    super(encoded);
    this.recipient = recipient;
    this.amount = amount;
  }

  public static Allocation create(Address recipient, Amount amount) {
    byte[] bytes =
        new ByteWriter(SIZE)
            .u8(VERSION)
            .u8(Kind.ALLOCATION)
            .bytes(recipient.bytesUnsafe())
            .u64(amount.units())
            .toByteArray();
    return new Allocation(recipient, amount, bytes);
  }

  static Allocation decodeBody(ByteReader in) throws DecodeException {
    Address recipient = Address.wrap(in.bytes(Address.SIZE, "allocation recipient"));
    Amount amount = Transaction.readAmount(in, "allocation amount");
    return create(recipient, amount);
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
    return "Allocation[" + id() + " to=" + recipient + " amount=" + amount + "]";
  }
}
