package dev.cairn.ledger;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A payment: moves {@code amount} from the sender's account to {@code recipient} and pays {@code
 * fee} to the miner. Valid only with the sender's current nonce and enough balance (consensus
 * checks that). Signed by the sender over {@link #signingBytes(Hash)}. Immutable.
 *
 * <p>Layout: version u8 ‖ kind u8 ‖ sender public key (32) ‖ recipient (20) ‖ amount u64 ‖ fee u64
 * ‖ nonce u63 ‖ signature (64) = 142 bytes.
 */
public final class Transfer extends EncodedTransaction {
  public static final int UNSIGNED_SIZE = 1 + 1 + PublicKey.SIZE + Address.SIZE + 8 + 8 + 8;
  public static final int SIZE = UNSIGNED_SIZE + Signature.SIZE;

  /** Separates transaction signatures from every other message Cairn signs. */
  static final byte[] SIGNING_TAG = "CAIRN/tx/v1".getBytes(StandardCharsets.US_ASCII);

  private final PublicKey sender;
  private final Address recipient;
  private final Amount amount;
  private final Amount fee;
  private final long nonce;
  private final Signature signature;
  private final Address senderAddress;

  private Transfer(
      PublicKey sender,
      Address recipient,
      Amount amount,
      Amount fee,
      long nonce,
      Signature signature,
      byte[] encoded) {
    super(encoded);
    this.sender = sender;
    this.recipient = recipient;
    this.amount = amount;
    this.fee = fee;
    this.nonce = nonce;
    this.signature = signature;
    this.senderAddress = sender.address();
  }

  /** Builds and signs a transfer for the network whose genesis hash is {@code genesis}. */
  public static Transfer sign(
      PrivateKey key, Address recipient, Amount amount, Amount fee, long nonce, Hash genesis) {
    if (nonce < 0) {
      throw new IllegalArgumentException("nonce " + nonce);
    }
    byte[] unsigned = unsignedBytes(key.publicKey(), recipient, amount, fee, nonce);
    Signature sig = key.sign(signingBytes(genesis, unsigned));
    return assemble(key.publicKey(), recipient, amount, fee, nonce, sig, unsigned);
  }

  /** Assembles a transfer with a given signature, valid or not (for tests and tools). */
  public static Transfer withSignature(
      PublicKey sender, Address recipient, Amount amount, Amount fee, long nonce, Signature sig) {
    return assemble(sender, recipient, amount, fee, nonce, sig, unsignedBytes(sender, recipient, amount, fee, nonce));
  }

  private static Transfer assemble(
      PublicKey sender, Address recipient, Amount amount, Amount fee, long nonce, Signature sig, byte[] unsigned) {
    byte[] bytes = new ByteWriter(SIZE).bytes(unsigned).bytes(sig.bytesUnsafe()).toByteArray();
    return new Transfer(sender, recipient, amount, fee, nonce, sig, bytes);
  }

  private static byte[] unsignedBytes(
      PublicKey sender, Address recipient, Amount amount, Amount fee, long nonce) {
    return new ByteWriter(UNSIGNED_SIZE)
        .u8(VERSION)
        .u8(Kind.TRANSFER)
        .bytes(sender.bytesUnsafe())
        .bytes(recipient.bytesUnsafe())
        .u64(amount.units())
        .u64(fee.units())
        .u64(nonce)
        .toByteArray();
  }

  private static byte[] signingBytes(Hash genesis, byte[] encoded) {
    byte[] out = new byte[SIGNING_TAG.length + Hash.SIZE + UNSIGNED_SIZE];
    System.arraycopy(SIGNING_TAG, 0, out, 0, SIGNING_TAG.length);
    System.arraycopy(genesis.bytesUnsafe(), 0, out, SIGNING_TAG.length, Hash.SIZE);
    System.arraycopy(encoded, 0, out, SIGNING_TAG.length + Hash.SIZE, UNSIGNED_SIZE);
    return out;
  }

  static Transfer decodeBody(ByteReader in, boolean checkKey) throws DecodeException {
    byte[] key = in.bytes(PublicKey.SIZE, "sender key");
    PublicKey sender = checkKey ? PublicKey.decodeOwned(key) : PublicKey.ofValidated(key);
    Address recipient = Address.wrap(in.bytes(Address.SIZE, "recipient"));
    Amount amount = Transaction.readAmount(in, "amount");
    Amount fee = Transaction.readAmount(in, "fee");
    long nonce = in.u63("nonce");
    Signature sig = Signature.wrap(in.bytes(Signature.SIZE, "signature"));
    return withSignature(sender, recipient, amount, fee, nonce, sig);
  }

  /**
   * What the sender signs: the tag {@code CAIRN/tx/v1}, the network's genesis hash, then the
   * transaction's encoding without its signature. The genesis hash stops replay across networks.
   */
  public byte[] signingBytes(Hash genesis) {
    return signingBytes(genesis, encoded());
  }

  /** Whether the signature is the sender's over this transfer on the given network. */
  public boolean hasValidSignature(Hash genesis) {
    return sender.verify(signingBytes(genesis), signature);
  }

  public PublicKey sender() {
    return sender;
  }

  public Address senderAddress() {
    return senderAddress;
  }

  public Address recipient() {
    return recipient;
  }

  public Amount amount() {
    return amount;
  }

  public Amount fee() {
    return fee;
  }

  public long nonce() {
    return nonce;
  }

  public Signature signature() {
    return signature;
  }

  @Override
  public Set<Address> touchedAddresses() {
    return senderAddress.equals(recipient) ? Set.of(recipient) : Set.of(senderAddress, recipient);
  }

  @Override
  public String toString() {
    return "Transfer[" + id() + " from=" + senderAddress + " to=" + recipient + " amount=" + amount
        + " fee=" + fee + " nonce=" + nonce + "]";
  }
}
