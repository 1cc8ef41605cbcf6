package dev.cairn.node;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.MerkleProof;
import dev.cairn.ledger.MerkleTree;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.TxLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The read side of the node, shared by the client API and the explorer so both answer the same
 * question the same way. Reads the store and the mempool, never writes. Thread-safe.
 */
public final class NodeQueries {
  /** Headers returned by one request, at most. */
  public static final int MAX_HEADERS = 2_000;

  private final Blockchain chain;
  private final ChainStore store;
  private final Mempool mempool;

  public NodeQueries(Blockchain chain, Mempool mempool) {
    this.chain = chain;
    this.store = chain.store();
    this.mempool = mempool;
  }

  public Blockchain chain() {
    return chain;
  }

  public Mempool mempool() {
    return mempool;
  }

  public String addressPrefix() {
    return chain.spec().params().addressPrefix();
  }

  /** An account at the tip with what the mempool holds for it. */
  public record AccountView(
      Address address, Account account, long pendingNonce, Amount pendingOutgoing, Amount pendingIncoming,
      int pendingCount, long tipHeight, long txCount) {}

  public AccountView account(Address address) {
    long tipHeight = chain.tip().height();
    Account account = store.account(address);
    List<Transfer> out = mempool.pendingFrom(address);
    long outgoing = 0;
    for (Transfer t : out) {
      outgoing += t.amount().units() + t.fee().units();
    }
    long incoming = 0;
    for (Transfer t : mempool.pendingTo(address)) {
      incoming += t.amount().units();
    }
    return new AccountView(
        address, account, account.nonce() + out.size(), Amount.units(outgoing), Amount.units(Math.min(incoming, Amount.MAX_MONEY)),
        out.size(), tipHeight, store.addressTxCount(address));
  }

  /** Where a confirmed transaction is, and how deep. */
  public record Confirmation(Hash blockHash, long height, int index, long confirmations, long blockTime) {}

  /** A transaction, confirmed in the best chain or pending in the mempool. */
  public record TxView(Transaction tx, Optional<Confirmation> confirmation) {}

  public Optional<TxView> transaction(Hash txid) {
    Optional<Transfer> pending = mempool.get(txid);
    if (pending.isPresent()) {
      return Optional.of(new TxView(pending.get(), Optional.empty()));
    }
    Optional<TxLocation> location = store.txLocation(txid);
    if (location.isEmpty()) {
      return Optional.empty();
    }
    TxLocation l = location.get();
    Optional<Block> block = store.body(l.blockHash());
    if (block.isEmpty() || l.index() >= block.get().transactions().size()) {
      return Optional.empty();
    }
    long confirmations = Math.max(0, chain.tip().height() - l.height() + 1);
    Confirmation c =
        new Confirmation(l.blockHash(), l.height(), l.index(), confirmations, block.get().header().timestamp());
    return Optional.of(new TxView(block.get().transactions().get(l.index()), Optional.of(c)));
  }

  /** A stored block with its place relative to the best chain. */
  public record BlockView(Block block, BlockIndexEntry entry, boolean inBestChain, long confirmations) {}

  public Optional<BlockView> block(Hash hash) {
    Optional<BlockIndexEntry> entry = chain.entry(hash);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    return store.body(hash).map(b -> view(b, entry.get()));
  }

  public Optional<BlockView> blockAtHeight(long height) {
    return store.mainChainHash(height).flatMap(this::block);
  }

  private BlockView view(Block block, BlockIndexEntry entry) {
    boolean best = store.isOnMainChain(entry);
    long confirmations = best ? chain.tip().height() - entry.height() + 1 : 0;
    return new BlockView(block, entry, best, Math.max(0, confirmations));
  }

  /** Up to {@link #MAX_HEADERS} consecutive best-chain headers from {@code start}. */
  public List<BlockHeader> headers(long start, int count) {
    List<BlockHeader> out = new ArrayList<>();
    int n = Math.min(Math.max(count, 0), MAX_HEADERS);
    for (long h = start; h < start + n; h++) {
      Optional<BlockIndexEntry> e = store.mainChainEntry(h);
      if (e.isEmpty()) {
        break;
      }
      out.add(e.get().header());
    }
    return out;
  }

  /** An inclusion proof of a confirmed transaction in its block. */
  public record ProofView(Hash blockHash, long height, MerkleProof proof) {}

  public Optional<ProofView> merkleProof(Hash txid) {
    Optional<TxLocation> location = store.txLocation(txid);
    if (location.isEmpty()) {
      return Optional.empty();
    }
    TxLocation l = location.get();
    return store.body(l.blockHash())
        .map(b -> new ProofView(l.blockHash(), l.height(), MerkleTree.proof(b.transactionIds(), l.index())));
  }
}
