package dev.cairn.ledger;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An account: the first 20 bytes of SHA-256 of its Ed25519 public key. Written for people in
 * bech32m under the network's prefix (e.g. {@code cairn1...}), so a typo fails the checksum and an
 * address of another network is refused. Immutable.
 */
public final class Address implements Comparable<Address> {
  public static final int SIZE = 20;

  private final byte[] bytes;

  private Address(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Address of(PublicKey key) {
    return new Address(Arrays.copyOf(Hashes.sha256(key.bytesUnsafe()).bytesUnsafe(), SIZE));
  }

  public static Address fromBytes(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("address must be 20 bytes, got " + bytes.length);
    }
    return new Address(bytes.clone());
  }

  static Address wrap(byte[] bytes) {
    return new Address(bytes);
  }

  /** Parses the text form, requiring the network's prefix {@code hrp}. */
  public static Address parse(String text, String hrp) throws InvalidAddressException {
    Bech32m.Decoded decoded;
    byte[] payload;
    try {
      decoded = Bech32m.decode(text.trim());
      payload = Bech32m.convertBits(decoded.data(), 5, 8, false);
    } catch (Bech32m.FormatException e) {
      throw new InvalidAddressException(
          e.isChecksumError() ? Reason.ADDRESS_CHECKSUM : Reason.ADDRESS_MALFORMED,
          quoted(text) + ": " + e.getMessage());
    }
    if (payload.length != SIZE) {
      throw new InvalidAddressException(
          Reason.ADDRESS_MALFORMED, quoted(text) + " holds " + payload.length + " bytes, not 20");
    }
    if (!decoded.hrp().equals(hrp)) {
      throw new InvalidAddressException(
          Reason.ADDRESS_WRONG_NETWORK,
          quoted(text) + " is for the '" + decoded.hrp() + "' network, this is '" + hrp + "'");
    }
    return new Address(payload);
  }

  /** The text echoed in an error, cut after the longest possible address (90 characters). */
  private static String quoted(String text) {
    return "'" + (text.length() > Bech32m.MAX_LENGTH ? text.substring(0, Bech32m.MAX_LENGTH) + "..." : text) + "'";
  }

  public String toText(String hrp) {
    try {
      return Bech32m.encode(hrp, Bech32m.convertBits(bytes, 8, 5, true));
    } catch (Bech32m.FormatException e) {
      throw new IllegalStateException("8-bit input always converts", e);
    }
  }

  public byte[] toByteArray() {
    return bytes.clone();
  }

  byte[] bytesUnsafe() {
    return bytes;
  }

  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public int compareTo(Address o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Address a && Arrays.equals(bytes, a.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Hex, because the text form needs the network's prefix. */
  @Override
  public String toString() {
    return toHex();
  }

  /** A text address that cannot be used: malformed, mistyped, or for another network. */
  public static final class InvalidAddressException extends RejectedException {
    public InvalidAddressException(Reason reason, String detail) {
      super(reason, detail);
    }
  }
}
