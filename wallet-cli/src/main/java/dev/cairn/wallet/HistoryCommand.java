package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.AddressHistoryEntry;
import dev.cairn.proto.v1.GetAddressHistoryResponse;
import dev.cairn.proto.v1.TransactionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * An address's transactions, a page at a time: on the first page the node's pending ones, then
 * confirmed ones newest first. The next page starts after the last txid shown ({@code --after}),
 * which the output gives as a hint ({@code more: --after TXID}; {@code next} in JSON).
 */
@Command(
    name = "history",
    description = "List an address's transactions: pending ones first, then confirmed ones newest first, a page at a time.")
final class HistoryCommand extends WalletCommand {
  /** The node's largest page. */
  static final int MAX_LIMIT = 50;

  @Parameters(paramLabel = "NAME_OR_ADDRESS", description = "A key's name or any address of the node's network.")
  String target;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "25",
      description = "Confirmed transactions per page, 1 to " + MAX_LIMIT + " (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--after",
      paramLabel = "TXID",
      description = "Continue after this transaction (the last one of the previous page, as the 'more:' hint says).")
  Optional<Hash> after;

  @Override
  void execute() {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new WalletException(ExitCode.USAGE, "--limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
    }
    Optional<KeyFile> key = keyNamed(target);
    try (NodeClient node = connect()) {
      ChainInfo info = chainInfo(node);
      String prefix = info.addressPrefix();
      Address address = key.map(k -> k.publicKey().address()).orElseGet(() -> parseAddress(target, prefix));
      String text = address.toText(prefix);
      // One more than asked shows whether another page follows, as long as the node's cap allows it.
      int fetch = limit < MAX_LIMIT ? limit + 1 : limit;
      GetAddressHistoryResponse page;
      try {
        page = node.addressHistory(text, after, fetch);
      } catch (WalletException e) {
        if (e.reason().filter("bad-cursor"::equals).isPresent()) {
          throw new WalletException(
              ExitCode.USAGE, "bad-cursor", "--after " + after.map(Hash::toHex).orElse("") + " is not in the history of "
                  + text);
        }
        throw e;
      }
      List<AddressHistoryEntry> confirmed = page.getConfirmedList();
      boolean more;
      if (confirmed.size() > limit) {
        more = true;
        confirmed = confirmed.subList(0, limit);
      } else {
        // At the node's cap a full page may or may not be the last; the first page knows the total.
        more = confirmed.size() == MAX_LIMIT && (after.isPresent() || page.getTotalConfirmed() > MAX_LIMIT);
      }
      Optional<Hash> next = more ? Optional.of(decode(confirmed.get(confirmed.size() - 1)).id()) : Optional.empty();

      List<String> lines = new ArrayList<>();
      ObjectNode json = Output.object();
      key.ifPresent(k -> json.put("name", k.name()));
      json.put("address", text);
      json.put("totalConfirmed", page.getTotalConfirmed());
      String header = "history of " + text + key.map(k -> " (" + k.name() + ")").orElse("") + ": "
          + page.getTotalConfirmed() + " confirmed";
      if (after.isEmpty()) {
        header += ", " + page.getPendingCount() + " pending";
      } else {
        header += "; after " + after.get();
      }
      lines.add(header);
      ArrayNode pending = json.putArray("pending");
      for (AddressHistoryEntry e : page.getPendingList()) {
        lines.add(entry(e, address, prefix, pending.addObject()));
      }
      ArrayNode confirmedJson = json.putArray("confirmed");
      for (AddressHistoryEntry e : confirmed) {
        lines.add(entry(e, address, prefix, confirmedJson.addObject()));
      }
      if (page.getPendingCount() == 0 && confirmed.isEmpty()) {
        lines.add(after.isEmpty() ? "no transactions" : "no more transactions");
      }
      if (next.isPresent()) {
        json.put("next", next.get().toHex());
        lines.add("more: --after " + next.get());
      } else {
        json.putNull("next");
      }
      output().result(lines, json);
    }
  }

  /** One line for people, one object for JSON, from the address's point of view. */
  private static String entry(AddressHistoryEntry e, Address address, String prefix, ObjectNode json) {
    Transaction tx = decode(e);
    json.put("txid", tx.id().toHex());
    String status;
    if (e.getStatus() == TransactionStatus.TRANSACTION_STATUS_CONFIRMED) {
      json.put("status", "confirmed");
      json.put("blockHash", e.getBlockHash().size() == Hash.SIZE ? Hash.of(e.getBlockHash().toByteArray()).toHex() : "");
      json.put("blockHeight", e.getBlockHeight());
      json.put("confirmations", e.getConfirmations());
      json.put("blockTime", e.getBlockTime());
      status = "#" + e.getBlockHeight() + " " + Instant.ofEpochSecond(e.getBlockTime()) + " (" + e.getConfirmations() + " conf)";
    } else {
      json.put("status", "pending");
      json.put("confirmations", 0);
      status = "pending";
    }
    String direction;
    String amount;
    String party;
    if (tx instanceof Transfer t) {
      boolean out = t.senderAddress().equals(address);
      boolean in = t.recipient().equals(address);
      json.put("kind", "transfer");
      json.put("from", t.senderAddress().toText(prefix));
      json.put("to", t.recipient().toText(prefix));
      json.put("amount", t.amount().toCoinString());
      json.put("fee", t.fee().toCoinString());
      json.put("nonce", t.nonce());
      if (out && in) {
        direction = "self";
        amount = "-" + t.fee() + " (fee)";
        party = "to itself";
      } else if (out) {
        direction = "out";
        amount = "-" + t.amount() + " (fee " + t.fee() + ")";
        party = "to " + t.recipient().toText(prefix);
      } else if (in) {
        direction = "in";
        amount = "+" + t.amount();
        party = "from " + t.senderAddress().toText(prefix);
      } else {
        direction = "other";
        amount = t.amount().toString();
        party = t.senderAddress().toText(prefix) + " to " + t.recipient().toText(prefix);
      }
    } else if (tx instanceof Coinbase c) {
      direction = "reward";
      amount = "+" + c.amount();
      party = "coinbase of block " + c.height();
      json.put("kind", "coinbase");
      json.put("to", c.recipient().toText(prefix));
      json.put("amount", c.amount().toCoinString());
    } else {
      Allocation a = (Allocation) tx;
      direction = "genesis";
      amount = "+" + a.amount();
      party = "genesis allocation";
      json.put("kind", "allocation");
      json.put("to", a.recipient().toText(prefix));
      json.put("amount", a.amount().toCoinString());
    }
    json.put("direction", direction);
    return String.format("%-36s %-7s %-28s %s  %s", status, direction, amount, party, tx.id());
  }

  private static Transaction decode(AddressHistoryEntry e) {
    try {
      return Transaction.decode(e.getTransaction().getCanonical().toByteArray());
    } catch (DecodeException ex) {
      throw new WalletException(ExitCode.ERROR, "node-error", "node returned an undecodable transaction: " + ex.getMessage());
    }
  }
}
