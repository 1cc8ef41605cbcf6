package dev.cairn.node;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The one place that turns the node's read-side views into the explorer's JSON (docs/API.md):
 * hashes as 64 lowercase hex digits, addresses in the network's bech32m form, amounts as integers
 * in base units, a block's u64 nonce as a decimal string. Each view is a {@link Body} that writes
 * itself to a Jackson stream, so answers are written straight to bytes with no tree in between
 * (the explorer's hot routes render thousands of transactions a second). Thread-safe (immutable).
 */
final class JsonViews {
  private static final JsonFactory FACTORY = new JsonFactory();
  /** Each byte value's two lowercase hex digits, as ASCII. */
  private static final byte[] HEX_PAIRS = new byte[512];

  static {
    byte[] digits = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    for (int b = 0; b < 256; b++) {
      HEX_PAIRS[2 * b] = digits[b >>> 4];
      HEX_PAIRS[2 * b + 1] = digits[b & 0xf];
    }
  }
  private static final byte[] COINBASE = "coinbase".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER = "transfer".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ALLOCATION = "allocation".getBytes(StandardCharsets.US_ASCII);

  /** A JSON value that writes itself. */
  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private final NodeQueries queries;
  private final String prefix;

  JsonViews(NodeQueries queries) {
    this.queries = queries;
    this.prefix = queries.addressPrefix();
  }

  /** The value's UTF-8 JSON text. */
  static byte[] bytes(Body body) {
    // Room for a page of 25 transactions without growing.
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory", e);
    }
    return out.toByteArray();
  }

  static Body error(String code, String message) {
    return g -> {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("code", code);
      g.writeStringField("message", message);
      g.writeEndObject();
      g.writeEndObject();
    };
  }

  /** The bodies, in order, as one JSON array. */
  static Body array(List<Body> items) {
    return g -> {
      g.writeStartArray();
      for (Body item : items) {
        item.write(g);
      }
      g.writeEndArray();
    };
  }

  Body block(NodeQueries.BlockView v) {
    return block(v.summary());
  }

  Body block(NodeQueries.BlockSummary v) {
    BlockHeader h = v.header();
    // Read before writing: a failing store read must not leave half an answer behind.
    long medianTime = queries.medianTimePast(v.entry());
    double difficulty = queries.difficulty(h.target());
    return g -> {
      g.writeStartObject();
      hashField(g, Field.ID, h.hash());
      longField(g, Field.HEIGHT, h.height());
      longField(g, Field.VERSION, h.version());
      longField(g, Field.TIMESTAMP, h.timestamp());
      longField(g, Field.MEDIANTIME, medianTime);
      longField(g, Field.TX_COUNT, v.txCount());
      longField(g, Field.SIZE, v.size());
      hashField(g, Field.MERKLE_ROOT, h.merkleRoot());
      hashField(g, Field.STATE_COMMITMENT, h.stateCommitment());
      // The genesis header's previous-hash field is the parameter commitment, not a block.
      if (h.height() == 0) {
        g.writeFieldName(Field.PREVIOUSBLOCKHASH);
        g.writeNull();
      } else {
        hashField(g, Field.PREVIOUSBLOCKHASH, h.previousHash());
      }
      ascii(g, Field.NONCE, Long.toUnsignedString(h.nonce()));
      ascii(g, Field.BITS, String.format("%08x", h.target().bits()));
      g.writeFieldName(Field.DIFFICULTY);
      g.writeNumber(difficulty);
      ascii(g, Field.CHAINWORK, String.format("%064x", v.entry().chainWork()));
      booleanField(g, Field.IN_BEST_CHAIN, v.inBestChain());
      longField(g, Field.CONFIRMATIONS, v.confirmations());
      g.writeEndObject();
    };
  }

  Body blocks(List<NodeQueries.BlockSummary> views) {
    return array(views.stream().map(this::block).toList());
  }

  static Body txids(List<Hash> ids) {
    return g -> {
      g.writeStartArray();
      for (Hash id : ids) {
        g.writeString(id.toHex());
      }
      g.writeEndArray();
    };
  }

  Body transaction(NodeQueries.TxView v) {
    return transaction(v, true);
  }

  /**
   * A transaction; if {@code v} is unconfirmed, {@code inMempool} says whether the mempool holds it
   * (false only for a transaction of a block off the best chain that is nowhere else).
   */
  Body transaction(NodeQueries.TxView v, boolean inMempool) {
    return g -> {
      Transaction tx = v.tx();
      g.writeStartObject();
      hashField(g, Field.TXID, tx.id());
      // Java 17: no pattern matching in switch yet; Transaction is sealed to these three kinds.
      if (tx instanceof Coinbase c) {
        ascii(g, Field.KIND, COINBASE);
        longField(g, Field.SIZE, c.size());
        longField(g, Field.HEIGHT, c.height());
        ascii(g, Field.RECIPIENT, address(c.recipient()));
        longField(g, Field.AMOUNT, c.amount().units());
      } else if (tx instanceof Transfer t) {
        ascii(g, Field.KIND, TRANSFER);
        longField(g, Field.SIZE, t.size());
        ascii(g, Field.SENDER, address(t.senderAddress()));
        ascii(g, Field.SENDER_PUBLIC_KEY, hex(t.sender().toByteArray()));
        ascii(g, Field.RECIPIENT, address(t.recipient()));
        longField(g, Field.AMOUNT, t.amount().units());
        longField(g, Field.FEE, t.fee().units());
        longField(g, Field.NONCE, t.nonce());
        ascii(g, Field.SIGNATURE, hex(t.signature().toByteArray()));
      } else {
        Allocation a = (Allocation) tx;
        ascii(g, Field.KIND, ALLOCATION);
        longField(g, Field.SIZE, a.size());
        ascii(g, Field.RECIPIENT, address(a.recipient()));
        longField(g, Field.AMOUNT, a.amount().units());
      }
      g.writeFieldName(Field.STATUS);
      g.writeStartObject();
      Optional<NodeQueries.Confirmation> confirmation = v.confirmation();
      if (confirmation.isPresent()) {
        NodeQueries.Confirmation c = confirmation.get();
        booleanField(g, Field.CONFIRMED, true);
        longField(g, Field.BLOCK_HEIGHT, c.height());
        hashField(g, Field.BLOCK_HASH, c.blockHash());
        longField(g, Field.BLOCK_TIME, c.blockTime());
        longField(g, Field.CONFIRMATIONS, c.confirmations());
      } else {
        booleanField(g, Field.CONFIRMED, false);
        booleanField(g, Field.IN_MEMPOOL, inMempool);
      }
      g.writeEndObject();
      g.writeEndObject();
    };
  }

  Body account(NodeQueries.AccountView v) {
    return g -> {
      g.writeStartObject();
      ascii(g, Field.ADDRESS, address(v.address()));
      g.writeNumberField("balance", v.account().balance().units());
      g.writeNumberField("immature_balance", v.account().immature().units());
      g.writeNumberField("nonce", v.account().nonce());
      g.writeNumberField("tx_count", v.txCount());
      g.writeObjectFieldStart("mempool");
      g.writeNumberField("tx_count", v.pendingTxCount());
      g.writeNumberField("pending_nonce", v.pendingNonce());
      g.writeNumberField("outgoing", v.pendingOutgoing().units());
      g.writeNumberField("incoming", v.pendingIncoming().units());
      g.writeEndObject();
      g.writeEndObject();
    };
  }

  Body transactions(List<NodeQueries.TxView> txs) {
    return array(txs.stream().map(this::transaction).toList());
  }

  /** Where a block stands: on the best chain or not, its height, and its best-chain successor. */
  static Body blockStatus(NodeQueries.BlockSummary v, Optional<Hash> nextBest) {
    return g -> {
      g.writeStartObject();
      g.writeBooleanField("in_best_chain", v.inBestChain());
      g.writeNumberField("height", v.entry().height());
      if (nextBest.isPresent()) {
        hashField(g, Field.NEXT_BEST, nextBest.get());
      } else {
        g.writeNullField("next_best");
      }
      g.writeEndObject();
    };
  }

  static Body merkleProof(NodeQueries.ProofView p) {
    return g -> {
      g.writeStartObject();
      g.writeNumberField("block_height", p.height());
      hashField(g, Field.BLOCK_HASH, p.blockHash());
      g.writeNumberField("pos", p.proof().index());
      g.writeNumberField("tree_size", p.proof().treeSize());
      g.writeArrayFieldStart("merkle");
      for (Hash h : p.proof().path()) {
        g.writeString(h.toHex());
      }
      g.writeEndArray();
      g.writeEndObject();
    };
  }

  static Body mempool(NodeQueries.MempoolSummary m) {
    return g -> {
      g.writeStartObject();
      g.writeNumberField("count", m.count());
      g.writeNumberField("bytes", m.bytes());
      g.writeNumberField("total_fee", m.totalFee().units());
      g.writeArrayFieldStart("fee_histogram");
      for (NodeQueries.FeeBucket b : m.histogram()) {
        g.writeStartArray();
        number(g, b.minFeeRate());
        g.writeNumber(b.bytes());
        g.writeEndArray();
      }
      g.writeEndArray();
      g.writeEndObject();
    };
  }

  static Body recentMempool(List<Transfer> txs) {
    return g -> {
      g.writeStartArray();
      for (Transfer t : txs) {
        g.writeStartObject();
        hashField(g, Field.TXID, t.id());
        g.writeNumberField("fee", t.fee().units());
        g.writeNumberField("size", t.size());
        g.writeNumberField("amount", t.amount().units());
        g.writeEndObject();
      }
      g.writeEndArray();
    };
  }

  /** Fee rates per confirmation target, keyed by the target as a string (as Esplora). */
  static Body feeEstimates(SortedMap<Integer, Double> estimates) {
    return g -> {
      g.writeStartObject();
      for (var e : estimates.entrySet()) {
        g.writeFieldName(Integer.toString(e.getKey()));
        number(g, e.getValue());
      }
      g.writeEndObject();
    };
  }

  /** A whole number as a JSON integer, anything else as a JSON number with a fraction. */
  private static void number(JsonGenerator g, double value) throws IOException {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      g.writeNumber((long) value);
    } else {
      g.writeNumber(value);
    }
  }

  /**
   * A field whose value never needs escaping (hex, bech32m, decimal digits): written as raw bytes,
   * skipping Jackson's per-character escape check, which was most of the cost of the explorer's
   * transaction lists.
   */
  private static void ascii(JsonGenerator g, SerializableString name, String value) throws IOException {
    ascii(g, name, value.getBytes(StandardCharsets.US_ASCII));
  }

  private static void ascii(JsonGenerator g, SerializableString name, byte[] value) throws IOException {
    g.writeFieldName(name);
    g.writeRawUTF8String(value, 0, value.length);
  }

  private static void hashField(JsonGenerator g, SerializableString name, Hash value) throws IOException {
    ascii(g, name, hex(value.toByteArray()));
  }

  private static void longField(JsonGenerator g, SerializableString name, long value) throws IOException {
    g.writeFieldName(name);
    g.writeNumber(value);
  }

  private static void booleanField(JsonGenerator g, SerializableString name, boolean value) throws IOException {
    g.writeFieldName(name);
    g.writeBoolean(value);
  }

  /** The hot views' field names, quoted and encoded once. */
  private static final class Field {
    static final SerializedString ADDRESS = new SerializedString("address");
    static final SerializedString AMOUNT = new SerializedString("amount");
    static final SerializedString BITS = new SerializedString("bits");
    static final SerializedString BLOCK_HASH = new SerializedString("block_hash");
    static final SerializedString BLOCK_HEIGHT = new SerializedString("block_height");
    static final SerializedString BLOCK_TIME = new SerializedString("block_time");
    static final SerializedString CHAINWORK = new SerializedString("chainwork");
    static final SerializedString CONFIRMATIONS = new SerializedString("confirmations");
    static final SerializedString CONFIRMED = new SerializedString("confirmed");
    static final SerializedString DIFFICULTY = new SerializedString("difficulty");
    static final SerializedString FEE = new SerializedString("fee");
    static final SerializedString HEIGHT = new SerializedString("height");
    static final SerializedString ID = new SerializedString("id");
    static final SerializedString IN_BEST_CHAIN = new SerializedString("in_best_chain");
    static final SerializedString IN_MEMPOOL = new SerializedString("in_mempool");
    static final SerializedString KIND = new SerializedString("kind");
    static final SerializedString MEDIANTIME = new SerializedString("mediantime");
    static final SerializedString MERKLE_ROOT = new SerializedString("merkle_root");
    static final SerializedString NEXT_BEST = new SerializedString("next_best");
    static final SerializedString NONCE = new SerializedString("nonce");
    static final SerializedString PREVIOUSBLOCKHASH = new SerializedString("previousblockhash");
    static final SerializedString RECIPIENT = new SerializedString("recipient");
    static final SerializedString SENDER = new SerializedString("sender");
    static final SerializedString SENDER_PUBLIC_KEY = new SerializedString("sender_public_key");
    static final SerializedString SIGNATURE = new SerializedString("signature");
    static final SerializedString SIZE = new SerializedString("size");
    static final SerializedString STATE_COMMITMENT = new SerializedString("state_commitment");
    static final SerializedString STATUS = new SerializedString("status");
    static final SerializedString TIMESTAMP = new SerializedString("timestamp");
    static final SerializedString TX_COUNT = new SerializedString("tx_count");
    static final SerializedString TXID = new SerializedString("txid");
    static final SerializedString VERSION = new SerializedString("version");

    private Field() {}
  }

  /** Lowercase hex as ASCII bytes, ready for {@link #ascii}: no String in between. */
  private static byte[] hex(byte[] raw) {
    byte[] out = new byte[raw.length * 2];
    for (int i = 0; i < raw.length; i++) {
      int pair = 2 * (raw[i] & 0xff);
      out[2 * i] = HEX_PAIRS[pair];
      out[2 * i + 1] = HEX_PAIRS[pair + 1];
    }
    return out;
  }

  private String address(Address a) {
    return a.toText(prefix);
  }

  Body peers(List<dev.cairn.p2p.PeerStatus> peers) {
    return g -> {
      g.writeStartArray();
      for (dev.cairn.p2p.PeerStatus p : peers) {
        g.writeStartObject();
        g.writeNumberField("id", p.id());
        g.writeStringField("address", p.address());
        g.writeStringField("direction", p.inbound() ? "inbound" : "outbound");
        g.writeNumberField("height", p.height());
        g.writeStringField("agent", p.agent());
        g.writeNumberField("connected_since", p.connectedSince());
        g.writeNumberField("bytes_in", p.bytesIn());
        g.writeNumberField("bytes_out", p.bytesOut());
        g.writeStringField("listen_address", p.listenAddress());
        g.writeEndObject();
      }
      g.writeEndArray();
    };
  }
}
