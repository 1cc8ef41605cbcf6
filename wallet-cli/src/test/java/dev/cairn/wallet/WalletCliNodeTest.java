package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.GetTransactionResponse;
import dev.cairn.proto.v1.Transaction;
import dev.cairn.proto.v1.TransactionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands run in-process against a real gRPC server standing in for the node. */
class WalletCliNodeTest {
  private static final long COIN = Amount.UNITS_PER_COIN;

  @TempDir Path tmp;
  FakeNode node;
  CliRunner cli;
  Path walletDir;
  String alice;
  String bob;

  @BeforeEach
  void setUp() throws Exception {
    node = new FakeNode();
    walletDir = tmp.resolve("wallet");
    cli = new CliRunner(walletDir).node(node.port());
    assertThat(cli.run("new", "alice").exit()).isZero();
    assertThat(cli.run("new", "bob").exit()).isZero();
    alice = cli.run("address", "alice").out().strip();
    bob = cli.run("address", "bob").out().strip();
    node.account(alice, 100 * COIN, 0, 3, 5, 0);
  }

  @AfterEach
  void tearDown() throws Exception {
    node.close();
  }

  /** The same account with a different last checksum character. */
  private static String mistyped(String address) {
    char last = address.charAt(address.length() - 1);
    return address.substring(0, address.length() - 1) + (last == 'q' ? 'p' : 'q');
  }

  private static PrivateKey otherKey() {
    byte[] seed = new byte[32];
    new Random(99).nextBytes(seed);
    return PrivateKey.fromSeed(seed);
  }

  @Test
  void addressAndListUseTheNodesPrefix() {
    assertThat(alice).startsWith("rcairn1");
    CliRunner.Result list = cli.run("list");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).isEqualTo("alice  " + alice + "\nbob    " + bob + "\n");
    assertThat(list.err()).isEmpty();
  }

  @Test
  void balanceByNameAndByAddress() {
    node.account(alice, 100 * COIN, 50 * COIN, 3, 5, 2 * COIN);
    CliRunner.Result byName = cli.run("balance", "alice");
    assertThat(byName.exit()).as(byName.toString()).isZero();
    assertThat(byName.out()).contains("balance:          100\n", "immature:         50", "spendable:        98 ", "nonce:            3 (next, counting pending: 5)");

    JsonNode json = cli.run("balance", alice, "--json").json();
    assertThat(json.get("address").textValue()).isEqualTo(alice);
    assertThat(json.get("balance").textValue()).isEqualTo("100");
    assertThat(json.get("immature").textValue()).isEqualTo("50");
    assertThat(json.get("spendable").textValue()).isEqualTo("98");
    assertThat(json.get("pendingOutgoing").textValue()).isEqualTo("2");
    assertThat(json.get("pendingNonce").longValue()).isEqualTo(5);
    assertThat(json.get("network").textValue()).isEqualTo("regtest");
  }

  @Test
  void balanceOfAMistypedAddressIsAChecksumError() {
    CliRunner.Result result = cli.run("balance", mistyped(bob));
    assertThat(result.exit()).isEqualTo(3);
    assertThat(result.err()).startsWith("error: address checksum does not match");
  }

  @Test
  void aShortMalformedAddressIsReportedAsAnAddressNotAsAMissingKey() {
    for (String command : List.of("balance", "history")) {
      CliRunner.Result result = cli.run(command, "rcairn1abc", "--json");
      assertThat(result.exit()).as(command + ": " + result).isEqualTo(ExitCode.USAGE.code());
      assertThat(result.err()).startsWith("error: not an address").doesNotContain("no key named");
      assertThat(result.json().get("error").get("code").textValue()).isEqualTo("bad-address");
    }
    // An address of another built-in network, cut short, is still read as an address.
    CliRunner.Result main = cli.run("balance", "cairn1qqqq");
    assertThat(main.err()).doesNotContain("no key named");
    // Plain names are still names.
    assertThat(cli.run("balance", "carol").err()).contains("no key named 'carol'");
  }

  @Test
  void aKeyWhoseNameLooksLikeAnAddressIsStillFoundByName() {
    assertThat(cli.run("new", "rcairn1x").exit()).isZero();
    CliRunner.Result result = cli.run("balance", "rcairn1x");
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).startsWith("key:              rcairn1x\n");
  }

  @Test
  void sendSignsForTheNodesNetworkWithThePendingNonceAndTheMinimumFee() {
    CliRunner.Result sent = cli.run("send", "--from", "alice", "--to", bob, "--amount", "12.5", "--yes");
    assertThat(sent.exit()).as(sent.toString()).isZero();

    assertThat(node.submitted).hasSize(1);
    Transfer tx = node.submitted.get(0);
    assertThat(sent.out()).isEqualTo(tx.id().toHex() + "\n");
    assertThat(tx.hasValidSignature(FakeNode.GENESIS)).isTrue();
    assertThat(tx.senderAddress().toText(FakeNode.PREFIX)).isEqualTo(alice);
    assertThat(tx.recipient().toText(FakeNode.PREFIX)).isEqualTo(bob);
    assertThat(tx.amount()).isEqualTo(Amount.parseCoins("12.5"));
    assertThat(tx.fee()).isEqualTo(Amount.units(FakeNode.MIN_FEE_PER_BYTE * Transfer.SIZE));
    assertThat(tx.nonce()).isEqualTo(5);
    assertThat(sent.err()).contains("from:    alice (" + alice + ")", "to:      " + bob, "amount:  12.5", "nonce:   5",
        "network: regtest");
  }

  @Test
  void sendWithAnExplicitFeeAndJsonOutput() {
    CliRunner.Result sent =
        cli.run("send", "--from", "alice", "--to", bob, "--amount", "1", "--fee", "0.001", "--yes", "--json");
    assertThat(sent.exit()).as(sent.toString()).isZero();
    JsonNode json = sent.json();
    Transfer tx = node.submitted.get(0);
    assertThat(tx.fee()).isEqualTo(Amount.units(100_000));
    assertThat(json.get("txid").textValue()).isEqualTo(tx.id().toHex());
    assertThat(json.get("fee").textValue()).isEqualTo("0.001");
    assertThat(json.get("nonce").longValue()).isEqualTo(5);
  }

  @Test
  void confirmationYesSends() {
    CliRunner.Result sent = cli.stdin("yes\n").run("send", "--from", "alice", "--to", bob, "--amount", "1");
    assertThat(sent.exit()).as(sent.toString()).isZero();
    assertThat(sent.err()).contains("Send? [y/N]");
    assertThat(node.submitted).hasSize(1);
  }

  @Test
  void confirmationNoAbortsAndSubmitsNothing() {
    CliRunner.Result no = cli.stdin("n\n").run("send", "--from", "alice", "--to", bob, "--amount", "1");
    assertThat(no.exit()).isEqualTo(1);
    assertThat(no.err()).contains("Send? [y/N]").endsWith("error: aborted\n");
    assertThat(no.out()).isEmpty();

    CliRunner.Result eof = cli.stdin("").run("send", "--from", "alice", "--to", bob, "--amount", "1", "--json");
    assertThat(eof.exit()).isEqualTo(1);
    assertThat(eof.json().get("error").get("code").textValue()).isEqualTo("aborted");
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void mistypedRecipientIsExitThree() {
    CliRunner.Result result = cli.run("send", "--from", "alice", "--to", mistyped(bob), "--amount", "1", "--yes");
    assertThat(result.exit()).isEqualTo(ExitCode.BAD_ADDRESS_CHECKSUM.code());
    assertThat(result.err()).startsWith("error: address checksum does not match");
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void recipientOfAnotherNetworkIsExitFour() {
    String mainAddress = otherKey().address().toText("cairn");
    CliRunner.Result result = cli.run("send", "--from", "alice", "--to", mainAddress, "--amount", "1", "--yes", "--json");
    assertThat(result.exit()).isEqualTo(ExitCode.WRONG_NETWORK.code());
    assertThat(result.err()).contains("another network").contains("'cairn'");
    JsonNode error = result.json().get("error");
    assertThat(error.get("code").textValue()).isEqualTo("bad-address-network");
    assertThat(error.get("exitCode").intValue()).isEqualTo(4);
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void malformedRecipientIsAUsageError() {
    CliRunner.Result result = cli.run("send", "--from", "alice", "--to", "not-an-address-at-all-but-long-enough", "--amount", "1", "--yes");
    assertThat(result.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(result.err()).startsWith("error: not an address");
  }

  @Test
  void insufficientFundsIsExitFiveAndSaysWhatIsSpendable() {
    node.account(alice, 10 * COIN, 0, 0, 1, 4 * COIN);
    CliRunner.Result result = cli.run("send", "--from", "alice", "--to", bob, "--amount", "6", "--yes");
    assertThat(result.exit()).isEqualTo(ExitCode.INSUFFICIENT_FUNDS.code());
    assertThat(result.err()).startsWith("error: insufficient funds").contains("spendable is 6 ").contains("pending outgoing 4");
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void insufficientFundsMentionsImmatureRewards() {
    node.account(alice, 1 * COIN, 50 * COIN, 0, 0, 0);
    CliRunner.Result result = cli.run("send", "--from", "alice", "--to", bob, "--amount", "10", "--yes", "--json");
    assertThat(result.exit()).isEqualTo(5);
    assertThat(result.json().get("error").get("message").textValue()).contains("50 is immature");
  }

  @Test
  void nodeRejectionIsExitEightWithTheReasonCode() {
    node.rejectWith = Optional.of("bad-txns-balance");
    CliRunner.Result result = cli.run("send", "--from", "alice", "--to", bob, "--amount", "1", "--yes");
    assertThat(result.exit()).isEqualTo(ExitCode.REJECTED.code());
    assertThat(result.err()).endsWith("\nerror: rejected by the node: bad-txns-balance: sender's balance below amount plus fee\n");

    JsonNode error = cli.run("send", "--from", "alice", "--to", bob, "--amount", "1", "--yes", "--json").json().get("error");
    assertThat(error.get("code").textValue()).isEqualTo("rejected");
    assertThat(error.get("reason").textValue()).isEqualTo("bad-txns-balance");
  }

  @Test
  void wrongPasswordIsExitSixAndChangesNothing() throws Exception {
    byte[] before = Files.readAllBytes(walletDir.resolve("alice.json"));
    CliRunner.Result result =
        cli.env(Passwords.ENV, "not the password").run("send", "--from", "alice", "--to", bob, "--amount", "1", "--yes");
    assertThat(result.exit()).isEqualTo(ExitCode.WRONG_PASSWORD.code());
    assertThat(result.err()).contains("error: wrong password for key 'alice'");
    assertThat(Files.readAllBytes(walletDir.resolve("alice.json"))).isEqualTo(before);
    assertThat(node.submitted).isEmpty();
  }

  @Test
  void unknownSenderIsNotFound() {
    CliRunner.Result result = cli.run("send", "--from", "carol", "--to", bob, "--amount", "1", "--yes");
    assertThat(result.exit()).isEqualTo(9);
  }

  @Test
  void txShowsConfirmedAndPendingTransactions() {
    Transfer transfer =
        Transfer.sign(otherKey(), Address.fromBytes(new byte[20]), Amount.coins(2), Amount.units(1420), 0, FakeNode.GENESIS);
    node.transactions.put(
        transfer.id(),
        GetTransactionResponse.newBuilder()
            .setTransaction(Transaction.newBuilder().setCanonical(ByteString.copyFrom(transfer.encoded())))
            .setStatus(TransactionStatus.TRANSACTION_STATUS_PENDING)
            .build());
    Coinbase coinbase = Coinbase.create(110, Address.fromBytes(new byte[20]), Amount.coins(50));
    Hash block = Hash.of(new byte[32]);
    node.transactions.put(
        coinbase.id(),
        GetTransactionResponse.newBuilder()
            .setTransaction(Transaction.newBuilder().setCanonical(ByteString.copyFrom(coinbase.encoded())))
            .setStatus(TransactionStatus.TRANSACTION_STATUS_CONFIRMED)
            .setBlockHash(ByteString.copyFrom(block.toByteArray()))
            .setBlockHeight(110)
            .setConfirmations(11)
            .build());

    CliRunner.Result pending = cli.run("tx", transfer.id().toHex());
    assertThat(pending.exit()).as(pending.toString()).isZero();
    assertThat(pending.out()).contains("status: pending", "kind:   transfer", "amount: 2\n", "fee:    0.0000142");

    JsonNode pendingJson = cli.run("tx", transfer.id().toHex(), "--json").json();
    assertThat(pendingJson.get("status").textValue()).isEqualTo("pending");
    assertThat(pendingJson.get("confirmations").longValue()).isZero();
    assertThat(pendingJson.get("transaction").get("from").textValue())
        .isEqualTo(otherKey().address().toText(FakeNode.PREFIX));

    CliRunner.Result confirmed = cli.run("tx", coinbase.id().toHex());
    assertThat(confirmed.exit()).as(confirmed.toString()).isZero();
    assertThat(confirmed.out()).contains("confirmed at height 110 (11 confirmations)", "block:  " + block.toHex());

    JsonNode confirmedJson = cli.run("tx", coinbase.id().toHex(), "--json").json();
    assertThat(confirmedJson.get("status").textValue()).isEqualTo("confirmed");
    assertThat(confirmedJson.get("blockHeight").longValue()).isEqualTo(110);
    assertThat(confirmedJson.get("confirmations").longValue()).isEqualTo(11);
    assertThat(confirmedJson.get("transaction").get("kind").textValue()).isEqualTo("coinbase");
  }

  @Test
  void unknownTransactionIsNotFound() {
    String txid = "ab".repeat(32);
    CliRunner.Result result = cli.run("tx", txid);
    assertThat(result.exit()).isEqualTo(ExitCode.NOT_FOUND.code());
    assertThat(result.err()).isEqualTo("error: transaction " + txid + " not found\n");
    assertThat(cli.run("tx", txid, "--json").json().get("error").get("code").textValue()).isEqualTo("not-found");
  }
}
