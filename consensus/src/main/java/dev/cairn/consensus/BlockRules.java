package dev.cairn.consensus;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks of a block body that need no state. {@link #checkCommitments} decides whether the body
 * is the one the header commits to: a failure there means the body was mutated in transit (it is
 * dropped and may arrive again intact), not that the block is invalid. {@link #checkStructure}
 * failures make the block invalid. Stateless and thread-safe.
 */
public final class BlockRules {
  /** Reasons that mean "not the body the header commits to" rather than "invalid block". */
  public static final Set<Reason> MUTATIONS = Set.of(Reason.BAD_MERKLE_ROOT, Reason.BAD_BLOCK_LENGTH, Reason.DUPLICATE_TX);

  private BlockRules() {}

  public static void checkCommitments(Block block, ChainParams params) throws RejectedException {
    if (block.size() > params.maxBlockSize()) {
      throw new RejectedException(
          Reason.BAD_BLOCK_LENGTH, "block of " + block.size() + " bytes exceeds " + params.maxBlockSize());
    }
    List<Hash> ids = block.transactionIds();
    Set<Hash> seen = new HashSet<>(ids.size() * 2);
    for (Hash id : ids) {
      if (!seen.add(id)) {
        throw new RejectedException(Reason.DUPLICATE_TX, "transaction " + id + " appears twice");
      }
    }
    if (!block.computeMerkleRoot().equals(block.header().merkleRoot())) {
      throw new RejectedException(Reason.BAD_MERKLE_ROOT, "Merkle root does not match the transactions");
    }
  }

  public static void checkStructure(Block block) throws RejectedException {
    List<Transaction> txs = block.transactions();
    if (txs.isEmpty() || !(txs.get(0) instanceof Coinbase coinbase)) {
      throw new RejectedException(Reason.COINBASE_MISSING, "first transaction is not a coinbase");
    }
    for (int i = 1; i < txs.size(); i++) {
      if (txs.get(i) instanceof Coinbase) {
        throw new RejectedException(Reason.COINBASE_MULTIPLE, "transaction " + i + " is a second coinbase");
      }
      if (txs.get(i) instanceof Allocation) {
        throw new RejectedException(Reason.ALLOCATION_OUTSIDE_GENESIS, "transaction " + i + " is an allocation");
      }
    }
    if (coinbase.height() != block.header().height()) {
      throw new RejectedException(
          Reason.COINBASE_HEIGHT, "coinbase height " + coinbase.height() + " in block " + block.header().height());
    }
  }
}
