package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.MerkleProof;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explorer's block-status, block-transactions, Merkle-proof, address-history, mempool and
 * fee routes, and its cache headers, against a real regtest node. The fixture: 8 blocks mined, then
 * a block {@link #big} of 61 transactions (30 transfers from key 0 and 30 from key 1, all paying
 * key 3), one block on top, and 55 transfers from key 2 to key 3 left in the mempool. Nothing here
 * changes the chain or the mempool after the fixture is built.
 */
class ExplorerRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static RegtestNode regtest;
  private static Address miner;
  private static Address payee;
  private static Block big;
  private static final List<Transfer> pending = new ArrayList<>();

  @BeforeAll
  static void buildChain() throws RejectedException {
    regtest = RegtestNode.funded(21, 4, dir);
    miner = TestChain.keys(22, 1).get(0).address();
    payee = regtest.key(3).address();
    regtest.generate(8, miner);
    Hash genesis = regtest.spec().genesisHash();
    for (int nonce = 0; nonce < 30; nonce++) {
      for (int k = 0; k < 2; k++) {
        regtest.node().mempool().add(
            Transfer.sign(regtest.key(k), payee, Amount.units(1_000_000 + nonce), Amount.units(1_420 + 100L * nonce), nonce, genesis));
      }
    }
    big = store().body(regtest.generate(1, miner).get(0)).orElseThrow();
    assertThat(big.transactions()).hasSize(61);
    regtest.generate(1, miner);
    for (int nonce = 0; nonce < 55; nonce++) {
      Transfer t = Transfer.sign(regtest.key(2), payee, Amount.units(500 + nonce), Amount.units(1_420 + 50L * nonce), nonce, genesis);
      regtest.node().mempool().add(t);
      pending.add(t);
    }
  }

  @AfterAll
  static void stopNode() {
    regtest.close();
  }

  private static ChainStore store() {
    return regtest.node().chain().store();
  }

  private static BlockIndexEntry tip() {
    return regtest.node().chain().tip();
  }

  private static HttpResponse<String> ok(String path) {
    HttpResponse<String> r = regtest.get(path);
    assertThat(r.statusCode()).as("status of %s: %s", path, r.body()).isEqualTo(200);
    return r;
  }

  private static JsonNode json(String path) throws IOException {
    HttpResponse<String> r = ok(path);
    assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    return JSON.readTree(r.body());
  }

  private static List<String> txids(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(t -> out.add(t.get("txid").asText()));
    return out;
  }

  private static String hex(Hash h) {
    return h.toHex();
  }

  // ---- compression -------------------------------------------------------------------------

  /** A client that leaves Content-Encoding alone, as Java's does. */
  private static final java.net.http.HttpClient RAW_CLIENT = java.net.http.HttpClient.newHttpClient();

  /** The raw answer to {@code path} with the given Accept-Encoding header (none if null). */
  private static java.net.http.HttpResponse<byte[]> raw(String path, String acceptEncoding) throws Exception {
    java.net.http.HttpRequest.Builder request =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(regtest.httpBaseUrl() + path))
            .timeout(java.time.Duration.ofSeconds(10));
    if (acceptEncoding != null) {
      request.header("Accept-Encoding", acceptEncoding);
    }
    return RAW_CLIENT.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void largeAnswersAreGzippedForClientsThatAcceptItAndOnlyForThem() throws Exception {
    String page = "/api/block/" + big.hash() + "/txs";
    java.net.http.HttpResponse<byte[]> plain = raw(page, null);
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(plain.body().length).isGreaterThanOrEqualTo(ExplorerRoutes.GZIP_MIN_BYTES);
    assertThat(plain.headers().firstValue("Content-Length")).contains(Integer.toString(plain.body().length));

    java.net.http.HttpResponse<byte[]> zipped = raw(page, "br;q=1.0, gzip;q=0.8");
    assertThat(zipped.statusCode()).isEqualTo(200);
    assertThat(zipped.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(zipped.headers().firstValue("Vary")).contains("Accept-Encoding");
    assertThat(zipped.body().length).isLessThan(plain.body().length);
    byte[] unzipped = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body())).readAllBytes();
    assertThat(JSON.readTree(unzipped)).isEqualTo(JSON.readTree(plain.body()));

    // Refused with q=0, and small answers (one packet) never compressed.
    assertThat(raw(page, "gzip;q=0").headers().firstValue("Content-Encoding")).isEmpty();
    java.net.http.HttpResponse<byte[]> small = raw("/api/blocks/tip/height", "gzip");
    assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(new String(small.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(Long.toString(tip().height()));
  }

  @Test
  void headAnswersWithTheHeadersOfGetAndNoBody() throws Exception {
    String path = "/api/block/" + big.hash();
    java.net.http.HttpResponse<byte[]> get = raw(path, null);
    java.net.http.HttpResponse<byte[]> head =
        RAW_CLIENT.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(regtest.httpBaseUrl() + path))
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                .timeout(java.time.Duration.ofSeconds(10))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Type")).isEqualTo(get.headers().firstValue("Content-Type"));
    assertThat(head.headers().firstValue("Content-Length")).contains(Integer.toString(get.body().length));
    assertThat(head.headers().firstValue("Cache-Control")).isEqualTo(get.headers().firstValue("Cache-Control"));
  }

  @Test
  void acceptEncodingIsReadAsRfc9110Says() {
    assertThat(ExplorerRoutes.acceptsGzip("gzip")).isTrue();
    assertThat(ExplorerRoutes.acceptsGzip("deflate, GZIP")).isTrue();
    assertThat(ExplorerRoutes.acceptsGzip("gzip;q=0.5")).isTrue();
    assertThat(ExplorerRoutes.acceptsGzip("*")).isTrue();
    assertThat(ExplorerRoutes.acceptsGzip(null)).isFalse();
    assertThat(ExplorerRoutes.acceptsGzip("")).isFalse();
    assertThat(ExplorerRoutes.acceptsGzip("identity")).isFalse();
    assertThat(ExplorerRoutes.acceptsGzip("br, deflate")).isFalse();
    assertThat(ExplorerRoutes.acceptsGzip("gzip;q=0")).isFalse();
    assertThat(ExplorerRoutes.acceptsGzip("gzip; q=0.000")).isFalse();
    assertThat(ExplorerRoutes.acceptsGzip("xgzip")).isFalse();
  }

  // ---- /api/block/:hash/status -------------------------------------------------------------

  @Test
  void statusOfABestChainBlockNamesItsSuccessor() throws IOException {
    JsonNode s = json("/api/block/" + regtest.spec().genesisHash() + "/status");
    assertThat(s).isEqualTo(JSON.readTree(
        "{\"in_best_chain\":true,\"height\":0,\"next_best\":\"" + store().mainChainHash(1).orElseThrow() + "\"}"));
    JsonNode b = json("/api/block/" + big.hash() + "/status");
    assertThat(b.get("height").asLong()).isEqualTo(9);
    assertThat(b.get("next_best").asText()).isEqualTo(hex(store().mainChainHash(10).orElseThrow()));
  }

  @Test
  void statusOfTheTipHasNoSuccessor() throws IOException {
    JsonNode s = json("/api/block/" + tip().hash() + "/status");
    assertThat(s).isEqualTo(JSON.readTree(
        "{\"in_best_chain\":true,\"height\":" + tip().height() + ",\"next_best\":null}"));
    assertThat(regtest.get("/api/block/" + tip().hash() + "/status").headers().firstValue("Cache-Control")).contains("no-cache");
  }

  // ---- /api/block/:hash without decoding the transactions -----------------------------------

  @Test
  void blockSummaryReadsWhatTheDecodedBlockSays() throws IOException {
    JsonViews views = new JsonViews(regtest.node().queries());
    for (long h = 0; h <= tip().height(); h++) {
      Hash hash = store().mainChainHash(h).orElseThrow();
      NodeQueries.BlockView full = regtest.node().queries().block(hash).orElseThrow();
      NodeQueries.BlockSummary summary = regtest.node().queries().blockSummary(hash).orElseThrow();
      assertThat(summary).isEqualTo(full.summary());
      assertThat(json("/api/block/" + hash)).isEqualTo(JSON.readTree(JsonViews.bytes(views.block(full))));
    }
    assertThat(regtest.node().queries().blockSummary(big.hash()).orElseThrow().txCount()).isEqualTo(61);
  }

  // ---- /api/block/:hash/txs[/:start_index] -------------------------------------------------

  @Test
  void blockTransactionsComeInPagesOf25() throws IOException {
    List<String> all = big.transactionIds().stream().map(Hash::toHex).toList();
    JsonNode first = json("/api/block/" + big.hash() + "/txs");
    assertThat(txids(first)).isEqualTo(all.subList(0, 25));
    assertThat(json("/api/block/" + big.hash() + "/txs/0")).isEqualTo(first);
    assertThat(txids(json("/api/block/" + big.hash() + "/txs/25"))).isEqualTo(all.subList(25, 50));
    assertThat(txids(json("/api/block/" + big.hash() + "/txs/50"))).isEqualTo(all.subList(50, 61));
    assertThat(regtest.get("/api/block/" + big.hash() + "/txs/75").statusCode()).isEqualTo(404);
    assertThat(regtest.get("/api/block/" + big.hash() + "/txs/10").statusCode()).isEqualTo(400);
  }

  @Test
  void blockTransactionsHaveTheShapeOfApiTx() throws IOException {
    JsonNode page = json("/api/block/" + big.hash() + "/txs/25");
    for (int i : new int[] {0, 7, 24}) {
      JsonNode tx = page.get(i);
      assertThat(tx).isEqualTo(json("/api/tx/" + tx.get("txid").asText()));
    }
    JsonNode coinbase = json("/api/block/" + big.hash() + "/txs").get(0);
    assertThat(coinbase.get("kind").asText()).isEqualTo("coinbase");
    assertThat(coinbase.get("status").get("block_hash").asText()).isEqualTo(hex(big.hash()));
    assertThat(coinbase.get("status").get("confirmations").asLong()).isEqualTo(tip().height() - 9 + 1);
  }

  // ---- /api/tx/:txid/merkle-proof ----------------------------------------------------------

  @Test
  void merkleProofVerifiesAgainstTheBlocksRoot() throws IOException {
    for (int index : new int[] {0, 37, 60}) {
      Transaction tx = big.transactions().get(index);
      JsonNode p = json("/api/tx/" + tx.id() + "/merkle-proof");
      assertThat(p.get("block_height").asLong()).isEqualTo(9);
      assertThat(p.get("block_hash").asText()).isEqualTo(hex(big.hash()));
      assertThat(p.get("pos").asLong()).isEqualTo(index);
      assertThat(p.get("tree_size").asLong()).isEqualTo(61);
      List<Hash> path = new ArrayList<>();
      p.get("merkle").forEach(h -> path.add(Hash.parse(h.asText())));
      assertThat(path).isNotEmpty();
      MerkleProof proof = new MerkleProof(p.get("pos").asLong(), p.get("tree_size").asLong(), path);
      assertThat(proof.verify(tx.id(), big.header().merkleRoot())).isTrue();
      assertThat(proof.verify(big.transactions().get(index == 0 ? 1 : 0).id(), big.header().merkleRoot())).isFalse();
    }
  }

  @Test
  void merkleProofOfTheOnlyTransactionOfABlockIsEmpty() throws IOException {
    Block one = store().body(store().mainChainHash(3).orElseThrow()).orElseThrow();
    JsonNode p = json("/api/tx/" + one.transactions().get(0).id() + "/merkle-proof");
    assertThat(p).isEqualTo(JSON.readTree(
        "{\"block_height\":3,\"block_hash\":\"" + one.hash() + "\",\"pos\":0,\"tree_size\":1,\"merkle\":[]}"));
  }

  @Test
  void pendingTransactionHasNoMerkleProof() {
    HttpResponse<String> r = regtest.get("/api/tx/" + pending.get(0).id() + "/merkle-proof");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("\"not-found\"");
  }

  // ---- addresses -----------------------------------------------------------------------------

  /** The payee's confirmed history, newest first: big's transfers in reverse block order, then its allocation. */
  private static List<String> payeeHistoryNewestFirst() {
    List<String> out = new ArrayList<>();
    for (int i = big.transactions().size() - 1; i >= 1; i--) {
      out.add(hex(big.transactions().get(i).id()));
    }
    for (Transaction t : regtest.spec().genesisBlock().transactions()) {
      if (t.touchedAddresses().contains(payee)) {
        out.add(hex(t.id()));
      }
    }
    return out;
  }

  private static List<String> pendingNewestFirst() {
    List<String> out = new ArrayList<>();
    for (int i = pending.size() - 1; i >= 0; i--) {
      out.add(hex(pending.get(i).id()));
    }
    return out;
  }

  @Test
  void addressTransactionsArePendingThenTheNewest25Confirmed() throws IOException {
    JsonNode txs = json("/api/address/" + regtest.text(payee) + "/txs");
    List<String> expected = new ArrayList<>(pendingNewestFirst().subList(0, 50));
    expected.addAll(payeeHistoryNewestFirst().subList(0, 25));
    assertThat(txids(txs)).isEqualTo(expected);
    for (int i = 0; i < 50; i++) {
      assertThat(txs.get(i).get("status")).isEqualTo(JSON.readTree("{\"confirmed\":false,\"in_mempool\":true}"));
    }
    for (int i = 50; i < 75; i++) {
      assertThat(txs.get(i).get("status").get("confirmed").asBoolean()).isTrue();
    }
    assertThat(txs.get(60)).isEqualTo(json("/api/tx/" + txs.get(60).get("txid").asText()));
  }

  @Test
  void addressChainPagesFollowTheCursorToTheEnd() throws IOException {
    List<String> history = payeeHistoryNewestFirst();
    assertThat(history).hasSize(61);
    String base = "/api/address/" + regtest.text(payee) + "/txs/chain";
    List<String> seen = new ArrayList<>(txids(json(base)));
    assertThat(seen).hasSize(25);
    int pages = 1;
    while (true) {
      List<String> page = txids(json(base + "/" + seen.get(seen.size() - 1)));
      if (page.isEmpty()) {
        break;
      }
      assertThat(page.size()).isLessThanOrEqualTo(25);
      seen.addAll(page);
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen).isEqualTo(history);
    // The cursor may be given in upper case.
    assertThat(txids(json(base + "/" + history.get(24).toUpperCase(java.util.Locale.ROOT)))).isEqualTo(history.subList(25, 50));
  }

  @Test
  void addressMempoolListsAtMost50PendingNewestFirst() throws IOException {
    JsonNode txs = json("/api/address/" + regtest.text(payee) + "/txs/mempool");
    assertThat(txids(txs)).isEqualTo(pendingNewestFirst().subList(0, 50));
    JsonNode sender = json("/api/address/" + regtest.text(regtest.key(2).address()) + "/txs/mempool");
    assertThat(sender).hasSize(50);
    JsonNode nobody = json("/api/address/" + regtest.text(TestChain.keys(23, 1).get(0).address()) + "/txs/mempool");
    assertThat(nobody).isEmpty();
  }

  @Test
  void addressWithNoHistoryHasEmptyPages() throws IOException {
    String nobody = regtest.text(TestChain.keys(24, 1).get(0).address());
    assertThat(json("/api/address/" + nobody + "/txs")).isEmpty();
    assertThat(json("/api/address/" + nobody + "/txs/chain")).isEmpty();
  }

  @Test
  void addressSummaryCountsConfirmedAndPending() throws IOException {
    JsonNode a = json("/api/address/" + regtest.text(payee));
    assertThat(a.get("tx_count").asLong()).isEqualTo(61);
    assertThat(a.get("mempool").get("tx_count").asInt()).isEqualTo(55);
    long incoming = pending.stream().mapToLong(t -> t.amount().units()).sum();
    assertThat(a.get("mempool").get("incoming").asLong()).isEqualTo(incoming);
  }

  // ---- mempool and fees --------------------------------------------------------------------

  @Test
  void mempoolSummaryWithItsFeeHistogram() throws IOException {
    JsonNode m = json("/api/mempool");
    long bytes = pending.stream().mapToLong(Transfer::size).sum();
    long fees = pending.stream().mapToLong(t -> t.fee().units()).sum();
    assertThat(m.get("count").asInt()).isEqualTo(55);
    assertThat(m.get("bytes").asLong()).isEqualTo(bytes).isEqualTo(55 * 142);
    assertThat(m.get("total_fee").asLong()).isEqualTo(fees);
    JsonNode histogram = m.get("fee_histogram");
    assertThat(histogram.size()).isGreaterThan(1);
    long sum = 0;
    double previous = Double.MAX_VALUE;
    for (JsonNode pair : histogram) {
      assertThat(pair).hasSize(2);
      assertThat(pair.get(0).asDouble()).isLessThan(previous);
      previous = pair.get(0).asDouble();
      sum += pair.get(1).asLong();
    }
    assertThat(sum).isEqualTo(bytes);
    // Each bucket holds exactly the bytes of the transactions paying at least its rate and less than the one above.
    double upper = Double.MAX_VALUE;
    for (JsonNode pair : histogram) {
      double low = pair.get(0).asDouble();
      double high = upper;
      long expected =
          pending.stream().filter(t -> rate(t) >= low && rate(t) < high).mapToLong(Transfer::size).sum();
      assertThat(pair.get(1).asLong()).as("bucket %s", low).isEqualTo(expected);
      upper = low;
    }
  }

  private static double rate(Transfer t) {
    return (double) t.fee().units() / t.size();
  }

  @Test
  void recentMempoolIsTheTenNewest() throws IOException {
    JsonNode recent = json("/api/mempool/recent");
    assertThat(recent).hasSize(10);
    for (int i = 0; i < 10; i++) {
      Transfer t = pending.get(pending.size() - 1 - i);
      assertThat(recent.get(i)).isEqualTo(JSON.readTree(
          "{\"txid\":\"" + t.id() + "\",\"fee\":" + t.fee().units() + ",\"size\":142,\"amount\":" + t.amount().units() + "}"));
    }
  }

  @Test
  void feeEstimatesPerConfirmationTarget() throws IOException {
    JsonNode f = json("/api/fee-estimates");
    SortedMap<Integer, Double> expected = regtest.node().queries().feeEstimates();
    List<String> keys = new ArrayList<>();
    f.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("1", "2", "3", "6", "12", "24", "144");
    expected.forEach((target, rate) -> {
      assertThat(f.get(Integer.toString(target)).isNumber()).isTrue();
      assertThat(f.get(Integer.toString(target)).asDouble()).isEqualTo(rate);
      assertThat(rate).isGreaterThanOrEqualTo((double) regtest.node().mempool().policy().minFeePerByte());
    });
  }

  // ---- cache headers -------------------------------------------------------------------------

  @Test
  void buriedBlocksAreImmutableAndRecentOnesAreNot() {
    String immutable = "public, max-age=31536000, immutable";
    Hash buried = store().mainChainHash(tip().height() - 5).orElseThrow(); // 6 confirmations
    Hash shallow = store().mainChainHash(tip().height() - 4).orElseThrow(); // 5 confirmations
    for (String suffix : new String[] {"", "/txids", "/txs", "/txs/0"}) {
      assertThat(ok("/api/block/" + buried + suffix).headers().firstValue("Cache-Control")).as(suffix).contains(immutable);
      assertThat(ok("/api/block/" + shallow + suffix).headers().firstValue("Cache-Control")).as(suffix).contains("no-cache");
      assertThat(ok("/api/block/" + tip().hash() + suffix).headers().firstValue("Cache-Control")).contains("no-cache");
    }
    for (String path : new String[] {"/api/blocks/tip/height", "/api/blocks/tip/hash", "/api/blocks", "/api/mempool",
        "/api/block/" + buried + "/status", "/api/block-height/0", "/api/tx/" + big.transactions().get(1).id()}) {
      assertThat(ok(path).headers().firstValue("Cache-Control")).as(path).contains("no-cache");
    }
    HttpResponse<String> error = regtest.get("/api/block/" + "00".repeat(32));
    assertThat(error.statusCode()).isEqualTo(404);
    assertThat(error.headers().firstValue("Cache-Control")).contains("no-cache");
  }
}
