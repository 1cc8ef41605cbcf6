package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.EstimateFeeResponse;
import dev.cairn.proto.v1.GetAccountResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "send", description = "Sign a payment with one of the wallet's keys and submit it to the node.")
final class SendCommand extends WalletCommand {
  @Option(names = "--from", required = true, paramLabel = "NAME", description = "The key that pays.")
  String from;

  @Option(names = "--to", required = true, paramLabel = "ADDRESS", description = "The recipient's address.")
  String to;

  @Option(
      names = "--amount",
      required = true,
      paramLabel = "COINS",
      description = "Amount in coins, up to 8 decimals, e.g. 12.5.")
  Amount amount;

  @Option(
      names = "--fee",
      paramLabel = "COINS",
      description = "Fee in coins (default: the node's fee-rate estimate for --target-blocks, times "
          + Transfer.SIZE + " bytes, at least its minimum relay fee).")
  Optional<Amount> fee;

  @Option(
      names = "--target-blocks",
      paramLabel = "N",
      description = "Without --fee: pay what the node estimates confirms within N blocks (default: "
          + SendCommand.DEFAULT_TARGET_BLOCKS + ").")
  Optional<Integer> targetBlocks;

  @Option(names = "--yes", description = "Send without asking for confirmation.")
  boolean yes;

  @Option(
      names = "--wait",
      paramLabel = "N",
      description = "After submitting, wait until the transaction has N confirmations (N >= 1), showing progress.")
  Optional<Long> waitFor;

  @Option(
      names = "--wait-timeout",
      paramLabel = "DURATION",
      defaultValue = "10m",
      description = "With --wait: give up after this long, e.g. 90s, 10m, 1h (default: ${DEFAULT-VALUE}).")
  Duration waitTimeout;

  // For tests, which mine on demand and need not wait a second per poll.
  @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "1s", hidden = true)
  Duration pollInterval;

  static final int DEFAULT_TARGET_BLOCKS = 2;
  /** The longest --wait-timeout or --poll-interval: far beyond any sensible wait, far below overflow. */
  static final Duration MAX_DURATION = Duration.ofDays(30);

  @Override
  void execute() {
    if (waitFor.isPresent() && waitFor.get() < 1) {
      throw new WalletException(ExitCode.USAGE, "--wait needs at least 1 confirmation, got " + waitFor.get());
    }
    if (targetBlocks.isPresent() && (targetBlocks.get() < 1 || targetBlocks.get() > 1008)) {
      throw new WalletException(ExitCode.USAGE, "--target-blocks must be between 1 and 1008, got " + targetBlocks.get());
    }
    if (targetBlocks.isPresent() && fee.isPresent()) {
      throw new WalletException(ExitCode.USAGE, "give --fee or --target-blocks, not both");
    }
    requireDuration("--wait-timeout", waitTimeout);
    requireDuration("--poll-interval", pollInterval);
    Output out = output();
    Keystore keystore = keystore();
    // Local mistakes (unknown or damaged key) are reported before any network traffic.
    KeyFile keyFile = keystore.load(from);
    try (NodeClient node = connect()) {
      ChainInfo info = chainInfo(node);
      String prefix = info.addressPrefix();
      Address recipient = parseAddress(to, prefix);
      String feeSource;
      Amount fee;
      if (this.fee.isPresent()) {
        fee = this.fee.get();
        feeSource = "given";
      } else {
        FeeChoice choice = estimatedFee(node, info, targetBlocks.orElse(DEFAULT_TARGET_BLOCKS), out);
        fee = choice.fee();
        feeSource = choice.source();
      }
      Amount total = total(amount, fee);
      Address sender = keyFile.publicKey().address();
      GetAccountResponse account = node.account(sender, prefix);
      requireFunds(account, total);
      // The pending nonce follows the sender's transactions already in the mempool, so several
      // payments can be sent before a block confirms the first.
      long nonce = account.getPendingNonce();
      if (nonce < 0) {
        throw new WalletException(ExitCode.ERROR, "node-error", "node reported nonce " + Long.toUnsignedString(nonce));
      }

      out.note("from:    " + from + " (" + sender.toText(prefix) + ")");
      out.note("to:      " + recipient.toText(prefix));
      out.note("amount:  " + amount);
      out.note("fee:     " + fee + " (" + feeSource + ")");
      out.note("nonce:   " + nonce);
      out.note("network: " + info.network() + " " + info.chainId());
      if (!yes && !confirmed()) {
        throw new WalletException(ExitCode.ERROR, "aborted", "aborted");
      }

      char[] password = passwords().forUnlock(from);
      PrivateKey key;
      try {
        key = keystore.unlock(keyFile, password);
      } finally {
        Arrays.fill(password, '\0');
      }
      Transfer transfer = Transfer.sign(key, recipient, amount, fee, nonce, info.genesisHash());
      byte[] reported = submit(node, transfer);
      if (reported.length > 0 && !Arrays.equals(reported, transfer.id().toByteArray())) {
        throw new WalletException(
            ExitCode.ERROR, "node-error", "node accepted the transfer but reported another txid for it");
      }

      ObjectNode json = Output.object();
      json.put("txid", transfer.id().toHex());
      json.put("status", "pending");
      json.put("from", sender.toText(prefix));
      json.put("to", recipient.toText(prefix));
      json.put("amount", amount.toCoinString());
      json.put("fee", fee.toCoinString());
      json.put("nonce", nonce);
      json.put("network", info.network());
      json.put("chainId", info.chainId());
      if (waitFor.isEmpty()) {
        out.result(List.of(transfer.id().toHex()), json);
        return;
      }
      // Without --json the txid is the result: print it now, so a script has it whatever the wait says.
      if (!out.json()) {
        out.result(List.of(transfer.id().toHex()), json);
      }
      ConfirmationWait.Confirmed c =
          new ConfirmationWait(node, transfer.id(), waitFor.get(), waitTimeout, pollInterval, io()).run();
      json.put("status", "confirmed");
      json.put("blockHash", c.blockHash().toHex());
      json.put("blockHeight", c.height());
      json.put("confirmations", c.confirmations());
      if (out.json()) {
        out.result(List.of(), json);
      }
    }
  }

  /**
   * Submits the transfer. A failure other than the node's refusal leaves the outcome unknown: the
   * node may have admitted it before the answer was lost, and sending again would then pay twice,
   * so the error names the txid and how to find out.
   */
  private static byte[] submit(NodeClient node, Transfer transfer) {
    try {
      return node.submit(transfer);
    } catch (WalletException e) {
      boolean refused = e.exit() == ExitCode.REJECTED || e.code().equals("node-unsupported");
      if (refused) {
        throw e;
      }
      String txid = transfer.id().toHex();
      throw new WalletException(
          e.exit(), e.code(),
          e.getMessage() + " while submitting " + txid + ": it may have been submitted; check with 'tx " + txid
              + "' before sending again, or the payment may be made twice",
          e.reason())
          .detail("txid", txid)
          .detail("submitted", "unknown");
    }
  }

  /** Checked before anything is sent, so a wait that cannot be kept is refused rather than cut short after sending. */
  private static void requireDuration(String option, Duration d) {
    if (d.isNegative() || d.isZero() || d.compareTo(MAX_DURATION) > 0) {
      throw new WalletException(
          ExitCode.USAGE, option + " must be positive and at most 30 days, got " + ConfirmationWait.describe(d));
    }
  }

  /** A fee and where it came from, for the summary. */
  record FeeChoice(Amount fee, String source) {}

  /**
   * The node's fee-rate estimate for {@code target} blocks times the transfer's size, rounded up,
   * and never below the node's minimum relay fee. A node without estimates gives its minimum.
   */
  static FeeChoice estimatedFee(NodeClient node, ChainInfo info, int target, Output out) {
    Amount floor;
    try {
      floor = nodeAmount(Math.multiplyExact(info.minFeePerByte(), Transfer.SIZE), "minimum fee");
    } catch (ArithmeticException e) {
      throw new WalletException(ExitCode.ERROR, "node-error", "node reported an impossible minimum fee per byte");
    }
    EstimateFeeResponse estimate;
    try {
      estimate = node.estimateFee(target);
    } catch (WalletException e) {
      if (!e.code().equals("node-unsupported")) {
        throw e;
      }
      out.note("note: the node gives no fee estimates; paying its minimum relay fee");
      return new FeeChoice(floor, "the node's minimum relay fee");
    }
    double rate = estimate.getFeePerByte();
    double total = Math.ceil(rate * Transfer.SIZE);
    if (!Double.isFinite(rate) || rate < 0 || total > Amount.MAX_MONEY) {
      throw new WalletException(ExitCode.ERROR, "node-error", "node reported an impossible fee estimate: " + rate + " per byte");
    }
    Amount estimated = Amount.units((long) total);
    if (estimated.compareTo(floor) <= 0) {
      return new FeeChoice(floor, "the node's minimum relay fee; its estimate for " + target + " blocks is no higher");
    }
    return new FeeChoice(
        estimated, "the node's estimate for " + estimate.getTargetBlocks() + " blocks: " + rate + " units/byte");
  }

  private static Amount total(Amount amount, Amount fee) {
    try {
      return amount.plus(fee);
    } catch (ArithmeticException e) {
      throw new WalletException(ExitCode.USAGE, "bad-amount", "amount plus fee exceeds 21,000,000 coins");
    }
  }

  /** Fails unless the spendable balance (minus what the mempool already spends) covers the total. */
  private static void requireFunds(GetAccountResponse account, Amount total) {
    Amount balance = nodeAmount(account.getBalance(), "balance");
    Amount outgoing = nodeAmount(account.getPendingOutgoing(), "pending outgoing");
    Amount immature = nodeAmount(account.getImmatureBalance(), "immature balance");
    Amount spendable = BalanceCommand.spendable(balance, outgoing);
    if (!spendable.lessThan(total)) {
      return;
    }
    StringBuilder message =
        new StringBuilder("insufficient funds: amount plus fee is ")
            .append(total)
            .append(", spendable is ")
            .append(spendable)
            .append(" (balance ")
            .append(balance)
            .append(", pending outgoing ")
            .append(outgoing)
            .append(")");
    if (!immature.isZero()) {
      message.append("; another ").append(immature).append(" is immature coinbase reward, spendable once it matures");
    }
    throw new WalletException(ExitCode.INSUFFICIENT_FUNDS, message.toString());
  }

  private boolean confirmed() {
    io().stderr().print("Send? [y/N] ");
    io().stderr().flush();
    try {
      String answer = new BufferedReader(new InputStreamReader(io().stdin(), StandardCharsets.UTF_8)).readLine();
      if (answer == null) {
        return false;
      }
      String a = answer.trim().toLowerCase(Locale.ROOT);
      return a.equals("y") || a.equals("yes");
    } catch (IOException e) {
      return false;
    }
  }
}
