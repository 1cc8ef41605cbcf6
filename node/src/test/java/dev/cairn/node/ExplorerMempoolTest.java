package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import dev.cairn.testkit.TestChain;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explorer's mempool figures where the mempool is more than a block: fee estimates that have
 * to outbid (a chain whose blocks hold three transfers), and transactions queued behind a nonce gap,
 * which every mempool route and the address summary count alike.
 */
class ExplorerMempoolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<PrivateKey> KEYS = TestChain.keys(0xFEE5_0001L, 3);
  /** Room for the coinbase and exactly three transfers. */
  private static final int BLOCK_SIZE = BlockHeader.SIZE + 4 + Coinbase.SIZE + 3 * Transfer.SIZE;

  @TempDir Path dir;
  private RegtestNode regtest;

  @BeforeEach
  void start() throws Exception {
    ChainParams p = ChainSpec.regtest().params();
    ChainParams small =
        new ChainParams(
            p.name(), p.addressPrefix(), p.targetSpacingSeconds(), p.asertHalfLifeSeconds(), p.maxFutureDriftSeconds(),
            p.powLimit(), p.genesisTarget(), p.fixedTarget(), p.coinbaseMaturity(), p.initialSubsidy(),
            p.halvingInterval(), BLOCK_SIZE, p.minimumChainWork());
    List<Allocation> allocations = new ArrayList<>();
    KEYS.forEach(k -> allocations.add(Allocation.create(k.address(), TestChain.FUNDING)));
    ChainSpec spec = ChainSpec.of(small, ChainSpec.regtest().genesisTimestamp(), allocations);
    regtest = RegtestNode.start(spec, KEYS, dir);
  }

  @AfterEach
  void stop() {
    regtest.close();
  }

  private Transfer transfer(int from, int to, long fee, long nonce) {
    return Transfer.sign(KEYS.get(from), KEYS.get(to).address(), Amount.units(10_000), Amount.units(fee), nonce, regtest.spec().genesisHash());
  }

  private JsonNode json(String path) throws Exception {
    HttpResponse<String> r = regtest.get(path);
    assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static double rate(long fee) {
    return (double) fee / Transfer.SIZE;
  }

  @Test
  void feeEstimatesOutbidWhatFillsTheNextBlocks() throws Exception {
    // Ten transfers at ten fee rates: blocks of three take the best three, the next three, ...
    long[] fees = new long[10];
    for (int n = 0; n < 10; n++) {
      fees[n] = 2_000 + 300L * n;
      regtest.node().mempool().add(transfer(0, 1, fees[n], n));
    }
    JsonNode f = json("/api/fee-estimates");
    // Ordered by fee rate, the 4th, 7th and 10th do not fit in 1, 2 and 3 blocks: outbid each by one unit a byte.
    assertThat(f.get("1").asDouble()).isEqualTo(rate(fees[6]) + 1);
    assertThat(f.get("2").asDouble()).isEqualTo(rate(fees[3]) + 1);
    assertThat(f.get("3").asDouble()).isEqualTo(rate(fees[0]) + 1);
    double floor = regtest.node().mempool().policy().minFeePerByte();
    for (String target : List.of("6", "12", "24", "144")) {
      assertThat(f.get(target).asDouble()).as("target %s: the pool fits, the relay minimum is enough", target).isEqualTo(floor);
    }
  }

  @Test
  void aQueuedTransactionCountsEverywhereButInThePendingNonce() throws Exception {
    String sender = regtest.text(KEYS.get(0).address());
    String payee = regtest.text(KEYS.get(2).address());
    Transfer queued = transfer(0, 2, 2_000, 1);
    regtest.node().mempool().add(queued);

    JsonNode a = json("/api/address/" + sender).get("mempool");
    assertThat(a.get("tx_count").asInt()).isEqualTo(1);
    assertThat(a.get("outgoing").asLong()).isEqualTo(12_000);
    assertThat(a.get("pending_nonce").asLong()).as("the gap at nonce 0 is where the next transfer goes").isZero();
    assertThat(json("/api/address/" + payee).get("mempool").get("incoming").asLong()).isEqualTo(10_000);
    assertThat(json("/api/address/" + sender + "/txs/mempool").get(0).get("txid").asText()).isEqualTo(queued.id().toHex());
    assertThat(json("/api/mempool").get("count").asInt()).isEqualTo(1);
    assertThat(json("/api/mempool/recent").get(0).get("txid").asText()).isEqualTo(queued.id().toHex());

    Transfer gap = transfer(0, 2, 2_000, 0);
    regtest.node().mempool().add(gap);
    a = json("/api/address/" + sender).get("mempool");
    assertThat(a.get("tx_count").asInt()).isEqualTo(2);
    assertThat(a.get("outgoing").asLong()).isEqualTo(24_000);
    assertThat(a.get("pending_nonce").asLong()).isEqualTo(2);
    List<String> listed = new ArrayList<>();
    json("/api/address/" + payee + "/txs/mempool").forEach(t -> listed.add(t.get("txid").asText()));
    // Promoted when the gap filled, the formerly queued one is the newest arrival in the pending run.
    assertThat(listed).containsExactly(queued.id().toHex(), gap.id().toHex());
  }
}
