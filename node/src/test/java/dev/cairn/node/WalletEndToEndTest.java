package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.PrivateKey;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's whole path on a real regtest node (gRPC client API, HTTP explorer, RocksDB, real
 * signatures and proof of work): import a funded key, create a wallet, pay it, mine, and see the
 * payment confirmed in the explorer; then every wallet error against the same real node.
 */
class WalletEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "pass phrase for tests";

  @TempDir Path dir;
  private RegtestNode regtest;
  private Path walletDir;
  private Path keyFile;

  @BeforeEach
  void start() throws IOException {
    regtest = RegtestNode.funded(91, 2, dir.resolve("node"));
    walletDir = dir.resolve("wallet");
    keyFile = dir.resolve("dev0.key");
    Files.writeString(keyFile, HexFormat.of().formatHex(regtest.key(0).seedBytes()) + "\n");
  }

  @AfterEach
  void stop() {
    regtest.close();
  }

  private WalletRun walletWithPassword(String password, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--node")) {
      all.add("--node");
      all.add("127.0.0.1:" + regtest.node().rpcPort());
    }
    return WalletRun.of(
        Map.of("CAIRN_WALLET_DIR", walletDir.toString(), "CAIRN_WALLET_PASSWORD", password), "", all.toArray(String[]::new));
  }

  private WalletRun wallet(String... args) {
    return walletWithPassword(PASSWORD, args);
  }

  private JsonNode explorer(String path) throws IOException {
    var response = regtest.get(path);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  @Test
  void aPaymentFromADevAccountIsConfirmedAndShownByTheExplorer() throws Exception {
    assertThat(wallet("import", "dev0", "--key-file", keyFile.toString()).exit()).isZero();
    assertThat(wallet("new", "alice").exit()).isZero();
    String alice = wallet("address", "alice").out().trim();
    assertThat(Address.parse(alice, "rcairn")).isNotNull();
    String dev0 = regtest.text(regtest.key(0).address());

    WalletRun sent = wallet("send", "--from", "dev0", "--to", alice, "--amount", "25", "--yes", "--json");
    assertThat(sent.exit()).as(sent.err()).isZero();
    String txid = sent.json().get("txid").asText();

    JsonNode pending = explorer("/api/tx/" + txid);
    assertThat(pending.at("/status/confirmed").asBoolean()).isFalse();
    assertThat(pending.at("/status/in_mempool").asBoolean()).isTrue();
    assertThat(wallet("tx", txid, "--json").json().toString()).contains("pending");

    regtest.generate(1, regtest.key(1).address());

    JsonNode confirmed = explorer("/api/tx/" + txid);
    assertThat(confirmed.at("/status/confirmed").asBoolean()).isTrue();
    assertThat(confirmed.at("/status/confirmations").asLong()).isEqualTo(1);
    long fee = confirmed.get("fee").asLong();
    assertThat(fee).isPositive();
    assertThat(explorer("/api/address/" + alice).get("balance").asLong()).isEqualTo(Amount.coins(25).units());
    assertThat(explorer("/api/address/" + dev0).get("balance").asLong())
        .isEqualTo(dev.cairn.testkit.TestChain.FUNDING.units() - Amount.coins(25).units() - fee);

    WalletRun tx = wallet("tx", txid, "--json");
    assertThat(tx.exit()).isZero();
    assertThat(tx.out()).contains("confirmed");
    WalletRun balance = wallet("balance", "alice", "--json");
    assertThat(balance.exit()).isZero();
    assertThat(balance.json().get("balance").asText()).isEqualTo("25");
  }

  @Test
  void everyWalletErrorAgainstARealNode() throws IOException {
    assertThat(wallet("import", "dev0", "--key-file", keyFile.toString()).exit()).isZero();
    String otherNetwork = PrivateKey.fromSeed(new byte[32]).address().toText(ChainSpec.main().params().addressPrefix());
    String mine = regtest.text(regtest.key(1).address());
    char last = mine.charAt(mine.length() - 1);
    String typo = mine.substring(0, mine.length() - 1) + (last == 'q' ? 'p' : 'q');
    String tipBefore = regtest.get("/api/blocks/tip/hash").body();

    assertThat(wallet("send", "--from", "dev0", "--to", typo, "--amount", "1", "--yes").exit()).isEqualTo(3);
    assertThat(wallet("send", "--from", "dev0", "--to", otherNetwork, "--amount", "1", "--yes").exit()).isEqualTo(4);
    assertThat(wallet("send", "--from", "dev0", "--to", mine, "--amount", "5000", "--yes").exit()).isEqualTo(5);
    assertThat(walletWithPassword("wrong password", "send", "--from", "dev0", "--to", mine, "--amount", "1", "--yes").exit())
        .isEqualTo(6);
    try (ServerSocket s = new ServerSocket(0)) {
      int closed = s.getLocalPort();
      s.close();
      assertThat(wallet("balance", "dev0", "--node", "127.0.0.1:" + closed).exit()).isEqualTo(7);
    }
    WalletRun lowFee = wallet("send", "--from", "dev0", "--to", mine, "--amount", "1", "--fee", "0.00000001", "--yes", "--json");
    assertThat(lowFee.exit()).isEqualTo(8);
    assertThat(lowFee.out() + lowFee.err()).contains("min-relay-fee");
    assertThat(wallet("tx", "00".repeat(32)).exit()).isEqualTo(9);

    // None of it reached the chain or the mempool.
    assertThat(regtest.node().mempool().stats().count()).isZero();
    assertThat(regtest.get("/api/blocks/tip/hash").body()).isEqualTo(tipBefore);
  }
}
