package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.ledger.ChainSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes on another network, behind, or stale: how the wallet notices and what it says. */
class NodeStatusTest {
  @TempDir Path tmp;
  Path walletDir;
  FakeNode node;
  CliRunner cli;
  String alice;

  @BeforeEach
  void setUp() throws Exception {
    node = new FakeNode();
    walletDir = tmp.resolve("wallet");
    cli = new CliRunner(walletDir).node(node.port());
    CliRunner.Result created = cli.run("new", "alice");
    assertThat(created.exit()).isZero();
    assertThat(created.err()).contains("note: pinned this wallet to network 'regtest' (chain id " + FakeNode.GENESIS.toHex().substring(0, 8));
    alice = cli.run("address", "alice").out().strip();
  }

  @AfterEach
  void tearDown() {
    node.close();
  }

  @Test
  void theFirstNodePinsTheNetworkOnce() throws Exception {
    JsonNode pin = new ObjectMapper().readTree(walletDir.resolve(NetworkState.PIN_FILE).toFile());
    assertThat(pin.get("network").textValue()).isEqualTo("regtest");
    assertThat(pin.get("genesisHash").textValue()).isEqualTo(FakeNode.GENESIS.toHex());
    assertThat(pin.get("addressPrefix").textValue()).isEqualTo("rcairn");
    assertThat(pin.get("pinnedFrom").textValue()).isEqualTo("127.0.0.1:" + node.port());

    CliRunner.Result again = cli.run("balance", "alice");
    assertThat(again.exit()).isZero();
    assertThat(again.err()).isEmpty();
    // The state files are never taken for keys.
    assertThat(cli.run("list").out()).isEqualTo("alice  " + alice + "\n");
  }

  @Test
  void aNodeOfAnotherNetworkIsExitFourForEveryCommandThatAsksIt() throws Exception {
    node.spec = TestHeaders.asertSpec();
    String txid = "ab".repeat(32);
    for (String[] command :
        new String[][] {
          {"balance", "alice"}, {"send", "--from", "alice", "--to", alice, "--amount", "1", "--yes"}, {"tx", txid},
          {"history", "alice"}, {"verify", txid}, {"address", "alice"}
        }) {
      CliRunner.Result result = cli.run(command);
      assertThat(result.exit()).as(String.join(" ", command) + ": " + result).isEqualTo(ExitCode.WRONG_NETWORK.code());
      assertThat(result.err()).isEqualTo(
          "error: node at 127.0.0.1:" + node.port() + " is on another network: 'asertnet' (chain id "
              + TestHeaders.asertSpec().chainId() + ", address prefix acairn), but this wallet expects 'regtest' (chain id "
              + FakeNode.GENESIS.toHex().substring(0, 8) + ", address prefix rcairn), pinned on first use from 127.0.0.1:"
              + node.port() + " in " + walletDir.resolve(NetworkState.PIN_FILE)
              + "; use a node of that network, another --wallet-dir, or delete that file to pin again\n");
    }
    assertThat(node.submitted).isEmpty();
    JsonNode error = cli.run("balance", "alice", "--json").json().get("error");
    assertThat(error.get("code").textValue()).isEqualTo("node-wrong-network");
    assertThat(error.get("exitCode").intValue()).isEqualTo(4);

    // list still works, showing public keys, and says why.
    CliRunner.Result list = cli.run("list");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).startsWith("alice  public key ");
    assertThat(list.err()).contains("is on another network");

    // Another wallet directory pins the other network; there an rcairn address is of another network.
    CliRunner other = new CliRunner(tmp.resolve("other")).node(node.port());
    String onAsertnet = dev.cairn.ledger.PrivateKey.fromSeed(new byte[32]).address().toText("acairn");
    CliRunner.Result pinned = other.run("history", onAsertnet);
    assertThat(pinned.exit()).as(pinned.toString()).isZero();
    assertThat(pinned.err()).contains("pinned this wallet to network 'asertnet'");
    CliRunner.Result rcairn = other.run("history", alice, "--json");
    assertThat(rcairn.exit()).isEqualTo(ExitCode.WRONG_NETWORK.code());
    assertThat(rcairn.json().get("error").get("code").textValue()).isEqualTo("bad-address-network");
  }

  @Test
  void aDamagedPinFileIsReported() throws Exception {
    Files.writeString(walletDir.resolve(NetworkState.PIN_FILE), "{ not json");
    CliRunner.Result result = cli.run("balance", "alice", "--json");
    assertThat(result.exit()).isEqualTo(ExitCode.KEYSTORE_DAMAGED.code());
    assertThat(result.json().get("error").get("code").textValue()).isEqualTo("pin-damaged");
    assertThat(result.err()).contains("delete it to pin the next node's network");
  }

  @Test
  void aPinFileWithTrailingDataIsDamagedAndLeftAlone() throws Exception {
    assertThat(cli.run("balance", "alice").exit()).isZero();
    Path pin = walletDir.resolve(NetworkState.PIN_FILE);
    Files.writeString(pin, Files.readString(pin) + "{}");
    byte[] damaged = Files.readAllBytes(pin);
    CliRunner.Result result = cli.run("balance", "alice", "--json");
    assertThat(result.exit()).isEqualTo(ExitCode.KEYSTORE_DAMAGED.code());
    assertThat(result.json().get("error").get("code").textValue()).isEqualTo("pin-damaged");
    assertThat(Files.readAllBytes(pin)).isEqualTo(damaged);
  }

  @Test
  void aPinFileThatIsADirectoryIsSaidInPlainWords() throws Exception {
    Path pin = walletDir.resolve(NetworkState.PIN_FILE);
    Files.delete(pin);
    Files.createDirectories(pin);
    CliRunner.Result result = cli.run("balance", "alice");
    assertThat(result.exit()).isEqualTo(ExitCode.ERROR.code());
    assertThat(result.err()).isEqualTo("error: cannot read " + pin + ": is a directory\n");
  }

  @Test
  void aNodeFarBehindTheHighestTipSeenIsAWarningNotAFailure() {
    node.tipHeight = 130;
    assertThat(cli.run("balance", "alice").err()).isEmpty();

    node.tipHeight = 125; // a few blocks behind: normal between nodes
    CliRunner.Result close = cli.run("balance", "alice", "--json");
    assertThat(close.exit()).isZero();
    assertThat(close.err()).isEmpty();
    assertThat(close.json().has("warnings")).isFalse();

    node.tipHeight = 100;
    CliRunner.Result behind = cli.run("balance", "alice", "--json");
    assertThat(behind.exit()).as(behind.toString()).isZero();
    assertThat(behind.err()).startsWith("warning: node at 127.0.0.1:" + node.port()
        + " is behind: its tip is at height 100, but this wallet saw height 130 (from 127.0.0.1:" + node.port());
    assertThat(behind.json().get("balance").textValue()).isEqualTo("0");
    // Scripts see it too.
    assertThat(behind.json().get("warnings")).hasSize(1);
    assertThat("warning: " + behind.json().get("warnings").get(0).textValue()).isEqualTo(behind.err().strip());
    assertThat(walletDir.resolve(NetworkState.TIPS_FILE)).exists();
  }

  @Test
  void aTipSeenMoreThanTwelveHoursAgoIsForgotten() throws Exception {
    node.tipHeight = 130;
    assertThat(cli.run("balance", "alice").err()).isEmpty();
    // As if a node had claimed height 10,000 thirteen hours ago.
    Path tips = walletDir.resolve(NetworkState.TIPS_FILE);
    ObjectMapper mapper = new ObjectMapper();
    JsonNode root = mapper.readTree(tips.toFile());
    com.fasterxml.jackson.databind.node.ObjectNode tip =
        (com.fasterxml.jackson.databind.node.ObjectNode) root.get("tips").elements().next();
    tip.put("height", 10_000);
    tip.put("seenAt", java.time.Instant.now().getEpochSecond() - 13 * 3600);
    Files.writeString(tips, mapper.writeValueAsString(root));

    CliRunner.Result result = cli.run("balance", "alice", "--json");
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.json().has("warnings")).isFalse();
    // The stale record is replaced by what this node says now.
    assertThat(mapper.readTree(tips.toFile()).get("tips").elements().next().get("height").asLong()).isEqualTo(130);
  }

  @Test
  void aTipHoursOldIsAWarningExceptOnRegtest() {
    // Regtest mines on demand: an old tip is normal.
    node.useChain(TestHeaders.chain(ChainSpec.regtest(), 3, 60, Map.of(), Map.of()));
    CliRunner onRegtest = new CliRunner(tmp.resolve("regtest")).node(node.port());
    CliRunner.Result quiet = onRegtest.run("balance", alice);
    assertThat(quiet.exit()).isZero();
    assertThat(quiet.err()).doesNotContain("warning");

    // Elsewhere a tip months old means the node is cut off.
    node.spec = TestHeaders.asertSpec();
    node.useChain(TestHeaders.chain(node.spec, 3, 60, Map.of(), Map.of()));
    CliRunner fresh = new CliRunner(tmp.resolve("fresh")).node(node.port());
    String address = dev.cairn.ledger.PrivateKey.fromSeed(new byte[32]).address().toText("acairn");
    CliRunner.Result result = fresh.run("balance", address);
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.err()).contains("warning: node at 127.0.0.1:" + node.port() + " may be behind or cut off: its tip (height 2) is ")
        .contains(" d ");
  }

  @Test
  void aNodeThatIsDownIsExitSeven() {
    CliRunner.Result result = cli.run("history", "alice", "--node", "127.0.0.1:" + CliRunner.closedPort(), "--json");
    assertThat(result.exit()).isEqualTo(ExitCode.NODE_UNREACHABLE.code());
    assertThat(result.json().get("error").get("code").textValue()).isEqualTo("node-unreachable");
    assertThat(cli.run("verify", "ab".repeat(32), "--node", "127.0.0.1:" + CliRunner.closedPort()).exit()).isEqualTo(7);
  }
}
