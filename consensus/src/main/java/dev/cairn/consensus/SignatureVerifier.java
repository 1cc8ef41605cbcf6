package dev.cairn.consensus;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Checks every transfer of a block statelessly (amount range, then signature), skipping those the
 * signature cache already vouches for. Spread over the given executor's threads in chunks; the
 * result (the first failure in block order) does not depend on the scheduling. Thread-safe.
 */
public final class SignatureVerifier {
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

  public void verifyAll(Block block, Hash genesis) throws RejectedException {
    List<Transfer> pending = new ArrayList<>();
    for (Transaction tx : block.transactions()) {
      if (tx instanceof Transfer t && !cache.contains(t.id())) {
        pending.add(t);
      }
    }
    if (executor == null || parallelism == 1 || pending.size() <= CHUNK) {
      checkRange(pending, 0, pending.size(), genesis);
      return;
    }
    List<Future<?>> futures = new ArrayList<>();
    int chunk = Math.max(CHUNK, (pending.size() + parallelism * 4 - 1) / (parallelism * 4));
    for (int start = 0; start < pending.size(); start += chunk) {
      int from = start;
      int to = Math.min(pending.size(), start + chunk);
      futures.add(
          executor.submit(
              () -> {
                checkRange(pending, from, to, genesis);
                return null;
              }));
    }
    // Report the first failure in block order, whichever thread found it first.
    RejectedException first = null;
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (first == null && e.getCause() instanceof RejectedException r) {
          first = r;
        } else if (!(e.getCause() instanceof RejectedException)) {
          throw new IllegalStateException("signature check failed unexpectedly", e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while verifying signatures", e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void checkRange(List<Transfer> txs, int from, int to, Hash genesis) throws RejectedException {
    for (int i = from; i < to; i++) {
      Transfer t = txs.get(i);
      TransactionChecks.checkStateless(t, genesis);
      cache.add(t.id());
    }
  }
}
