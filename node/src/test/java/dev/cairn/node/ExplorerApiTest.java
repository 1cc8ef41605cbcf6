package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every explorer route against a real regtest node whose genesis funds three keys, with 12 blocks
 * mined to a fourth. Expectations are read from the node when each test starts, so the tests hold
 * in any order; only {@link #transferGoesFromMempoolToBlock} adds to the chain, and it moves money
 * between keys 0 and 1 only.
 */
class ExplorerApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long FUNDING = TestChain.FUNDING.units();

  @TempDir static Path dir;
  private static RegtestNode regtest;
  private static PrivateKey minerKey;

  @BeforeAll
  static void startNode() {
    regtest = RegtestNode.funded(7, 3, dir);
    minerKey = TestChain.keys(8, 1).get(0);
    regtest.generate(12, minerKey.address());
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

  private static BlockIndexEntry entryAt(long height) {
    return store().mainChainEntry(height).orElseThrow();
  }

  private static Block blockAt(long height) {
    return store().body(entryAt(height).hash()).orElseThrow();
  }

  private static JsonNode json(String path) throws IOException {
    HttpResponse<String> r = regtest.get(path);
    assertThat(r.statusCode()).as("status of %s: %s", path, r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).get().asString()
        .startsWith("application/json").containsIgnoringCase("charset=utf-8");
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    return JSON.readTree(r.body());
  }

  private static String text(String path) {
    HttpResponse<String> r = regtest.get(path);
    assertThat(r.statusCode()).as("status of %s: %s", path, r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).get().asString()
        .startsWith("text/plain").containsIgnoringCase("charset=utf-8");
    return r.body();
  }

  /** The oracle for mediantime: the median of the block's and up to 10 predecessors' timestamps. */
  private static long expectedMedianTime(long height) {
    List<Long> times = new ArrayList<>();
    for (long h = height; h >= 0 && h > height - 11; h--) {
      times.add(entryAt(h).header().timestamp());
    }
    times.sort(null);
    return times.get(times.size() / 2);
  }

  @Test
  void tipHeightAndHashAreText() {
    assertThat(text("/api/blocks/tip/height")).isEqualTo(Long.toString(tip().height()));
    assertThat(text("/api/blocks/tip/hash")).isEqualTo(tip().hash().toHex());
  }

  @Test
  void blockShowsEveryHeaderFieldAndItsPlace() throws IOException {
    BlockIndexEntry entry = entryAt(5);
    Block block = blockAt(5);
    JsonNode b = json("/api/block/" + entry.hash());

    assertThat(b.get("id").asText()).isEqualTo(entry.hash().toHex());
    assertThat(b.get("height").asLong()).isEqualTo(5);
    assertThat(b.get("version").asLong()).isEqualTo(1);
    assertThat(b.get("timestamp").asLong()).isEqualTo(entry.header().timestamp());
    assertThat(b.get("mediantime").asLong()).isEqualTo(expectedMedianTime(5));
    assertThat(b.get("tx_count").asInt()).isEqualTo(1);
    assertThat(b.get("size").asInt()).isEqualTo(block.size()).isEqualTo(128 + 4 + 38);
    assertThat(b.get("merkle_root").asText()).isEqualTo(entry.header().merkleRoot().toHex());
    assertThat(b.get("state_commitment").asText()).isEqualTo(entry.header().stateCommitment().toHex());
    assertThat(b.get("previousblockhash").asText()).isEqualTo(entryAt(4).hash().toHex());
    assertThat(b.get("nonce").isTextual()).isTrue();
    assertThat(b.get("nonce").asText()).isEqualTo(Long.toUnsignedString(entry.header().nonce()));
    assertThat(b.get("bits").asText()).isEqualTo("207fffff");
    assertThat(b.get("difficulty").isNumber()).isTrue();
    assertThat(b.get("difficulty").asDouble()).isEqualTo(1.0);
    assertThat(b.get("chainwork").asText()).hasSize(64).isEqualTo(String.format("%064x", entry.chainWork()));
    assertThat(b.get("in_best_chain").asBoolean()).isTrue();
    assertThat(b.get("confirmations").asLong()).isEqualTo(tip().height() - 5 + 1);
  }

  @Test
  void mediantimeIsTheMedianOfElevenBlocksOnceThereAreEleven() throws IOException {
    assertThat(json("/api/block/" + entryAt(12).hash()).get("mediantime").asLong()).isEqualTo(expectedMedianTime(12));
    assertThat(json("/api/block/" + entryAt(0).hash()).get("mediantime").asLong())
        .isEqualTo(regtest.spec().genesisTimestamp());
  }

  @Test
  void genesisHasNoPreviousBlockAndHoldsTheAllocations() throws IOException {
    JsonNode g = json("/api/block/" + regtest.spec().genesisHash());
    assertThat(g.get("height").asLong()).isZero();
    assertThat(g.get("previousblockhash").isNull()).isTrue();
    assertThat(g.get("tx_count").asInt()).isEqualTo(3);
    assertThat(g.get("timestamp").asLong()).isEqualTo(regtest.spec().genesisTimestamp());
    assertThat(g.get("confirmations").asLong()).isEqualTo(tip().height() + 1);
  }

  @Test
  void blockTxidsListTheTransactionsInOrder() throws IOException {
    JsonNode ids = json("/api/block/" + regtest.spec().genesisHash() + "/txids");
    List<String> expected = regtest.spec().genesisBlock().transactionIds().stream().map(Hash::toHex).toList();
    List<String> actual = new ArrayList<>();
    ids.forEach(n -> actual.add(n.asText()));
    assertThat(actual).hasSize(3).isEqualTo(expected);
  }

  @Test
  void blocksListsTenFromTheTipDownAndEachIsTheBlockView() throws IOException {
    long tipHeight = tip().height();
    JsonNode page = json("/api/blocks");
    assertThat(page.isArray()).isTrue();
    assertThat(page).hasSize(10);
    for (int i = 0; i < 10; i++) {
      JsonNode b = page.get(i);
      assertThat(b.get("height").asLong()).isEqualTo(tipHeight - i);
      assertThat(b).isEqualTo(json("/api/block/" + b.get("id").asText()));
    }
  }

  @Test
  void blocksFromAHeightStopAtGenesis() throws IOException {
    JsonNode page = json("/api/blocks/3");
    List<Long> heights = new ArrayList<>();
    page.forEach(b -> heights.add(b.get("height").asLong()));
    assertThat(heights).containsExactly(3L, 2L, 1L, 0L);
    assertThat(json("/api/blocks/0")).hasSize(1);
    assertThat(json("/api/blocks/" + tip().height()).get(0).get("id").asText()).isEqualTo(tip().hash().toHex());
  }

  @Test
  void blockHeightGivesTheBestChainHash() {
    assertThat(text("/api/block-height/0")).isEqualTo(regtest.spec().genesisHash().toHex());
    assertThat(text("/api/block-height/7")).isEqualTo(entryAt(7).hash().toHex());
    assertThat(text("/api/block-height/0007")).isEqualTo(entryAt(7).hash().toHex());
    assertThat(text("/api/block-height/" + tip().height())).isEqualTo(tip().hash().toHex());
  }

  @Test
  void allocationIsAConfirmedGenesisTransaction() throws IOException {
    Transaction allocation = regtest.spec().genesisBlock().transactions().get(0);
    JsonNode tx = json("/api/tx/" + allocation.id());
    assertThat(tx.get("txid").asText()).isEqualTo(allocation.id().toHex());
    assertThat(tx.get("kind").asText()).isEqualTo("allocation");
    assertThat(tx.get("size").asInt()).isEqualTo(30);
    assertThat(tx.get("recipient").asText()).startsWith("rcairn1");
    assertThat(regtest.keys().stream().map(k -> regtest.text(k.address()))).contains(tx.get("recipient").asText());
    assertThat(tx.get("amount").asLong()).isEqualTo(FUNDING).isEqualTo(100_000_000_000L);
    JsonNode status = tx.get("status");
    assertThat(status.get("confirmed").asBoolean()).isTrue();
    assertThat(status.get("block_height").asLong()).isZero();
    assertThat(status.get("block_hash").asText()).isEqualTo(regtest.spec().genesisHash().toHex());
    assertThat(status.get("block_time").asLong()).isEqualTo(regtest.spec().genesisTimestamp());
    assertThat(status.get("confirmations").asLong()).isEqualTo(tip().height() + 1);
    assertThat(status.has("in_mempool")).isFalse();
  }

  @Test
  void coinbaseShowsHeightRecipientAndReward() throws IOException {
    Transaction coinbase = blockAt(1).transactions().get(0);
    JsonNode tx = json("/api/tx/" + coinbase.id());
    assertThat(tx.get("kind").asText()).isEqualTo("coinbase");
    assertThat(tx.get("size").asInt()).isEqualTo(38);
    assertThat(tx.get("height").asLong()).isEqualTo(1);
    assertThat(tx.get("recipient").asText()).isEqualTo(regtest.text(minerKey.address()));
    assertThat(tx.get("amount").asLong()).isEqualTo(5_000_000_000L);
    assertThat(tx.get("status").get("block_hash").asText()).isEqualTo(entryAt(1).hash().toHex());
    assertThat(tx.get("status").get("confirmations").asLong()).isEqualTo(tip().height());
    // Upper-case hex is the same id.
    assertThat(json("/api/tx/" + coinbase.id().toHex().toUpperCase(Locale.ROOT))).isEqualTo(tx);
  }

  @Test
  void fundedAddressThatNeverSpent() throws IOException {
    Address address = regtest.key(2).address();
    JsonNode a = json("/api/address/" + regtest.text(address));
    assertThat(a.get("address").asText()).isEqualTo(regtest.text(address));
    assertThat(a.get("balance").asLong()).isEqualTo(FUNDING);
    assertThat(a.get("immature_balance").asLong()).isZero();
    assertThat(a.get("nonce").asLong()).isZero();
    assertThat(a.get("tx_count").asLong()).isEqualTo(1);
    assertThat(a.get("mempool")).isEqualTo(JSON.readTree("{\"tx_count\":0,\"pending_nonce\":0,\"outgoing\":0,\"incoming\":0}"));
    // Bech32m is case-insensitive; the answer is the canonical lower-case form.
    assertThat(json("/api/address/" + regtest.text(address).toUpperCase(Locale.ROOT))).isEqualTo(a);
  }

  @Test
  void minerRewardsAreImmature() throws IOException {
    Address miner = minerKey.address();
    Account account = store().account(miner);
    JsonNode a = json("/api/address/" + regtest.text(miner));
    assertThat(a.get("balance").asLong()).isZero();
    assertThat(a.get("immature_balance").asLong())
        .isEqualTo(account.immature().units())
        .isGreaterThanOrEqualTo(12 * 5_000_000_000L);
    assertThat(a.get("tx_count").asLong()).isEqualTo(tip().height());
  }

  @Test
  void addressThatNeverHeldAnythingIsAllZeros() throws IOException {
    Address nobody = TestChain.keys(9, 1).get(0).address();
    JsonNode a = json("/api/address/" + regtest.text(nobody));
    assertThat(a).isEqualTo(JSON.readTree(
        "{\"address\":\"" + regtest.text(nobody) + "\",\"balance\":0,\"immature_balance\":0,\"nonce\":0,\"tx_count\":0,"
            + "\"mempool\":{\"tx_count\":0,\"pending_nonce\":0,\"outgoing\":0,\"incoming\":0}}"));
  }

  @Test
  void transferGoesFromMempoolToBlock() throws IOException, RejectedException {
    PrivateKey senderKey = regtest.key(0);
    Address sender = senderKey.address();
    Address recipient = regtest.key(1).address();
    String senderText = regtest.text(sender);
    String recipientText = regtest.text(recipient);
    JsonNode senderBefore = json("/api/address/" + senderText);
    JsonNode recipientBefore = json("/api/address/" + recipientText);
    long nonce = senderBefore.get("nonce").asLong();
    long amount = 2_500_000_000L;
    long fee = 2_000;
    Transfer t =
        Transfer.sign(senderKey, recipient, Amount.units(amount), Amount.units(fee), nonce, regtest.spec().genesisHash());
    regtest.node().mempool().add(t);

    JsonNode pending = json("/api/tx/" + t.id());
    assertThat(pending.get("txid").asText()).isEqualTo(t.id().toHex());
    assertThat(pending.get("kind").asText()).isEqualTo("transfer");
    assertThat(pending.get("size").asInt()).isEqualTo(142);
    assertThat(pending.get("sender").asText()).isEqualTo(senderText);
    assertThat(pending.get("sender_public_key").asText()).isEqualTo(senderKey.publicKey().toHex());
    assertThat(pending.get("recipient").asText()).isEqualTo(recipientText);
    assertThat(pending.get("amount").asLong()).isEqualTo(amount);
    assertThat(pending.get("fee").asLong()).isEqualTo(fee);
    assertThat(pending.get("nonce").asLong()).isEqualTo(nonce);
    assertThat(pending.get("signature").asText()).isEqualTo(HexFormat.of().formatHex(t.signature().toByteArray()));
    assertThat(pending.get("status")).isEqualTo(JSON.readTree("{\"confirmed\":false,\"in_mempool\":true}"));

    JsonNode senderPending = json("/api/address/" + senderText);
    assertThat(senderPending.get("balance")).isEqualTo(senderBefore.get("balance"));
    assertThat(senderPending.get("mempool")).isEqualTo(JSON.readTree(
        "{\"tx_count\":1,\"pending_nonce\":" + (nonce + 1) + ",\"outgoing\":" + (amount + fee) + ",\"incoming\":0}"));
    JsonNode recipientPending = json("/api/address/" + recipientText);
    assertThat(recipientPending.get("mempool").get("tx_count").asInt()).isEqualTo(1);
    assertThat(recipientPending.get("mempool").get("incoming").asLong()).isEqualTo(amount);
    assertThat(recipientPending.get("mempool").get("outgoing").asLong()).isZero();

    Hash blockHash = regtest.generate(1, minerKey.address()).get(0);

    JsonNode confirmed = json("/api/tx/" + t.id());
    JsonNode status = confirmed.get("status");
    assertThat(status.get("confirmed").asBoolean()).isTrue();
    assertThat(status.get("block_height").asLong()).isEqualTo(tip().height());
    assertThat(status.get("block_hash").asText()).isEqualTo(blockHash.toHex());
    assertThat(status.get("block_time").asLong()).isEqualTo(tip().header().timestamp());
    assertThat(status.get("confirmations").asLong()).isEqualTo(1);
    assertThat(status.has("in_mempool")).isFalse();
    JsonNode confirmedFields = ((ObjectNode) confirmed.deepCopy()).without("status");
    JsonNode pendingFields = ((ObjectNode) pending.deepCopy()).without("status");
    assertThat(confirmedFields).isEqualTo(pendingFields);

    JsonNode senderAfter = json("/api/address/" + senderText);
    assertThat(senderAfter.get("balance").asLong()).isEqualTo(senderBefore.get("balance").asLong() - amount - fee);
    assertThat(senderAfter.get("nonce").asLong()).isEqualTo(nonce + 1);
    assertThat(senderAfter.get("tx_count").asLong()).isEqualTo(senderBefore.get("tx_count").asLong() + 1);
    assertThat(senderAfter.get("mempool")).isEqualTo(JSON.readTree(
        "{\"tx_count\":0,\"pending_nonce\":" + (nonce + 1) + ",\"outgoing\":0,\"incoming\":0}"));
    JsonNode recipientAfter = json("/api/address/" + recipientText);
    assertThat(recipientAfter.get("balance").asLong()).isEqualTo(recipientBefore.get("balance").asLong() + amount);
    assertThat(recipientAfter.get("tx_count").asLong()).isEqualTo(recipientBefore.get("tx_count").asLong() + 1);

    JsonNode block = json("/api/block/" + blockHash);
    assertThat(block.get("tx_count").asInt()).isEqualTo(2);
    assertThat(block.get("confirmations").asLong()).isEqualTo(1);
    assertThat(block.get("size").asInt()).isEqualTo(128 + 4 + 38 + 142);
    JsonNode ids = json("/api/block/" + blockHash + "/txids");
    assertThat(ids.get(1).asText()).isEqualTo(t.id().toHex());
    JsonNode coinbase = json("/api/tx/" + ids.get(0).asText());
    assertThat(coinbase.get("amount").asLong()).isEqualTo(5_000_000_000L + fee);
  }
}
