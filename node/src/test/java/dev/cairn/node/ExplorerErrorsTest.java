package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Bech32m;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input is a 400, an unknown object or route a 404, always in the JSON error shape. */
class ExplorerErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UNKNOWN_HASH = "00".repeat(31) + "01";

  @TempDir static Path dir;
  private static RegtestNode regtest;
  private static Address someone;

  @BeforeAll
  static void startNode() {
    regtest = RegtestNode.start(dir);
    someone = TestChain.keys(3, 1).get(0).address();
    regtest.generate(2, someone);
  }

  @AfterAll
  static void stopNode() {
    regtest.close();
  }

  /** Checks the status and the error shape (exactly error.code and error.message), returns the message. */
  private static String error(HttpResponse<String> r, int status, String code) throws IOException {
    assertThat(r.statusCode()).as("status of %s: %s", r.uri(), r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).get().asString()
        .startsWith("application/json").containsIgnoringCase("charset=utf-8");
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
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
    StringBuilder sb = new StringBuilder();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      sb.append(sb.length() == 0 ? "" : ",").append(it.next());
    }
    return sb.toString();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc",
        "zz00000000000000000000000000000000000000000000000000000000000000",
        "g000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000a",
        "000000000000000000000000000000000000000000000000000000000000000",
        "-000000000000000000000000000000000000000000000000000000000000000",
        "+000000000000000000000000000000000000000000000000000000000000000",
        "%20000000000000000000000000000000000000000000000000000000000000000"
      })
  void malformedHashesAre400(String hash) throws IOException {
    assertThat(error("/api/block/" + hash, 400, "bad-hash")).contains("64 hex digits");
    error("/api/block/" + hash + "/txids", 400, "bad-hash");
    error("/api/tx/" + hash, 400, "bad-hash");
  }

  @Test
  void unknownHashesAre404() throws IOException {
    assertThat(error("/api/block/" + UNKNOWN_HASH, 404, "not-found")).contains(UNKNOWN_HASH);
    error("/api/block/" + UNKNOWN_HASH + "/txids", 404, "not-found");
    assertThat(error("/api/tx/" + UNKNOWN_HASH, 404, "not-found")).contains(UNKNOWN_HASH);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "99999999999999999999", "9223372036854775808", "abc", "1.5", "+1", "1e3", "0x10", "%201"})
  void malformedHeightsAre400(String height) throws IOException {
    assertThat(error("/api/block-height/" + height, 400, "bad-height")).contains("0..9223372036854775807");
    error("/api/blocks/" + height, 400, "bad-height");
  }

  @Test
  void heightsBeyondTheTipAre404() throws IOException {
    long next = regtest.node().chain().tip().height() + 1;
    assertThat(error("/api/block-height/" + next, 404, "not-found")).contains("height " + next);
    error("/api/block-height/9223372036854775807", 404, "not-found");
    error("/api/blocks/" + next, 404, "not-found");
    error("/api/blocks/9223372036854775807", 404, "not-found");
  }

  @Test
  void addressWithAMistypedCharacterIsAChecksumError() throws IOException {
    String good = regtest.text(someone);
    char last = good.charAt(good.length() - 1);
    String typo = good.substring(0, good.length() - 1) + (last == 'q' ? 'p' : 'q');
    error("/api/address/" + typo, 400, "bad-address-checksum");
  }

  @Test
  void addressOfAnotherNetworkIsRefused() throws IOException {
    String mainnet = someone.toText("cairn");
    assertThat(error("/api/address/" + mainnet, 400, "bad-address-network")).contains("'cairn'");
    error("/api/address/" + someone.toText("dcairn"), 400, "bad-address-network");
  }

  @Test
  void malformedAddressesAreRefused() throws Exception {
    error("/api/address/hello", 400, "bad-address");
    error("/api/address/rcairn1", 400, "bad-address");
    // A valid bech32m string that holds 19 bytes, not 20.
    String short19 = Bech32m.encode("rcairn", Bech32m.convertBits(new byte[19], 8, 5, true));
    error("/api/address/" + short19, 400, "bad-address");
    // Mixed case is not bech32m.
    String good = regtest.text(someone);
    error("/api/address/" + good.substring(0, 10) + good.substring(10).toUpperCase(java.util.Locale.ROOT), 400, "bad-address");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/api", "/api/nope", "/api/block", "/api/block/", "/api/blocks/tip", "/api/tx", "/api/address/",
          "/api/blocks/tip/height/extra", "/api/index.html"})
  void unknownRoutesAre404(String path) throws IOException {
    HttpResponse<String> r = regtest.get(path);
    if (path.equals("/api/blocks/tip")) {
      // Matches /api/blocks/{start_height}: "tip" is not a height.
      error(r, 400, "bad-height");
    } else {
      assertThat(error(r, 404, "not-found")).startsWith("no such route");
    }
  }

  /** Jetty refuses these before any route sees them; the answer is still the JSON error shape. */
  @ParameterizedTest
  @ValueSource(strings = {"/api/block/%zz", "/api/block-height/%00", "/api/tx/%"})
  void requestsTheHttpServerRefusesAreJson400s(String path) throws IOException {
    String raw;
    try (Socket socket = new Socket("127.0.0.1", regtest.node().httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(
          ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(raw).startsWith("HTTP/1.1 400 ");
    String headers = raw.substring(0, raw.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
    assertThat(headers).contains("content-type: application/json").contains("access-control-allow-origin: *");
    JsonNode body = JSON.readTree(raw.substring(raw.indexOf("\r\n\r\n") + 4));
    assertThat(fieldNames(body)).isEqualTo("error");
    assertThat(body.get("error").get("code").asText()).isEqualTo("bad-request");
    assertThat(body.get("error").get("message").asText()).isNotBlank();
  }

  @Test
  void otherMethodsAreNotRoutes() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(regtest.httpBaseUrl() + "/api/blocks/tip/height"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(error(r, 404, "not-found")).contains("POST /api/blocks/tip/height");
  }
}
