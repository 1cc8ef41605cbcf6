package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.AddressHistoryEntry;
import dev.cairn.proto.v1.TransactionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** history against a node double that pages like the real one. */
class HistoryCommandTest {
  @TempDir Path tmp;
  FakeNode node;
  CliRunner cli;
  PrivateKey aliceKey;
  PrivateKey bobKey;
  String alice;
  String bob;
  /** Alice's confirmed transactions, newest first: 7 of them, at heights 17, 16, ... 11. */
  List<Transaction> confirmed = new ArrayList<>();
  Transfer pending;

  private static PrivateKey key(long seed) {
    byte[] bytes = new byte[32];
    new Random(seed).nextBytes(bytes);
    return PrivateKey.fromSeed(bytes);
  }

  @BeforeEach
  void setUp() throws Exception {
    node = new FakeNode();
    cli = new CliRunner(tmp.resolve("wallet")).node(node.port());
    aliceKey = key(1);
    bobKey = key(2);
    Path keyFile = tmp.resolve("alice.key");
    Files.writeString(keyFile, HexFormat.of().formatHex(aliceKey.seedBytes()));
    assertThat(cli.run("import", "alice", "--key-file", keyFile.toString()).exit()).isZero();
    alice = aliceKey.address().toText(FakeNode.PREFIX);
    bob = bobKey.address().toText(FakeNode.PREFIX);

    Hash genesis = FakeNode.GENESIS;
    // Oldest first: a reward, then payments both ways and one to herself.
    List<Transaction> oldestFirst = new ArrayList<>();
    oldestFirst.add(Coinbase.create(11, aliceKey.address(), Amount.coins(50)));
    for (int i = 0; i < 4; i++) {
      oldestFirst.add(Transfer.sign(aliceKey, bobKey.address(), Amount.coins(1 + i), Amount.units(1420), i, genesis));
    }
    oldestFirst.add(Transfer.sign(bobKey, aliceKey.address(), Amount.parseCoins("2.5"), Amount.units(1420), 0, genesis));
    oldestFirst.add(Transfer.sign(aliceKey, aliceKey.address(), Amount.coins(3), Amount.units(1420), 4, genesis));
    List<AddressHistoryEntry> entries = new ArrayList<>();
    for (int i = oldestFirst.size() - 1; i >= 0; i--) {
      Transaction tx = oldestFirst.get(i);
      confirmed.add(tx);
      long height = 11 + i;
      entries.add(
          AddressHistoryEntry.newBuilder()
              .setTransaction(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(tx.encoded())))
              .setStatus(TransactionStatus.TRANSACTION_STATUS_CONFIRMED)
              .setBlockHash(ByteString.copyFrom(Hashes.sha256(new byte[] {(byte) height}).toByteArray()))
              .setBlockHeight(height)
              .setConfirmations(FakeNode.TIP_HEIGHT - height + 1)
              .setBlockTime(1_767_225_600L + 60 * height)
              .build());
    }
    node.confirmedHistory.put(alice, entries);
    pending = Transfer.sign(aliceKey, bobKey.address(), Amount.coins(9), Amount.units(1420), 5, genesis);
    node.pendingHistory.put(
        alice,
        List.of(
            AddressHistoryEntry.newBuilder()
                .setTransaction(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(pending.encoded())))
                .setStatus(TransactionStatus.TRANSACTION_STATUS_PENDING)
                .build()));
  }

  @AfterEach
  void tearDown() {
    node.close();
  }

  @Test
  void pagesThroughPendingThenConfirmedNewestFirst() {
    CliRunner.Result first = cli.run("history", "alice", "--limit", "3");
    assertThat(first.exit()).as(first.toString()).isZero();
    List<String> lines = first.out().lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).isEqualTo("history of " + alice + " (alice): 7 confirmed, 1 pending");
    assertThat(lines.get(1)).startsWith("pending ").contains(" out ", "-9 (fee 0.0000142)", "to " + bob).endsWith(pending.id().toHex());
    assertThat(lines.get(2)).startsWith("#17 ").contains("(104 conf)", " self ", "-0.0000142 (fee)").endsWith(confirmed.get(0).id().toHex());
    assertThat(lines.get(3)).startsWith("#16 ").contains(" in ", "+2.5", "from " + bob).endsWith(confirmed.get(1).id().toHex());
    assertThat(lines.get(4)).startsWith("#15 ").contains(" out ", "-4 (fee 0.0000142)").endsWith(confirmed.get(2).id().toHex());
    assertThat(lines.get(5)).isEqualTo("more: --after " + confirmed.get(2).id().toHex());
    // One more than shown is asked for, to know whether a next page exists.
    assertThat(node.historyRequests.get(node.historyRequests.size() - 1).getLimit()).isEqualTo(4);

    CliRunner.Result second = cli.run("history", "alice", "--limit", "3", "--after", confirmed.get(2).id().toHex());
    assertThat(second.exit()).as(second.toString()).isZero();
    List<String> page2 = second.out().lines().toList();
    assertThat(page2.get(0)).isEqualTo("history of " + alice + " (alice): 7 confirmed; after " + confirmed.get(2).id().toHex());
    assertThat(page2.subList(1, 4)).allSatisfy(l -> assertThat(l).doesNotStartWith("pending"));
    assertThat(page2.get(1)).endsWith(confirmed.get(3).id().toHex());
    assertThat(page2.get(4)).isEqualTo("more: --after " + confirmed.get(5).id().toHex());

    CliRunner.Result last = cli.run("history", "alice", "--limit", "3", "--after", confirmed.get(5).id().toHex());
    List<String> page3 = last.out().lines().toList();
    assertThat(page3).hasSize(2);
    assertThat(page3.get(1)).startsWith("#11 ").contains(" reward ", "+50", "coinbase of block 11");

    CliRunner.Result beyond = cli.run("history", "alice", "--after", confirmed.get(6).id().toHex());
    assertThat(beyond.out()).endsWith("no more transactions\n");
  }

  @Test
  void jsonGivesThePageAndTheNextCursor() {
    JsonNode page = cli.run("history", "alice", "--limit", "2", "--json").json();
    assertThat(page.get("address").textValue()).isEqualTo(alice);
    assertThat(page.get("name").textValue()).isEqualTo("alice");
    assertThat(page.get("totalConfirmed").longValue()).isEqualTo(7);
    assertThat(page.get("pending")).hasSize(1);
    JsonNode p = page.get("pending").get(0);
    assertThat(p.get("txid").textValue()).isEqualTo(pending.id().toHex());
    assertThat(p.get("status").textValue()).isEqualTo("pending");
    assertThat(p.get("direction").textValue()).isEqualTo("out");
    assertThat(p.get("amount").textValue()).isEqualTo("9");
    assertThat(page.get("confirmed")).hasSize(2);
    JsonNode c = page.get("confirmed").get(1);
    assertThat(c.get("status").textValue()).isEqualTo("confirmed");
    assertThat(c.get("direction").textValue()).isEqualTo("in");
    assertThat(c.get("from").textValue()).isEqualTo(bob);
    assertThat(c.get("blockHeight").longValue()).isEqualTo(16);
    assertThat(c.get("confirmations").longValue()).isEqualTo(105);
    assertThat(c.get("blockTime").longValue()).isEqualTo(1_767_225_600L + 60 * 16);
    assertThat(page.get("next").textValue()).isEqualTo(confirmed.get(1).id().toHex());

    // Following the cursors visits every confirmed transaction once, newest first.
    List<String> seen = new ArrayList<>();
    String next = null;
    do {
      JsonNode pg = next == null
          ? cli.run("history", alice, "--limit", "2", "--json").json()
          : cli.run("history", alice, "--limit", "2", "--after", next, "--json").json();
      pg.get("confirmed").forEach(e -> seen.add(e.get("txid").textValue()));
      next = pg.get("next").isNull() ? null : pg.get("next").textValue();
    } while (next != null);
    assertThat(seen).containsExactlyElementsOf(confirmed.stream().map(t -> t.id().toHex()).toList());
  }

  @Test
  void aFullLastPageAtTheNodesCapHasNoNextCursor() {
    JsonNode page = cli.run("history", "alice", "--limit", "50", "--json").json();
    assertThat(page.get("confirmed")).hasSize(7);
    assertThat(page.get("next").isNull()).isTrue();
    JsonNode exact = cli.run("history", "alice", "--limit", "7", "--json").json();
    assertThat(exact.get("confirmed")).hasSize(7);
    assertThat(exact.get("next").isNull()).isTrue();
  }

  @Test
  void anyAddressByItsText() {
    node.confirmedHistory.put(bob, List.of());
    CliRunner.Result result = cli.run("history", bob);
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("history of " + bob + ": 0 confirmed, 0 pending\nno transactions\n");
  }

  @Test
  void aCursorNotInTheHistoryIsAUsageError() {
    CliRunner.Result result = cli.run("history", "alice", "--after", "cd".repeat(32), "--json");
    assertThat(result.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(result.err()).isEqualTo("error: --after " + "cd".repeat(32) + " is not in the history of " + alice + "\n");
    assertThat(result.json().get("error").get("code").textValue()).isEqualTo("bad-cursor");
  }

  @Test
  void errors() {
    assertThat(cli.run("history", "alice", "--limit", "0").exit()).isEqualTo(2);
    assertThat(cli.run("history", "alice", "--limit", "51").exit()).isEqualTo(2);
    assertThat(cli.run("history", "alice", "--after", "abc").exit()).isEqualTo(2);
    assertThat(cli.run("history", "carol").exit()).isEqualTo(ExitCode.NOT_FOUND.code());
    assertThat(cli.run("history", aliceKey.address().toText("cairn")).exit()).isEqualTo(ExitCode.WRONG_NETWORK.code());
    String typo = alice.substring(0, alice.length() - 1) + (alice.endsWith("q") ? "p" : "q");
    assertThat(cli.run("history", typo).exit()).isEqualTo(ExitCode.BAD_ADDRESS_CHECKSUM.code());
    assertThat(cli.run("history", "alice", "--node", "127.0.0.1:" + CliRunner.closedPort()).exit())
        .isEqualTo(ExitCode.NODE_UNREACHABLE.code());
  }
}
