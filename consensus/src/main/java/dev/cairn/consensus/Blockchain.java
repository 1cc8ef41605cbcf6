package dev.cairn.consensus;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.StateCommitment;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.BlockStatus;
import dev.cairn.ledger.store.ChainStore;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's view of the chain: accepts blocks, keeps the block tree, and makes the fully valid
 * chain with the most work the best chain, reorganising when a heavier branch appears (first seen
 * wins a tie). A block that breaks a rule is marked invalid with all its descendants and the node
 * returns to the best valid chain; a body that fails its commitments (mutated) is dropped without
 * marking anything. Each connect and disconnect is one atomic store batch, and the constructor
 * re-activates the best valid chain, so a kill at any point (mid-reorg too) resumes correctly.
 *
 * <p>Thread-safety: all state changes hold this object's monitor (the chain lock). {@link #tip()}
 * is lock-free. Listeners run under the lock.
 */
public final class Blockchain {
  private static final Logger LOG = LoggerFactory.getLogger(Blockchain.class);

  /** What became of a block handed to {@link #processBlock}. */
  public enum Outcome {
    /** The block is on the best chain now. */
    CONNECTED,
    /** Valid so far and stored, on a branch with no more work than the best chain. */
    SIDE_CHAIN,
    /** The block was already stored. */
    ALREADY_KNOWN
  }

  public record BlockResult(Outcome outcome, BlockIndexEntry tip) {}

  private final ChainStore store;
  private final ChainSpec spec;
  private final HeaderRules headerRules;
  private final StateTransition transition;
  private final SignatureVerifier verifier;
  private final TimeSource time;
  private final BlockTree tree = new BlockTree();
  private final TreeSet<BlockTree.Node> candidates =
      new TreeSet<>(
          Comparator.comparing((BlockTree.Node n) -> n.entry().chainWork())
              .reversed()
              .thenComparingLong(BlockTree.Node::sequence));
  private final List<ChainListener> listeners = new CopyOnWriteArrayList<>();
  private volatile ValidationObserver observer = ValidationObserver.NONE;
  /** Why blocks failed during the current activation, to report them to their submitter. */
  private final Map<Hash, RejectedException> failures = new HashMap<>();
  private BlockTree.Node tipNode;
  private volatile BlockIndexEntry tip;
  /**
   * Where downloads head: the indexed header with the most work (not known invalid), or for a while
   * the chain a peer has just offered ({@link #aimDownloadAt}).
   */
  private BlockTree.Node bestHeader;
  /**
   * {@link #bestHeader} is the heaviest indexed header, not a chain a peer just offered (see
   * {@link #aimDownloadAt}).
   */
  private boolean bestHeaderIsHeaviest = true;
  /** The branch from the fork with the best chain up to {@link #bestHeader}, cached. */
  private List<BlockTree.Node> downloadPath;
  /** A block was connected or disconnected since listeners last heard {@code tipChanged}. */
  private boolean tipMoved;
  /**
   * The block {@link #processBlock} is handling, while it activates the best chain: connected as
   * it is rather than read back from the store and decoded again (its stored body is its encoding).
   */
  private Block arriving;
  /**
   * Signature checks of {@link #arriving}, started before it is stored when it extends the tip (so
   * will be connected at once): they run on the verification threads during the two synced writes
   * that store it.
   */
  private Optional<SignatureVerifier.Pending> arrivingSignatures = Optional.empty();

  public Blockchain(ChainStore store, TimeSource time, SignatureVerifier verifier) {
    this.store = store;
    this.spec = store.spec();
    this.headerRules = new HeaderRules(spec);
    this.transition = new StateTransition(spec.params());
    this.verifier = verifier;
    this.time = time;
    List<BlockIndexEntry> entries = new ArrayList<>();
    store.forEachIndexEntry(entries::add);
    tree.addAll(entries);
    tipNode = tree.get(store.tip().hash()).orElseThrow(() -> new IllegalStateException("tip not in the block tree"));
    tip = tipNode.entry();
    rebuildCandidates();
    synchronized (this) {
      activateBestChain();
    }
    LOG.info("chain {} loaded: {} blocks indexed, tip {} at height {}", spec.chainId(), tree.size(), tip.hash(), tip.height());
  }

  public ChainSpec spec() {
    return spec;
  }

  public ChainStore store() {
    return store;
  }

  public HeaderRules headerRules() {
    return headerRules;
  }

  public void addListener(ChainListener listener) {
    listeners.add(listener);
  }

  /** Sets who hears validation outcomes and timings (metrics); {@link ValidationObserver#NONE} by default. */
  public void setObserver(ValidationObserver observer) {
    this.observer = java.util.Objects.requireNonNull(observer);
  }

  /** The best chain's tip. Lock-free. */
  public BlockIndexEntry tip() {
    return tip;
  }

  /** The index entry of any known block. */
  public synchronized Optional<BlockIndexEntry> entry(Hash hash) {
    return tree.get(hash).map(BlockTree.Node::entry);
  }

  /** The target the next block on the tip must carry. */
  public synchronized CompactTarget nextTarget() {
    return headerRules.expectedTarget(tipNode.entry().header());
  }

  /** Median time past of the tip: the next block's timestamp must be above it. */
  public synchronized long medianTimePast() {
    return HeaderRules.medianTimePast(recentTimestamps(tipNode));
  }

  private static List<Long> recentTimestamps(BlockTree.Node node) {
    List<Long> out = new ArrayList<>(HeaderRules.MEDIAN_TIME_SPAN);
    Optional<BlockTree.Node> n = Optional.of(node);
    while (n.isPresent() && out.size() < HeaderRules.MEDIAN_TIME_SPAN) {
      out.add(n.get().entry().header().timestamp());
      n = n.get().parent();
    }
    return out;
  }

  /**
   * Validates and stores a block, then activates the best chain. Throws a {@link
   * RejectedException} with the rule's reason if the block is invalid, mutated, too new, or its
   * parent is unknown.
   */
  public synchronized BlockResult processBlock(Block block) throws RejectedException {
    try {
      return processBlockObserved(block);
    } catch (RejectedException e) {
      observer.blockRejected(e.reason());
      throw e;
    }
  }

  private BlockResult processBlockObserved(Block block) throws RejectedException {
    Hash hash = block.hash();
    Optional<BlockTree.Node> known = tree.get(hash);
    if (known.isPresent() && known.get().entry().status().isFailed()) {
      throw new RejectedException(Reason.KNOWN_INVALID, "block " + hash + " is known to be invalid");
    }
    if (known.isPresent() && known.get().entry().status().has(BlockStatus.HAVE_BODY)) {
      return new BlockResult(Outcome.ALREADY_KNOWN, tip);
    }
    BlockHeader header = block.header();
    headerRules.checkContextFree(header);
    BlockTree.Node parent =
        tree.get(header.previousHash())
            .orElseThrow(
                () -> new RejectedException(Reason.PREV_BLOCK_UNKNOWN, "parent " + header.previousHash() + " of " + hash + " is unknown"));
    if (parent.entry().status().isFailed()) {
      markNewFailed(header, BlockStatus.FAILED_PARENT);
      throw new RejectedException(Reason.PREV_BLOCK_INVALID, "parent of " + hash + " is invalid");
    }
    try {
      headerRules.checkContextual(header, parent.entry().header(), recentTimestamps(parent), time.nowSeconds());
    } catch (RejectedException e) {
      if (e.reason() != Reason.TIME_TOO_NEW) {
        recordInvalid(header, known, e.reason());
      }
      throw e;
    }
    BlockRules.checkCommitments(block, spec.params());
    try {
      BlockRules.checkStructure(block);
    } catch (RejectedException e) {
      recordInvalid(header, known, e.reason());
      throw e;
    }
    if (known.isEmpty()) {
      BigInteger work = parent.entry().chainWork().add(CompactTarget.workFor(header.target().toTarget()));
      if (work.compareTo(headerWorkThreshold()) <= 0) {
        throw new RejectedException(
            Reason.TOO_LITTLE_CHAINWORK, "block " + hash + " is on a branch with too little work to keep");
      }
    }
    // Only for a child of the tip: any other block may never be connected, and its signatures are
    // checked when (if) it is. A block that is not connected after all has its checks cancelled.
    arrivingSignatures =
        parent == tipNode ? Optional.of(verifier.start(block, spec.genesisHash())) : Optional.empty();
    BlockTree.Node node;
    try {
      store.indexHeader(header);
      BlockIndexEntry stored = store.storeBody(block);
      node = tree.add(stored);
      tree.update(stored);
      noteHeader(node);
      candidates.add(node);
      failures.clear();
      arriving = block;
      activateBestChain();
    } finally {
      arriving = null;
      arrivingSignatures.ifPresent(SignatureVerifier.Pending::cancel);
      arrivingSignatures = Optional.empty();
    }
    RejectedException failure = failures.get(hash);
    if (failure != null) {
      throw failure;
    }
    if (node.entry().status().isFailed()) {
      throw new RejectedException(Reason.PREV_BLOCK_INVALID, "an ancestor of " + hash + " is invalid");
    }
    boolean onBest = BlockTree.ancestor(tipNode, Math.min(node.height(), tipNode.height())) == node;
    return new BlockResult(onBest ? Outcome.CONNECTED : Outcome.SIDE_CHAIN, tip);
  }

  // ---- headers-first sync --------------------------------------------------------------------

  /**
   * Header chains need more work than this to enter the index: max(minimumChainWork, tip work - 144
   * blocks of the tip's work). A cheap fork, however long, cannot fill the disk.
   */
  public synchronized BigInteger headerWorkThreshold() {
    BlockIndexEntry t = tipNode.entry();
    BigInteger tipBlockWork;
    try {
      tipBlockWork = CompactTarget.workFor(t.header().target().toTarget());
    } catch (RejectedException e) {
      throw new IllegalStateException("the tip has an invalid target", e);
    }
    return t.chainWork().subtract(tipBlockWork.multiply(BigInteger.valueOf(144))).max(spec.params().minimumChainWork());
  }

  /**
   * Checks consecutive headers without indexing them: {@code pending} (already checked) then
   * {@code fresh}, the first of them a child of an indexed block. Returns the chain work at the last
   * header. Each header passes the context-free and contextual rules against its predecessor.
   */
  public synchronized BigInteger checkHeaders(List<BlockHeader> pending, List<BlockHeader> fresh) throws RejectedException {
    BlockHeader first = pending.isEmpty() ? fresh.get(0) : pending.get(0);
    BlockTree.Node base =
        tree.get(first.previousHash())
            .orElseThrow(() -> new RejectedException(Reason.PREV_BLOCK_UNKNOWN, "parent of " + first.hash() + " is unknown"));
    if (base.entry().status().isFailed()) {
      throw new RejectedException(Reason.PREV_BLOCK_INVALID, "headers build on an invalid block");
    }
    List<Long> window = recentTimestamps(base);
    java.util.Collections.reverse(window);
    BigInteger work = base.entry().chainWork();
    BlockHeader previous = base.entry().header();
    for (BlockHeader h : pending) {
      window.add(h.timestamp());
      work = work.add(CompactTarget.workFor(h.target().toTarget()));
      previous = h;
    }
    long now = time.nowSeconds();
    for (BlockHeader h : fresh) {
      Optional<BlockTree.Node> known = tree.get(h.hash());
      if (known.isPresent() && known.get().entry().status().isFailed()) {
        throw new RejectedException(Reason.KNOWN_INVALID, "header " + h.hash() + " is known to be invalid");
      }
      headerRules.checkContextFree(h);
      List<Long> recent = new ArrayList<>(window.subList(Math.max(0, window.size() - HeaderRules.MEDIAN_TIME_SPAN), window.size()));
      java.util.Collections.reverse(recent);
      headerRules.checkContextual(h, previous, recent, now);
      window.add(h.timestamp());
      work = work.add(CompactTarget.workFor(h.target().toTarget()));
      previous = h;
    }
    return work;
  }

  /**
   * A cursor at the indexed block {@code base}, to check a header chain building on it one header
   * at a time without keeping it ({@link HeaderCursor}).
   */
  public synchronized HeaderCursor headerCursor(Hash base) throws RejectedException {
    BlockTree.Node node =
        tree.get(base).orElseThrow(() -> new RejectedException(Reason.PREV_BLOCK_UNKNOWN, "block " + base + " is unknown"));
    if (node.entry().status().isFailed()) {
      throw new RejectedException(Reason.PREV_BLOCK_INVALID, "headers build on an invalid block");
    }
    return new HeaderCursor(base, node.entry().header(), recentTimestamps(node), node.entry().chainWork(), headerRules);
  }

  /** Local time, as the header rules see it (seconds). */
  public long nowSeconds() {
    return time.nowSeconds();
  }

  /**
   * Indexes consecutive headers (the first a child of an indexed block) whose chain a headers
   * presync has shown to pass {@link #headerWorkThreshold()} as a whole: each is checked against
   * the rules, but the batch need not pass the threshold by itself.
   */
  public synchronized void acceptPresyncedHeaders(List<BlockHeader> headers) throws RejectedException {
    if (headers.isEmpty()) {
      return;
    }
    checkHeaders(List.of(), headers);
    index(headers);
  }

  /**
   * Checks and indexes consecutive headers (the first a child of an indexed block) in one batch,
   * if their chain's work passes {@link #headerWorkThreshold()}.
   */
  public synchronized void acceptHeaders(List<BlockHeader> headers) throws RejectedException {
    if (headers.isEmpty()) {
      return;
    }
    BigInteger work = checkHeaders(List.of(), headers);
    if (work.compareTo(headerWorkThreshold()) <= 0) {
      throw new RejectedException(Reason.TOO_LITTLE_CHAINWORK, headers.size() + " headers with too little work to index");
    }
    index(headers);
  }

  private void index(List<BlockHeader> headers) {
    BlockTree.Node last = null;
    for (BlockIndexEntry e : store.indexHeaders(headers)) {
      last = tree.add(e);
      noteHeader(last);
    }
    aimDownloadAt(last);
  }

  /**
   * Downloads head for the chain a peer has just offered when it beats the tip, even if a heavier
   * header chain is indexed: that one may have come from a peer that is gone (before a restart,
   * say), and if nobody serves its bodies the node would wait for them forever instead of following
   * the chains it is offered. Once this chain is in, {@link #blocksToDownload} goes back to the
   * heaviest indexed header.
   */
  private void aimDownloadAt(BlockTree.Node n) {
    if (n != null && n != bestHeader && !n.entry().status().isFailed()
        && n.entry().chainWork().compareTo(tipNode.entry().chainWork()) > 0) {
      bestHeader = n;
      bestHeaderIsHeaviest = false;
      downloadPath = null;
    }
  }

  private void noteHeader(BlockTree.Node n) {
    if (bestHeader == null || n.entry().chainWork().compareTo(bestHeader.entry().chainWork()) > 0) {
      bestHeader = n;
      downloadPath = null;
    }
  }

  /**
   * Blocks of the best header chain whose bodies are missing, lowest first, at most {@code max}:
   * what to download next.
   */
  public synchronized List<BlockIndexEntry> blocksToDownload(int max) {
    List<BlockIndexEntry> out = new ArrayList<>();
    if (bestHeader == null || bestHeader.entry().status().isFailed()
        || (!bestHeaderIsHeaviest && bestHeader.entry().chainWork().compareTo(tipNode.entry().chainWork()) <= 0)) {
      bestHeader = null;
      bestHeaderIsHeaviest = true;
      for (BlockTree.Node n : tree.all()) {
        if (!n.entry().status().isFailed() && (bestHeader == null || n.entry().chainWork().compareTo(bestHeader.entry().chainWork()) > 0)) {
          bestHeader = n;
        }
      }
      downloadPath = null;
    }
    if (bestHeader.entry().chainWork().compareTo(tipNode.entry().chainWork()) <= 0) {
      return out;
    }
    // The cached branch stays valid while the tip walks along it: recomputing it per block would
    // make a long sync quadratic.
    int from = downloadPath == null ? -1 : positionOnPath(tipNode);
    if (from < 0) {
      BlockTree.Node fork = BlockTree.fork(tipNode, bestHeader);
      downloadPath = new ArrayList<>();
      for (BlockTree.Node n = bestHeader; n != fork; n = n.parent().orElseThrow()) {
        downloadPath.add(n);
      }
      downloadPath.add(fork);
      java.util.Collections.reverse(downloadPath);
      from = 0;
    }
    for (int i = from + 1; i < downloadPath.size() && out.size() < max; i++) {
      BlockTree.Node n = downloadPath.get(i);
      BlockStatus s = n.entry().status();
      if (s.isFailed()) {
        break;
      }
      if (!s.has(BlockStatus.HAVE_BODY)) {
        out.add(n.entry());
      }
    }
    return out;
  }

  /** Where {@code node} sits on the cached download path (whose first element is its base), or -1. */
  private int positionOnPath(BlockTree.Node node) {
    if (downloadPath.isEmpty()) {
      return -1;
    }
    long i = node.height() - downloadPath.get(0).height();
    return i >= 0 && i < downloadPath.size() && downloadPath.get((int) i) == node ? (int) i : -1;
  }

  /** A block locator of the best chain: the tip, the 10 before it, then exponentially sparser, then genesis. */
  public synchronized List<Hash> locator() {
    List<Hash> out = new ArrayList<>();
    long step = 1;
    for (long h = tipNode.height(); h > 0; h -= step) {
      out.add(BlockTree.ancestor(tipNode, h).hash());
      if (out.size() >= 10) {
        step *= 2;
      }
    }
    out.add(spec.genesisHash());
    return out;
  }

  /**
   * Best-chain headers after the first locator hash on the best chain (genesis if none), up to
   * {@code max} and up to {@code stop} inclusive.
   */
  public synchronized List<BlockHeader> headersAfter(List<Hash> locator, Optional<Hash> stop, int max) {
    long start = 0;
    for (Hash h : locator) {
      Optional<BlockTree.Node> n = tree.get(h);
      if (n.isPresent() && n.get().height() <= tipNode.height() && BlockTree.ancestor(tipNode, n.get().height()) == n.get()) {
        start = n.get().height();
        break;
      }
    }
    List<BlockHeader> out = new ArrayList<>();
    long end = Math.min(tipNode.height(), start + max);
    if (end <= start) {
      return out;
    }
    BlockTree.Node n = BlockTree.ancestor(tipNode, end);
    for (; n.height() > start; n = n.parent().orElseThrow()) {
      out.add(n.entry().header());
    }
    java.util.Collections.reverse(out);
    if (stop.isPresent()) {
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).hash().equals(stop.get())) {
          return new ArrayList<>(out.subList(0, i + 1));
        }
      }
    }
    return out;
  }

  /**
   * Up to {@code max} best-chain headers ending at {@code tipHash}, stopping below the first one
   * {@code known} already (oldest first): what a peer needs to follow a new tip.
   */
  public synchronized List<BlockHeader> headersEndingAt(Hash tipHash, int max, java.util.function.Predicate<Hash> known) {
    List<BlockHeader> out = new ArrayList<>();
    Optional<BlockTree.Node> start = tree.get(tipHash);
    for (Optional<BlockTree.Node> n = start; n.isPresent() && out.size() < max && n.get().height() > 0; n = n.get().parent()) {
      if (known.test(n.get().hash())) {
        break;
      }
      out.add(n.get().entry().header());
    }
    java.util.Collections.reverse(out);
    return out;
  }

  /**
   * Records that the block of {@code header} breaks a rule: an indexed header (headers first) is
   * marked failed with its descendants, as if its body had failed to connect; a new one is indexed
   * as failed.
   */
  private void recordInvalid(BlockHeader header, Optional<BlockTree.Node> known, Reason reason) {
    if (known.isPresent()) {
      markFailed(known.get(), reason);
    } else {
      markNewFailed(header, BlockStatus.FAILED);
    }
  }

  /** Records a header that breaks a rule but carries real proof of work, so it is not re-checked. */
  private void markNewFailed(BlockHeader header, int flag) {
    if (tree.get(header.hash()).isPresent()) {
      return;
    }
    // The index and the tree's ancestor walks need height = parent's + 1: a header with any other
    // height is not recorded (indexHeader would throw); if it comes back it fails again, cheaply.
    Optional<BlockTree.Node> parent = tree.get(header.previousHash());
    if (parent.isEmpty() || header.height() != parent.get().height() + 1) {
      return;
    }
    BlockIndexEntry entry = store.indexHeader(header);
    BlockIndexEntry failed = entry.withStatus(entry.status().with(flag));
    store.putIndexEntry(failed);
    tree.add(failed);
  }

  /**
   * Marks a block invalid by hand (regtest and operators): it and its descendants leave the best
   * chain, and the best remaining valid chain is activated.
   */
  public synchronized void invalidateBlock(Hash hash) throws RejectedException {
    BlockTree.Node node = requireNode(hash);
    if (node.height() == 0) {
      throw new IllegalArgumentException("the genesis block cannot be invalidated");
    }
    while (BlockTree.ancestor(tipNode, Math.min(node.height(), tipNode.height())) == node && tipNode.height() >= node.height()) {
      disconnectTip();
    }
    markFailed(node, null);
    rebuildCandidates();
    activateBestChain();
  }

  /** Clears invalid marks set on a block, its ancestors and descendants, then re-activates. */
  public synchronized void reconsiderBlock(Hash hash) throws RejectedException {
    BlockTree.Node node = requireNode(hash);
    List<BlockTree.Node> affected = tree.subtree(node);
    for (Optional<BlockTree.Node> n = node.parent(); n.isPresent(); n = n.get().parent()) {
      affected.add(n.get());
    }
    for (BlockTree.Node n : affected) {
      BlockStatus status = n.entry().status();
      if (status.isFailed()) {
        setStatus(n, status.without(BlockStatus.FAILED).without(BlockStatus.FAILED_PARENT));
      }
    }
    rebuildCandidates();
    activateBestChain();
  }

  private BlockTree.Node requireNode(Hash hash) throws RejectedException {
    return tree.get(hash)
        .orElseThrow(() -> new RejectedException(Reason.PREV_BLOCK_UNKNOWN, "block " + hash + " is unknown"));
  }

  private void rebuildCandidates() {
    candidates.clear();
    for (BlockTree.Node n : tree.all()) {
      BlockStatus s = n.entry().status();
      if (s.has(BlockStatus.HAVE_BODY) && !s.isFailed()) {
        candidates.add(n);
      }
    }
  }

  /** Moves the best chain to the most-work fully valid branch we hold the bodies of. */
  private void activateBestChain() {
    BlockTree.Node startTip = tipNode;
    while (true) {
      Optional<BlockTree.Node> best = bestCandidate();
      if (best.isEmpty()) {
        break;
      }
      moveTo(best.get());
    }
    // First seen wins a tie: a reorganisation that failed half-way can stop on the failed branch
    // with exactly the work of the tip it left, which was seen earlier. Go back to it.
    if (tipNode != startTip
        && tipNode.entry().chainWork().equals(startTip.entry().chainWork())
        && startTip.sequence() < tipNode.sequence()
        && branchUsable(startTip)) {
      moveTo(startTip);
    }
    // Also when the tip ends where it started (a reorganisation that failed half-way, or
    // invalidateBlock's own disconnects): listeners saw blocks come and go and must settle.
    if (tipMoved) {
      tipMoved = false;
      for (ChainListener l : listeners) {
        l.tipChanged(tip);
      }
    }
  }

  /** Disconnects to the fork with {@code target}, then connects towards it until a block fails. */
  private void moveTo(BlockTree.Node target) {
    BlockTree.Node fork = BlockTree.fork(tipNode, target);
    if (fork != tipNode) {
      LOG.info("reorganising: {} blocks back to {} at height {}, then {} forward to {}",
          tipNode.height() - fork.height(), fork.hash(), fork.height(), target.height() - fork.height(), target.hash());
    }
    while (tipNode != fork) {
      disconnectTip();
    }
    List<BlockTree.Node> path = new ArrayList<>();
    for (BlockTree.Node n = target; n != fork; n = n.parent().orElseThrow()) {
      path.add(n);
    }
    Collections.reverse(path);
    for (BlockTree.Node n : path) {
      try {
        connect(n);
      } catch (RejectedException e) {
        LOG.warn("block {} at height {} is invalid: {}", n.hash(), n.height(), e.getMessage());
        failures.put(n.hash(), e);
        markFailed(n, e.reason());
        return;
      } catch (RuntimeException e) {
        // Not the block's fault as far as anyone knows (a failing disk, a bug): it is not marked
        // invalid, but it and what builds on it stop being candidates, or every later activation
        // would try it again and fail the same way. A restart or reconsider-block tries it again.
        tree.subtree(n).forEach(candidates::remove);
        throw e;
      }
    }
  }

  /**
   * The candidate with the most work (earliest seen on a tie) that beats the tip and whose whole
   * branch is stored and not known invalid; candidates below the tip's work are dropped.
   */
  private Optional<BlockTree.Node> bestCandidate() {
    for (BlockTree.Node c : new ArrayList<>(candidates)) {
      if (c.entry().chainWork().compareTo(tipNode.entry().chainWork()) <= 0) {
        candidates.tailSet(c, true).clear();
        return Optional.empty();
      }
      if (branchUsable(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  private boolean branchUsable(BlockTree.Node candidate) {
    BlockTree.Node fork = BlockTree.fork(tipNode, candidate);
    for (BlockTree.Node n = candidate; n != fork; n = n.parent().orElseThrow()) {
      BlockStatus s = n.entry().status();
      if (!s.has(BlockStatus.HAVE_BODY) || s.isFailed()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Connects a child of the tip. The signature checks run on the verification threads while this
   * thread applies the state transition, checks the state commitment and builds the store batch;
   * the batch is written only once every signature has passed. Rule order is unchanged: a bad
   * signature is the reason even when the state transition fails too.
   */
  private void connect(BlockTree.Node node) throws RejectedException {
    boolean isArriving = arriving != null && arriving.hash().equals(node.hash());
    Block block =
        isArriving
            ? arriving
            : store.body(node.hash()).orElseThrow(() -> new IllegalStateException("no body for candidate " + node.hash()));
    long started = System.nanoTime();
    SignatureVerifier.Pending signatures =
        (isArriving ? arrivingSignatures : Optional.<SignatureVerifier.Pending>empty())
            .orElseGet(() -> verifier.start(block, spec.genesisHash()));
    try {
      connectVerifying(node, block, signatures, started);
    } finally {
      signatures.cancel();
    }
  }

  private void connectVerifying(BlockTree.Node node, Block block, SignatureVerifier.Pending signatures, long started)
      throws RejectedException {
    ChainStore.PreparedConnect prepared;
    try {
      StateTransition.Changes changes = transition.applyTracked(block, store::account, this::coinbaseAt);
      Hash commitment = StateCommitment.of(changes.changes());
      if (!commitment.equals(block.header().stateCommitment())) {
        throw new RejectedException(
            Reason.BAD_STATE_COMMITMENT, "state commitment " + block.header().stateCommitment() + ", computed " + commitment);
      }
      prepared = store.prepareConnect(block, changes.changes(), changes.previous()::get);
    } catch (RejectedException | RuntimeException e) {
      // The stateless checks come first by rule, and the state transition assumes they passed (an
      // amount plus fee above MAX_MONEY, say, throws unchecked there): their failure is the
      // reason, whatever else went wrong.
      signatures.await();
      throw e;
    }
    BlockIndexEntry entry;
    long validated;
    try (prepared) {
      signatures.await();
      validated = System.nanoTime();
      entry = prepared.commit();
    }
    observer.blockConnected(validated - started, System.nanoTime() - validated, block.transactions().size());
    tree.update(entry);
    candidates.remove(node);
    tipNode = node;
    tip = entry;
    tipMoved = true;
    for (ChainListener l : listeners) {
      l.blockConnected(block, entry);
    }
  }

  private void disconnectTip() {
    BlockTree.Node old = tipNode;
    Block block = store.disconnectTip();
    tipNode = old.parent().orElseThrow();
    tip = tipNode.entry();
    tipMoved = true;
    candidates.add(old);
    for (ChainListener l : listeners) {
      l.blockDisconnected(block, old.entry());
    }
  }

  private Coinbase coinbaseAt(long height) {
    Hash hash =
        store.mainChainHash(height).orElseThrow(() -> new IllegalStateException("no best-chain block at height " + height));
    Block block = store.body(hash).orElseThrow(() -> new IllegalStateException("no body for " + hash));
    return (Coinbase) block.transactions().get(0);
  }

  /** Marks a node invalid (FAILED) and every descendant FAILED_PARENT, persistently. */
  private void markFailed(BlockTree.Node node, Reason reason) {
    for (BlockTree.Node n : tree.subtree(node)) {
      int flag = n == node ? BlockStatus.FAILED : BlockStatus.FAILED_PARENT;
      setStatus(n, n.entry().status().with(flag));
      candidates.remove(n);
    }
  }

  private void setStatus(BlockTree.Node node, BlockStatus status) {
    BlockIndexEntry updated = node.entry().withStatus(status);
    store.putIndexEntry(updated);
    tree.update(updated);
    if (node == tipNode) {
      tip = updated;
    }
  }
}
