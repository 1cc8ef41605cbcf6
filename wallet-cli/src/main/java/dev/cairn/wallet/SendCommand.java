package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.GetAccountResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
      description = "Fee in coins (default: the node's minimum relay fee for a transfer of "
          + Transfer.SIZE + " bytes).")
  Optional<Amount> fee;

  @Option(names = "--yes", description = "Send without asking for confirmation.")
  boolean yes;

  @Override
  void execute() {
    Output out = output();
    Keystore keystore = keystore();
    // Local mistakes (unknown or damaged key) are reported before any network traffic.
    KeyFile keyFile = keystore.load(from);
    try (NodeClient node = connect()) {
      ChainInfo info = node.chainInfo();
      String prefix = info.addressPrefix();
      Address recipient = parseAddress(to, prefix);
      Amount fee = this.fee.orElseGet(() -> defaultFee(info));
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
      out.note("fee:     " + fee);
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
      byte[] reported = node.submit(transfer);
      if (reported.length > 0 && !Arrays.equals(reported, transfer.id().toByteArray())) {
        throw new WalletException(
            ExitCode.ERROR, "node-error", "node accepted the transfer but reported another txid for it");
      }

      ObjectNode json = Output.object();
      json.put("txid", transfer.id().toHex());
      json.put("from", sender.toText(prefix));
      json.put("to", recipient.toText(prefix));
      json.put("amount", amount.toCoinString());
      json.put("fee", fee.toCoinString());
      json.put("nonce", nonce);
      json.put("network", info.network());
      json.put("chainId", info.chainId());
      out.result(List.of(transfer.id().toHex()), json);
    }
  }

  private static Amount defaultFee(ChainInfo info) {
    try {
      return nodeAmount(Math.multiplyExact(info.minFeePerByte(), Transfer.SIZE), "minimum fee");
    } catch (ArithmeticException e) {
      throw new WalletException(ExitCode.ERROR, "node-error", "node reported an impossible minimum fee per byte");
    }
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
