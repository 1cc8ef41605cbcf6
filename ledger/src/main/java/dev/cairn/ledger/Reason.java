package dev.cairn.ledger;

/**
 * The catalogue of stable rejection codes. Logs, peers, the client API, the explorer, the wallet
 * and tests all name a rejection by its {@link #code()}; docs/PROTOCOL.md lists them normatively.
 *
 * <p>A punishable reason is a consensus or protocol violation: whoever sent the data broke a rule
 * that an honest node never breaks. A non-punishable reason is policy or timing (a fee too low, a
 * nonce race, a block from the future) and must never cost a peer its connection.
 */
public enum Reason {
  // Encoding: the bytes are not the canonical encoding of any object.
  DECODE_TRUNCATED("bad-encoding-truncated", true, "input ends before the object does"),
  DECODE_TRAILING_BYTES("bad-encoding-trailing", true, "bytes follow the end of the object"),
  DECODE_UNKNOWN_VERSION("bad-encoding-version", true, "unknown encoding version"),
  DECODE_UNKNOWN_KIND("bad-encoding-kind", true, "unknown transaction kind"),
  DECODE_NON_CANONICAL("bad-encoding-noncanonical", true, "a field is not in its canonical form"),
  DECODE_TOO_LARGE("bad-encoding-toolarge", true, "a length or count exceeds its limit"),

  // Keys and signatures (docs/PROTOCOL.md, "Signatures").
  BAD_PUBLIC_KEY("bad-pubkey", true, "public key is not a canonical, non-small-order point"),
  BAD_SIGNATURE("bad-txns-signature", true, "signature does not verify"),

  // Amounts.
  AMOUNT_OUT_OF_RANGE("bad-txns-money-range", true, "amount outside 0..MAX_MONEY"),

  // Addresses (text form). Never punishable: they come from people, not peers.
  ADDRESS_MALFORMED("bad-address", false, "not a bech32m address"),
  ADDRESS_CHECKSUM("bad-address-checksum", false, "address checksum does not match"),
  ADDRESS_WRONG_NETWORK("bad-address-network", false, "address belongs to another network"),

  // Compact targets.
  BAD_COMPACT_TARGET("bad-diffbits", true, "compact target is negative, zero or overflows");

  private final String code;
  private final boolean punishable;
  private final String description;

  Reason(String code, boolean punishable, String description) {
    this.code = code;
    this.punishable = punishable;
    this.description = description;
  }

  /** The stable, greppable code, e.g. {@code bad-txns-signature}. */
  public String code() {
    return code;
  }

  /** Whether a peer that sent data rejected for this reason broke a rule on purpose or by bug. */
  public boolean punishable() {
    return punishable;
  }

  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return code;
  }
}
