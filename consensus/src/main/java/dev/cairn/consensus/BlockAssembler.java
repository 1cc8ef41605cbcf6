package dev.cairn.consensus;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.MerkleTree;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.StateCommitment;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;

/**
 * Builds the next block to mine on the tip: the mempool's best transactions that still apply to
 * the tip's state, a coinbase paying subsidy plus fees, and a header committing to both (nonce 0).
 * Reads the tip and its state under the chain lock, so the template is consistent. Thread-safe.
 */
public final class BlockAssembler {
  private final Blockchain chain;
  private final Mempool mempool;
  private final TimeSource time;

  public BlockAssembler(Blockchain chain, Mempool mempool, TimeSource time) {
    this.chain = chain;
    this.mempool = mempool;
    this.time = time;
  }

  /** A block ready for nonce search, and what it was built on. */
  public record Template(Block block, Hash parent, long height) {}

  public Template create(Address miner) {
    synchronized (chain) {
      BlockIndexEntry tip = chain.tip();
      ChainParams params = chain.spec().params();
      long height = tip.height() + 1;
      long timestamp = Math.max(time.nowSeconds(), chain.medianTimePast() + 1);
      CompactTarget target = chain.nextTarget();
      StateTransition transition = new StateTransition(params);
      StateTransition.Overlay state = new StateTransition.Overlay(chain.store()::account);
      try {
        transition.matureReward(state, height, this::coinbaseAt);
      } catch (RejectedException e) {
        throw new IllegalStateException("maturing a reward of the best chain failed", e);
      }
      long room = params.maxBlockSize() - BlockHeader.SIZE - 4 - Coinbase.SIZE;
      List<Transaction> txs = new ArrayList<>();
      Set<Address> skipped = new HashSet<>();
      Amount fees = Amount.ZERO;
      for (Transfer t : mempool.selectForBlock(room)) {
        if (skipped.contains(t.senderAddress())) {
          continue;
        }
        try {
          transition.applyTransfer(state, t);
          txs.add(t);
          fees = fees.plus(t.fee());
        } catch (RejectedException e) {
          // Stale against this tip: the mempool catches up when the block connects.
          skipped.add(t.senderAddress());
        }
      }
      Amount reward = params.subsidyAt(height).plus(fees);
      Coinbase coinbase = Coinbase.create(height, miner, reward);
      Account minerAccount = state.account(miner);
      state.put(miner, minerAccount.withImmature(minerAccount.immature().plus(reward)));
      txs.add(0, coinbase);
      SortedMap<Address, Account> changes = state.changes();
      List<Hash> ids = new ArrayList<>(txs.size());
      for (Transaction tx : txs) {
        ids.add(tx.id());
      }
      BlockHeader header =
          BlockHeader.of(
              BlockHeader.CURRENT_VERSION,
              height,
              tip.hash(),
              MerkleTree.root(ids),
              StateCommitment.of(changes),
              timestamp,
              target,
              0);
      return new Template(Block.of(header, txs), tip.hash(), height);
    }
  }

  private Coinbase coinbaseAt(long height) {
    Hash hash = chain.store().mainChainHash(height).orElseThrow();
    return (Coinbase) chain.store().body(hash).orElseThrow().transactions().get(0);
  }
}
