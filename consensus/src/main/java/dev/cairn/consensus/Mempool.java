package dev.cairn.consensus;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.ChainStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Transactions waiting for a block, for an account model: per sender, a chain of consecutive
 * nonces starting at the account's next nonce (pending: mined and relayed), and a few queued
 * behind a nonce gap (kept until the gap fills, then promoted; evicted first when space runs out). Admission checks in cost order: kind, duplicates,
 * fee, then the sender's state, then capacity, and the signature last (skipped when the signature
 * cache knows the transaction). Block templates take transactions by fee rate while keeping each
 * sender's nonce order. After each block the pool drops what the chain consumed or made invalid;
 * transactions of disconnected blocks come back in block order.
 *
 * <p>Thread-safe: every method holds the mempool lock. Never takes the chain lock.
 */
public final class Mempool implements ChainListener {
  /** A pooled transaction with when it arrived. */
  public record Entry(Transfer tx, long arrivalSeconds, long sequence) {
    /** Fee per byte, scaled by 1000 to compare without floating point. */
    long feeRateMilli() {
      return tx.fee().units() * 1000 / tx.size();
    }
  }

  /** Counts for the API and metrics. */
  public record Stats(int count, long bytes, Amount totalFee) {}

  private static final Comparator<Entry> BY_FEE_RATE =
      Comparator.comparingLong(Entry::feeRateMilli).reversed().thenComparingLong(Entry::sequence);
  /** Cheapest first (ties: newest first): the order in which a full pool makes room. */
  private static final Comparator<Entry> CHEAPEST_FIRST = BY_FEE_RATE.reversed();

  private final ChainStore store;
  private final MempoolPolicy policy;
  private final SignatureCache signatures;
  private final TimeSource time;
  private final Map<Hash, Entry> byId = new HashMap<>();
  private final Map<Address, TreeMap<Long, Entry>> bySender = new HashMap<>();
  /** Transactions waiting behind a nonce gap, per sender: neither mined nor relayed until it fills. */
  private final Map<Address, TreeMap<Long, Entry>> queued = new HashMap<>();
  /** Every entry of {@link #byId} by arrival sequence: the explorer's newest-first views read a page of it. */
  private final TreeMap<Long, Entry> bySequence = new TreeMap<>();
  /** Queued entries, cheapest first: evicted first when the pool is full. */
  private final TreeSet<Entry> queuedCheapestFirst = new TreeSet<>(CHEAPEST_FIRST);
  /** Pending (not queued) entries, cheapest first: where a full pool finds the chain tails to evict. */
  private final TreeSet<Entry> pendingCheapestFirst = new TreeSet<>(CHEAPEST_FIRST);
  /** Every entry of {@link #byId} by recipient, then arrival sequence. */
  private final Map<Address, TreeMap<Long, Entry>> byRecipient = new HashMap<>();
  private final List<MempoolListener> listeners = new CopyOnWriteArrayList<>();
  private volatile ValidationObserver observer = ValidationObserver.NONE;
  private final List<Transfer> disconnected = new ArrayList<>();
  /** Addresses whose state a reorganisation in progress changed: revalidated once it settles. */
  private final Set<Address> touchedByReorg = new HashSet<>();
  /** Blocks were disconnected and the chain has not settled yet (no tipChanged so far). */
  private boolean reorganising;
  private long bytes;
  private long nextSequence;

  public Mempool(ChainStore store, MempoolPolicy policy, SignatureCache signatures, TimeSource time) {
    this.store = store;
    this.policy = policy;
    this.signatures = signatures;
    this.time = time;
  }

  public void addListener(MempoolListener l) {
    listeners.add(l);
  }

  /** Sets who hears admissions and refusals (metrics); {@link ValidationObserver#NONE} by default. */
  public void setObserver(ValidationObserver observer) {
    this.observer = java.util.Objects.requireNonNull(observer);
  }

  public MempoolPolicy policy() {
    return policy;
  }

  /** Admits {@code tx} or throws with the reason it was refused. */
  public synchronized void add(Transaction tx) throws RejectedException {
    try {
      admit(tx);
    } catch (RejectedException e) {
      observer.transactionRejected(e.reason());
      throw e;
    }
    observer.transactionAccepted();
  }

  /** {@link #add} without telling the observer (transactions coming back from disconnected blocks). */
  private void admit(Transaction tx) throws RejectedException {
    if (!(tx instanceof Transfer t)) {
      throw new RejectedException(Reason.NOT_STANDALONE, tx.id() + " is not a transfer");
    }
    if (byId.containsKey(t.id()) || store.txLocation(t.id()).isPresent()) {
      throw new RejectedException(Reason.TX_ALREADY_KNOWN, t.id() + " is already known");
    }
    Amount minFee = policy.minFee(t.size());
    if (t.fee().lessThan(minFee)) {
      throw new RejectedException(Reason.FEE_TOO_LOW, "fee " + t.fee() + " below the minimum " + minFee);
    }
    try {
      t.amount().plus(t.fee());
    } catch (Amount.AmountOutOfRangeException e) {
      throw new RejectedException(Reason.AMOUNT_OUT_OF_RANGE, "amount + fee of " + t.id() + " exceeds MAX_MONEY");
    }
    Address sender = t.senderAddress();
    Account account = store.account(sender);
    TreeMap<Long, Entry> chain = bySender.getOrDefault(sender, new TreeMap<>());
    long next = account.nonce() + chain.size();
    if (t.nonce() < account.nonce()) {
      throw new RejectedException(
          Reason.NONCE_TOO_LOW, "nonce " + t.nonce() + " already used; the account's next is " + account.nonce());
    }
    TreeMap<Long, Entry> waiting = queued.getOrDefault(sender, new TreeMap<>());
    Optional<Entry> replaced = Optional.ofNullable(chain.get(t.nonce()));
    boolean toQueue = false;
    if (replaced.isEmpty() && t.nonce() > next) {
      if (waiting.size() >= policy.maxQueuedPerSender() && !waiting.containsKey(t.nonce())) {
        throw new RejectedException(
            Reason.NONCE_TOO_FAR,
            "nonce " + t.nonce() + " leaves a gap; the sender's next is " + next
                + (policy.maxQueuedPerSender() > 0 ? " and its " + waiting.size() + " queued slots are full" : ""));
      }
      if (t.nonce() > next + policy.maxPerSender() + policy.maxQueuedPerSender()) {
        throw new RejectedException(Reason.NONCE_TOO_FAR, "nonce " + t.nonce() + " is too far beyond the sender's next " + next);
      }
      replaced = Optional.ofNullable(waiting.get(t.nonce()));
      toQueue = true;
    }
    if (replaced.isPresent()) {
      Amount old = replaced.get().tx().fee();
      long required = old.units() + (old.units() * policy.replacementPercent() + 99) / 100;
      if (t.fee().units() < Math.max(required, old.units() + 1)) {
        throw new RejectedException(
            Reason.FEE_TOO_LOW, "replacing nonce " + t.nonce() + " needs a fee of at least " + Amount.units(Math.max(required, old.units() + 1)));
      }
    } else if (toQueue) {
      // Waits behind the gap (checked above).
    } else if (chain.size() >= policy.maxPerSender()) {
      throw new RejectedException(
          Reason.NONCE_TOO_FAR, "sender already has " + chain.size() + " pending transactions");
    }
    if (toQueue) {
      // Queued transactions are checked against the balance alone; the chain check comes when
      // the gap fills and they are promoted.
      Amount cost = t.amount().plus(t.fee());
      if (account.balance().lessThan(cost)) {
        throw new RejectedException(Reason.INSUFFICIENT_BALANCE, "needs " + cost + ", the sender has " + account.balance());
      }
    } else {
      checkBalance(account, chain, t);
    }
    List<Entry> evict = makeRoom(t, replaced);
    // The signature before anything is evicted: a transaction that is then refused must not have
    // pushed others out.
    if (!signatures.contains(t.id())) {
      TransactionChecks.checkStateless(t, store.spec().genesisHash());
      signatures.add(t.id());
    }
    replaced.ifPresent(e -> remove(e, MempoolListener.Removal.REPLACED));
    evict.forEach(e -> remove(e, MempoolListener.Removal.EVICTED));
    if (toQueue) {
      Entry e = new Entry(t, time.nowSeconds(), nextSequence++);
      index(e);
      queuedCheapestFirst.add(e);
      queued.computeIfAbsent(sender, a -> new TreeMap<>()).put(t.nonce(), e);
    } else {
      insert(t);
      promote(sender);
    }
  }

  /** Moves a sender's queued transactions into its chain while they close the gap and are affordable. */
  private void promote(Address sender) {
    TreeMap<Long, Entry> waiting = queued.get(sender);
    if (waiting == null) {
      return;
    }
    Account account = store.account(sender);
    TreeMap<Long, Entry> chain = bySender.getOrDefault(sender, new TreeMap<>());
    waiting.headMap(account.nonce(), false).values().removeIf(e -> {
      if (unindex(e)) {
        removed(e, MempoolListener.Removal.NONCE_USED);
      }
      return true;
    });
    while (!waiting.isEmpty() && chain.size() < policy.maxPerSender()) {
      long next = account.nonce() + chain.size();
      Entry e = waiting.get(next);
      if (e == null) {
        break;
      }
      waiting.remove(next);
      boolean pooled = unindex(e);
      try {
        checkBalance(account, chain, e.tx());
      } catch (RejectedException unaffordable) {
        if (pooled) {
          removed(e, MempoolListener.Removal.UNAFFORDABLE);
        }
        break;
      }
      insert(e.tx());
      chain = bySender.get(sender);
    }
    if (waiting.isEmpty()) {
      queued.remove(sender);
    }
  }

  /** Adds {@code e} to the indexes every pooled entry is in, and counts its bytes. */
  private void index(Entry e) {
    byId.put(e.tx().id(), e);
    bySequence.put(e.sequence(), e);
    byRecipient.computeIfAbsent(e.tx().recipient(), a -> new TreeMap<>()).put(e.sequence(), e);
    bytes += e.tx().size();
  }

  /** Undoes {@link #index} (a queued entry leaving its queue, or any removal); false if {@code e} was not pooled. */
  private boolean unindex(Entry e) {
    if (byId.remove(e.tx().id()) == null) {
      return false;
    }
    bytes -= e.tx().size();
    bySequence.remove(e.sequence());
    queuedCheapestFirst.remove(e);
    pendingCheapestFirst.remove(e);
    TreeMap<Long, Entry> paying = byRecipient.get(e.tx().recipient());
    if (paying != null) {
      paying.remove(e.sequence());
      if (paying.isEmpty()) {
        byRecipient.remove(e.tx().recipient());
      }
    }
    return true;
  }

  /** The sender's balance must cover this and every earlier pending transaction. */
  private static void checkBalance(Account account, TreeMap<Long, Entry> chain, Transfer t) throws RejectedException {
    Amount cost = t.amount().plus(t.fee());
    if (account.balance().lessThan(cost)) {
      boolean immature = !account.balance().plus(account.immature()).lessThan(cost);
      throw new RejectedException(
          immature ? Reason.IMMATURE_SPEND : Reason.INSUFFICIENT_BALANCE,
          "needs " + cost + ", the sender has " + account.balance() + " spendable");
    }
    long before = 0;
    for (Entry e : chain.headMap(t.nonce(), false).values()) {
      before += e.tx().amount().units() + e.tx().fee().units();
    }
    if (account.balance().units() - before < cost.units()) {
      throw new RejectedException(
          Reason.PENDING_BALANCE, "needs " + cost + " after " + Amount.units(before) + " of pending transactions");
    }
  }

  /**
   * The lower-paying transactions (each from the end of its sender's chain) to evict so that
   * {@code t} fits, counting the room of the transaction it replaces, if any. Evicts nothing.
   */
  private List<Entry> makeRoom(Transfer t, Optional<Entry> replaced) throws RejectedException {
    long current = bytes - replaced.map(e -> (long) e.tx().size()).orElse(0L);
    if (current + t.size() <= policy.maxBytes()) {
      return List.of();
    }
    long rate = t.fee().units() * 1000 / t.size();
    // Queued transactions go first (they may never become executable), cheapest first; then the
    // tails of senders' chains, so no chain gets a hole. Both come from indexes kept in fee-rate
    // order, so making room visits only what it evicts (and a chain's non-tail entries on the way),
    // never the whole pool.
    long freed = 0;
    List<Entry> evict = new ArrayList<>();
    for (Entry e : queuedCheapestFirst) {
      if (current - freed + t.size() <= policy.maxBytes()) {
        break;
      }
      if (!e.tx().senderAddress().equals(t.senderAddress())) {
        evict.add(e);
        freed += e.tx().size();
      }
    }
    for (Entry e : pendingCheapestFirst) {
      if (current - freed + t.size() <= policy.maxBytes() || e.feeRateMilli() >= rate) {
        break;
      }
      Address sender = e.tx().senderAddress();
      if (sender.equals(t.senderAddress()) || bySender.get(sender).lastEntry().getValue() != e) {
        continue;
      }
      evict.add(e);
      freed += e.tx().size();
    }
    if (current - freed + t.size() > policy.maxBytes()) {
      throw new RejectedException(Reason.MEMPOOL_FULL, "the mempool is full of transactions paying at least as much");
    }
    return evict;
  }

  private void insert(Transfer t) {
    Entry e = new Entry(t, time.nowSeconds(), nextSequence++);
    index(e);
    pendingCheapestFirst.add(e);
    bySender.computeIfAbsent(t.senderAddress(), a -> new TreeMap<>()).put(t.nonce(), e);
    for (MempoolListener l : listeners) {
      l.transactionAdded(t);
    }
  }

  private void remove(Entry e, MempoolListener.Removal why) {
    if (!unindex(e)) {
      return;
    }
    Address sender = e.tx().senderAddress();
    for (Map<Address, TreeMap<Long, Entry>> table : List.of(bySender, queued)) {
      TreeMap<Long, Entry> chain = table.get(sender);
      if (chain != null && chain.get(e.tx().nonce()) == e) {
        chain.remove(e.tx().nonce());
        if (chain.isEmpty()) {
          table.remove(sender);
        }
      }
    }
    removed(e, why);
  }

  /** Tells the listeners that an admitted transaction left the pool. */
  private void removed(Entry e, MempoolListener.Removal why) {
    for (MempoolListener l : listeners) {
      l.transactionRemoved(e.tx(), why);
    }
  }

  public synchronized boolean contains(Hash txid) {
    return byId.containsKey(txid);
  }

  public synchronized Optional<Transfer> get(Hash txid) {
    return Optional.ofNullable(byId.get(txid)).map(Entry::tx);
  }

  public synchronized Stats stats() {
    long fees = 0;
    for (Entry e : byId.values()) {
      fees += e.tx().fee().units();
    }
    return new Stats(byId.size(), bytes, Amount.units(fees));
  }

  /** All entries, queued ones included, most recent first (for the explorer). O(pool size), no sorting. */
  public synchronized List<Entry> entries() {
    return new ArrayList<>(bySequence.descendingMap().values());
  }

  /** The {@code limit} most recent entries, queued ones included, most recent first. O(limit). */
  public synchronized List<Entry> recent(int limit) {
    List<Entry> out = new ArrayList<>(Math.min(Math.max(limit, 0), byId.size()));
    for (Entry e : bySequence.descendingMap().values()) {
      if (out.size() >= limit) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  /**
   * Entries sent by or paying {@code address}, queued ones included, most recent first; a payment
   * to oneself once. O(their number), not O(pool size).
   */
  public synchronized List<Entry> touching(Address address) {
    TreeMap<Long, Entry> found = new TreeMap<>();
    for (Map<Address, TreeMap<Long, Entry>> table : List.of(bySender, queued)) {
      TreeMap<Long, Entry> sent = table.get(address);
      if (sent != null) {
        sent.values().forEach(e -> found.put(e.sequence(), e));
      }
    }
    TreeMap<Long, Entry> paying = byRecipient.get(address);
    if (paying != null) {
      found.putAll(paying);
    }
    return new ArrayList<>(found.descendingMap().values());
  }

  /** The sender's pending transactions in nonce order. */
  public synchronized List<Transfer> pendingFrom(Address sender) {
    List<Transfer> out = new ArrayList<>();
    TreeMap<Long, Entry> chain = bySender.get(sender);
    if (chain != null) {
      chain.values().forEach(e -> out.add(e.tx()));
    }
    return out;
  }


  /**
   * Transactions for a block of at most {@code maxBytes} of transactions: highest fee rate first,
   * each sender's in nonce order (a sender's next transaction competes only once its predecessor
   * is in).
   */
  public synchronized List<Transfer> selectForBlock(long maxBytes) {
    PriorityQueue<Entry> heads = new PriorityQueue<>(BY_FEE_RATE);
    Map<Address, Iterator<Entry>> rest = new HashMap<>();
    for (Map.Entry<Address, TreeMap<Long, Entry>> s : bySender.entrySet()) {
      Iterator<Entry> it = s.getValue().values().iterator();
      heads.add(it.next());
      rest.put(s.getKey(), it);
    }
    List<Transfer> out = new ArrayList<>();
    long used = 0;
    while (!heads.isEmpty()) {
      Entry e = heads.poll();
      if (used + e.tx().size() > maxBytes) {
        continue; // this sender's later transactions cannot come before this one
      }
      out.add(e.tx());
      used += e.tx().size();
      Iterator<Entry> it = rest.get(e.tx().senderAddress());
      if (it.hasNext()) {
        heads.add(it.next());
      }
    }
    return out;
  }

  @Override
  public synchronized void blockConnected(Block block, BlockIndexEntry entry) {
    Set<Address> senders = new HashSet<>();
    for (Transaction tx : block.transactions()) {
      Entry e = byId.get(tx.id());
      if (e != null) {
        remove(e, MempoolListener.Removal.MINED);
      }
      if (tx instanceof Transfer t) {
        senders.add(t.senderAddress());
      }
      senders.addAll(tx.touchedAddresses());
    }
    if (reorganising) {
      // Mid-reorganisation the state is neither the old tip's nor the new one's: revalidating now
      // would drop transactions that are valid again once the disconnected ones come back.
      touchedByReorg.addAll(senders);
      return;
    }
    for (Address sender : senders) {
      revalidateSender(sender);
    }
  }

  @Override
  public synchronized void blockDisconnected(Block block, BlockIndexEntry entry) {
    reorganising = true;
    for (Transaction tx : block.transactions()) {
      if (tx instanceof Transfer t) {
        disconnected.add(t);
      }
      touchedByReorg.addAll(tx.touchedAddresses());
    }
  }

  @Override
  public synchronized void tipChanged(BlockIndexEntry tip) {
    // Transactions of disconnected blocks come back in block order, oldest block first; those
    // the new chain already holds or made invalid are dropped.
    List<Transfer> back = new ArrayList<>(disconnected);
    disconnected.clear();
    back.sort(Comparator.comparingLong(Transfer::nonce));
    for (Transfer t : back) {
      try {
        admit(t);
      } catch (RejectedException e) {
        // Expected: included again, or no longer valid on the new chain.
      }
    }
    // Then drop what the settled state made invalid (used nonces, gaps, unaffordable).
    List<Address> touched = new ArrayList<>(touchedByReorg);
    touchedByReorg.clear();
    reorganising = false;
    for (Address a : touched) {
      revalidateSender(a);
    }
    expire();
  }

  /** Drops a sender's transactions the new state made invalid: used nonces, then unaffordable ones. */
  private void revalidateSender(Address sender) {
    TreeMap<Long, Entry> chain = bySender.get(sender);
    if (chain == null) {
      promote(sender);
      return;
    }
    Account account = store.account(sender);
    long expected = account.nonce();
    long available = account.balance().units();
    for (Entry e : new ArrayList<>(chain.values())) {
      long cost = e.tx().amount().units() + e.tx().fee().units();
      if (e.tx().nonce() < account.nonce()) {
        remove(e, MempoolListener.Removal.NONCE_USED);
      } else if (e.tx().nonce() != expected) {
        remove(e, MempoolListener.Removal.ORPHANED);
        expected = -1; // everything after a gap goes too
      } else if (cost > available) {
        remove(e, MempoolListener.Removal.UNAFFORDABLE);
        expected = -1; // and everything after a shortfall
      } else {
        expected++;
        available -= cost;
      }
    }
    promote(sender);
  }

  /** Drops transactions older than the policy allows, with every later one of the same sender. */
  public synchronized void expire() {
    long cutoff = time.nowSeconds() - policy.expirySeconds();
    for (Entry e : new ArrayList<>(byId.values())) {
      if (e.arrivalSeconds() < cutoff && byId.containsKey(e.tx().id())) {
        for (Map<Address, TreeMap<Long, Entry>> table : List.of(bySender, queued)) {
          TreeMap<Long, Entry> chain = table.get(e.tx().senderAddress());
          if (chain != null) {
            for (Entry later : new ArrayList<>(chain.tailMap(e.tx().nonce(), true).values())) {
              remove(later, later == e ? MempoolListener.Removal.EXPIRED : MempoolListener.Removal.ORPHANED);
            }
          }
        }
      }
    }
  }
}
