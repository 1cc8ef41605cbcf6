package dev.cairn.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import java.util.HexFormat;
import java.util.List;

/**
 * The one place that turns the node's read-side views into the explorer's JSON (docs/API.md):
 * hashes as 64 lowercase hex digits, addresses in the network's bech32m form, amounts as integers
 * in base units, a block's u64 nonce as a decimal string. Thread-safe (immutable).
 */
final class JsonViews {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final NodeQueries queries;
  private final String prefix;

  JsonViews(NodeQueries queries) {
    this.queries = queries;
    this.prefix = queries.addressPrefix();
  }

  static byte[] bytes(Object json) {
    try {
      return MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  static ObjectNode error(String code, String message) {
    ObjectNode body = JSON.objectNode();
    body.putObject("error").put("code", code).put("message", message);
    return body;
  }

  ObjectNode block(NodeQueries.BlockView v) {
    return block(v.summary());
  }

  ObjectNode block(NodeQueries.BlockSummary v) {
    BlockHeader h = v.header();
    ObjectNode o = JSON.objectNode();
    o.put("id", h.hash().toHex());
    o.put("height", h.height());
    o.put("version", h.version());
    o.put("timestamp", h.timestamp());
    o.put("mediantime", queries.medianTimePast(v.entry()));
    o.put("tx_count", v.txCount());
    o.put("size", v.size());
    o.put("merkle_root", h.merkleRoot().toHex());
    o.put("state_commitment", h.stateCommitment().toHex());
    // The genesis header's previous-hash field is the parameter commitment, not a block.
    if (h.height() == 0) {
      o.putNull("previousblockhash");
    } else {
      o.put("previousblockhash", h.previousHash().toHex());
    }
    o.put("nonce", Long.toUnsignedString(h.nonce()));
    o.put("bits", String.format("%08x", h.target().bits()));
    o.put("difficulty", queries.difficulty(h.target()));
    o.put("chainwork", String.format("%064x", v.entry().chainWork()));
    o.put("in_best_chain", v.inBestChain());
    o.put("confirmations", v.confirmations());
    return o;
  }

  ArrayNode blocks(List<NodeQueries.BlockSummary> views) {
    ArrayNode a = JSON.arrayNode();
    views.forEach(v -> a.add(block(v)));
    return a;
  }

  static ArrayNode txids(List<Hash> ids) {
    ArrayNode a = JSON.arrayNode();
    ids.forEach(id -> a.add(id.toHex()));
    return a;
  }

  ObjectNode transaction(NodeQueries.TxView v) {
    return transaction(v, true);
  }

  /**
   * A transaction; if {@code v} is unconfirmed, {@code inMempool} says whether the mempool holds it
   * (false only for a transaction of a block off the best chain that is nowhere else).
   */
  ObjectNode transaction(NodeQueries.TxView v, boolean inMempool) {
    Transaction tx = v.tx();
    ObjectNode o = JSON.objectNode();
    o.put("txid", tx.id().toHex());
    // Java 17: no pattern matching in switch yet; Transaction is sealed to these three kinds.
    if (tx instanceof Coinbase c) {
      o.put("kind", "coinbase");
      o.put("size", c.size());
      o.put("height", c.height());
      o.put("recipient", address(c.recipient()));
      o.put("amount", c.amount().units());
    } else if (tx instanceof Transfer t) {
      o.put("kind", "transfer");
      o.put("size", t.size());
      o.put("sender", address(t.senderAddress()));
      o.put("sender_public_key", t.sender().toHex());
      o.put("recipient", address(t.recipient()));
      o.put("amount", t.amount().units());
      o.put("fee", t.fee().units());
      o.put("nonce", t.nonce());
      o.put("signature", HexFormat.of().formatHex(t.signature().toByteArray()));
    } else {
      Allocation a = (Allocation) tx;
      o.put("kind", "allocation");
      o.put("size", a.size());
      o.put("recipient", address(a.recipient()));
      o.put("amount", a.amount().units());
    }
    ObjectNode status = o.putObject("status");
    v.confirmation()
        .ifPresentOrElse(
            c -> {
              status.put("confirmed", true);
              status.put("block_height", c.height());
              status.put("block_hash", c.blockHash().toHex());
              status.put("block_time", c.blockTime());
              status.put("confirmations", c.confirmations());
            },
            () -> {
              status.put("confirmed", false);
              status.put("in_mempool", inMempool);
            });
    return o;
  }

  ObjectNode account(NodeQueries.AccountView v, int pendingTxCount) {
    ObjectNode o = JSON.objectNode();
    o.put("address", address(v.address()));
    o.put("balance", v.account().balance().units());
    o.put("immature_balance", v.account().immature().units());
    o.put("nonce", v.account().nonce());
    o.put("tx_count", v.txCount());
    ObjectNode mempool = o.putObject("mempool");
    mempool.put("tx_count", pendingTxCount);
    mempool.put("pending_nonce", v.pendingNonce());
    mempool.put("outgoing", v.pendingOutgoing().units());
    mempool.put("incoming", v.pendingIncoming().units());
    return o;
  }

  ArrayNode transactions(List<NodeQueries.TxView> txs) {
    ArrayNode a = JSON.arrayNode();
    txs.forEach(t -> a.add(transaction(t)));
    return a;
  }

  /** Where a block stands: on the best chain or not, its height, and its best-chain successor. */
  static ObjectNode blockStatus(NodeQueries.BlockView v, java.util.Optional<Hash> nextBest) {
    ObjectNode o = JSON.objectNode();
    o.put("in_best_chain", v.inBestChain());
    o.put("height", v.entry().height());
    if (nextBest.isPresent()) {
      o.put("next_best", nextBest.get().toHex());
    } else {
      o.putNull("next_best");
    }
    return o;
  }

  static ObjectNode merkleProof(NodeQueries.ProofView p) {
    ObjectNode o = JSON.objectNode();
    o.put("block_height", p.height());
    o.put("block_hash", p.blockHash().toHex());
    o.put("pos", p.proof().index());
    o.put("tree_size", p.proof().treeSize());
    ArrayNode path = o.putArray("merkle");
    p.proof().path().forEach(h -> path.add(h.toHex()));
    return o;
  }

  static ObjectNode mempool(NodeQueries.MempoolSummary m) {
    ObjectNode o = JSON.objectNode();
    o.put("count", m.count());
    o.put("bytes", m.bytes());
    o.put("total_fee", m.totalFee().units());
    ArrayNode histogram = o.putArray("fee_histogram");
    for (NodeQueries.FeeBucket b : m.histogram()) {
      ArrayNode pair = histogram.addArray();
      number(pair, b.minFeeRate());
      pair.add(b.bytes());
    }
    return o;
  }

  static ArrayNode recentMempool(List<Transfer> txs) {
    ArrayNode a = JSON.arrayNode();
    for (Transfer t : txs) {
      ObjectNode o = a.addObject();
      o.put("txid", t.id().toHex());
      o.put("fee", t.fee().units());
      o.put("size", t.size());
      o.put("amount", t.amount().units());
    }
    return a;
  }

  /** Fee rates per confirmation target, keyed by the target as a string (as Esplora). */
  static ObjectNode feeEstimates(java.util.SortedMap<Integer, Double> estimates) {
    ObjectNode o = JSON.objectNode();
    estimates.forEach((target, rate) -> {
      if (rate == Math.rint(rate) && Math.abs(rate) < 1e15) {
        o.put(Integer.toString(target), rate.longValue());
      } else {
        o.put(Integer.toString(target), rate);
      }
    });
    return o;
  }

  /** A whole number as a JSON integer, anything else as a JSON number with a fraction. */
  private static void number(ArrayNode a, double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      a.add((long) value);
    } else {
      a.add(value);
    }
  }

  private String address(Address a) {
    return a.toText(prefix);
  }

  ArrayNode peers(List<dev.cairn.p2p.PeerStatus> peers) {
    ArrayNode out = JSON.arrayNode();
    for (dev.cairn.p2p.PeerStatus p : peers) {
      ObjectNode o = out.addObject();
      o.put("id", p.id());
      o.put("address", p.address());
      o.put("direction", p.inbound() ? "inbound" : "outbound");
      o.put("height", p.height());
      o.put("agent", p.agent());
      o.put("connected_since", p.connectedSince());
      o.put("bytes_in", p.bytesIn());
      o.put("bytes_out", p.bytesOut());
      o.put("listen_address", p.listenAddress());
    }
    return out;
  }
}
