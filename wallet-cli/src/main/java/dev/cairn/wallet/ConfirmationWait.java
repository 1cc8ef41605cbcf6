package dev.cairn.wallet;

import dev.cairn.ledger.Hash;
import dev.cairn.proto.v1.GetTransactionResponse;
import dev.cairn.proto.v1.TransactionStatus;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code send --wait N}: polls the node for a submitted transaction until it has N confirmations,
 * printing a progress line on stderr (rewritten in place on a terminal, one line per change
 * otherwise). Reports honestly what happened when it does not get there:
 *
 * <ul>
 *   <li>dropped ({@link ExitCode#DROPPED}): never confirmed, and no longer in the node's mempool;
 *   <li>reorged out ({@link ExitCode#REORGED_OUT}): confirmed, then in neither the best chain nor
 *       the mempool. A transaction that a reorganisation returns to the mempool is still waited
 *       for, and counts again once a block of the new best chain confirms it;
 *   <li>timed out ({@link ExitCode#WAIT_TIMEOUT}) at the deadline.
 * </ul>
 *
 * A transaction counts as gone only when {@value #MISSING_POLLS} polls in a row do not find it:
 * between a block's commit and the mempool's cleanup, or during a reorganisation, a node can
 * briefly find it in neither place.
 */
final class ConfirmationWait {
  static final int MISSING_POLLS = 3;

  /** Where the wait ended: the last confirmed state the node reported. */
  record Confirmed(Hash blockHash, long height, long confirmations) {}

  private final NodeClient node;
  private final Hash txid;
  private final long wanted;
  private final Duration timeout;
  private final Duration pollInterval;
  private final WalletIo io;

  private String lastLine = "";
  private int lastWidth;

  ConfirmationWait(NodeClient node, Hash txid, long wanted, Duration timeout, Duration pollInterval, WalletIo io) {
    this.node = node;
    this.txid = txid;
    this.wanted = wanted;
    this.timeout = timeout;
    this.pollInterval = pollInterval;
    this.io = io;
  }

  Confirmed run() {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<Confirmed> everConfirmed = Optional.empty();
    boolean reorgedToMempool = false;
    int missing = 0;
    progress("waiting: 0/" + wanted + " confirmations (pending)");
    while (true) {
      Optional<GetTransactionResponse> r = poll();
      if (r.isEmpty()) {
        missing++;
        if (missing >= MISSING_POLLS) {
          endProgress();
          if (everConfirmed.isPresent()) {
            Confirmed c = everConfirmed.get();
            throw new WalletException(
                ExitCode.REORGED_OUT,
                "reorged out: " + txid + " was confirmed in block " + c.blockHash() + " at height " + c.height()
                    + ", but that block left the node's best chain and the transaction is in neither the best chain"
                    + " nor the mempool")
                .detail("txid", txid.toHex())
                .detail("blockHash", c.blockHash().toHex())
                .detail("blockHeight", c.height());
          }
          throw new WalletException(
              ExitCode.DROPPED,
              "dropped: " + txid + " is no longer in the node's mempool and was never confirmed (evicted, replaced,"
                  + " or made invalid by another transaction); as far as this node knows, the payment did not happen")
              .detail("txid", txid.toHex());
        }
      } else {
        missing = 0;
        GetTransactionResponse tx = r.get();
        if (tx.getStatus() == TransactionStatus.TRANSACTION_STATUS_CONFIRMED && tx.getBlockHash().size() == Hash.SIZE) {
          Confirmed c =
              new Confirmed(Hash.of(tx.getBlockHash().toByteArray()), tx.getBlockHeight(), tx.getConfirmations());
          everConfirmed = Optional.of(c);
          reorgedToMempool = false;
          if (c.confirmations() >= wanted) {
            progress("confirmed: " + c.confirmations() + "/" + wanted + " confirmations (block " + shortHash(c.blockHash())
                + " at height " + c.height() + ")");
            endProgress();
            return c;
          }
          progress("waiting: " + c.confirmations() + "/" + wanted + " confirmations (block " + shortHash(c.blockHash())
              + " at height " + c.height() + ")");
        } else if (everConfirmed.isPresent()) {
          reorgedToMempool = true;
          progress("waiting: 0/" + wanted + " confirmations (reorged out of block " + shortHash(everConfirmed.get().blockHash())
              + ", pending again)");
        } else {
          progress("waiting: 0/" + wanted + " confirmations (pending)");
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        endProgress();
        String state =
            reorgedToMempool
                ? "it was reorged out of block " + everConfirmed.get().blockHash() + " and is pending again"
                : everConfirmed.map(c -> "it has " + c.confirmations() + " of " + wanted + " confirmations")
                    .orElse("it is still pending");
        throw new WalletException(
            ExitCode.WAIT_TIMEOUT,
            "timed out after " + describe(timeout) + " waiting for " + wanted + " confirmations of " + txid + ": "
                + state)
            .detail("txid", txid.toHex());
      }
      sleep(Math.min(left, pollInterval.toNanos()));
    }
  }

  /** The node's view of the transaction; empty when it has neither confirmed nor pending. */
  private Optional<GetTransactionResponse> poll() {
    try {
      return Optional.of(node.transaction(txid));
    } catch (WalletException e) {
      if (e.exit() == ExitCode.NOT_FOUND) {
        return Optional.empty();
      }
      endProgress();
      throw new WalletException(
          e.exit(), e.code(), e.getMessage() + " while waiting for " + txid + " (it was submitted; see 'tx " + txid + "')",
          e.reason())
          .detail("txid", txid.toHex());
    }
  }

  private void progress(String line) {
    if (line.equals(lastLine)) {
      return;
    }
    lastLine = line;
    if (io.terminal()) {
      // Rewrite the line in place; pad over the rest of a longer previous line.
      String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
      io.stderr().print("\r" + padded);
      lastWidth = line.length();
    } else {
      io.stderr().println(line);
    }
    io.stderr().flush();
  }

  private void endProgress() {
    if (io.terminal() && lastWidth > 0) {
      io.stderr().println();
      io.stderr().flush();
      lastWidth = 0;
    }
  }

  private static String shortHash(Hash h) {
    return h.toHex().substring(0, 16);
  }

  static String describe(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + " h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + " min";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + " s";
    }
    return ms + " ms";
  }

  private static void sleep(long nanos) {
    try {
      java.util.concurrent.TimeUnit.NANOSECONDS.sleep(Math.max(0, nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WalletException(ExitCode.ERROR, "interrupted", "interrupted while waiting for confirmations");
    }
  }
}
