package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.InvalidateBlockRequest;
import dev.cairn.proto.v1.RegtestServiceGrpc;
import dev.cairn.wallet.WalletCli;
import dev.cairn.wallet.WalletIo;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * The wallet against a real regtest node for what only a real node shows: keys listed with the
 * node's addresses, verify under the built-in regtest rules, and send --wait seeing its payment
 * replaced in the mempool (dropped) or its block invalidated with InvalidateBlock and the payment
 * then replaced (reorged out).
 */
class WalletReorgEndToEndTest {
  private static final String PASSWORD = "pass phrase for tests";

  @TempDir Path dir;
  private RegtestNode regtest;
  private Path walletDir;
  private String bob;
  private ExecutorService executor;

  @BeforeEach
  void start() throws IOException {
    regtest = RegtestNode.funded(93, 2, dir.resolve("node"));
    walletDir = dir.resolve("wallet");
    Path keyFile = dir.resolve("dev0.key");
    Files.writeString(keyFile, HexFormat.of().formatHex(regtest.key(0).seedBytes()) + "\n");
    assertThat(wallet("import", "dev0", "--key-file", keyFile.toString()).exit()).isZero();
    bob = regtest.text(regtest.key(1).address());
    executor = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
    regtest.close();
  }

  private String node() {
    return "127.0.0.1:" + regtest.node().rpcPort();
  }

  private Map<String, String> env(Path wallet) {
    return Map.of("CAIRN_WALLET_DIR", wallet.toString(), "CAIRN_WALLET_PASSWORD", PASSWORD);
  }

  private WalletRun wallet(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--node");
    all.add(node());
    return WalletRun.of(env(walletDir), "", all.toArray(String[]::new));
  }

  /** A wallet command running on another thread, whose output can be watched while it runs. */
  private final class Running {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final CompletableFuture<Integer> exit;

    Running(String... args) {
      List<String> all = new ArrayList<>(List.of(args));
      all.add("--node");
      all.add(node());
      WalletIo io =
          WalletIo.of(
              new ByteArrayInputStream(new byte[0]),
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8),
              env(walletDir));
      exit = CompletableFuture.supplyAsync(() -> WalletCli.run(all.toArray(String[]::new), io), executor);
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }

    /** The txid send prints on stdout before it starts waiting. */
    Hash txid() {
      await().atMost(Duration.ofSeconds(30)).until(() -> out().strip().length() == 64 || exit.isDone());
      assertThat(exit).as(err()).isNotDone();
      return Hash.parse(out().strip());
    }

    int exitCode() throws Exception {
      return exit.get(60, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
      return "--- stdout\n" + out() + "--- stderr\n" + err();
    }
  }

  private Running sendAndWait(String confirmations) {
    return new Running(
        "send", "--from", "dev0", "--to", bob, "--amount", "3", "--yes", "--wait", confirmations, "--poll-interval",
        "50ms", "--wait-timeout", "1m");
  }

  /** dev0's payment with {@code nonce} and a fee far above any estimate: a valid replacement. */
  private Transfer replacement(long nonce) {
    PrivateKey dev0 = regtest.key(0);
    return Transfer.sign(
        dev0, regtest.key(1).address(), Amount.coins(1), Amount.coins(1), nonce, regtest.spec().genesisHash());
  }

  private List<Hash> mine(int blocks) {
    return regtest.generate(blocks, Address.fromBytes(new byte[Address.SIZE]));
  }

  @Test
  void listShowsTheKeysWithTheNodesAddresses() {
    String dev0 = regtest.text(regtest.key(0).address());
    WalletRun list = wallet("list");
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).isEqualTo("dev0  " + dev0 + "\n");

    WalletRun json = WalletRun.of(env(walletDir), "", "--json", "list", "--node", node());
    assertThat(json.exit()).as(json.toString()).isZero();
    JsonNode key = json.json().get("keys").get(0);
    assertThat(key.get("name").textValue()).isEqualTo("dev0");
    assertThat(key.get("address").textValue()).isEqualTo(dev0);
    assertThat(key.get("publicKey").textValue()).isEqualTo(regtest.key(0).publicKey().toHex());
    assertThat(json.json().get("addressPrefix").textValue()).isEqualTo(regtest.spec().params().addressPrefix());
  }

  @Test
  void verifyOnPlainRegtestChecksTheBuiltInRulesWithoutASpecFile() {
    try (RegtestNode plain = RegtestNode.start(dir.resolve("plain"))) {
      Address miner = regtest.key(1).address();
      plain.generate(3, miner);
      Map<String, String> env = env(dir.resolve("plain-wallet"));
      String target = "127.0.0.1:" + plain.node().rpcPort();
      JsonNode history = WalletRun.of(env, "", "history", plain.text(miner), "--json", "--node", target).json();
      // Newest first: the coinbase of block 3, then 2, then 1.
      String coinbaseOfBlock1 = history.get("confirmed").get(2).get("txid").textValue();

      WalletRun verified = WalletRun.of(env, "", "verify", coinbaseOfBlock1, "--json", "--node", target);
      assertThat(verified.exit()).as(verified.toString()).isZero();
      JsonNode json = verified.json();
      assertThat(json.get("targetsChecked").booleanValue()).isTrue();
      assertThat(json.get("genesisFrom").textValue()).isEqualTo("pinned");
      assertThat(json.get("height").longValue()).isEqualTo(1);
      assertThat(json.get("confirmations").longValue()).isEqualTo(3);
      assertThat(json.get("tipHash").textValue()).isEqualTo(plain.node().chain().tip().hash().toHex());
    }
  }

  @Test
  void aPaymentReplacedInTheMempoolBeforeAnyBlockIsDropped() throws Exception {
    Running sending = sendAndWait("1");
    Hash txid = sending.txid();
    await().atMost(Duration.ofSeconds(30)).until(() -> regtest.node().mempool().contains(txid));

    regtest.node().mempool().add(replacement(0));
    assertThat(regtest.node().mempool().contains(txid)).isFalse();

    assertThat(sending.exitCode()).as(sending.toString()).isEqualTo(11);
    assertThat(sending.err()).contains("error: dropped: " + txid + " is no longer in the node's mempool");
  }

  @Test
  void aPaymentWhoseBlockIsInvalidatedAndThatIsThenReplacedIsReorgedOut() throws Exception {
    Running sending = sendAndWait("2");
    Hash txid = sending.txid();
    await().atMost(Duration.ofSeconds(30)).until(() -> regtest.node().mempool().contains(txid));
    Hash block = mine(1).get(0);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> sending.err().contains("waiting: 1/2 confirmations (block " + block.toHex().substring(0, 16)));

    invalidate(block);
    // The disconnected block's payment goes back to the mempool; the wallet waits on.
    await().atMost(Duration.ofSeconds(30)).until(() -> regtest.node().mempool().contains(txid));
    assertThat(sending.exit).isNotDone();
    regtest.node().mempool().add(replacement(0));

    assertThat(sending.exitCode()).as(sending.toString()).isEqualTo(12);
    assertThat(sending.err())
        .contains("error: reorged out: " + txid + " was confirmed in block " + block + " at height 1, but that block left"
            + " the node's best chain");
  }

  private void invalidate(Hash block) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", regtest.node().rpcPort()).usePlaintext().build();
    try {
      RegtestServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .invalidateBlock(InvalidateBlockRequest.newBuilder().setHash(ByteString.copyFrom(block.toByteArray())).build());
    } finally {
      channel.shutdownNow();
    }
  }
}
