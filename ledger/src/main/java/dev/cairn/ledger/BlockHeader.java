package dev.cairn.ledger;

import java.math.BigInteger;

/**
 * A block header in its fixed 128-byte layout (docs/PROTOCOL.md, "Headers"):
 *
 * <pre>
 * version u32 ‖ height u64 ‖ previous hash (32) ‖ Merkle root (32) ‖ state commitment (32)
 * ‖ timestamp u64 (seconds) ‖ compact target u32 ‖ nonce u64
 * </pre>
 *
 * The nonce sits last so a miner rewrites only the final 8 bytes. The block hash is the double
 * SHA-256 of the 128 bytes. Immutable; the encoding and hash are computed once.
 */
public final class BlockHeader {
  public static final int SIZE = 4 + 8 + Hash.SIZE * 3 + 8 + 4 + 8;
  /** Offset of the nonce in the encoding. */
  public static final int NONCE_OFFSET = SIZE - 8;
  public static final int CURRENT_VERSION = 1;

  private final long version;
  private final long height;
  private final Hash previousHash;
  private final Hash merkleRoot;
  private final Hash stateCommitment;
  private final long timestamp;
  private final CompactTarget target;
  private final long nonce;
  private final byte[] encoded;
  private final Hash hash;

  private BlockHeader(
      long version,
      long height,
      Hash previousHash,
      Hash merkleRoot,
      Hash stateCommitment,
      long timestamp,
      CompactTarget target,
      long nonce) {
    if (version < 0 || version > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("version must be a u32: " + version);
    }
    if (height < 0 || timestamp < 0) {
      throw new IllegalArgumentException("height and timestamp must be non-negative");
    }
    this.version = version;
    this.height = height;
    this.previousHash = previousHash;
    this.merkleRoot = merkleRoot;
    this.stateCommitment = stateCommitment;
    this.timestamp = timestamp;
    this.target = target;
    this.nonce = nonce;
    this.encoded =
        new ByteWriter(SIZE)
            .u32(version)
            .u64(height)
            .hash(previousHash)
            .hash(merkleRoot)
            .hash(stateCommitment)
            .u64(timestamp)
            .u32(target.bits())
            .u64(nonce)
            .toByteArray();
    this.hash = Hashes.doubleSha256(encoded);
  }

  public static BlockHeader of(
      long version,
      long height,
      Hash previousHash,
      Hash merkleRoot,
      Hash stateCommitment,
      long timestamp,
      CompactTarget target,
      long nonce) {
    return new BlockHeader(
        version, height, previousHash, merkleRoot, stateCommitment, timestamp, target, nonce);
  }

  public static BlockHeader decode(byte[] bytes) throws DecodeException {
    ByteReader in = new ByteReader(bytes);
    BlockHeader header = decode(in);
    in.requireEnd("header");
    return header;
  }

  public static BlockHeader decode(ByteReader in) throws DecodeException {
    long version = in.u32("header version");
    long height = in.u63("header height");
    Hash prev = in.hash("previous hash");
    Hash merkle = in.hash("merkle root");
    Hash state = in.hash("state commitment");
    long timestamp = in.u63("timestamp");
    CompactTarget target = new CompactTarget(in.u32("compact target"));
    long nonce = in.u64("nonce");
    return new BlockHeader(version, height, prev, merkle, state, timestamp, target, nonce);
  }

  /** The same header with another nonce (what a miner tries). */
  public BlockHeader withNonce(long newNonce) {
    return new BlockHeader(
        version, height, previousHash, merkleRoot, stateCommitment, timestamp, target, newNonce);
  }

  /** Whether the hash, read as an unsigned 256-bit integer, is at most the target. */
  public boolean meetsTarget(BigInteger targetValue) {
    return hash.toBigInteger().compareTo(targetValue) <= 0;
  }

  public long version() {
    return version;
  }

  public long height() {
    return height;
  }

  public Hash previousHash() {
    return previousHash;
  }

  public Hash merkleRoot() {
    return merkleRoot;
  }

  public Hash stateCommitment() {
    return stateCommitment;
  }

  public long timestamp() {
    return timestamp;
  }

  public CompactTarget target() {
    return target;
  }

  public long nonce() {
    return nonce;
  }

  /** Double SHA-256 of the encoding. */
  public Hash hash() {
    return hash;
  }

  /** The 128 canonical bytes. Never modify the returned array. */
  public byte[] encoded() {
    return encoded;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockHeader h && hash.equals(h.hash);
  }

  @Override
  public int hashCode() {
    return hash.hashCode();
  }

  @Override
  public String toString() {
    return "Header[" + hash + " height=" + height + " prev=" + previousHash + " time=" + timestamp
        + " bits=" + target + " nonce=" + Long.toUnsignedString(nonce) + "]";
  }
}
