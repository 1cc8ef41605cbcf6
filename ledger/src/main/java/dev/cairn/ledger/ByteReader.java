package dev.cairn.ledger;

import java.util.Arrays;

/**
 * Reads big-endian fixed-width fields from a byte array, failing with a {@link DecodeException}
 * instead of running off the end. Not thread-safe; one reader per decode.
 */
public final class ByteReader {
  private final byte[] data;
  private int position;

  public ByteReader(byte[] data) {
    this.data = data;
  }

  public int position() {
    return position;
  }

  public int remaining() {
    return data.length - position;
  }

  private void require(int n, String field) throws DecodeException {
    if (n < 0 || remaining() < n) {
      throw new DecodeException(
          Reason.DECODE_TRUNCATED, field + " needs " + n + " bytes, " + remaining() + " left");
    }
  }

  public byte[] bytes(int n, String field) throws DecodeException {
    require(n, field);
    byte[] out = Arrays.copyOfRange(data, position, position + n);
    position += n;
    return out;
  }

  public int u8(String field) throws DecodeException {
    require(1, field);
    return data[position++] & 0xFF;
  }

  public int u16(String field) throws DecodeException {
    require(2, field);
    int v = ((data[position] & 0xFF) << 8) | (data[position + 1] & 0xFF);
    position += 2;
    return v;
  }

  /** An unsigned 32-bit field, returned as a non-negative long. */
  public long u32(String field) throws DecodeException {
    require(4, field);
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (data[position + i] & 0xFF);
    }
    position += 4;
    return v;
  }

  /** A 64-bit field as Java's signed long; callers decide whether the high bit is allowed. */
  public long u64(String field) throws DecodeException {
    require(8, field);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (data[position + i] & 0xFF);
    }
    position += 8;
    return v;
  }

  /** A 64-bit field that must fit in a non-negative long. */
  public long u63(String field) throws DecodeException {
    long v = u64(field);
    if (v < 0) {
      throw new DecodeException(Reason.DECODE_NON_CANONICAL, field + " exceeds 2^63-1");
    }
    return v;
  }

  public Hash hash(String field) throws DecodeException {
    return Hash.wrap(bytes(Hash.SIZE, field));
  }

  /** Fails unless every byte was consumed: canonical encodings have no trailing data. */
  public void requireEnd(String object) throws DecodeException {
    if (remaining() != 0) {
      throw new DecodeException(
          Reason.DECODE_TRAILING_BYTES, remaining() + " bytes after the end of the " + object);
    }
  }
}
