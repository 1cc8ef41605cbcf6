package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecFile;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.MerkleTree;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.proto.v1.GetMerkleProofResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify against a node that serves real, mined header chains and proofs, and then forgeries of
 * each: the wallet must catch every one itself.
 */
class VerifyCommandTest {
  private static final ChainSpec REGTEST = ChainSpec.regtest();
  private static final Hash TXID = Hashes.sha256("the payment".getBytes(StandardCharsets.US_ASCII));
  private static final long HEIGHT = 5;
  private static final List<Hash> BLOCK_TXIDS = List.of(TestHeaders.filler(HEIGHT), TXID, TestHeaders.filler(1000));

  @TempDir Path tmp;
  FakeNode node;
  CliRunner cli;

  @BeforeEach
  void setUp() throws Exception {
    node = new FakeNode();
    cli = new CliRunner(tmp.resolve("wallet")).node(node.port());
  }

  @AfterEach
  void tearDown() {
    node.close();
  }

  /** Serves a regtest chain of {@code length} headers with TXID in block HEIGHT, tampered as given. */
  private List<BlockHeader> serve(ChainSpec spec, int length, long step, Map<Long, UnaryOperator<BlockHeader>> tamper) {
    List<BlockHeader> chain = TestHeaders.chain(spec, length, step, Map.of(HEIGHT, BLOCK_TXIDS), tamper);
    node.useChain(chain);
    node.proof(TXID, chain.get((int) HEIGHT), MerkleTree.proof(BLOCK_TXIDS, 1));
    return chain;
  }

  private List<BlockHeader> serve(Map<Long, UnaryOperator<BlockHeader>> tamper) {
    return serve(REGTEST, 8, 60, tamper);
  }

  /** The success line for TXID in {@code block}, under the served chain of 8 headers (tip at height 7). */
  private String verifiedLine(BlockHeader block) {
    return "verified: " + TXID + " is in block " + block.hash() + " at height " + HEIGHT + ", with 3 confirmations under 8"
        + " headers of valid proof of work from genesis to the node's tip (height 7)\n";
  }

  @Test
  void verifiesAgainstTheBuiltInRegtestSpec() {
    List<BlockHeader> chain = serve(Map.of());
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo(verifiedLine(chain.get((int) HEIGHT)));
    assertThat(result.err()).doesNotContain("not checked");

    JsonNode json = cli.run("verify", TXID.toHex(), "--network", "regtest", "--json").json();
    assertThat(json.get("verified").booleanValue()).isTrue();
    assertThat(json.get("blockHash").textValue()).isEqualTo(chain.get((int) HEIGHT).hash().toHex());
    assertThat(json.get("height").longValue()).isEqualTo(HEIGHT);
    assertThat(json.get("index").longValue()).isEqualTo(1);
    assertThat(json.get("treeSize").longValue()).isEqualTo(3);
    assertThat(json.get("headers").longValue()).isEqualTo(8);
    assertThat(json.get("confirmations").longValue()).isEqualTo(3);
    assertThat(json.get("tipHeight").longValue()).isEqualTo(7);
    assertThat(json.get("tipHash").textValue()).isEqualTo(chain.get(7).hash().toHex());
    assertThat(json.get("targetsChecked").booleanValue()).isTrue();
    assertThat(json.get("genesisFrom").textValue()).isEqualTo("network");
    assertThat(json.get("genesisHash").textValue()).isEqualTo(REGTEST.genesisHash().toHex());
    // The headers above the block, to the tip, are fetched too.
    assertThat(node.headerRequests).anySatisfy(r -> assertThat(r.getStartHeight() + r.getCount()).isEqualTo(8));
  }

  @Test
  void aForgedHeaderAboveTheProofsBlockFailsTheChain() {
    serve(Map.of(7L, TestHeaders::unmine));
    CliRunner.Result badPow = cli.run("verify", TXID.toHex(), "--json");
    assertThat(badPow.exit()).as(badPow.toString()).isEqualTo(ExitCode.HEADER_CHAIN_INVALID.code());
    assertThat(badPow.err()).contains("error: header chain invalid: bad PoW at height 7");
    assertThat(badPow.json().get("error").get("height").longValue()).isEqualTo(7);

    serve(Map.of(6L, h -> TestHeaders.with(h, h.previousHash(), h.timestamp(), new CompactTarget(0x2000ffffL))));
    CliRunner.Result badTarget = cli.run("verify", TXID.toHex());
    assertThat(badTarget.exit()).isEqualTo(15);
    assertThat(badTarget.err()).contains("bad target at height 6");
    assertThat(badTarget.out()).isEmpty();
  }

  @Test
  void verifiesWithAChainSpecFile() throws Exception {
    List<BlockHeader> chain = serve(Map.of());
    Path spec = tmp.resolve("regtest.json");
    ChainSpecFile.write(REGTEST, spec);
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--chain-spec", spec.toString(), "--json");
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.json().get("genesisFrom").textValue()).isEqualTo("chain-spec");
    assertThat(result.json().get("blockHash").textValue()).isEqualTo(chain.get((int) HEIGHT).hash().toHex());
  }

  @Test
  void withoutASpecThePinnedBuiltInNetworksRulesAreUsed() {
    List<BlockHeader> chain = serve(Map.of());
    CliRunner.Result result = cli.run("verify", TXID.toHex());
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo(verifiedLine(chain.get((int) HEIGHT)));
    assertThat(result.err()).contains("pinned this wallet to network 'regtest'").doesNotContain("not checked");

    JsonNode json = cli.run("verify", TXID.toHex(), "--json").json();
    assertThat(json.get("targetsChecked").booleanValue()).isTrue();
    assertThat(json.get("genesisFrom").textValue()).isEqualTo("pinned");
  }

  @Test
  void aNetworkWithoutABuiltInSpecNeedsTheChainSpecAndNothingIsPinned() throws Exception {
    ChainSpec asert = TestHeaders.asertSpec();
    node.spec = asert;
    serve(asert, 8, 60, Map.of());
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--json");
    assertThat(result.exit()).as(result.toString()).isEqualTo(ExitCode.USAGE.code());
    assertThat(result.err())
        .startsWith("error: verify needs the chain spec of network 'asertnet'")
        .contains("give --chain-spec FILE")
        .doesNotContain("verified");
    assertThat(result.json().get("error").get("code").textValue()).isEqualTo("chain-spec-needed");
    assertThat(tmp.resolve("wallet").resolve(NetworkState.PIN_FILE)).doesNotExist();
    assertThat(node.headerRequests).isEmpty();

    // Pinned by another command first: the same refusal, naming the pin.
    assertThat(cli.run("balance", "acairn1" + "q".repeat(38)).err()).contains("pinned this wallet");
    CliRunner.Result pinned = cli.run("verify", TXID.toHex());
    assertThat(pinned.exit()).isEqualTo(2);
    assertThat(pinned.err()).contains("network 'asertnet'").contains("pinned in").contains("--chain-spec");
  }

  @Test
  void aProofIntoTheGenesisBlockIsCheckedAgainstItsRoot() {
    List<BlockHeader> chain = TestHeaders.chain(REGTEST, 3, 60, Map.of(), Map.of());
    node.useChain(chain);
    // Regtest's genesis has no allocations: its root is the empty tree's, which no proof reaches.
    node.proof(TXID, chain.get(0), MerkleTree.proof(List.of(TXID), 0));
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).isEqualTo(ExitCode.PROOF_INVALID.code());
    assertThat(result.err()).contains("does not reach the Merkle root " + MerkleTree.EMPTY_ROOT);
  }

  @Test
  void aForgedPathElementDoesNotVerify() {
    serve(Map.of());
    GetMerkleProofResponse honest = node.proofs.get(TXID);
    node.proofs.put(
        TXID, honest.toBuilder().setPath(0, ByteString.copyFrom(Hashes.sha256(new byte[] {7}).toByteArray())).build());

    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest", "--json");
    assertThat(result.exit()).isEqualTo(ExitCode.PROOF_INVALID.code());
    assertThat(result.err()).startsWith("error: proof does not verify: the Merkle path from " + TXID);
    JsonNode error = result.json().get("error");
    assertThat(error.get("code").textValue()).isEqualTo("proof-invalid");
    assertThat(error.get("exitCode").intValue()).isEqualTo(14);
    assertThat(error.get("height").longValue()).isEqualTo(HEIGHT);
  }

  @Test
  void aProofForAnotherTransactionOrTreeDoesNotVerify() {
    serve(Map.of());
    GetMerkleProofResponse honest = node.proofs.get(TXID);
    // Leaf 2's position with leaf 1's path.
    node.proofs.put(TXID, honest.toBuilder().setIndex(2).build());
    assertThat(cli.run("verify", TXID.toHex(), "--network", "regtest").exit()).isEqualTo(14);
    // A path one element short.
    node.proofs.put(TXID, honest.toBuilder().clearPath().addPath(honest.getPath(0)).build());
    assertThat(cli.run("verify", TXID.toHex(), "--network", "regtest").exit()).isEqualTo(14);
    // A malformed element.
    node.proofs.put(TXID, honest.toBuilder().setPath(0, ByteString.copyFrom(new byte[31])).build());
    CliRunner.Result malformed = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(malformed.exit()).isEqualTo(14);
    assertThat(malformed.err()).contains("malformed proof");
  }

  @Test
  void aProofNamingABlockThatIsNotTheHeaderAtItsHeightDoesNotVerify() {
    List<BlockHeader> chain = serve(Map.of());
    GetMerkleProofResponse honest = node.proofs.get(TXID);
    node.proofs.put(TXID, honest.toBuilder().setBlockHash(ByteString.copyFrom(chain.get(4).hash().toByteArray())).build());
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).isEqualTo(ExitCode.PROOF_INVALID.code());
    assertThat(result.err()).contains("but the header at height 5 is block " + chain.get(5).hash());
  }

  @Test
  void aHeaderWithBadProofOfWorkFailsTheChainWithOrWithoutASpec() {
    serve(Map.of(3L, TestHeaders::unmine));
    CliRunner.Result withSpec = cli.run("verify", TXID.toHex(), "--network", "regtest", "--json");
    assertThat(withSpec.exit()).isEqualTo(ExitCode.HEADER_CHAIN_INVALID.code());
    assertThat(withSpec.err()).startsWith("error: header chain invalid: bad PoW at height 3");
    assertThat(withSpec.json().get("error").get("code").textValue()).isEqualTo("header-chain-invalid");
    assertThat(withSpec.json().get("error").get("height").longValue()).isEqualTo(3);

    CliRunner.Result withoutSpec = cli.run("verify", TXID.toHex());
    assertThat(withoutSpec.exit()).isEqualTo(15);
    assertThat(withoutSpec.err()).contains("error: header chain invalid: bad PoW at height 3");
  }

  @Test
  void aBrokenLinkFailsTheChain() {
    serve(Map.of(2L, h -> TestHeaders.with(h, Hashes.sha256(new byte[] {9}), h.timestamp(), h.target())));
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).isEqualTo(15);
    assertThat(result.err()).startsWith("error: header chain invalid: broken link at height 2: its previous hash");

    CliRunner.Result withoutSpec = cli.run("verify", TXID.toHex());
    assertThat(withoutSpec.exit()).isEqualTo(15);
    assertThat(withoutSpec.err()).contains("broken link at height 2");
  }

  @Test
  void ofABadPowHeaderAndABrokenLinkTheFirstIsReported() {
    UnaryOperator<BlockHeader> breakLink = h -> TestHeaders.with(h, Hashes.sha256(new byte[] {9}), h.timestamp(), h.target());
    serve(Map.of(2L, breakLink, 4L, TestHeaders::unmine));
    assertThat(cli.run("verify", TXID.toHex(), "--network", "regtest").err()).contains("broken link at height 2");

    serve(Map.of(2L, TestHeaders::unmine, 4L, breakLink));
    assertThat(cli.run("verify", TXID.toHex(), "--network", "regtest").err()).contains("bad PoW at height 2");
  }

  @Test
  void aHeaderWithTheWrongHeightIsABrokenLink() {
    serve(Map.of(3L, h -> TestHeaders.mine(BlockHeader.of(
        h.version(), 7, h.previousHash(), h.merkleRoot(), h.stateCommitment(), h.timestamp(), h.target(), 0))));
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).isEqualTo(15);
    assertThat(result.err()).contains("broken link at height 3: the header there says height 7");
  }

  @Test
  void header0MustBeTheNetworksGenesis() {
    // A chain from another genesis, served by a node claiming regtest.
    List<BlockHeader> chain = TestHeaders.chain(TestHeaders.asertSpec(), 8, 60, Map.of(HEIGHT, BLOCK_TXIDS), Map.of());
    node.useChain(chain);
    node.proof(TXID, chain.get((int) HEIGHT), MerkleTree.proof(BLOCK_TXIDS, 1));
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).isEqualTo(15);
    assertThat(result.err()).contains("header chain invalid: header 0 is not the expected genesis")
        .contains(REGTEST.genesisHash().toHex());
  }

  @Test
  void aTargetTheRulesDoNotRequireFailsWithOrWithoutASpec() {
    // Harder than regtest's fixed target, and met: only the rules can object.
    serve(Map.of(3L, h -> TestHeaders.with(h, h.previousHash(), h.timestamp(), new CompactTarget(0x2000ffffL))));
    CliRunner.Result withSpec = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(withSpec.exit()).isEqualTo(15);
    assertThat(withSpec.err()).contains("header chain invalid: bad target at height 3: target 0x2000ffff, expected 0x207fffff");

    // The wallet is pinned to regtest, whose rules are built in.
    CliRunner.Result withoutSpec = cli.run("verify", TXID.toHex());
    assertThat(withoutSpec.exit()).as(withoutSpec.toString()).isEqualTo(15);
    assertThat(withoutSpec.err()).contains("bad target at height 3: target 0x2000ffff, expected 0x207fffff");
    assertThat(withoutSpec.out()).isEmpty();
  }

  @Test
  void asertTargetsAreCheckedAgainstTheChainSpec() throws Exception {
    ChainSpec asert = TestHeaders.asertSpec();
    node.spec = asert;
    Path specFile = tmp.resolve("asert.json");
    ChainSpecFile.write(asert, specFile);
    // One second apart where the schedule says sixty: ASERT makes each target a little harder.
    List<BlockHeader> honest = serve(asert, 8, 1, Map.of());
    assertThat(honest.get(4).target()).isNotEqualTo(honest.get(0).target());
    CliRunner.Result ok = cli.run("verify", TXID.toHex(), "--chain-spec", specFile.toString());
    assertThat(ok.exit()).as(ok.toString()).isZero();

    // Header 4 keeps the easier genesis target instead of the one ASERT requires.
    serve(asert, 8, 1, Map.of(4L, h -> TestHeaders.with(h, h.previousHash(), h.timestamp(), asert.params().genesisTarget())));
    CliRunner.Result forged = cli.run("verify", TXID.toHex(), "--chain-spec", specFile.toString());
    assertThat(forged.exit()).isEqualTo(15);
    assertThat(forged.err()).contains("bad target at height 4: target 0x207fffff, expected " + honest.get(4).target());
  }

  @Test
  void aTimestampNotAfterTheMedianTimePastFails() {
    long genesis = REGTEST.genesisTimestamp();
    // Headers 0..3 are stamped genesis + 60 h: their median time past is genesis + 120.
    serve(Map.of(4L, h -> TestHeaders.with(h, h.previousHash(), genesis + 120, h.target())));
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).isEqualTo(15);
    assertThat(result.err()).contains("bad timestamp at height 4: timestamp " + (genesis + 120) + " not after median time past");
    assertThat(cli.run("verify", TXID.toHex()).err()).contains("bad timestamp at height 4");
  }

  @Test
  void aNodeThatServesTooFewHeadersFails() {
    List<BlockHeader> chain = serve(Map.of());
    node.headers.clear();
    node.headers.addAll(chain.subList(0, 4));
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).isEqualTo(15);
    assertThat(result.err()).contains("the node sent no header at height 4");

    // All the headers to the block, but not to the tip it reported.
    node.headers.clear();
    node.headers.addAll(chain.subList(0, 6));
    CliRunner.Result shortOfTip = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(shortOfTip.exit()).isEqualTo(15);
    assertThat(shortOfTip.err()).contains("the node sent no header at height 6").contains("below the tip at height 7");
  }

  @Test
  void headersComeInPagesOfTwoThousand() {
    long height = 4_321;
    List<Hash> txids = List.of(TestHeaders.filler(height), TXID);
    List<BlockHeader> chain = TestHeaders.chain(REGTEST, 4_500, 60, Map.of(height, txids), Map.of());
    node.useChain(chain);
    node.proof(TXID, chain.get((int) height), MerkleTree.proof(txids, 1));

    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.out()).contains("at height 4321, with 179 confirmations under 4500 headers");
    List<String> pages = new ArrayList<>();
    node.headerRequests.stream()
        .filter(r -> r.getCount() > 1)
        .forEach(r -> pages.add(r.getStartHeight() + "+" + r.getCount()));
    assertThat(pages).containsExactly("0+2000", "2000+2000", "4000+500");

    CliRunner.Result onTerminal = cli.terminal(true).run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(onTerminal.exit()).isZero();
    assertThat(onTerminal.err())
        .isEqualTo("\rchecking headers: 2000/4500\rchecking headers: 4000/4500\rchecking headers: 4500/4500\n");
    cli.terminal(false);

    CliRunner.Result capped = cli.run("verify", TXID.toHex(), "--network", "regtest", "--max-headers", "4000");
    assertThat(capped.exit()).isEqualTo(1);
    assertThat(capped.err()).contains("needs 4500 headers, more than --max-headers 4000");
  }

  @Test
  void aPendingOrUnknownTransactionHasNothingToVerify() {
    serve(Map.of());
    Transfer pending = Transfer.sign(
        PrivateKey.fromSeed(new byte[32]), Address.fromBytes(new byte[20]), Amount.coins(1), Amount.units(1420), 0,
        REGTEST.genesisHash());
    node.script(pending.id(), FakeNode.pending(pending));
    CliRunner.Result result = cli.run("verify", pending.id().toHex(), "--network", "regtest", "--json");
    assertThat(result.exit()).isEqualTo(ExitCode.NOT_FOUND.code());
    assertThat(result.err()).contains("is not confirmed yet: it is pending");
    assertThat(result.json().get("error").get("code").textValue()).isEqualTo("not-confirmed");

    CliRunner.Result unknown = cli.run("verify", "ab".repeat(32), "--network", "regtest");
    assertThat(unknown.exit()).isEqualTo(9);
    assertThat(unknown.err()).contains("is not in the node's best chain");
  }

  @Test
  void aNodeOfAnotherNetworkIsReported() {
    serve(Map.of());
    node.spec = ChainSpec.main();
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest", "--json");
    assertThat(result.exit()).isEqualTo(ExitCode.WRONG_NETWORK.code());
    assertThat(result.err()).contains("is on another network: 'main'").contains("expects 'regtest'").contains("--network regtest");
    assertThat(result.json().get("error").get("code").textValue()).isEqualTo("node-wrong-network");
  }

  @Test
  void usageErrors() throws Exception {
    serve(Map.of());
    assertThat(cli.run("verify", TXID.toHex(), "--network", "devnet").exit()).isEqualTo(2);
    Path spec = tmp.resolve("spec.json");
    ChainSpecFile.write(REGTEST, spec);
    assertThat(cli.run("verify", TXID.toHex(), "--network", "regtest", "--chain-spec", spec.toString()).exit()).isEqualTo(2);
    Files.writeString(spec, "{\"format\": 1}");
    CliRunner.Result bad = cli.run("verify", TXID.toHex(), "--chain-spec", spec.toString(), "--json");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.json().get("error").get("code").textValue()).isEqualTo("bad-chain-spec");
    assertThat(cli.run("verify", "xyz").exit()).isEqualTo(2);
    assertThat(cli.run("verify", TXID.toHex(), "--max-headers", "0").exit()).isEqualTo(2);
  }

  @Test
  void proofShapeIsCheckedBeforeAnyHeaderIsFetched() {
    serve(Map.of());
    node.proofs.put(TXID, node.proofs.get(TXID).toBuilder().setIndex(3).build());
    CliRunner.Result result = cli.run("verify", TXID.toHex(), "--network", "regtest");
    assertThat(result.exit()).isEqualTo(14);
    assertThat(result.err()).contains("leaf 3 of a tree of 3");
    assertThat(node.headerRequests).allSatisfy(r -> assertThat(r.getCount()).isEqualTo(1));
  }
}
