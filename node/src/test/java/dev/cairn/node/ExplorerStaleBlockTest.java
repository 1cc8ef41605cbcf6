package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transaction;
import dev.cairn.testkit.TestChain;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A block that left the best chain is still shown, as not in the best chain with no confirmations. */
class ExplorerStaleBlockTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void staleBlockIsShownOutsideTheBestChain(@TempDir Path dir) throws Exception {
    List<PrivateKey> miners = TestChain.keys(11, 2);
    try (RegtestNode regtest = RegtestNode.start(dir)) {
      regtest.generate(3, miners.get(0).address());
      Hash stale = regtest.node().chain().tip().hash();
      Transaction staleCoinbase = regtest.node().chain().store().body(stale).orElseThrow().transactions().get(0);
      regtest.node().chain().invalidateBlock(stale);
      Hash winner = regtest.generate(2, miners.get(1).address()).get(0);
      regtest.node().chain().reconsiderBlock(stale); // valid again, but its branch has less work

      JsonNode b = JSON.readTree(regtest.get("/api/block/" + stale).body());
      assertThat(b.get("height").asLong()).isEqualTo(3);
      assertThat(b.get("in_best_chain").asBoolean()).isFalse();
      assertThat(b.get("confirmations").asLong()).isZero();

      JsonNode w = JSON.readTree(regtest.get("/api/block/" + winner).body());
      assertThat(w.get("height").asLong()).isEqualTo(3);
      assertThat(w.get("in_best_chain").asBoolean()).isTrue();
      assertThat(w.get("confirmations").asLong()).isEqualTo(2);
      assertThat(w.get("chainwork").asText()).isEqualTo(b.get("chainwork").asText());
      assertThat(regtest.get("/api/block-height/3").body()).isEqualTo(winner.toHex());

      // The stale block's coinbase is in no best-chain block and never enters the mempool.
      HttpResponse<String> tx = regtest.get("/api/tx/" + staleCoinbase.id());
      assertThat(tx.statusCode()).isEqualTo(404);

      // Its status: off the best chain, no successor there; the winner's parent names the winner.
      assertThat(JSON.readTree(regtest.get("/api/block/" + stale + "/status").body()))
          .isEqualTo(JSON.readTree("{\"in_best_chain\":false,\"height\":3,\"next_best\":null}"));
      Hash parent = regtest.node().chain().store().mainChainHash(2).orElseThrow();
      assertThat(JSON.readTree(regtest.get("/api/block/" + parent + "/status").body()).get("next_best").asText())
          .isEqualTo(winner.toHex());
      // Its transactions: the coinbase is in no best-chain block and not in the mempool.
      JsonNode txs = JSON.readTree(regtest.get("/api/block/" + stale + "/txs").body());
      assertThat(txs).hasSize(1);
      assertThat(txs.get(0).get("txid").asText()).isEqualTo(staleCoinbase.id().toHex());
      assertThat(txs.get(0).get("status")).isEqualTo(JSON.readTree("{\"confirmed\":false,\"in_mempool\":false}"));
      // Never cached as immutable, however deep the best chain grows.
      regtest.generate(6, miners.get(1).address());
      assertThat(regtest.get("/api/block/" + stale).headers().firstValue("Cache-Control")).contains("no-cache");
      assertThat(regtest.get("/api/block/" + winner).headers().firstValue("Cache-Control"))
          .contains("public, max-age=31536000, immutable");
    }
  }
}
