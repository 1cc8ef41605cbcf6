package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.ChainSpecFile;
import dev.cairn.ledger.Hash;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wallet's history, send --wait, verify and export commands, run in-process against a real
 * regtest node (gRPC client API, RocksDB, real signatures, proof of work and Merkle proofs): the
 * node's answers are checked by the wallet itself, so these show the two agree on every format.
 */
class WalletCommandsEndToEndTest {
  private static final String PASSWORD = "pass phrase for tests";

  @TempDir Path dir;
  private RegtestNode regtest;
  private Path walletDir;
  private Path keyFile;
  private String bob;

  @BeforeEach
  void start() throws IOException {
    regtest = RegtestNode.funded(92, 2, dir.resolve("node"));
    walletDir = dir.resolve("wallet");
    keyFile = dir.resolve("dev0.key");
    Files.writeString(keyFile, HexFormat.of().formatHex(regtest.key(0).seedBytes()) + "\n");
    assertThat(wallet("import", "dev0", "--key-file", keyFile.toString()).exit()).isZero();
    bob = regtest.text(regtest.key(1).address());
  }

  @AfterEach
  void stop() {
    regtest.close();
  }

  private WalletRun run(String stdin, String password, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--node")) {
      all.add("--node");
      all.add("127.0.0.1:" + regtest.node().rpcPort());
    }
    return WalletRun.of(
        Map.of("CAIRN_WALLET_DIR", walletDir.toString(), "CAIRN_WALLET_PASSWORD", password), stdin, all.toArray(String[]::new));
  }

  private WalletRun wallet(String... args) {
    return run("", PASSWORD, args);
  }

  /** Pays bob from dev0 and returns the txid. */
  private String pay(String amount) {
    WalletRun sent = wallet("send", "--from", "dev0", "--to", bob, "--amount", amount, "--yes", "--json");
    assertThat(sent.exit()).as(sent.toString()).isZero();
    return sent.json().get("txid").textValue();
  }

  /** Mines on the tip, paying the rewards to an address of none of the test's keys. */
  private List<Hash> mine(int blocks) {
    return regtest.generate(blocks, Address.fromBytes(new byte[Address.SIZE]));
  }

  @Test
  void historyPagesThroughTheNodesAddressIndex() {
    List<String> sentOldestFirst = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      sentOldestFirst.add(pay(Integer.toString(i)));
      mine(1);
    }
    String pending = pay("4");

    WalletRun first = wallet("history", "dev0", "--limit", "2");
    assertThat(first.exit()).as(first.toString()).isZero();
    List<String> lines = first.out().lines().toList();
    // The genesis allocation and the three payments.
    assertThat(lines.get(0)).isEqualTo("history of " + regtest.text(regtest.key(0).address()) + " (dev0): 4 confirmed, 1 pending");
    assertThat(lines.get(1)).startsWith("pending ").contains(" out ", "-4 (fee ", "to " + bob).endsWith(pending);
    assertThat(lines.get(2)).startsWith("#3 ").contains("(1 conf)", " out ", "-3 (fee ").endsWith(sentOldestFirst.get(2));
    assertThat(lines.get(3)).startsWith("#2 ").contains("(2 conf)").endsWith(sentOldestFirst.get(1));
    assertThat(lines.get(4)).isEqualTo("more: --after " + sentOldestFirst.get(1));
    assertThat(lines).hasSize(5);

    WalletRun second = wallet("history", "dev0", "--limit", "2", "--after", sentOldestFirst.get(1), "--json");
    assertThat(second.exit()).as(second.toString()).isZero();
    JsonNode page = second.json();
    assertThat(page.get("pending")).isEmpty();
    assertThat(page.get("confirmed")).hasSize(2);
    assertThat(page.get("confirmed").get(0).get("txid").textValue()).isEqualTo(sentOldestFirst.get(0));
    assertThat(page.get("confirmed").get(0).get("blockHeight").longValue()).isEqualTo(1);
    JsonNode allocation = page.get("confirmed").get(1);
    assertThat(allocation.get("kind").textValue()).isEqualTo("allocation");
    assertThat(allocation.get("direction").textValue()).isEqualTo("genesis");
    assertThat(allocation.get("blockHeight").longValue()).isZero();
    assertThat(allocation.get("amount").textValue()).isEqualTo(TestChain.FUNDING.toCoinString());
    assertThat(page.get("next").isNull()).isTrue();

    // Bob's side, by address: three payments in, newest first, then his genesis allocation.
    JsonNode bobs = wallet("history", bob, "--json").json();
    assertThat(bobs.get("confirmed").findValuesAsText("direction")).containsExactly("in", "in", "in", "genesis");
    assertThat(bobs.get("confirmed").findValuesAsText("amount")).containsExactly("3", "2", "1", TestChain.FUNDING.toCoinString());
    assertThat(bobs.get("pending").get(0).get("direction").textValue()).isEqualTo("in");

    WalletRun badCursor = wallet("history", "dev0", "--after", pending);
    assertThat(badCursor.exit()).as(badCursor.toString()).isEqualTo(2);
    assertThat(badCursor.err()).contains("is not in the history of");
  }

  @Test
  void sendWaitReturnsOnceABlockConfirmsTheTransaction() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<WalletRun> sending =
          CompletableFuture.supplyAsync(
              () -> wallet("send", "--from", "dev0", "--to", bob, "--amount", "7", "--yes", "--wait", "1",
                  "--poll-interval", "50ms", "--wait-timeout", "1m", "--json"),
              executor);
      await().atMost(Duration.ofSeconds(30)).until(() -> regtest.node().mempool().stats().count() == 1 || sending.isDone());
      assertThat(sending).isNotDone();
      Hash block = mine(1).get(0);

      WalletRun sent = sending.get(60, TimeUnit.SECONDS);
      assertThat(sent.exit()).as(sent.toString()).isZero();
      JsonNode json = sent.json();
      assertThat(json.get("status").textValue()).isEqualTo("confirmed");
      assertThat(json.get("confirmations").longValue()).isEqualTo(1);
      assertThat(json.get("blockHeight").longValue()).isEqualTo(1);
      assertThat(json.get("blockHash").textValue()).isEqualTo(block.toHex());
      assertThat(sent.err()).contains("waiting: 0/1 confirmations (pending)\n").endsWith(
          "confirmed: 1/1 confirmations (block " + block.toHex().substring(0, 16) + " at height 1)\n");
      assertThat(wallet("tx", json.get("txid").textValue(), "--json").json().get("status").textValue()).isEqualTo("confirmed");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void sendWaitTimesOutWhenNoBlockComes() {
    WalletRun sent = wallet("send", "--from", "dev0", "--to", bob, "--amount", "1", "--yes", "--wait", "1",
        "--poll-interval", "20ms", "--wait-timeout", "300ms");
    assertThat(sent.exit()).as(sent.toString()).isEqualTo(13);
    assertThat(sent.err()).contains("timed out after 300 ms").contains("it is still pending");
    // The txid was printed before waiting, and the payment is still in the mempool.
    assertThat(sent.out().strip()).hasSize(64);
    assertThat(regtest.node().mempool().stats().count()).isEqualTo(1);
  }

  @Test
  void verifyChecksTheRealProofAndHeadersFromGenesis() throws Exception {
    Path spec = dir.resolve("spec.json");
    ChainSpecFile.write(regtest.spec(), spec);
    mine(2);
    String txid = pay("5");
    WalletRun notYet = wallet("verify", txid, "--chain-spec", spec.toString());
    assertThat(notYet.exit()).as(notYet.toString()).isEqualTo(9);
    assertThat(notYet.err()).contains("not confirmed yet");
    mine(3);
    Hash block = regtest.node().queries().bestChainHash(3).orElseThrow();

    WalletRun verified = wallet("verify", txid, "--chain-spec", spec.toString());
    assertThat(verified.exit()).as(verified.toString()).isZero();
    // Through the tip at height 5: three confirmations.
    assertThat(verified.out()).isEqualTo("verified: " + txid + " is in block " + block + " at height 3, with 3 confirmations"
        + " under 6 headers of valid proof of work from genesis to the node's tip (height 5)\n");

    JsonNode json = wallet("verify", txid, "--chain-spec", spec.toString(), "--json").json();
    assertThat(json.get("targetsChecked").booleanValue()).isTrue();
    assertThat(json.get("genesisHash").textValue()).isEqualTo(regtest.spec().genesisHash().toHex());
    assertThat(json.get("treeSize").longValue()).isEqualTo(2); // the coinbase and the payment
    assertThat(json.get("confirmations").longValue()).isEqualTo(3);
    assertThat(json.get("tipHeight").longValue()).isEqualTo(5);

    // Without a spec: this funded network's genesis is not a built-in one, so its targets could
    // not be checked; verify refuses rather than vouch for unchecked proof of work.
    WalletRun pinned = wallet("verify", txid, "--json");
    assertThat(pinned.exit()).as(pinned.toString()).isEqualTo(2);
    assertThat(pinned.err()).contains("needs the chain spec").contains("--chain-spec FILE");
    assertThat(pinned.json().get("error").get("code").textValue()).isEqualTo("chain-spec-needed");

    // A genesis allocation is proven by the genesis header alone.
    String allocation = Allocation.create(regtest.key(0).address(), TestChain.FUNDING).id().toHex();
    WalletRun genesis = wallet("verify", allocation, "--chain-spec", spec.toString());
    assertThat(genesis.exit()).as(genesis.toString()).isZero();
    assertThat(genesis.out()).contains("at height 0, with 6 confirmations under 6 headers");

    // The built-in regtest is another network than this funded one.
    WalletRun otherSpec = wallet("verify", txid, "--network", "regtest");
    assertThat(otherSpec.exit()).isEqualTo(4);
    assertThat(otherSpec.err()).contains("is on another network");
  }

  @Test
  void exportGivesBackTheImportedKeyOnlyWhenConfirmed() throws Exception {
    String seed = HexFormat.of().formatHex(regtest.key(0).seedBytes());
    WalletRun typed = run("dev0\ndev0\n", PASSWORD, "export", "dev0");
    assertThat(typed.exit()).as(typed.toString()).isZero();
    assertThat(typed.out()).isEqualTo(seed + "\n");
    assertThat(typed.err()).contains("Export the private key of dev0? It gives full control of its funds. Type the name to confirm:");

    assertThat(wallet("export", "dev0", "--i-understand").out()).isEqualTo(seed + "\n");

    WalletRun mistyped = run("dev0\ndevo\n", PASSWORD, "export", "dev0");
    assertThat(mistyped.exit()).isEqualTo(1);
    assertThat(mistyped.out()).isEmpty();

    byte[] before = Files.readAllBytes(walletDir.resolve("dev0.json"));
    WalletRun wrong = run("", "not the password", "export", "dev0", "--i-understand");
    assertThat(wrong.exit()).isEqualTo(6);
    assertThat(wrong.out()).isEmpty();
    assertThat(Files.readAllBytes(walletDir.resolve("dev0.json"))).isEqualTo(before);
  }

  @Test
  void aNodeOfAnotherNetworkIsRefusedOnceTheWalletIsPinned() {
    try (RegtestNode other = RegtestNode.start(dir.resolve("other"))) {
      String otherNode = "127.0.0.1:" + other.node().rpcPort();
      WalletRun balance = wallet("balance", "dev0", "--node", otherNode, "--json");
      assertThat(balance.exit()).as(balance.toString()).isEqualTo(4);
      assertThat(balance.json().get("error").get("code").textValue()).isEqualTo("node-wrong-network");
      assertThat(balance.err()).contains("node at " + otherNode + " is on another network: 'regtest' (chain id "
          + other.spec().chainId());
      assertThat(wallet("history", "dev0", "--node", otherNode).exit()).isEqualTo(4);
      assertThat(wallet("send", "--from", "dev0", "--to", bob, "--amount", "1", "--yes", "--node", otherNode).exit())
          .isEqualTo(4);
      assertThat(other.node().mempool().stats().count()).isZero();
    }
    // The node it was pinned to still works.
    assertThat(wallet("balance", "dev0").exit()).isZero();
  }
}
