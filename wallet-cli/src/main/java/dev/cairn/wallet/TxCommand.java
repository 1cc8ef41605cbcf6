package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.GetTransactionResponse;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "tx", description = "Show a transaction and whether it is confirmed or pending.")
final class TxCommand extends WalletCommand {
  @Parameters(paramLabel = "TXID", description = "Transaction id: 64 hex digits.")
  Hash txid;

  @Override
  void execute() {
    try (NodeClient node = connect()) {
      ChainInfo info = chainInfo(node);
      GetTransactionResponse response;
      try {
        response = node.transaction(txid);
      } catch (WalletException e) {
        if (e.exit() == ExitCode.NOT_FOUND) {
          throw new WalletException(ExitCode.NOT_FOUND, "transaction " + txid + " not found");
        }
        throw e;
      }
      Transaction tx = decode(response);
      String prefix = info.addressPrefix();
      List<String> lines = new ArrayList<>();
      ObjectNode json = Output.object();
      lines.add("txid:   " + txid);
      json.put("txid", txid.toHex());
      switch (response.getStatus()) {
        case TRANSACTION_STATUS_CONFIRMED -> {
          String block = Hash.of(response.getBlockHash().toByteArray()).toHex();
          lines.add("status: confirmed at height " + response.getBlockHeight() + " (" + response.getConfirmations()
              + " confirmations)");
          lines.add("block:  " + block);
          json.put("status", "confirmed");
          json.put("blockHash", block);
          json.put("blockHeight", response.getBlockHeight());
          json.put("indexInBlock", response.getIndexInBlock());
          json.put("confirmations", response.getConfirmations());
        }
        case TRANSACTION_STATUS_PENDING -> {
          lines.add("status: pending (in the node's mempool)");
          json.put("status", "pending");
          json.put("confirmations", 0);
        }
        default -> {
          lines.add("status: unknown");
          json.put("status", "unknown");
        }
      }
      ObjectNode body = json.putObject("transaction");
      if (tx instanceof Transfer t) {
        lines.add("kind:   transfer");
        lines.add("from:   " + t.senderAddress().toText(prefix));
        lines.add("to:     " + t.recipient().toText(prefix));
        lines.add("amount: " + t.amount());
        lines.add("fee:    " + t.fee());
        lines.add("nonce:  " + t.nonce());
        body.put("kind", "transfer");
        body.put("from", t.senderAddress().toText(prefix));
        body.put("to", t.recipient().toText(prefix));
        body.put("amount", t.amount().toCoinString());
        body.put("fee", t.fee().toCoinString());
        body.put("nonce", t.nonce());
      } else if (tx instanceof Coinbase c) {
        lines.add("kind:   coinbase of block " + c.height());
        lines.add("to:     " + c.recipient().toText(prefix));
        lines.add("amount: " + c.amount());
        body.put("kind", "coinbase");
        body.put("height", c.height());
        body.put("to", c.recipient().toText(prefix));
        body.put("amount", c.amount().toCoinString());
      } else if (tx instanceof Allocation a) {
        lines.add("kind:   genesis allocation");
        lines.add("to:     " + a.recipient().toText(prefix));
        lines.add("amount: " + a.amount());
        body.put("kind", "allocation");
        body.put("to", a.recipient().toText(prefix));
        body.put("amount", a.amount().toCoinString());
      }
      output().result(lines, json);
    }
  }

  // The node is not trusted blindly: what it returns must decode and be the transaction asked for.
  private Transaction decode(GetTransactionResponse response) {
    Transaction tx;
    try {
      tx = Transaction.decode(response.getTransaction().getCanonical().toByteArray());
    } catch (DecodeException e) {
      throw new WalletException(ExitCode.ERROR, "node-error", "node returned an undecodable transaction: " + e.getMessage());
    }
    if (!tx.id().equals(txid)) {
      throw new WalletException(ExitCode.ERROR, "node-error", "node returned transaction " + tx.id() + " for " + txid);
    }
    if (response.getStatus() == dev.cairn.proto.v1.TransactionStatus.TRANSACTION_STATUS_CONFIRMED
        && response.getBlockHash().size() != Hash.SIZE) {
      throw new WalletException(ExitCode.ERROR, "node-error", "node returned a confirmed transaction without its block");
    }
    return tx;
  }
}
