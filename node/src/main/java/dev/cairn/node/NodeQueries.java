package dev.cairn.node;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.HeaderRules;
import dev.cairn.consensus.Mempool;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ByteReader;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.DecodeException;
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
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

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
  /**
   * Headers of stored blocks by hash (a header never changes): the explorer reads a block's time
   * for each confirmed transaction it shows and ten ancestors' for each block's median time.
   */
  private final BoundedCache<Hash, BlockHeader> headers = new BoundedCache<>(HEADER_CACHE_SIZE);

  /** Headers {@link #header} remembers, at most (about 1.5 MB). */
  static final int HEADER_CACHE_SIZE = 4_096;

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

  /**
   * An account at the tip with what the mempool holds for it. The mempool figures count every
   * pooled transaction sent by or paying the address, those queued behind a nonce gap included
   * (as the mempool routes list them); {@code pendingNonce} counts only the sender's gapless run,
   * since that is where its next transfer goes. {@code pendingTxCount} counts a payment to oneself
   * once.
   */
  public record AccountView(
      Address address, Account account, long pendingNonce, Amount pendingOutgoing, Amount pendingIncoming,
      int pendingTxCount, long tipHeight, long txCount) {}

  public AccountView account(Address address) {
    long tipHeight = chain.tip().height();
    Account account = store.account(address);
    List<Mempool.Entry> touching = mempool.touching(address);
    long outgoing = 0;
    long incoming = 0;
    for (Mempool.Entry e : touching) {
      Transfer t = e.tx();
      // Each term is at most MAX_MONEY and a pool holds far fewer than 2^63 / MAX_MONEY of them.
      if (t.senderAddress().equals(address)) {
        outgoing += t.amount().units() + t.fee().units();
      }
      if (t.recipient().equals(address)) {
        incoming += t.amount().units();
      }
    }
    return new AccountView(
        address, account, account.nonce() + mempool.pendingFrom(address).size(),
        Amount.units(Math.min(outgoing, Amount.MAX_MONEY)), Amount.units(Math.min(incoming, Amount.MAX_MONEY)),
        touching.size(), tipHeight, store.addressTxCount(address));
  }

  /** Where a confirmed transaction is, and how deep. */
  public record Confirmation(Hash blockHash, long height, int index, long confirmations, long blockTime) {}

  /** A transaction, confirmed in the best chain or pending in the mempool. */
  public record TxView(Transaction tx, Optional<Confirmation> confirmation) {}

  public Optional<TxView> transaction(Hash txid) {
    // The chain first: between a block's commit and the mempool's cleanup, a mined transaction
    // is briefly in both, and confirmed is the truth.
    Optional<ChainStore.ConfirmedTransaction> confirmed = store.confirmedTransaction(txid);
    if (confirmed.isEmpty()) {
      return mempool.get(txid).map(t -> new TxView(t, Optional.empty()));
    }
    // The transaction comes from its index entry and the block time from the block's header
    // (cached): neither reads the block body.
    TxLocation l = confirmed.get().location();
    Optional<BlockHeader> block = header(l.blockHash());
    if (block.isEmpty()) {
      return Optional.empty();
    }
    Transaction tx = confirmed.get().tx();
    long confirmations = Math.max(0, chain.tip().height() - l.height() + 1);
    Confirmation c = new Confirmation(l.blockHash(), l.height(), l.index(), confirmations, block.get().timestamp());
    return Optional.of(new TxView(tx, Optional.of(c)));
  }

  /** An indexed block's header. */
  Optional<BlockHeader> header(Hash hash) {
    return headers.get(hash, h -> store.indexEntry(h).map(BlockIndexEntry::header));
  }

  /** A stored block with its place relative to the best chain. */
  public record BlockView(Block block, BlockIndexEntry entry, boolean inBestChain, long confirmations) {
    public BlockSummary summary() {
      return new BlockSummary(block.header(), block.transactions().size(), block.size(), entry, inBestChain, confirmations);
    }
  }

  /** A stored block's header, transaction count and size with its place relative to the best chain. */
  public record BlockSummary(
      BlockHeader header, int txCount, int size, BlockIndexEntry entry, boolean inBestChain, long confirmations) {}

  /** What {@link #block} tells without decoding the block's transactions (see {@link #transaction}). */
  public Optional<BlockSummary> blockSummary(Hash hash) {
    Optional<BlockIndexEntry> entry = store.indexEntry(hash);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    return store.bodyShape(hash).map(shape -> summary(shape, entry.get()));
  }

  private BlockSummary summary(ChainStore.BodyShape shape, BlockIndexEntry entry) {
    boolean best = store.isOnMainChain(entry);
    long confirmations = best ? chain.tip().height() - entry.height() + 1 : 0;
    return new BlockSummary(entry.header(), shape.transactionCount(), shape.size(), entry, best, Math.max(0, confirmations));
  }

  public Optional<BlockView> block(Hash hash) {
    // The store's index, not the chain's tree: readers must not queue behind block validation.
    Optional<BlockIndexEntry> entry = store.indexEntry(hash);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    return store.bodyToRead(hash).map(b -> view(b, entry.get()));
  }

  public Optional<BlockView> blockAtHeight(long height) {
    return store.mainChainHash(height).flatMap(this::block);
  }

  private BlockView view(Block block, BlockIndexEntry entry) {
    boolean best = store.isOnMainChain(entry);
    long confirmations = best ? chain.tip().height() - entry.height() + 1 : 0;
    return new BlockView(block, entry, best, Math.max(0, confirmations));
  }

  /**
   * The best-chain child of a best-chain block: empty for the tip, for a block off the best chain,
   * and if a reorganisation since {@code v} was read put another block at the next height.
   */
  public Optional<Hash> nextBest(BlockSummary v) {
    if (!v.inBestChain()) {
      return Optional.empty();
    }
    return store.mainChainEntry(v.entry().height() + 1)
        .filter(e -> e.header().previousHash().equals(v.entry().hash()))
        .map(BlockIndexEntry::hash);
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
    return store.bodyToRead(l.blockHash())
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
  public List<BlockSummary> bestChainBlocksDown(long startHeight, int count) {
    List<BlockSummary> out = new ArrayList<>();
    int n = Math.min(Math.max(count, 0), MAX_BLOCKS);
    for (long h = startHeight; h >= 0 && out.size() < n; h--) {
      Optional<BlockSummary> view = store.mainChainHash(h).flatMap(this::blockSummary);
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
    Optional<BlockHeader> h = Optional.of(entry.header());
    while (h.isPresent() && timestamps.size() < HeaderRules.MEDIAN_TIME_SPAN) {
      BlockHeader header = h.get();
      timestamps.add(header.timestamp());
      // The genesis block's previous-hash field holds the parameter commitment, not a block.
      h = header.height() == 0 ? Optional.empty() : header(header.previousHash());
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

  // ---- address history -----------------------------------------------------------------------

  /** An address's mempool transactions listed at most, the most recent (as in Esplora). */
  public static final int MAX_PENDING_PAGE = 50;

  /** Pages of address history hold at most this many transactions. */
  public static final int MAX_HISTORY_PAGE = 50;

  /**
   * Up to {@code limit} confirmed transactions touching {@code address}, newest first, after the
   * cursor {@code afterTxid} (exclusive; empty: from the newest). Empty result if the cursor is not
   * in the address's history. O(limit) through the address index.
   */
  public Optional<List<TxView>> addressHistory(Address address, Optional<Hash> afterTxid, int limit) {
    long before = Long.MAX_VALUE;
    if (afterTxid.isPresent()) {
      Optional<Long> seq = store.addressTxSequence(address, afterTxid.get());
      if (seq.isEmpty()) {
        return Optional.empty();
      }
      before = seq.get();
    }
    List<TxView> out = new ArrayList<>();
    for (dev.cairn.ledger.store.AddressTx entry : store.addressHistory(address, before, Math.min(limit, MAX_HISTORY_PAGE))) {
      transaction(entry.txid()).ifPresent(out::add);
    }
    return Optional.of(out);
  }

  /** Mempool transactions touching {@code address} (queued ones included), newest first, at most {@code limit}. */
  public List<Transfer> pendingFor(Address address, int limit) {
    List<Mempool.Entry> touching = mempool.touching(address);
    return touching.subList(0, Math.min(touching.size(), Math.max(limit, 0))).stream().map(Mempool.Entry::tx).toList();
  }

  // ---- mempool and fees ----------------------------------------------------------------------

  /** A fee-rate bucket: transactions paying at least {@code minFeeRate} units per byte (and less than the bucket above). */
  public record FeeBucket(double minFeeRate, int count, long bytes) {}

  /** What the mempool holds, with its fee-rate histogram (highest rates first). */
  public record MempoolSummary(int count, long bytes, Amount totalFee, List<FeeBucket> histogram) {}

  private static final double[] BUCKET_EDGES = {1000, 500, 300, 200, 150, 100, 75, 50, 40, 30, 25, 20, 15, 12, 10, 5, 2, 1, 0};

  public MempoolSummary mempoolSummary() {
    List<Mempool.Entry> entries = mempool.entries();
    int[] counts = new int[BUCKET_EDGES.length];
    long[] bytes = new long[BUCKET_EDGES.length];
    long totalBytes = 0;
    long totalFee = 0;
    for (Mempool.Entry e : entries) {
      double rate = feeRate(e.tx());
      int b = 0;
      while (b < BUCKET_EDGES.length - 1 && rate < BUCKET_EDGES[b]) {
        b++;
      }
      counts[b]++;
      bytes[b] += e.tx().size();
      totalBytes += e.tx().size();
      totalFee += e.tx().fee().units();
    }
    List<FeeBucket> histogram = new ArrayList<>();
    for (int b = 0; b < BUCKET_EDGES.length; b++) {
      if (counts[b] > 0) {
        histogram.add(new FeeBucket(BUCKET_EDGES[b], counts[b], bytes[b]));
      }
    }
    return new MempoolSummary(entries.size(), totalBytes, Amount.units(Math.min(totalFee, Amount.MAX_MONEY)), histogram);
  }

  /** The most recent mempool transactions, newest first. */
  public List<Transfer> recentMempool(int limit) {
    return mempool.recent(limit).stream().map(Mempool.Entry::tx).toList();
  }

  static double feeRate(Transfer t) {
    return (double) t.fee().units() / t.size();
  }

  /** Confirmation targets the fee estimates are given for, in blocks. */
  public static final List<Integer> FEE_TARGETS = List.of(1, 2, 3, 6, 12, 24, 144);

  /**
   * Fee-rate estimates (base units per byte) per confirmation target, from the mempool: to be in
   * one of the next n blocks, a transaction must outbid the transaction that sits at n blocks'
   * worth of bytes when the mempool is ordered by fee rate (as the block assembler orders it); if
   * the mempool fits in n blocks, the minimum relay fee is enough. Never below the minimum relay
   * fee. (docs/API.md, "GET /api/fee-estimates")
   */
  public java.util.SortedMap<Integer, Double> feeEstimates() {
    List<Mempool.Entry> entries = mempool.entries();
    entries.sort(java.util.Comparator.comparingDouble((Mempool.Entry e) -> feeRate(e.tx())).reversed());
    long perBlock = chain.spec().params().maxBlockSize() - BlockHeader.SIZE - 4 - dev.cairn.ledger.Coinbase.SIZE;
    double floor = mempool.policy().minFeePerByte();
    java.util.SortedMap<Integer, Double> out = new java.util.TreeMap<>();
    for (int target : FEE_TARGETS) {
      long capacity = perBlock * target;
      long used = 0;
      double estimate = floor;
      for (Mempool.Entry e : entries) {
        used += e.tx().size();
        if (used > capacity) {
          estimate = Math.max(floor, feeRate(e.tx()) + 1);
          break;
        }
      }
      out.put(target, estimate);
    }
    return out;
  }
}
