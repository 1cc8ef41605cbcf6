package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.proto.v1.GetAccountResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "balance", description = "Show an account's balance, nonce and pending transactions.")
final class BalanceCommand extends WalletCommand {
  @Parameters(paramLabel = "NAME_OR_ADDRESS", description = "A key's name or any address of the node's network.")
  String target;

  @Override
  void execute() {
    Optional<KeyFile> key = keyNamed(target);
    try (NodeClient node = connect()) {
      ChainInfo info = chainInfo(node);
      Address address = key.map(k -> k.publicKey().address()).orElseGet(() -> parseAddress(target, info.addressPrefix()));
      GetAccountResponse account = node.account(address, info.addressPrefix());
      Amount balance = nodeAmount(account.getBalance(), "balance");
      Amount immature = nodeAmount(account.getImmatureBalance(), "immature balance");
      Amount outgoing = nodeAmount(account.getPendingOutgoing(), "pending outgoing");
      Amount incoming = nodeAmount(account.getPendingIncoming(), "pending incoming");
      Amount spendable = spendable(balance, outgoing);
      String text = address.toText(info.addressPrefix());

      List<String> lines = new ArrayList<>();
      key.ifPresent(k -> lines.add("key:              " + k.name()));
      lines.add("address:          " + text);
      lines.add("balance:          " + balance);
      lines.add("immature:         " + immature + (immature.isZero() ? "" : " (coinbase rewards not yet spendable)"));
      lines.add("spendable:        " + spendable + " (balance minus pending outgoing)");
      lines.add("pending incoming: " + incoming);
      lines.add("pending outgoing: " + outgoing);
      lines.add("nonce:            " + account.getNonce() + " (next, counting pending: " + account.getPendingNonce() + ")");
      lines.add("network:          " + info.network() + " " + info.chainId() + ", height " + account.getTipHeight());

      ObjectNode json = Output.object();
      key.ifPresent(k -> json.put("name", k.name()));
      json.put("address", text);
      json.put("balance", balance.toCoinString());
      json.put("immature", immature.toCoinString());
      json.put("spendable", spendable.toCoinString());
      json.put("pendingIncoming", incoming.toCoinString());
      json.put("pendingOutgoing", outgoing.toCoinString());
      json.put("nonce", account.getNonce());
      json.put("pendingNonce", account.getPendingNonce());
      json.put("network", info.network());
      json.put("chainId", info.chainId());
      json.put("tipHeight", account.getTipHeight());
      output().result(lines, json);
    }
  }

  /** What the mempool has not already promised elsewhere. */
  static Amount spendable(Amount balance, Amount pendingOutgoing) {
    return pendingOutgoing.compareTo(balance) >= 0 ? Amount.ZERO : balance.minus(pendingOutgoing);
  }
}
