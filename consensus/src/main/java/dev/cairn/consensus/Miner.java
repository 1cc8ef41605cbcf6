package dev.cairn.consensus;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockIndexEntry;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mines blocks on the tip: {@code threads} threads search disjoint nonce ranges of one shared
 * template. Work is abandoned as soon as the tip changes, and the template is rebuilt every few
 * seconds so new transactions and a fresh timestamp get in. Found blocks go through {@link
 * Blockchain#processBlock} like any other. Thread-safe; owns its threads and stops them on close.
 */
public final class Miner implements ChainListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Miner.class);
  private static final long BATCH = 1 << 14;
  private static final long REFRESH_MILLIS = 5_000;

  private record Work(BlockAssembler.Template template, BigInteger target, long createdMillis, long generation) {}

  private final Blockchain chain;
  private final BlockAssembler assembler;
  private final Address address;
  private final int threads;
  private final AtomicLong generation = new AtomicLong();
  private final AtomicReference<Work> work = new AtomicReference<>();
  private final AtomicLong hashes = new AtomicLong();
  private final AtomicLong blocksFound = new AtomicLong();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running;

  public Miner(Blockchain chain, BlockAssembler assembler, Address address, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("at least one miner thread");
    }
    this.chain = chain;
    this.assembler = assembler;
    this.address = address;
    this.threads = threads;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    chain.addListener(this);
    long base = new SecureRandom().nextLong();
    for (int i = 0; i < threads; i++) {
      long stride = Long.divideUnsigned(-1L, threads) * i;
      Thread t = new Thread(() -> mine(base + stride), "miner-" + i);
      t.setDaemon(true);
      t.setPriority(Thread.MIN_PRIORITY);
      workers.add(t);
      t.start();
    }
    LOG.info("mining to {} on {} thread(s)", address.toText(chain.spec().params().addressPrefix()), threads);
  }

  /** Total hashes tried, for the hash rate. */
  public long hashes() {
    return hashes.get();
  }

  public long blocksFound() {
    return blocksFound.get();
  }

  @Override
  public void tipChanged(BlockIndexEntry tip) {
    generation.incrementAndGet();
  }

  private Work currentWork() {
    Work w = work.get();
    long gen = generation.get();
    if (w == null || w.generation() != gen || System.currentTimeMillis() - w.createdMillis() > REFRESH_MILLIS) {
      synchronized (this) {
        w = work.get();
        if (w == null || w.generation() != gen || System.currentTimeMillis() - w.createdMillis() > REFRESH_MILLIS) {
          BlockAssembler.Template t = assembler.create(address);
          BigInteger target;
          try {
            target = t.block().header().target().toTarget();
          } catch (RejectedException e) {
            throw new IllegalStateException("the expected target is always valid", e);
          }
          w = new Work(t, target, System.currentTimeMillis(), gen);
          work.set(w);
        }
      }
    }
    return w;
  }

  private void mine(long startNonce) {
    long nonce = startNonce;
    while (running) {
      try {
        Work w = currentWork();
        NonceSearch search = new NonceSearch(w.template().block().header(), w.target());
        while (running && generation.get() == w.generation()
            && System.currentTimeMillis() - w.createdMillis() <= REFRESH_MILLIS) {
          OptionalLong found = search.search(nonce, BATCH);
          hashes.addAndGet(found.isPresent() ? found.getAsLong() - nonce + 1 : BATCH);
          nonce += BATCH;
          if (found.isPresent()) {
            submit(w, found.getAsLong());
            break;
          }
        }
      } catch (RuntimeException e) {
        LOG.error("miner thread failed, retrying in a second: {}", e.toString());
        sleepQuietly(1_000);
      }
    }
  }

  private void submit(Work w, long nonce) {
    Block block = Block.of(w.template().block().header().withNonce(nonce), w.template().block().transactions());
    Hash hash = block.hash();
    try {
      Blockchain.BlockResult result = chain.processBlock(block);
      if (result.outcome() == Blockchain.Outcome.CONNECTED) {
        blocksFound.incrementAndGet();
        LOG.info("mined block {} at height {} with {} transaction(s)", hash, w.template().height(), block.transactions().size());
      }
    } catch (RejectedException e) {
      // Another block won the race for this height; the template was stale.
      LOG.debug("mined block {} not accepted: {}", hash, e.getMessage());
    }
    generation.incrementAndGet();
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    running = false;
    for (Thread t : workers) {
      t.interrupt();
    }
    for (Thread t : workers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    workers.clear();
  }

  /**
   * Mines {@code count} blocks to {@code to} on the calling thread (regtest's generate): each
   * template is searched from nonce 0 until a block is found and connected.
   */
  public static List<Hash> generate(Blockchain chain, BlockAssembler assembler, Address to, int count)
      throws RejectedException {
    List<Hash> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      BlockAssembler.Template t = assembler.create(to);
      BigInteger target = t.block().header().target().toTarget();
      NonceSearch search = new NonceSearch(t.block().header(), target);
      long start = 0;
      OptionalLong found;
      do {
        found = search.search(start, BATCH);
        start += BATCH;
      } while (found.isEmpty());
      Block block = Block.of(t.block().header().withNonce(found.getAsLong()), t.block().transactions());
      chain.processBlock(block);
      out.add(block.hash());
    }
    return out;
  }
}
