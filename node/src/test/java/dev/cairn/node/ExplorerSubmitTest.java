package dev.cairn.node;

import static dev.cairn.node.ExplorerRouteErrorsTest.error;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.TestChain;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /api/tx}: a hex-encoded signed transaction goes through the mempool's admission
 * checks; every refusal is a JSON error carrying the reason code, and a refused transaction changes
 * nothing.
 */
class ExplorerSubmitTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  @TempDir static Path dir;
  private static RegtestNode regtest;
  private static Address payee;

  @BeforeAll
  static void startNode() {
    regtest = RegtestNode.funded(41, 4, dir);
    payee = TestChain.keys(42, 1).get(0).address();
    regtest.generate(1, payee);
  }

  @AfterAll
  static void stopNode() {
    regtest.close();
  }

  private static Transfer transfer(int key, long amount, long fee, long nonce) {
    return Transfer.sign(regtest.key(key), payee, Amount.units(amount), Amount.units(fee), nonce, regtest.spec().genesisHash());
  }

  private static HttpResponse<String> submit(byte[] tx) {
    return regtest.post("/api/tx", HEX.formatHex(tx));
  }

  /** The next nonce of key {@code key}, counting its pending transactions (tests may run in any order). */
  private static long nextNonce(int key) {
    return regtest.node().queries().account(regtest.key(key).address()).pendingNonce();
  }

  private static int mempoolCount() {
    return regtest.node().mempool().stats().count();
  }

  @Test
  void acceptedTransactionAnswersItsTxidAndEntersTheMempool() throws IOException {
    long nonce = nextNonce(0);
    Transfer t = transfer(0, 1_000, 1_420, nonce);
    HttpResponse<String> r = submit(t.encoded());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
    assertThat(r.body()).isEqualTo(t.id().toHex());
    assertThat(regtest.node().mempool().contains(t.id())).isTrue();
    assertThat(JSON.readTree(regtest.get("/api/tx/" + t.id()).body()).get("status").get("in_mempool").asBoolean()).isTrue();

    // The same again: already known, 409.
    assertThat(error(submit(t.encoded()), 409, "txn-already-known")).contains(t.id().toHex());
    // Upper-case hex, surrounded by whitespace (a file posted with curl --data-binary @tx.hex).
    Transfer next = transfer(0, 1_000, 1_420, nonce + 1);
    HttpResponse<String> upper = regtest.post("/api/tx", "  " + HEX.formatHex(next.encoded()).toUpperCase(Locale.ROOT) + "\r\n");
    assertThat(upper.statusCode()).as(upper.body()).isEqualTo(200);
    assertThat(upper.body()).isEqualTo(next.id().toHex());
  }

  @Test
  void confirmedTransactionIsAlreadyKnown() throws IOException {
    Transfer t = transfer(3, 1_000, 1_420, nextNonce(3));
    regtest.post("/api/tx", HEX.formatHex(t.encoded()));
    regtest.generate(1, payee);
    assertThat(regtest.node().mempool().contains(t.id())).isFalse();
    error(submit(t.encoded()), 409, "txn-already-known");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "0", "abc", "zz", "0x00", "00 11", "hello world", "\u00e9\u00e9"})
  void bodyThatIsNotHexIs400BadHex(String body) throws IOException {
    int before = mempoolCount();
    assertThat(error(regtest.post("/api/tx", body), 400, "bad-hex")).contains("hex");
    assertThat(mempoolCount()).isEqualTo(before);
  }

  @Test
  void bytesThatAreNotATransactionAreRefusedWithTheDecodeReason() throws IOException {
    byte[] good = transfer(1, 1_000, 1_420, 0).encoded();
    error(regtest.post("/api/tx", "00"), 400, "bad-encoding-version");
    error(submit(java.util.Arrays.copyOf(good, good.length - 1)), 400, "bad-encoding-truncated");
    error(submit(java.util.Arrays.copyOf(good, good.length + 1)), 400, "bad-encoding-trailing");
    byte[] kind = good.clone();
    kind[1] = 9;
    error(submit(kind), 400, "bad-encoding-kind");
    assertThat(regtest.node().mempool().contains(transfer(1, 1_000, 1_420, 0).id())).isFalse();
  }

  @Test
  void badSignatureIsRefused() throws IOException {
    Transfer t = transfer(1, 1_000, 1_420, 0);
    byte[] bytes = t.encoded();
    bytes[bytes.length - 40] ^= 1; // inside the signature's R half
    int before = mempoolCount();
    error(submit(bytes), 400, "bad-txns-signature");
    assertThat(mempoolCount()).isEqualTo(before);
  }

  @Test
  void mempoolPolicyRefusalsCarryTheirReason() throws IOException {
    error(submit(transfer(2, 1_000, 1, 0).encoded()), 400, "min-relay-fee");
    // A nonce gap is queued (MempoolPolicy.maxQueuedPerSender), but not beyond the per-sender window.
    error(submit(transfer(2, 1_000, 1_420, 1_000).encoded()), 400, "nonce-too-far");
    error(submit(transfer(2, TestChain.FUNDING.units(), 1_420, 0).encoded()), 400, "bad-txns-balance");
    Transaction coinbase = regtest.node().chain().store().body(regtest.node().chain().tip().hash()).orElseThrow().transactions().get(0);
    error(submit(coinbase.encoded()), 400, "txn-not-standalone");
    assertThat(regtest.node().mempool().pendingFrom(regtest.key(2).address())).isEmpty();
  }

  @Test
  void everyOversizedSenderReadsIts413() throws IOException {
    // The server reads and drops a refused body (up to 1 MiB) before answering: closing while the
    // client still sends made about one request in a hundred see a reset instead of the answer.
    String over = "00".repeat(32 * 1024 + 1);
    String far = "00".repeat(300 * 1024);
    int pooled = regtest.node().mempool().entries().size();
    for (int i = 0; i < 100; i++) {
      error(regtest.post("/api/tx", i % 2 == 0 ? over : far), 413, "too-large");
    }
    assertThat(regtest.node().mempool().entries()).hasSize(pooled);
  }

  @Test
  void aSenderTricklingItsBodyGets408() throws IOException {
    // Says 400 bytes, sends 10, and one more 1.5 s later: far below the minimum data rate. The
    // answer must come then, not at the connection's 30 s idle timeout (the socket gives up at 20 s).
    int pooled = regtest.node().mempool().entries().size();
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", regtest.node().httpPort())) {
      socket.setSoTimeout(20_000);
      String head = "POST /api/tx HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 400\r\n\r\n";
      socket.getOutputStream().write((head + "0".repeat(10)).getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      // The pause is the input here (a slow sender), not a wait for something to happen.
      java.util.concurrent.locks.LockSupport.parkNanos(1_500_000_000L);
      socket.getOutputStream().write('0');
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 408");
      assertThat(answer).contains("\"code\":\"timeout\"").contains("bytes a second");
    }
    assertThat(regtest.node().mempool().entries()).hasSize(pooled);
    assertThat(regtest.get("/api/blocks/tip/height").statusCode()).isEqualTo(200);
  }

  @Test
  void bodyOver64KiBIs413() throws IOException {
    String big = "00".repeat(32 * 1024 + 1); // 65538 bytes
    assertThat(error(regtest.post("/api/tx", big), 413, "too-large")).contains("65536");
    // Without a Content-Length (chunked): read up to the limit, then refused.
    HttpRequest chunked =
        HttpRequest.newBuilder(URI.create(regtest.httpBaseUrl() + "/api/tx"))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes(StandardCharsets.US_ASCII))))
            .build();
    error(regtest.send(chunked), 413, "too-large");
    // Exactly 64 KiB is read, and refused as a transaction, not for its size.
    String limit = "00".repeat(32 * 1024);
    error(regtest.post("/api/tx", limit), 400, "bad-encoding-version");
  }
}
