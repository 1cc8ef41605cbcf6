package dev.cairn.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * A header and its transactions. Encoding: header (128) ‖ transaction count u32 ‖ each
 * transaction's canonical bytes (they are self-delimiting). Decoding refuses more than {@link
 * #MAX_ENCODED_SIZE} bytes before reading anything; the network's own, smaller block size limit is
 * a consensus rule. Immutable.
 */
public final class Block {
  /** A hard ceiling for decoding, above every network's block size limit. */
  public static final int MAX_ENCODED_SIZE = 8 * 1024 * 1024;

  private final BlockHeader header;
  private final List<Transaction> transactions;
  private final int size;

  private Block(BlockHeader header, List<Transaction> transactions) {
    this.header = header;
    this.transactions = List.copyOf(transactions);
    int total = BlockHeader.SIZE + 4;
    for (Transaction tx : this.transactions) {
      total += tx.size();
    }
    this.size = total;
  }

  public static Block of(BlockHeader header, List<? extends Transaction> transactions) {
    return new Block(header, List.copyOf(transactions));
  }

  public static Block decode(byte[] bytes) throws DecodeException {
    return decode(bytes, true);
  }

  /**
   * {@link #decode} of a block this node stored after decoding it with every check: the same
   * structure checks, but the senders' public keys are taken as they are (see {@link
   * PublicKey#ofValidated}); a signature verified with a damaged key fails.
   */
  public static Block decodeStored(byte[] bytes) throws DecodeException {
    return decode(bytes, false);
  }

  private static Block decode(byte[] bytes, boolean checkKeys) throws DecodeException {
    if (bytes.length > MAX_ENCODED_SIZE) {
      throw new DecodeException(
          Reason.DECODE_TOO_LARGE, "block of " + bytes.length + " bytes exceeds " + MAX_ENCODED_SIZE);
    }
    ByteReader in = new ByteReader(bytes);
    BlockHeader header = BlockHeader.decode(in);
    long count = in.u32("transaction count");
    // Each transaction takes at least 30 bytes: a count beyond that is a lie, caught before allocating.
    if (count > in.remaining() / Allocation.SIZE) {
      throw new DecodeException(
          Reason.DECODE_TRUNCATED, count + " transactions cannot fit in " + in.remaining() + " bytes");
    }
    List<Transaction> txs = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      txs.add(checkKeys ? Transaction.decode(in) : Transaction.decodeValidated(in));
    }
    in.requireEnd("block");
    return new Block(header, txs);
  }

  /** Bytes of an encoding that {@link #transactionCount} reads: the header and the count field. */
  public static final int COUNT_END = BlockHeader.SIZE + 4;

  /**
   * The number of transactions in a block's canonical encoding of {@code encodedSize} bytes, read
   * from its count field ({@code head}: at least the first {@link #COUNT_END} bytes) without
   * reading or decoding anything else.
   */
  public static int transactionCount(byte[] head, int encodedSize) throws DecodeException {
    ByteReader in = new ByteReader(head);
    in.bytes(BlockHeader.SIZE, "block header");
    long count = in.u32("transaction count");
    long rest = (long) encodedSize - COUNT_END;
    if (count > rest / Allocation.SIZE) {
      throw new DecodeException(
          Reason.DECODE_TRUNCATED, count + " transactions cannot fit in " + Math.max(rest, 0) + " bytes");
    }
    return (int) count;
  }

  public byte[] encode() {
    ByteWriter w = new ByteWriter(size);
    w.bytes(header.encoded()).u32(transactions.size());
    for (Transaction tx : transactions) {
      w.bytes(tx.encoded());
    }
    return w.toByteArray();
  }

  public BlockHeader header() {
    return header;
  }

  public Hash hash() {
    return header.hash();
  }

  public List<Transaction> transactions() {
    return transactions;
  }

  public List<Hash> transactionIds() {
    List<Hash> ids = new ArrayList<>(transactions.size());
    for (Transaction tx : transactions) {
      ids.add(tx.id());
    }
    return ids;
  }

  /** The Merkle root of this block's transaction ids (compare with the header's). */
  public Hash computeMerkleRoot() {
    return MerkleTree.root(transactionIds());
  }

  /** Size of the canonical encoding in bytes. */
  public int size() {
    return size;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Block b && header.equals(b.header) && transactions.equals(b.transactions);
  }

  @Override
  public int hashCode() {
    return header.hashCode();
  }

  @Override
  public String toString() {
    return "Block[" + hash() + " height=" + header.height() + " txs=" + transactions.size() + "]";
  }
}
