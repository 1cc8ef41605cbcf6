package dev.cairn.ledger;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The bech32m text encoding of BIP-350: a human-readable part, the separator {@code 1}, 5-bit
 * data and a 6-character checksum that detects any error in up to four characters. Stateless.
 */
public final class Bech32m {
  private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  private static final int CONST = 0x2bc830a3;
  static final int MAX_LENGTH = 90;
  private static final int CHECKSUM_LENGTH = 6;
  private static final int[] GENERATORS = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  private static final byte[] CHARSET_REV = new byte[128];

  static {
    java.util.Arrays.fill(CHARSET_REV, (byte) -1);
    for (int i = 0; i < CHARSET.length(); i++) {
      CHARSET_REV[CHARSET.charAt(i)] = (byte) i;
    }
  }

  private Bech32m() {}

  /** A decoded string: the lowercase human-readable part and the 5-bit data values. */
  public record Decoded(String hrp, byte[] data) {}

  /** Thrown for strings that are not bech32m; {@link #isChecksumError()} tells a typo apart. */
  public static final class FormatException extends Exception {
    private final boolean checksumError;

    FormatException(String message, boolean checksumError) {
      super(message);
      this.checksumError = checksumError;
    }

    public boolean isChecksumError() {
      return checksumError;
    }
  }

  /** For each value of the 5 bits shifted out of the checksum, the XOR of the generators they select. */
  private static final int[] GENERATOR_SUMS = new int[32];

  static {
    for (int top = 0; top < 32; top++) {
      int sum = 0;
      for (int i = 0; i < 5; i++) {
        if (((top >>> i) & 1) != 0) {
          sum ^= GENERATORS[i];
        }
      }
      GENERATOR_SUMS[top] = sum;
    }
  }

  /** BIP-350's checksum function, fed one 5-bit value at a time from the running {@code chk}. */
  private static int polymodStep(int chk, int value) {
    return ((chk & 0x1ffffff) << 5 ^ value) ^ GENERATOR_SUMS[chk >>> 25];
  }

  /** A human-readable part and the checksum state after it. */
  private record HrpState(String hrp, int chk) {}

  /** The last part seen: a node encodes every address under its one network's prefix. */
  private static volatile HrpState lastHrp = new HrpState("", expandedHrpState(""));

  /** The checksum state after the expanded human-readable part (high bits, a zero, low bits). */
  private static int polymodHrp(String hrp) {
    HrpState last = lastHrp;
    if (last.hrp().equals(hrp)) {
      return last.chk();
    }
    int chk = expandedHrpState(hrp);
    lastHrp = new HrpState(hrp, chk);
    return chk;
  }

  private static int expandedHrpState(String hrp) {
    int chk = 1;
    for (int i = 0; i < hrp.length(); i++) {
      chk = polymodStep(chk, hrp.charAt(i) >>> 5);
    }
    chk = polymodStep(chk, 0);
    for (int i = 0; i < hrp.length(); i++) {
      chk = polymodStep(chk, hrp.charAt(i) & 0x1f);
    }
    return chk;
  }

  private static int polymod(String hrp, byte[] values) {
    int chk = polymodHrp(hrp);
    for (int i = 0; i < values.length; i++) {
      chk = polymodStep(chk, values[i] & 0xff);
    }
    return chk;
  }

  /** Encodes 5-bit {@code data} under a lowercase {@code hrp}. */
  public static String encode(String hrp, byte[] data) {
    if (hrp.isEmpty() || !hrp.equals(hrp.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("hrp must be non-empty lowercase: " + hrp);
    }
    for (int i = 0; i < hrp.length(); i++) {
      if (hrp.charAt(i) < 33 || hrp.charAt(i) > 126) {
        throw new IllegalArgumentException("hrp character out of range at position " + i);
      }
    }
    int mod = polymod(hrp, data);
    for (int i = 0; i < CHECKSUM_LENGTH; i++) {
      mod = polymodStep(mod, 0);
    }
    mod ^= CONST;
    int length = hrp.length() + 1 + data.length + CHECKSUM_LENGTH;
    if (length > MAX_LENGTH) {
      throw new IllegalArgumentException("bech32m string would exceed 90 characters");
    }
    byte[] out = new byte[length];
    int n = 0;
    for (int i = 0; i < hrp.length(); i++) {
      out[n++] = (byte) hrp.charAt(i);
    }
    out[n++] = '1';
    for (byte b : data) {
      out[n++] = (byte) CHARSET.charAt(b);
    }
    for (int i = 0; i < CHECKSUM_LENGTH; i++) {
      out[n++] = (byte) CHARSET.charAt((mod >>> (5 * (5 - i))) & 31);
    }
    return new String(out, StandardCharsets.US_ASCII);
  }

  /** Decodes and verifies a bech32m string (all lowercase or all uppercase). */
  public static Decoded decode(String s) throws FormatException {
    if (s.length() > MAX_LENGTH) {
      throw new FormatException("longer than 90 characters", false);
    }
    boolean lower = false;
    boolean upper = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 33 || c > 126) {
        throw new FormatException("character out of range at position " + i, false);
      }
      lower |= c >= 'a' && c <= 'z';
      upper |= c >= 'A' && c <= 'Z';
    }
    if (lower && upper) {
      throw new FormatException("mixed case", false);
    }
    String str = s.toLowerCase(Locale.ROOT);
    int sep = str.lastIndexOf('1');
    if (sep < 0) {
      throw new FormatException("no separator '1'", false);
    }
    if (sep == 0) {
      throw new FormatException("empty human-readable part", false);
    }
    if (str.length() - sep - 1 < CHECKSUM_LENGTH) {
      throw new FormatException("checksum too short", false);
    }
    String hrp = str.substring(0, sep);
    byte[] values = new byte[str.length() - sep - 1];
    for (int i = 0; i < values.length; i++) {
      char c = str.charAt(sep + 1 + i);
      byte v = c < 128 ? CHARSET_REV[c] : -1;
      if (v < 0) {
        throw new FormatException("invalid data character '" + c + "'", false);
      }
      values[i] = v;
    }
    if (polymod(hrp, values) != CONST) {
      throw new FormatException("checksum does not match", true);
    }
    byte[] data = java.util.Arrays.copyOf(values, values.length - CHECKSUM_LENGTH);
    return new Decoded(hrp, data);
  }

  /** Regroups bits, e.g. 8-bit bytes to 5-bit values; {@code pad} adds zero bits at the end. */
  public static byte[] convertBits(byte[] in, int fromBits, int toBits, boolean pad)
      throws FormatException {
    int acc = 0;
    int bits = 0;
    int maxv = (1 << toBits) - 1;
    byte[] out = new byte[(in.length * fromBits + toBits - 1) / toBits];
    int n = 0;
    for (byte b : in) {
      int value = b & 0xff;
      if (value >>> fromBits != 0) {
        throw new FormatException("value out of range for " + fromBits + " bits", false);
      }
      acc = (acc << fromBits) | value;
      bits += fromBits;
      while (bits >= toBits) {
        bits -= toBits;
        out[n++] = (byte) ((acc >>> bits) & maxv);
      }
    }
    if (pad) {
      if (bits > 0) {
        out[n++] = (byte) ((acc << (toBits - bits)) & maxv);
      }
    } else if (bits >= fromBits || ((acc << (toBits - bits)) & maxv) != 0) {
      throw new FormatException("non-zero or excess padding", false);
    }
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }
}
