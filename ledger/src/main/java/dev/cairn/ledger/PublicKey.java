package dev.cairn.ledger;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 public key that passed Cairn's key rules (docs/PROTOCOL.md, "Signatures"): a
 * canonical encoding (y &lt; p) of a point on the curve that is not one of the eight small-order
 * points. Mixed-order keys are accepted, as Bouncy Castle's verify accepts them; the verification
 * equation is fixed (cofactored, as Bouncy Castle 1.87 checks it), so every node agrees. A key
 * decoded from untrusted bytes is checked, and its point decompressed, once, when it is decoded; a
 * key of a transaction this node validated before storing it ({@link #ofValidated}) is not checked
 * again, and its point is decompressed only if a signature is ever verified with it. Immutable
 * (the point is a cache) and thread-safe.
 */
public final class PublicKey {
  public static final int SIZE = Ed25519.PUBLIC_KEY_SIZE;

  private final byte[] encoded;
  /**
   * The decompressed point; null until first needed for a key made by {@link #ofValidated}.
   * Computing it twice in a race is harmless: both threads get equal points, immutable once built.
   */
  private volatile Ed25519.PublicPoint point;

  private PublicKey(byte[] encoded, Ed25519.PublicPoint point) {
    this.encoded = encoded;
    this.point = point;
  }

  /** Validates and copies a 32-byte encoded key. */
  public static PublicKey fromBytes(byte[] encoded) throws DecodeException {
    if (encoded.length != SIZE) {
      throw new DecodeException(Reason.BAD_PUBLIC_KEY, "public key must be 32 bytes, got " + encoded.length);
    }
    return decodeOwned(encoded.clone());
  }

  static PublicKey decodeOwned(byte[] encoded) throws DecodeException {
    Ed25519.PublicPoint point = Ed25519.validatePublicKeyPartialExport(encoded, 0);
    if (point == null) {
      throw new DecodeException(
          Reason.BAD_PUBLIC_KEY, "not a canonical, non-small-order Ed25519 point");
    }
    return new PublicKey(encoded, point);
  }

  /**
   * Wraps a key this node checked before it stored it (a stored transaction's sender), without
   * checking it again: decompressing the point is most of the cost of decoding a transfer, and
   * readers of stored transactions (the explorer) show keys without verifying with them. Should
   * the stored bytes not be a valid key after all, every verification with it fails.
   */
  static PublicKey ofValidated(byte[] encoded) {
    return new PublicKey(encoded, null);
  }

  /**
   * RFC 8032 verification of {@code signature} over {@code message} with the cofactored equation.
   * Rejects signatures whose R is not a canonical point encoding or whose S is not below the group
   * order L (docs/PROTOCOL.md, "Keys and signatures").
   */
  public boolean verify(byte[] message, Signature signature) {
    Ed25519.PublicPoint p = point;
    if (p == null) {
      p = Ed25519.validatePublicKeyPartialExport(encoded, 0);
      if (p == null) {
        return false;
      }
      point = p;
    }
    return Ed25519.verify(signature.bytesUnsafe(), 0, p, message, 0, message.length);
  }

  /** The account this key controls. */
  public Address address() {
    return Address.of(this);
  }

  public byte[] toByteArray() {
    return encoded.clone();
  }

  byte[] bytesUnsafe() {
    return encoded;
  }

  public String toHex() {
    return HexFormat.of().formatHex(encoded);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicKey k && Arrays.equals(encoded, k.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
