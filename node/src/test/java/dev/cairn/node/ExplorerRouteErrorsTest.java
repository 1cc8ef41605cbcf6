package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The error cases of the block-status, block-transactions, Merkle-proof, address-history and
 * submission routes: malformed input is a JSON 400 with its code, unknown things a JSON 404.
 */
class ExplorerRouteErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UNKNOWN_HASH = "00".repeat(31) + "01";

  @TempDir static Path dir;
  private static RegtestNode regtest;
  private static Address someone;
  private static Hash tip;
  private static Transfer waiting;

  @BeforeAll
  static void startNode() throws RejectedException {
    regtest = RegtestNode.funded(31, 2, dir);
    someone = regtest.key(0).address();
    regtest.generate(2, TestChain.keys(32, 1).get(0).address());
    tip = regtest.node().chain().tip().hash();
    waiting = Transfer.sign(regtest.key(1), someone, Amount.units(1), Amount.units(1_420), 0, regtest.spec().genesisHash());
    regtest.node().mempool().add(waiting);
  }

  @AfterAll
  static void stopNode() {
    regtest.close();
  }

  /** Checks the status and the error shape (exactly error.code and error.message), returns the message. */
  static String error(HttpResponse<String> r, int status, String code) throws IOException {
    assertThat(r.statusCode()).as("status of %s: %s", r.uri(), r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).get().asString()
        .startsWith("application/json").containsIgnoringCase("charset=utf-8");
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-cache");
    JsonNode body = JSON.readTree(r.body());
    assertThat(fieldNames(body)).isEqualTo("error");
    assertThat(fieldNames(body.get("error"))).isEqualTo("code,message");
    assertThat(body.get("error").get("code").asText()).isEqualTo(code);
    String message = body.get("error").get("message").asText();
    assertThat(message).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    return message;
  }

  private static String error(String path, int status, String code) throws IOException {
    return error(regtest.get(path), status, code);
  }

  private static String fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return String.join(",", names);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc",
        "zz00000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000a",
        "000000000000000000000000000000000000000000000000000000000000000",
        "-000000000000000000000000000000000000000000000000000000000000000",
        "%20000000000000000000000000000000000000000000000000000000000000000"
      })
  void malformedHashesAre400(String hash) throws IOException {
    assertThat(error("/api/block/" + hash + "/status", 400, "bad-hash")).contains("64 hex digits");
    error("/api/block/" + hash + "/txs", 400, "bad-hash");
    error("/api/block/" + hash + "/txs/0", 400, "bad-hash");
    error("/api/tx/" + hash + "/merkle-proof", 400, "bad-hash");
    assertThat(error("/api/address/" + regtest.text(someone) + "/txs/chain/" + hash, 400, "bad-hash"))
        .contains("last seen transaction id");
  }

  @Test
  void unknownBlocksAndTransactionsAre404() throws IOException {
    assertThat(error("/api/block/" + UNKNOWN_HASH + "/status", 404, "not-found")).contains(UNKNOWN_HASH);
    error("/api/block/" + UNKNOWN_HASH + "/txs", 404, "not-found");
    error("/api/block/" + UNKNOWN_HASH + "/txs/25", 404, "not-found");
    assertThat(error("/api/tx/" + UNKNOWN_HASH + "/merkle-proof", 404, "not-found")).contains(UNKNOWN_HASH);
    // Pending: no proof until it is mined.
    error("/api/tx/" + waiting.id() + "/merkle-proof", 404, "not-found");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "abc", "1.5", "+25", "1e3", "0x19", "99999999999999999999", "%2025"})
  void malformedStartIndexesAre400(String index) throws IOException {
    assertThat(error("/api/block/" + tip + "/txs/" + index, 400, "bad-index")).contains("start index");
    // The index is checked before the block is looked up.
    error("/api/block/" + UNKNOWN_HASH + "/txs/" + index, 400, "bad-index");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "24", "26", "9223372036854775807"})
  void startIndexesThatAreNotMultiplesOf25Are400(String index) throws IOException {
    assertThat(error("/api/block/" + tip + "/txs/" + index, 400, "bad-index")).contains("multiple of 25");
    error("/api/block/" + UNKNOWN_HASH + "/txs/" + index, 400, "bad-index");
  }

  @ParameterizedTest
  @ValueSource(strings = {"25", "50", "9223372036854775800"})
  void startIndexesBeyondTheBlockAre404(String index) throws IOException {
    assertThat(error("/api/block/" + tip + "/txs/" + index, 404, "not-found")).contains("beyond");
  }

  @Test
  void cursorNotInTheAddressHistoryIs400BadCursor() throws IOException {
    String base = "/api/address/" + regtest.text(someone) + "/txs/chain/";
    assertThat(error(base + UNKNOWN_HASH, 400, "bad-cursor")).contains(UNKNOWN_HASH);
    // A real transaction, but of someone else's history: the tip's coinbase.
    Hash coinbase = regtest.node().chain().store().body(tip).orElseThrow().transactions().get(0).id();
    error(base + coinbase, 400, "bad-cursor");
    // A pending transaction paying the address is not in its confirmed history.
    error(base + waiting.id(), 400, "bad-cursor");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/txs", "/txs/chain", "/txs/chain/" + "00", "/txs/mempool", ""})
  void malformedAddressesAre400OnEveryAddressRoute(String suffix) throws IOException {
    error("/api/address/hello" + suffix, 400, "bad-address");
    String good = regtest.text(someone);
    char last = good.charAt(good.length() - 1);
    error("/api/address/" + good.substring(0, good.length() - 1) + (last == 'q' ? 'p' : 'q') + suffix, 400, "bad-address-checksum");
    error("/api/address/" + someone.toText("cairn") + suffix, 400, "bad-address-network");
    // A long input is echoed cut short.
    assertThat(error("/api/address/rcairn1" + "q".repeat(4_000) + suffix, 400, "bad-address")).hasSizeLessThan(300);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/api/block/0000000000000000000000000000000000000000000000000000000000000001/txs/0/extra",
          "/api/tx/0000000000000000000000000000000000000000000000000000000000000001/merkle", "/api/mempool/old",
          "/api/address/x/txs/pending", "/api/fee-estimates/1", "/api/events/1", "/metrics/x"})
  void unknownRoutesAre404(String path) throws IOException {
    assertThat(error(path, 404, "not-found")).startsWith("no such route");
  }

  @Test
  void onlyApiTxTakesAPost() throws IOException {
    for (String path : new String[] {"/api/mempool", "/api/tx/" + UNKNOWN_HASH, "/api/address/" + regtest.text(someone), "/metrics"}) {
      HttpResponse<String> r =
          regtest.send(
              HttpRequest.newBuilder(URI.create(regtest.httpBaseUrl() + path)).POST(HttpRequest.BodyPublishers.ofString("00")).build());
      assertThat(error(r, 404, "not-found")).contains("POST " + path);
    }
    HttpResponse<String> put =
        regtest.send(
            HttpRequest.newBuilder(URI.create(regtest.httpBaseUrl() + "/api/tx")).PUT(HttpRequest.BodyPublishers.ofString("00")).build());
    error(put, 404, "not-found");
    HttpResponse<String> get = regtest.get("/api/tx");
    error(get, 404, "not-found");
  }
}
