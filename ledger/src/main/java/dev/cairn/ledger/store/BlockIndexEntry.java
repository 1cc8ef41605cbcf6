package dev.cairn.ledger.store;

import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ByteReader;
import dev.cairn.ledger.ByteWriter;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import java.math.BigInteger;

/**
 * A block index record: the header, the cumulative work of the chain ending at it, and its status.
 * Encoded as header (128) ‖ cumulative work (u256) ‖ status u32. Immutable.
 */
public record BlockIndexEntry(BlockHeader header, BigInteger chainWork, BlockStatus status) {
  static final int SIZE = BlockHeader.SIZE + 32 + 4;

  public BlockIndexEntry {
    if (chainWork.signum() <= 0 || chainWork.bitLength() > 256) {
      throw new IllegalArgumentException("chain work must be in 1..2^256-1");
    }
  }

  public Hash hash() {
    return header.hash();
  }

  public long height() {
    return header.height();
  }

  public BlockIndexEntry withStatus(BlockStatus newStatus) {
    return new BlockIndexEntry(header, chainWork, newStatus);
  }

  byte[] encode() {
    return new ByteWriter(SIZE)
        .bytes(header.encoded())
        .bytes(Codec.u256(chainWork))
        .u32(status.flags())
        .toByteArray();
  }

  static BlockIndexEntry decode(byte[] bytes) throws DecodeException {
    ByteReader in = new ByteReader(bytes);
    BlockHeader header = BlockHeader.decode(in);
    BigInteger work = new BigInteger(1, in.bytes(32, "chain work"));
    BlockStatus status = new BlockStatus((int) in.u32("status"));
    in.requireEnd("block index entry");
    return new BlockIndexEntry(header, work, status);
  }
}
