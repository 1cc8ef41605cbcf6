package dev.cairn.wallet;

import static dev.cairn.wallet.FakeNode.confirmed;
import static dev.cairn.wallet.FakeNode.missing;
import static dev.cairn.wallet.FakeNode.pending;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.GetTransactionResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** send's default fee (the node's estimate) and --wait's outcomes, against scripted node answers. */
class SendFeeAndWaitTest {
  private static final Hash BLOCK_A = Hashes.sha256(new byte[] {'A'});
  private static final Hash BLOCK_B = Hashes.sha256(new byte[] {'B'});

  @TempDir Path tmp;
  FakeNode node;
  CliRunner cli;
  String bob;

  @BeforeEach
  void setUp() throws Exception {
    node = new FakeNode();
    cli = new CliRunner(tmp.resolve("wallet")).node(node.port());
    assertThat(cli.run("new", "alice").exit()).isZero();
    assertThat(cli.run("new", "bob").exit()).isZero();
    String alice = cli.run("address", "alice").out().strip();
    bob = cli.run("address", "bob").out().strip();
    node.account(alice, 100 * Amount.UNITS_PER_COIN, 0, 0, 0, 0);
  }

  @AfterEach
  void tearDown() {
    node.close();
  }

  private CliRunner.Result send(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("send", "--from", "alice", "--to", bob, "--amount", "1", "--yes"));
    args.addAll(List.of(extra));
    return cli.run(args.toArray(String[]::new));
  }

  /** What GetTransaction answers, in turn, for the transfer the wallet submits. */
  @SafeVarargs
  private void whenSubmitted(Function<Transfer, Optional<GetTransactionResponse>>... answers) {
    node.onSubmit = tx -> {
      @SuppressWarnings("unchecked")
      Optional<GetTransactionResponse>[] script = new Optional[answers.length];
      for (int i = 0; i < answers.length; i++) {
        script[i] = answers[i].apply(tx);
      }
      node.script(tx.id(), script);
    };
  }

  private CliRunner.Result sendAndWait(String confirmations, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("--wait", confirmations, "--poll-interval", "5ms"));
    args.addAll(List.of(extra));
    return send(args.toArray(String[]::new));
  }

  // ---- fee ---------------------------------------------------------------------------------

  @Test
  void theFeeIsTheNodesEstimateTimesTheTransferSizeRoundedUp() {
    node.feePerByte = 25.5;
    CliRunner.Result sent = send();
    assertThat(sent.exit()).as(sent.toString()).isZero();
    assertThat(node.submitted.get(0).fee()).isEqualTo(Amount.units(3621)); // ceil(25.5 * 142)
    assertThat(node.feeTargets).containsExactly(SendCommand.DEFAULT_TARGET_BLOCKS);
    assertThat(sent.err()).contains("fee:     0.00003621 (the node's estimate for 2 blocks: 25.5 units/byte)");
  }

  @Test
  void targetBlocksIsAskedFor() {
    node.feePerByte = 12;
    assertThat(send("--target-blocks", "6").exit()).isZero();
    assertThat(node.feeTargets).containsExactly(6);
    assertThat(node.submitted.get(0).fee()).isEqualTo(Amount.units(12 * Transfer.SIZE));
  }

  @Test
  void anEstimateBelowTheMinimumRelayFeeIsRaisedToIt() {
    node.feePerByte = 0.5;
    CliRunner.Result sent = send();
    assertThat(sent.exit()).isZero();
    assertThat(node.submitted.get(0).fee()).isEqualTo(Amount.units(FakeNode.MIN_FEE_PER_BYTE * Transfer.SIZE));
    assertThat(sent.err()).contains("the node's minimum relay fee");
  }

  @Test
  void aNodeWithoutEstimatesGetsItsMinimumFee() {
    node.feeEstimatesUnsupported = true;
    CliRunner.Result sent = send();
    assertThat(sent.exit()).as(sent.toString()).isZero();
    assertThat(node.submitted.get(0).fee()).isEqualTo(Amount.units(FakeNode.MIN_FEE_PER_BYTE * Transfer.SIZE));
    assertThat(sent.err()).contains("the node gives no fee estimates");
  }

  @Test
  void anImpossibleEstimateIsANodeError() {
    node.feePerByte = Double.NaN;
    CliRunner.Result nan = send("--json");
    assertThat(nan.exit()).isEqualTo(1);
    assertThat(nan.json().get("error").get("code").textValue()).isEqualTo("node-error");
    node.feePerByte = 1e30;
    assertThat(send().exit()).isEqualTo(1);
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void anExplicitFeeSkipsTheEstimate() {
    assertThat(send("--fee", "0.001").exit()).isZero();
    assertThat(node.feeTargets).isEmpty();
    assertThat(node.submitted.get(0).fee()).isEqualTo(Amount.units(100_000));
  }

  @Test
  void usageErrors() {
    assertThat(send("--fee", "0.001", "--target-blocks", "3").exit()).isEqualTo(2);
    assertThat(send("--target-blocks", "0").exit()).isEqualTo(2);
    assertThat(send("--wait", "0").exit()).isEqualTo(2);
    assertThat(send("--wait", "1", "--wait-timeout", "soon").exit()).isEqualTo(2);
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void aWaitTimeoutOrPollIntervalBeyondThirtyDaysIsRefusedBeforeSending() {
    CliRunner.Result huge = send("--wait", "1", "--wait-timeout", "999999999m", "--json");
    assertThat(huge.exit()).as(huge.toString()).isEqualTo(ExitCode.USAGE.code());
    assertThat(huge.err()).isEqualTo("error: --wait-timeout must be positive and at most 30 days, got 999999999 min\n");
    assertThat(huge.json().get("error").get("code").textValue()).isEqualTo("usage");
    assertThat(send("--wait", "1", "--wait-timeout", "721h").exit()).isEqualTo(2);
    assertThat(send("--wait", "1", "--poll-interval", "999999999h").exit()).isEqualTo(2);
    assertThat(send("--wait", "1", "--poll-interval", "0ms").exit()).isEqualTo(2);
    assertThat(node.submitted).isEmpty();

    whenSubmitted(tx -> confirmed(tx, BLOCK_A, 121, 1));
    CliRunner.Result thirtyDays = sendAndWait("1", "--wait-timeout", "720h");
    assertThat(thirtyDays.exit()).as(thirtyDays.toString()).isZero();
  }

  @Test
  void aSubmitWhoseAnswerIsLostNamesTheTxidAndSaysItMayHaveBeenSubmitted() {
    node.submitAnswerLost = Optional.of(io.grpc.Status.DEADLINE_EXCEEDED);
    CliRunner.Result sent = send("--json");
    assertThat(sent.exit()).as(sent.toString()).isEqualTo(ExitCode.NODE_UNREACHABLE.code());
    String txid = node.submitted.get(0).id().toHex();
    assertThat(sent.err())
        .contains("while submitting " + txid + ": it may have been submitted; check with 'tx " + txid + "'");
    JsonNode error = sent.json().get("error");
    assertThat(error.get("txid").textValue()).isEqualTo(txid);
    assertThat(error.get("submitted").textValue()).isEqualTo("unknown");

    node.submitAnswerLost = Optional.of(io.grpc.Status.UNAVAILABLE.withDescription("connection reset"));
    CliRunner.Result dropped = send();
    assertThat(dropped.exit()).isEqualTo(7);
    assertThat(dropped.err()).contains("it may have been submitted; check with 'tx " + node.submitted.get(1).id().toHex());
  }

  @Test
  void aRefusedSubmitIsNotReportedAsPossiblySubmitted() {
    node.rejectWith = Optional.of("min-relay-fee");
    CliRunner.Result sent = send("--json");
    assertThat(sent.exit()).isEqualTo(ExitCode.REJECTED.code());
    assertThat(sent.err()).doesNotContain("may have been submitted");
    assertThat(sent.json().get("error").has("txid")).isFalse();
  }

  // ---- --wait ------------------------------------------------------------------------------

  @Test
  void waitsForConfirmationsWithOneProgressLinePerChange() {
    whenSubmitted(tx -> pending(tx), tx -> pending(tx), tx -> confirmed(tx, BLOCK_A, 121, 1), tx -> confirmed(tx, BLOCK_A, 121, 2));
    CliRunner.Result sent = sendAndWait("2");
    assertThat(sent.exit()).as(sent.toString()).isZero();
    Transfer tx = node.submitted.get(0);
    assertThat(sent.out()).isEqualTo(tx.id().toHex() + "\n");
    String a = BLOCK_A.toHex().substring(0, 16);
    assertThat(sent.err()).endsWith(
        "waiting: 0/2 confirmations (pending)\n"
            + "waiting: 1/2 confirmations (block " + a + " at height 121)\n"
            + "confirmed: 2/2 confirmations (block " + a + " at height 121)\n");
  }

  @Test
  void onATerminalTheProgressLineIsRewrittenInPlace() {
    whenSubmitted(tx -> pending(tx), tx -> confirmed(tx, BLOCK_A, 121, 1));
    CliRunner.Result sent = cli.terminal(true).run(
        "send", "--from", "alice", "--to", bob, "--amount", "1", "--yes", "--wait", "1", "--poll-interval", "5ms");
    assertThat(sent.exit()).as(sent.toString()).isZero();
    assertThat(sent.err()).endsWith(
        "\rwaiting: 0/1 confirmations (pending)"
            + "\rconfirmed: 1/1 confirmations (block " + BLOCK_A.toHex().substring(0, 16) + " at height 121)\n");
  }

  @Test
  void jsonReportsTheConfirmedBlock() {
    whenSubmitted(tx -> confirmed(tx, BLOCK_A, 121, 3));
    CliRunner.Result sent = sendAndWait("3", "--json");
    assertThat(sent.exit()).as(sent.toString()).isZero();
    JsonNode json = sent.json();
    assertThat(json.get("txid").textValue()).isEqualTo(node.submitted.get(0).id().toHex());
    assertThat(json.get("status").textValue()).isEqualTo("confirmed");
    assertThat(json.get("confirmations").longValue()).isEqualTo(3);
    assertThat(json.get("blockHash").textValue()).isEqualTo(BLOCK_A.toHex());
    assertThat(json.get("blockHeight").longValue()).isEqualTo(121);
  }

  @Test
  void aTransactionThatLeavesTheMempoolUnconfirmedIsDropped() {
    whenSubmitted(tx -> pending(tx), tx -> pending(tx), tx -> missing());
    CliRunner.Result sent = sendAndWait("1", "--json");
    assertThat(sent.exit()).isEqualTo(ExitCode.DROPPED.code());
    Transfer tx = node.submitted.get(0);
    assertThat(sent.err()).contains("error: dropped: " + tx.id() + " is no longer in the node's mempool and was never confirmed");
    JsonNode error = sent.json().get("error");
    assertThat(error.get("code").textValue()).isEqualTo("dropped");
    assertThat(error.get("exitCode").intValue()).isEqualTo(11);
    assertThat(error.get("txid").textValue()).isEqualTo(tx.id().toHex());
  }

  @Test
  void withoutJsonTheTxidIsPrintedEvenWhenTheWaitFails() {
    whenSubmitted(tx -> missing());
    CliRunner.Result sent = sendAndWait("1");
    assertThat(sent.exit()).isEqualTo(11);
    assertThat(sent.out()).isEqualTo(node.submitted.get(0).id().toHex() + "\n");
  }

  @Test
  void aTransactionConfirmedThenGoneIsReorgedOut() {
    whenSubmitted(tx -> confirmed(tx, BLOCK_A, 121, 1), tx -> missing());
    CliRunner.Result sent = sendAndWait("2", "--json");
    assertThat(sent.exit()).isEqualTo(ExitCode.REORGED_OUT.code());
    assertThat(sent.err()).contains("error: reorged out: ").contains("was confirmed in block " + BLOCK_A + " at height 121");
    JsonNode error = sent.json().get("error");
    assertThat(error.get("code").textValue()).isEqualTo("reorged-out");
    assertThat(error.get("blockHash").textValue()).isEqualTo(BLOCK_A.toHex());
  }

  @Test
  void aTransactionReorgedBackIntoTheMempoolAndConfirmedAgainIsStillWaitedFor() {
    whenSubmitted(
        tx -> confirmed(tx, BLOCK_A, 121, 1), tx -> pending(tx), tx -> confirmed(tx, BLOCK_B, 122, 1),
        tx -> confirmed(tx, BLOCK_B, 122, 2));
    CliRunner.Result sent = sendAndWait("2", "--json");
    assertThat(sent.exit()).as(sent.toString()).isZero();
    assertThat(sent.err()).contains("(reorged out of block " + BLOCK_A.toHex().substring(0, 16) + ", pending again)");
    assertThat(sent.json().get("blockHash").textValue()).isEqualTo(BLOCK_B.toHex());
  }

  @Test
  void aTransactionBrieflyInNeitherPlaceIsNotDropped() {
    // Between a block's commit and the mempool's cleanup a node can briefly find it nowhere.
    whenSubmitted(tx -> pending(tx), tx -> missing(), tx -> missing(), tx -> confirmed(tx, BLOCK_A, 121, 1));
    CliRunner.Result sent = sendAndWait("1");
    assertThat(sent.exit()).as(sent.toString()).isZero();
  }

  @Test
  void notEnoughConfirmationsBeforeTheDeadlineIsATimeout() {
    whenSubmitted(tx -> pending(tx));
    CliRunner.Result sent = sendAndWait("1", "--wait-timeout", "100ms", "--json");
    assertThat(sent.exit()).isEqualTo(ExitCode.WAIT_TIMEOUT.code());
    assertThat(sent.err()).contains("error: timed out after 100 ms waiting for 1 confirmations of ").endsWith("it is still pending\n");
    assertThat(sent.json().get("error").get("code").textValue()).isEqualTo("wait-timeout");

    whenSubmitted(tx -> confirmed(tx, BLOCK_A, 121, 1));
    CliRunner.Result partly = cli.run(
        "send", "--from", "alice", "--to", bob, "--amount", "1", "--yes", "--wait", "6", "--poll-interval", "5ms",
        "--wait-timeout", "50ms");
    assertThat(partly.exit()).isEqualTo(13);
    assertThat(partly.err()).contains("it has 1 of 6 confirmations");
  }
}
