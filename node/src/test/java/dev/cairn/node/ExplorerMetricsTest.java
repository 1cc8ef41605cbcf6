package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.Column;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} after some activity (5 blocks, one of them with a transfer, a transfer
 * pending, and refused submissions): the key series exist with the values the node's own state
 * gives, and the text passes {@code promtool check metrics} when promtool is installed (Debian's
 * {@code prometheus} package).
 */
class ExplorerMetricsTest {
  @TempDir static Path dir;
  private static RegtestNode regtest;
  private static String text;
  private static Map<String, Double> samples;

  @BeforeAll
  static void activity() {
    regtest = RegtestNode.funded(71, 2, dir);
    Address miner = TestChain.keys(72, 1).get(0).address();
    regtest.generate(4, miner);
    Transfer mined = transfer(0, 0);
    assertThat(regtest.post("/api/tx", hex(mined)).statusCode()).isEqualTo(200);
    regtest.generate(1, miner);
    assertThat(regtest.post("/api/tx", hex(transfer(0, 1))).statusCode()).isEqualTo(200);
    assertThat(regtest.post("/api/tx", hex(mined)).statusCode()).isEqualTo(409);
    byte[] forged = transfer(1, 0).encoded();
    forged[forged.length - 40] ^= 1;
    assertThat(regtest.post("/api/tx", HexFormat.of().formatHex(forged)).statusCode()).isEqualTo(400);
    assertThat(regtest.post("/api/tx", "00").statusCode()).isEqualTo(400);
    // Reads that touch the store (some may hit the block cache).
    for (long h = 0; h <= 5; h++) {
      regtest.get("/api/block/" + regtest.node().chain().store().mainChainHash(h).orElseThrow());
    }
    HttpResponse<String> r = regtest.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain").contains("version=0.0.4");
    text = r.body();
    samples = parse(text);
  }

  @AfterAll
  static void stopNode() {
    regtest.close();
  }

  private static Transfer transfer(int key, long nonce) {
    return Transfer.sign(
        regtest.key(key), regtest.key(1 - key).address(), Amount.units(10_000), Amount.units(1_420), nonce, regtest.spec().genesisHash());
  }

  private static String hex(Transfer t) {
    return HexFormat.of().formatHex(t.encoded());
  }

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");

  /** Sample name with labels (as written) -> value. */
  private static Map<String, Double> parse(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a sample line: %s", line).isTrue();
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  private static double value(String sample) {
    assertThat(samples).as("metrics:\n%s", text).containsKey(sample);
    return samples.get(sample);
  }

  @Test
  void chainMempoolAndPeerGauges() {
    assertThat(value("cairn_chain_height")).isEqualTo(5.0);
    assertThat(value("cairn_peers")).isEqualTo(0.0);
    assertThat(value("cairn_mempool_transactions")).isEqualTo(1.0);
    assertThat(value("cairn_mempool_bytes")).isEqualTo(142.0);
    assertThat(value("cairn_explorer_event_clients")).isEqualTo(0.0);
  }

  @Test
  void validationCountersAndLatencyHistograms() {
    assertThat(value("cairn_blocks_validated_total")).isEqualTo(5.0);
    // 5 coinbases and one transfer were connected; two transfers were admitted.
    assertThat(value("cairn_transactions_validated_total{stage=\"block\"}")).isEqualTo(6.0);
    assertThat(value("cairn_transactions_validated_total{stage=\"mempool\"}")).isEqualTo(2.0);
    for (String histogram : new String[] {"cairn_block_validation_seconds", "cairn_block_connect_seconds"}) {
      assertThat(text).contains("# TYPE " + histogram + " histogram");
      assertThat(value(histogram + "_count")).isEqualTo(5.0);
      assertThat(value(histogram + "_sum")).isGreaterThan(0.0);
      assertThat(value(histogram + "_bucket{le=\"+Inf\"}")).isEqualTo(5.0);
      assertThat(value(histogram + "_bucket{le=\"10.0\"}")).isLessThanOrEqualTo(5.0);
    }
  }

  @Test
  void rejectionsByKindAndReason() {
    assertThat(value("cairn_rejections_total{kind=\"transaction\",reason=\"txn-already-known\"}")).isEqualTo(1.0);
    assertThat(value("cairn_rejections_total{kind=\"transaction\",reason=\"bad-txns-signature\"}")).isEqualTo(1.0);
    assertThat(value("cairn_rejections_total{kind=\"transaction\",reason=\"bad-encoding-version\"}")).isEqualTo(1.0);
    assertThat(text).doesNotContain("kind=\"block\"");
  }

  @Test
  void storeSizesAndBlockCache() {
    for (Column c : Column.values()) {
      assertThat(value("cairn_store_bytes{column=\"" + c.familyName() + "\"}")).as(c.familyName()).isGreaterThanOrEqualTo(0.0);
    }
    assertThat(value("cairn_store_bytes{column=\"bodies\"}")).isGreaterThan(0.0);
    double hits = value("cairn_store_block_cache_hits_total");
    double misses = value("cairn_store_block_cache_misses_total");
    double ratio = value("cairn_store_block_cache_hit_ratio");
    if (hits + misses == 0) {
      assertThat(ratio).isNaN(); // everything was still in the memtables
    } else {
      assertThat(ratio).isBetween(0.0, 1.0).isCloseTo(hits / (hits + misses), within(1e-9));
    }
    assertThat(value("cairn_store_block_cache_usage_bytes")).isGreaterThan(0.0);
  }

  @Test
  void jvmAndProcessMetricsToo() {
    assertThat(text).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
  }

  @Test
  void passesPromtoolCheckMetrics() throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    if (Boolean.getBoolean("cairn.promtool.required")) {
      assertThat(Files.isExecutable(promtool)).as("promtool is required (-Dcairn.promtool.required) but not installed").isTrue();
    }
    assumeTrue(
        Files.isExecutable(promtool),
        "promtool is not installed (apt-get install prometheus): skipping `promtool check metrics`");
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics said:\n%s", out).isZero();
    assertThat(out).as("promtool's lint findings").isBlank();
  }

  @Test
  void aReorganisationCountsNoAdmissionTwiceAndRefusedBlocksCount(@TempDir Path own) throws Exception {
    try (RegtestNode node = RegtestNode.funded(73, 1, own)) {
      Address miner = TestChain.keys(74, 1).get(0).address();
      node.generate(1, miner);
      Transfer t =
          Transfer.sign(node.key(0), miner, Amount.units(10_000), Amount.units(1_420), 0, node.spec().genesisHash());
      assertThat(node.post("/api/tx", hex(t)).statusCode()).isEqualTo(200);
      Hash withTx = node.generate(1, miner).get(0);
      node.node().chain().invalidateBlock(withTx); // t returns to the mempool
      assertThat(node.node().mempool().contains(t.id())).isTrue();
      Block refused = node.node().chain().store().body(withTx).orElseThrow();
      assertThatThrownBy(() -> node.node().chain().processBlock(refused))
          .isInstanceOf(RejectedException.class);

      String scraped = node.get("/metrics").body();
      Map<String, Double> m = parse(scraped);
      assertThat(m.get("cairn_transactions_validated_total{stage=\"mempool\"}")).isEqualTo(1.0);
      assertThat(m.get("cairn_blocks_validated_total")).isEqualTo(2.0);
      assertThat(m.get("cairn_chain_height")).isEqualTo(1.0);
      assertThat(m.get("cairn_mempool_transactions")).isEqualTo(1.0);
      assertThat(m.get("cairn_rejections_total{kind=\"block\",reason=\"duplicate-invalid\"}")).isEqualTo(1.0);
      assertThat(scraped).doesNotContain("kind=\"transaction\"");
    }
  }

  @Test
  void scrapingChangesNothing() throws IOException {
    var tip = regtest.node().chain().tip();
    int pending = regtest.node().mempool().stats().count();
    regtest.get("/metrics");
    assertThat(regtest.node().chain().tip()).isEqualTo(tip);
    assertThat(regtest.node().mempool().stats().count()).isEqualTo(pending);
  }
}
