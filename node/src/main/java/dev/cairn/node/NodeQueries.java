package dev.cairn.node;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.HeaderRules;
import dev.cairn.consensus.Mempool;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.MerkleProof;
import dev.cairn.ledger.MerkleTree;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.TxLocation;
import dev.cairn.p2p.PeerStatus;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.Set;

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
  private final Supplier<List<PeerStatus>> peers;

  public NodeQueries(Blockchain chain, Mempool mempool, Supplier<List<PeerStatus>> peers) {
    this.chain = chain;
    this.store = chain.store();
    this.mempool = mempool;
    this.peers = peers;
  }

  /** The connected peers, most recent first. */
  public List<PeerStatus> peers() {
    List<PeerStatus> out = new ArrayList<>(peers.get());
    out.sort(java.util.Comparator.comparingLong(PeerStatus::id).reversed());
    return out;
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
        address, account, account.nonce() + out.size(), Amount.units(Math.min(outgoing, Amount.MAX_MONEY)),
        Amount.units(Math.min(incoming, Amount.MAX_MONEY)),
        out.size(), tipHeight, store.addressTxCount(address));
  }

  /** Where a confirmed transaction is, and how deep. */
  public record Confirmation(Hash blockHash, long height, int index, long confirmations, long blockTime) {}

  /** A transaction, confirmed in the best chain or pending in the mempool. */
  public record TxView(Transaction tx, Optional<Confirmation> confirmation) {}

  public Optional<TxView> transaction(Hash txid) {
    // The chain first: between a block's commit and the mempool's cleanup, a mined transaction
    // is briefly in both, and confirmed is the truth.
    Optional<TxLocation> location = store.txLocation(txid);
    if (location.isEmpty()) {
      return mempool.get(txid).map(t -> new TxView(t, Optional.empty()));
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
    // The store's index, not the chain's tree: readers must not queue behind block validation.
    Optional<BlockIndexEntry> entry = store.indexEntry(hash);
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

  /** Best-chain blocks returned by one {@link #bestChainBlocksDown} request, at most. */
  public static final int MAX_BLOCKS = 100;

  /** The hash of the best-chain block at {@code height}, if the best chain is that long. */
  public Optional<Hash> bestChainHash(long height) {
    if (height < 0) {
      return Optional.empty();
    }
    return store.mainChainHash(height);
  }

  /**
   * Up to {@code count} (at most {@link #MAX_BLOCKS}) best-chain blocks from {@code startHeight}
   * downwards, newest first; empty if {@code startHeight} is above the tip. Each block is read on
   * its own: a reorganisation during the call can mix blocks of the old and the new best chain.
   */
  public List<BlockView> bestChainBlocksDown(long startHeight, int count) {
    List<BlockView> out = new ArrayList<>();
    int n = Math.min(Math.max(count, 0), MAX_BLOCKS);
    for (long h = startHeight; h >= 0 && out.size() < n; h--) {
      Optional<BlockView> view = blockAtHeight(h);
      if (view.isEmpty()) {
        break;
      }
      out.add(view.get());
    }
    return out;
  }

  /**
   * The median time past at a block: the median timestamp of the block and its up to 10
   * predecessors (Bitcoin's {@code mediantime}); a child of this block must be stamped later. Reads
   * at most 11 index entries.
   */
  public long medianTimePast(BlockIndexEntry entry) {
    List<Long> timestamps = new ArrayList<>(HeaderRules.MEDIAN_TIME_SPAN);
    Optional<BlockIndexEntry> e = Optional.of(entry);
    while (e.isPresent() && timestamps.size() < HeaderRules.MEDIAN_TIME_SPAN) {
      BlockHeader header = e.get().header();
      timestamps.add(header.timestamp());
      // The genesis block's previous-hash field holds the parameter commitment, not a block.
      e = header.height() == 0 ? Optional.empty() : store.indexEntry(header.previousHash());
    }
    return HeaderRules.medianTimePast(timestamps);
  }

  /**
   * How much harder {@code target} is than the network's easiest target (powLimit / target, as
   * Bitcoin's {@code difficulty}): 1.0 at the limit.
   */
  public double difficulty(CompactTarget target) {
    try {
      return new BigDecimal(chain.spec().params().powLimitValue())
          .divide(new BigDecimal(target.toTarget()), MathContext.DECIMAL64)
          .doubleValue();
    } catch (RejectedException e) {
      throw new IllegalArgumentException("stored header with an invalid target " + target, e);
    }
  }

  /**
   * How many mempool transactions touch {@code address}: sent by it or paying it (a payment to
   * oneself counts once). {@link AccountView#pendingCount()} counts only those it sends.
   */
  public int pendingTxCount(Address address) {
    Set<Hash> ids = new HashSet<>();
    mempool.pendingFrom(address).forEach(t -> ids.add(t.id()));
    mempool.pendingTo(address).forEach(t -> ids.add(t.id()));
    return ids.size();
  }
}
