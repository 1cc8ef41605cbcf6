package dev.cairn.consensus;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Checks every transfer of a block statelessly (amount range, then signature), skipping those the
 * signature cache already vouches for. Spread over the given executor's threads in chunks; the
 * result (the first failure in block order) does not depend on the scheduling. {@link #start}
 * returns while the checks run, so the caller can do its own share of a block connect meanwhile
 * and collect the verdict with {@link Pending#await()}. Thread-safe.
 */
public final class SignatureVerifier {
  /** Transfers per task: about 8 ms of verification. */
  private static final int CHUNK = 64;

  private final SignatureCache cache;
  private final ExecutorService executor;
  private final int parallelism;

  /**
   * @param executor threads to verify on, or null to verify on the calling thread
   * @param parallelism how many chunks to run at once (the executor's thread count)
   */
  public SignatureVerifier(SignatureCache cache, ExecutorService executor, int parallelism) {
    this.cache = cache;
    this.executor = executor;
    this.parallelism = Math.max(1, parallelism);
  }

  public SignatureCache cache() {
    return cache;
  }

  /** Checks {@code block}'s transfers and returns when done: {@code start(block, genesis).await()}. */
  public void verifyAll(Block block, Hash genesis) throws RejectedException {
    start(block, genesis).await();
  }

  /**
   * Starts checking {@code block}'s transfers on the executor's threads and returns without
   * waiting. Without an executor (or with one thread) the checks run here, before it returns; the
   * verdict is still only reported by {@link Pending#await()}, so callers see one behaviour.
   */
  public Pending start(Block block, Hash genesis) {
    List<Transfer> pending = new ArrayList<>();
    for (Transaction tx : block.transactions()) {
      if (tx instanceof Transfer t && !cache.contains(t.id())) {
        pending.add(t);
      }
    }
    if (executor == null || parallelism == 1 || pending.isEmpty()) {
      try {
        checkRange(pending, 0, pending.size(), genesis);
        return new Pending(List.of(), Optional.empty());
      } catch (RejectedException e) {
        return new Pending(List.of(), Optional.of(e));
      }
    }
    // Small chunks (about 8 ms of work each): when one thread finishes, the other is at most one
    // chunk from done, so a core idles only briefly at the end of the block. The waiting thread
    // runs chunks nobody has started yet (see Pending#await), so it helps instead of sleeping.
    List<FutureTask<Void>> futures = new ArrayList<>();
    for (int start = 0; start < pending.size(); start += CHUNK) {
      int from = start;
      int to = Math.min(pending.size(), start + CHUNK);
      FutureTask<Void> task =
          new FutureTask<>(
              () -> {
                checkRange(pending, from, to, genesis);
                return null;
              });
      futures.add(task);
      executor.execute(task);
    }
    return new Pending(futures, Optional.empty());
  }

  private void checkRange(List<Transfer> txs, int from, int to, Hash genesis) throws RejectedException {
    for (int i = from; i < to; i++) {
      Transfer t = txs.get(i);
      TransactionChecks.checkStateless(t, genesis);
      cache.add(t.id());
    }
  }

  /**
   * Signature checks in flight for one block. Not thread-safe: one caller awaits or cancels it.
   * Checks that pass are remembered in the cache whether or not anyone awaits them.
   */
  public static final class Pending {
    private final List<FutureTask<Void>> chunks;
    private final Optional<RejectedException> failedInline;

    private Pending(List<FutureTask<Void>> chunks, Optional<RejectedException> failedInline) {
      this.chunks = chunks;
      this.failedInline = failedInline;
    }

    /**
     * Runs here the chunks no pool thread has started, waits for the others, and throws the first
     * failure in block order, whichever thread found it (chunks are in block order, and each stops
     * at its own first failure).
     */
    public void await() throws RejectedException {
      if (failedInline.isPresent()) {
        throw failedInline.get();
      }
      // Run here whatever the executor has not started; a task runs once (FutureTask.run does
      // nothing for a task already running or done), so each chunk is checked exactly once.
      for (FutureTask<Void> f : chunks) {
        f.run();
      }
      RejectedException first = null;
      for (Future<?> f : chunks) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof RejectedException r)) {
            throw new IllegalStateException("signature check failed unexpectedly", e.getCause());
          }
          if (first == null) {
            first = r;
          }
        } catch (CancellationException e) {
          throw new IllegalStateException("signature checks were cancelled before they were awaited", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while verifying signatures", e);
        }
      }
      if (first != null) {
        throw first;
      }
    }

    /** Drops the checks not yet begun (the block will not be connected after all). */
    public void cancel() {
      for (Future<?> f : chunks) {
        f.cancel(false);
      }
    }
  }
}
