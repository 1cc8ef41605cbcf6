package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.consensus.Blockchain;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live feed at {@code /api/events} (Server-Sent Events) against real regtest nodes: a mined
 * block, a transaction entering the mempool and a reorganisation each arrive as their event; the
 * stream sends heartbeats, caps its clients with a JSON 503, and forgets clients that went away.
 */
class ExplorerEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static JsonNode data(SseStream.Event e) throws IOException {
    assertThat(e.data()).doesNotContain("\n");
    return JSON.readTree(e.data());
  }

  private static SseStream subscribe(String baseUrl) {
    SseStream s = SseStream.open(baseUrl + "/api/events");
    assertThat(s.response().statusCode()).isEqualTo(200);
    // Subscribed once the first comment is in.
    await().atMost(WAIT).until(() -> s.comments().contains("connected"));
    return s;
  }

  @Test
  void blocksAndTransactionsArriveAsEvents(@TempDir Path dir) throws Exception {
    try (RegtestNode regtest = RegtestNode.funded(51, 2, dir);
        SseStream events = subscribe(regtest.httpBaseUrl())) {
      assertThat(events.response().headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
      assertThat(events.response().headers().firstValue("Cache-Control")).contains("no-cache");
      assertThat(events.response().headers().firstValue("Access-Control-Allow-Origin")).contains("*");
      Address miner = TestChain.keys(52, 1).get(0).address();

      Hash mined = regtest.generate(1, miner).get(0);
      await().atMost(WAIT).until(() -> events.events("block").size() == 1);
      JsonNode block = data(events.events("block").get(0));
      assertThat(block.get("id").asText()).isEqualTo(mined.toHex());
      assertThat(block).isEqualTo(JSON.readTree(regtest.get("/api/block/" + mined).body()));

      Transfer t =
          Transfer.sign(regtest.key(0), miner, Amount.units(5_000), Amount.units(1_420), 0, regtest.spec().genesisHash());
      assertThat(regtest.post("/api/tx", HexFormat.of().formatHex(t.encoded())).statusCode()).isEqualTo(200);
      await().atMost(WAIT).until(() -> events.events("tx").size() == 1);
      JsonNode tx = data(events.events("tx").get(0));
      assertThat(tx).isEqualTo(JSON.readTree(regtest.get("/api/tx/" + t.id()).body()));
      assertThat(tx.get("status").get("in_mempool").asBoolean()).isTrue();

      Hash withTx = regtest.generate(1, miner).get(0);
      await().atMost(WAIT).until(() -> events.events("block").size() == 2);
      JsonNode second = data(events.events("block").get(1));
      assertThat(second.get("id").asText()).isEqualTo(withTx.toHex());
      assertThat(second.get("tx_count").asInt()).isEqualTo(2);
      assertThat(events.events("reorg")).isEmpty();
      assertThat(events.events()).extracting(SseStream.Event::name).containsExactly("block", "tx", "block");
    }
  }

  @Test
  void aHeavierBranchFromAnotherNodeIsAReorgEvent(@TempDir Path dirA, @TempDir Path dirB) throws Exception {
    try (RegtestNode a = RegtestNode.funded(53, 1, dirA);
        RegtestNode b = RegtestNode.funded(53, 1, dirB);
        SseStream events = subscribe(a.httpBaseUrl())) {
      Address minerA = TestChain.keys(54, 1).get(0).address();
      Address minerB = TestChain.keys(55, 1).get(0).address();
      Blockchain chainA = a.node().chain();
      Blockchain chainB = b.node().chain();

      Hash common = a.generate(1, minerA).get(0);
      chainB.processBlock(chainA.store().body(common).orElseThrow());
      Hash a2 = a.generate(1, minerA).get(0);
      List<Hash> branch = b.generate(2, minerB);
      await().atMost(WAIT).until(() -> events.events("block").size() == 2);

      for (Hash h : branch) {
        Block block = chainB.store().body(h).orElseThrow();
        chainA.processBlock(block);
      }
      assertThat(chainA.tip().hash()).isEqualTo(branch.get(1));

      await().atMost(WAIT).until(() -> events.events("reorg").size() == 1);
      JsonNode reorg = data(events.events("reorg").get(0));
      assertThat(reorg).isEqualTo(JSON.readTree(
          "{\"old_tip\":\"" + a2 + "\",\"new_tip\":\"" + branch.get(1) + "\",\"disconnected\":1,\"connected\":2}"));
      // The new branch's blocks came first, each as it was when connected (then the tip).
      assertThat(events.events()).extracting(SseStream.Event::name).containsExactly("block", "block", "block", "block", "reorg");
      for (int i = 0; i < 2; i++) {
        JsonNode block = data(events.events("block").get(2 + i));
        assertThat(block.get("id").asText()).isEqualTo(branch.get(i).toHex());
        assertThat(block.get("in_best_chain").asBoolean()).isTrue();
        assertThat(block.get("confirmations").asLong()).isEqualTo(1);
        JsonNode now = JSON.readTree(a.get("/api/block/" + branch.get(i)).body());
        JsonNode eventFields = ((ObjectNode) block.deepCopy()).without("confirmations");
        JsonNode nowFields = ((ObjectNode) now.deepCopy()).without("confirmations");
        assertThat(eventFields).isEqualTo(nowFields);
      }
    }
  }

  @Test
  void invalidatingTheTipIsAReorgEvent(@TempDir Path dir) throws Exception {
    try (RegtestNode regtest = RegtestNode.start(dir);
        SseStream events = subscribe(regtest.httpBaseUrl())) {
      Address miner = TestChain.keys(56, 1).get(0).address();
      List<Hash> mined = regtest.generate(2, miner);
      regtest.node().chain().invalidateBlock(mined.get(1));
      await().atMost(WAIT).until(() -> events.events("reorg").size() == 1);
      assertThat(data(events.events("reorg").get(0))).isEqualTo(JSON.readTree(
          "{\"old_tip\":\"" + mined.get(1) + "\",\"new_tip\":\"" + mined.get(0) + "\",\"disconnected\":1,\"connected\":0}"));
    }
  }

  /** A server with its own feed: 2 clients at most, a heartbeat every 100 ms. */
  @Test
  void heartbeatsClientCapAndCleanUp(@TempDir Path dir) throws Exception {
    try (RegtestNode regtest = RegtestNode.start(dir);
        EventFeed feed = new EventFeed(regtest.node().queries(), 2, 100);
        ExplorerServer server =
            ExplorerServer.start(regtest.node().queries(), "127.0.0.1", 0, Optional.of(feed), Optional.empty())) {
      regtest.node().chain().addListener(feed);
      regtest.node().mempool().addListener(feed);
      String base = "http://127.0.0.1:" + server.port();
      try (SseStream first = subscribe(base);
          Socket second = rawSubscribe(server.port())) {
        await().atMost(WAIT).until(() -> first.comments().stream().filter("heartbeat"::equals).count() >= 3);
        assertThat(feed.clientCount()).isEqualTo(2);

        SseStream third = SseStream.open(base + "/api/events");
        assertThat(third.response().statusCode()).isEqualTo(503);
        assertThat(third.response().headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        await().atMost(WAIT).until(third::ended);
        third.close();

        // A client that goes away is noticed at the next write (a heartbeat at worst) and forgotten.
        second.close();
        await().atMost(WAIT).until(() -> feed.clientCount() == 1);
        try (SseStream again = subscribe(base)) {
          assertThat(feed.clientCount()).isEqualTo(2);
          regtest.generate(1, TestChain.keys(57, 1).get(0).address());
          await().atMost(WAIT).until(() -> again.events("block").size() == 1 && first.events("block").size() == 1);
        }
      }
      await().atMost(WAIT).until(() -> feed.clientCount() == 0);
    }
  }

  /** Subscribes over a plain socket and reads up to the first comment. */
  private static Socket rawSubscribe(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().contains(": connected")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("stream ended: " + seen);
      }
      seen.append((char) c);
    }
    assertThat(seen.toString()).startsWith("HTTP/1.1 200 ");
    return socket;
  }
}
