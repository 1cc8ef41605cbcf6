package dev.cairn.ledger;

import java.util.Arrays;

/** Writes big-endian fixed-width fields into an exactly sized array. Not thread-safe. */
public final class ByteWriter {
  private final byte[] out;
  private int position;

  public ByteWriter(int size) {
    this.out = new byte[size];
  }

  public ByteWriter u8(int v) {
    out[position++] = (byte) v;
    return this;
  }

  public ByteWriter u16(int v) {
    out[position++] = (byte) (v >>> 8);
    out[position++] = (byte) v;
    return this;
  }

  public ByteWriter u32(long v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out[position++] = (byte) (v >>> shift);
    }
    return this;
  }

  public ByteWriter u64(long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out[position++] = (byte) (v >>> shift);
    }
    return this;
  }

  public ByteWriter bytes(byte[] b) {
    System.arraycopy(b, 0, out, position, b.length);
    position += b.length;
    return this;
  }

  public ByteWriter hash(Hash h) {
    return bytes(h.bytesUnsafe());
  }

  /** The written bytes; fails if the declared size was not filled exactly. */
  public byte[] toByteArray() {
    if (position != out.length) {
      throw new IllegalStateException("wrote " + position + " of " + out.length + " bytes");
    }
    return out;
  }

  /** The bytes written so far, for writers whose size is an upper bound. */
  public byte[] toTrimmedArray() {
    return position == out.length ? out : Arrays.copyOf(out, position);
  }
}
