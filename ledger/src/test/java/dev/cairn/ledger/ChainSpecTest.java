package dev.cairn.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** ChainSpec, ChainParams, ChainSpecFile and DevnetSpecs. */
class ChainSpecTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The genesis hashes of the built-in networks. CHANGING EITHER IS A CONSENSUS CHANGE: every
   * existing node of that network would disagree about block 0. Only update these together with
   * a deliberate, documented change of the genesis encoding or parameters.
   */
  private static final String REGTEST_GENESIS =
      "586b21aaabf3d674dde4b2fd7e0e0dad34352289d28e840e351d6405838c0ff3";

  private static final String MAIN_GENESIS =
      "08355ebf2846131d917f416c310c1c4bae4560d3043e0d9557e60ee349d4c178";

  static SecureRandom seededRandom(long seed) throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(seed); // before first use: the output is then a function of the seed alone
    return random;
  }

  static DevnetSpecs.Devnet devnet(long seed, int accounts) throws Exception {
    return DevnetSpecs.generate(
        1_800_000_000L, seededRandom(seed), accounts, Amount.coins(1000), DevnetSpecs.POW_LIMIT);
  }

  // ---------------------------------------------------------------------- built-in specs

  @Test
  void builtInGenesisHashesArePinned() {
    assertThat(ChainSpec.regtest().genesisHash().toHex()).isEqualTo(REGTEST_GENESIS);
    assertThat(ChainSpec.main().genesisHash().toHex()).isEqualTo(MAIN_GENESIS);
    assertThat(ChainSpec.regtest().chainId()).isEqualTo(REGTEST_GENESIS.substring(0, 8));
    // Built again, the same.
    assertThat(ChainSpec.regtest()).isEqualTo(ChainSpec.regtest()).hasSameHashCodeAs(ChainSpec.regtest());
    assertThat(ChainSpec.main()).isNotEqualTo(ChainSpec.regtest());
  }

  @Test
  void builtInParametersRespectTheRules() throws Exception {
    for (ChainSpec spec : List.of(ChainSpec.main(), ChainSpec.regtest())) {
      ChainParams p = spec.params();
      p.validate();
      assertThat(p.asertHalfLifeSeconds()).isGreaterThanOrEqualTo(100 * p.targetSpacingSeconds());
      assertThat(p.maxFutureDriftSeconds() * 24).isLessThanOrEqualTo(p.asertHalfLifeSeconds());
      assertThat(spec.allocations()).isEmpty();
    }
    assertThat(ChainSpec.main().name()).isEqualTo("main");
    assertThat(ChainSpec.main().params().addressPrefix()).isEqualTo("cairn");
    assertThat(ChainSpec.main().params().coinbaseMaturity()).isEqualTo(100);
    assertThat(ChainSpec.regtest().params().fixedTarget()).isTrue();
    assertThat(ChainSpec.regtest().params().addressPrefix()).isEqualTo("rcairn");
  }

  @Test
  void genesisBlockIsDerivedFromTheSpec() throws Exception {
    DevnetSpecs.Devnet d = devnet(1, 3);
    ChainSpec spec = d.spec();
    Block genesis = spec.genesisBlock();
    BlockHeader h = genesis.header();
    assertThat(h.version()).isEqualTo(1);
    assertThat(h.height()).isZero();
    assertThat(h.previousHash()).isEqualTo(spec.params().commitment());
    assertThat(h.merkleRoot()).isEqualTo(genesis.computeMerkleRoot());
    assertThat(h.stateCommitment()).isEqualTo(StateCommitment.of(spec.genesisAccounts()));
    assertThat(h.timestamp()).isEqualTo(spec.genesisTimestamp()).isEqualTo(1_800_000_000L);
    assertThat(h.target()).isEqualTo(spec.params().genesisTarget());
    assertThat(h.nonce()).isZero();
    assertThat(genesis.transactions()).containsExactlyElementsOf(spec.allocations());
    assertThat(spec.genesisHash()).isEqualTo(h.hash());
    // Allocations are sorted by address whatever order they were given in.
    List<Address> recipients = spec.allocations().stream().map(Allocation::recipient).toList();
    assertThat(recipients).isSortedAccordingTo(Address::compareTo);
    // Regtest and main have no allocations: the empty tree.
    assertThat(ChainSpec.main().genesisBlock().header().merkleRoot()).isEqualTo(MerkleTree.EMPTY_ROOT);
  }

  @Test
  void everyConsensusParameterChangesTheGenesisHashButMinimumChainWorkDoesNot() throws Exception {
    ChainParams base = ChainSpec.regtest().params();
    long ts = ChainSpec.regtest().genesisTimestamp();
    Hash baseHash = ChainSpec.of(base, ts, List.of()).genesisHash();
    assertThat(baseHash.toHex()).isEqualTo(REGTEST_GENESIS);
    List<ChainParams> variants =
        List.of(
            with(base, "name", "regtest2"),
            with(base, "addressPrefix", "rcairnx"),
            with(base, "targetSpacingSeconds", 30L),
            with(base, "asertHalfLifeSeconds", 86_401L),
            with(base, "maxFutureDriftSeconds", 3_599L),
            with(base, "powLimit", new CompactTarget(0x2100ffffL)),
            with(base, "genesisTarget", new CompactTarget(0x2000ffffL)),
            with(base, "fixedTarget", false),
            with(base, "coinbaseMaturity", 99),
            with(base, "initialSubsidy", Amount.coins(49)),
            with(base, "halvingInterval", 151L),
            with(base, "maxBlockSize", 999_999));
    List<Hash> hashes = new ArrayList<>();
    for (ChainParams v : variants) {
      Hash h = ChainSpec.of(v, ts, List.of()).genesisHash();
      assertThat(h).as(v.toString()).isNotEqualTo(baseHash);
      hashes.add(h);
    }
    assertThat(hashes).doesNotHaveDuplicates();
    assertThat(ChainSpec.of(base, ts + 1, List.of()).genesisHash()).isNotEqualTo(baseHash);
    // minimumChainWork is policy: raising it must not fork the network.
    ChainParams moreWork = with(base, "minimumChainWork", BigInteger.TEN.pow(30));
    assertThat(ChainSpec.of(moreWork, ts, List.of()).genesisHash()).isEqualTo(baseHash);
    // An allocation changes it too.
    Allocation a = Allocation.create(TestSupport.address(new Random(1)), Amount.coins(1));
    assertThat(ChainSpec.of(base, ts, List.of(a)).genesisHash()).isNotEqualTo(baseHash);
  }

  /** A copy of {@code p} with one component replaced (by name, as JSON edits do). */
  private static ChainParams with(ChainParams p, String field, Object value) {
    Object[] c = {
      p.name(), p.addressPrefix(), p.targetSpacingSeconds(), p.asertHalfLifeSeconds(),
      p.maxFutureDriftSeconds(), p.powLimit(), p.genesisTarget(), p.fixedTarget(),
      p.coinbaseMaturity(), p.initialSubsidy(), p.halvingInterval(), p.maxBlockSize(),
      p.minimumChainWork()
    };
    var components = ChainParams.class.getRecordComponents();
    boolean found = false;
    for (int i = 0; i < components.length; i++) {
      if (components[i].getName().equals(field)) {
        c[i] = value;
        found = true;
      }
    }
    assertThat(found).as(field).isTrue();
    return new ChainParams(
        (String) c[0], (String) c[1], (Long) c[2], (Long) c[3], (Long) c[4], (CompactTarget) c[5],
        (CompactTarget) c[6], (Boolean) c[7], (Integer) c[8], (Amount) c[9], (Long) c[10],
        (Integer) c[11], (BigInteger) c[12]);
  }

  @Test
  void subsidyHalvesOnSchedule() {
    ChainParams main = ChainSpec.main().params();
    assertThat(main.subsidyAt(0)).isEqualTo(Amount.coins(50));
    assertThat(main.subsidyAt(209_999)).isEqualTo(Amount.coins(50));
    assertThat(main.subsidyAt(210_000)).isEqualTo(Amount.coins(25));
    assertThat(main.subsidyAt(420_000)).isEqualTo(Amount.parseCoins("12.5"));
    assertThat(main.subsidyAt(210_000L * 32)).isEqualTo(Amount.units(1)); // 5e9 >> 32
    assertThat(main.subsidyAt(210_000L * 33)).isEqualTo(Amount.ZERO);
    assertThat(main.subsidyAt(210_000L * 63)).isEqualTo(Amount.ZERO);
    assertThat(main.subsidyAt(210_000L * 64)).isEqualTo(Amount.ZERO);
    assertThat(main.subsidyAt(Long.MAX_VALUE)).isEqualTo(Amount.ZERO);
    ChainParams regtest = ChainSpec.regtest().params();
    assertThat(regtest.subsidyAt(149)).isEqualTo(Amount.coins(50));
    assertThat(regtest.subsidyAt(150)).isEqualTo(Amount.coins(25));
    // All rewards ever paid stay below MAX_MONEY.
    long total = 0;
    for (long halving = 0; halving < 64; halving++) {
      total = Math.addExact(total, main.subsidyAt(halving * 210_000).units() * 210_000);
    }
    assertThat(total).isLessThanOrEqualTo(Amount.MAX_MONEY).isEqualTo(2_099_999_997_690_000L);
  }

  // ------------------------------------------------------------------------- JSON files

  static Stream<ChainSpec> specs() throws Exception {
    return Stream.of(ChainSpec.main(), ChainSpec.regtest(), devnet(7, 5).spec());
  }

  @ParameterizedTest
  @MethodSource("specs")
  void jsonRoundTrips(ChainSpec spec) throws Exception {
    String json = ChainSpecFile.toJson(spec);
    ChainSpec back = ChainSpecFile.fromJson(json);
    assertThat(back).isEqualTo(spec);
    assertThat(back.genesisHash()).isEqualTo(spec.genesisHash());
    assertThat(back.params()).isEqualTo(spec.params());
    assertThat(back.allocations()).containsExactlyElementsOf(spec.allocations());
    assertThat(ChainSpecFile.toJson(back)).isEqualTo(json);
  }

  @Test
  void jsonIsReadableAndUsesTextForBigValues() throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(ChainSpecFile.toJson(devnet(3, 2).spec()));
    assertThat(root.get("format").asInt()).isEqualTo(1);
    assertThat(root.get("params").get("powLimit").asText()).isEqualTo("0x2000ffff");
    assertThat(root.get("params").get("initialSubsidy").asText()).isEqualTo("50");
    assertThat(root.get("params").get("minimumChainWork").asText()).isEqualTo("0x0");
    assertThat(root.get("allocations").get(0).get("address").asText()).startsWith("dcairn1");
    assertThat(root.get("allocations").get(0).get("amount").asText()).isEqualTo("1000");
  }

  @Test
  void allocationOrderInTheFileDoesNotMatter() throws Exception {
    ChainSpec spec = devnet(4, 4).spec();
    ObjectNode root = (ObjectNode) JSON.readTree(ChainSpecFile.toJson(spec));
    ArrayNode allocs = (ArrayNode) root.get("allocations");
    ArrayNode reversed = JSON.createArrayNode();
    for (int i = allocs.size() - 1; i >= 0; i--) {
      reversed.add(allocs.get(i));
    }
    root.set("allocations", reversed);
    assertThat(ChainSpecFile.fromJson(JSON.writeValueAsString(root)).genesisHash()).isEqualTo(spec.genesisHash());
  }

  @Test
  void writeThenReadAFile(@TempDir Path dir) throws Exception {
    ChainSpec spec = devnet(5, 3).spec();
    Path file = dir.resolve("sub/devnet.json");
    ChainSpecFile.write(spec, file);
    assertThat(ChainSpecFile.read(file)).isEqualTo(spec);
    // Overwriting is atomic and leaves no temporary files behind.
    ChainSpecFile.write(ChainSpec.regtest(), file);
    assertThat(ChainSpecFile.read(file)).isEqualTo(ChainSpec.regtest());
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void readingAMissingOrBrokenFileNamesTheFile(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> ChainSpecFile.read(missing))
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining("nope.json");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, ChainSpecFile.toJson(ChainSpec.regtest()).replace("86400", "5999"));
    assertThatThrownBy(() -> ChainSpecFile.read(broken))
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining("broken.json")
        .hasMessageContaining("asertHalfLifeSeconds");
  }

  // ---------------------------------------------------------------- validation errors

  /** Regtest's JSON with one edit applied. */
  private static String regtestJson(Consumer<ObjectNode> edit) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(ChainSpecFile.toJson(ChainSpec.regtest()));
    edit.accept(root);
    return JSON.writeValueAsString(root);
  }

  private static ObjectNode params(ObjectNode root) {
    return (ObjectNode) root.get("params");
  }

  static Stream<Arguments> invalidSpecs() {
    String other = TestSupport.address(new Random(1)).toText("cairn");
    String mine = TestSupport.address(new Random(2)).toText("rcairn");
    return Stream.of(
        Arguments.of("half-life of 99.98 intervals",
            (Consumer<ObjectNode>) r -> params(r).put("asertHalfLifeSeconds", 5_999).put("maxFutureDriftSeconds", 240),
            "asertHalfLifeSeconds 5999 must be at least 100 block intervals"),
        Arguments.of("drift above half-life / 24",
            (Consumer<ObjectNode>) r -> params(r).put("maxFutureDriftSeconds", 3_601),
            "maxFutureDriftSeconds 3601 must be at most asertHalfLifeSeconds/24 (3600)"),
        Arguments.of("zero drift",
            (Consumer<ObjectNode>) r -> params(r).put("maxFutureDriftSeconds", 0),
            "maxFutureDriftSeconds must be positive"),
        Arguments.of("zero spacing",
            (Consumer<ObjectNode>) r -> params(r).put("targetSpacingSeconds", 0),
            "targetSpacingSeconds must be positive"),
        Arguments.of("spacing so large that 100 x spacing overflows a long",
            (Consumer<ObjectNode>) r -> params(r).put("targetSpacingSeconds", 1L << 62).put("asertHalfLifeSeconds", 2_400).put("maxFutureDriftSeconds", 100),
            "asertHalfLifeSeconds 2400 must be at least 100 block intervals"),
        Arguments.of("unknown top-level field",
            (Consumer<ObjectNode>) r -> r.put("chainId", "x"),
            "the spec has an unknown field 'chainId'"),
        Arguments.of("unknown parameter",
            (Consumer<ObjectNode>) r -> params(r).put("blockReward", "50"),
            "params has an unknown field 'blockReward'"),
        Arguments.of("unknown allocation field",
            (Consumer<ObjectNode>) r -> ((ArrayNode) r.get("allocations")).addObject().put("address", mine).put("amount", "1").put("memo", "hi"),
            "an allocation has an unknown field 'memo'"),
        Arguments.of("missing top-level field",
            (Consumer<ObjectNode>) r -> r.remove("genesisTimestamp"),
            "the spec lacks the field 'genesisTimestamp'"),
        Arguments.of("missing parameter",
            (Consumer<ObjectNode>) r -> params(r).remove("maxBlockSize"),
            "params lacks the field 'maxBlockSize'"),
        Arguments.of("missing allocation amount",
            (Consumer<ObjectNode>) r -> ((ArrayNode) r.get("allocations")).addObject().put("address", mine),
            "an allocation lacks the field 'amount'"),
        Arguments.of("duplicate allocation address",
            (Consumer<ObjectNode>) r -> {
              ArrayNode a = (ArrayNode) r.get("allocations");
              a.addObject().put("address", mine).put("amount", "1");
              a.addObject().put("address", mine).put("amount", "2");
            },
            "is allocated twice"),
        Arguments.of("allocation address of another network",
            (Consumer<ObjectNode>) r -> ((ArrayNode) r.get("allocations")).addObject().put("address", other).put("amount", "1"),
            "allocation address: bad-address-network"),
        Arguments.of("allocation address with a typo",
            (Consumer<ObjectNode>) r -> ((ArrayNode) r.get("allocations")).addObject().put("address", mine.substring(0, mine.length() - 1) + (mine.endsWith("q") ? "p" : "q")).put("amount", "1"),
            "allocation address: bad-address-checksum"),
        Arguments.of("zero allocation",
            (Consumer<ObjectNode>) r -> ((ArrayNode) r.get("allocations")).addObject().put("address", mine).put("amount", "0"),
            "is zero"),
        Arguments.of("allocations plus rewards above MAX_MONEY",
            (Consumer<ObjectNode>) r -> ((ArrayNode) r.get("allocations")).addObject().put("address", mine).put("amount", "20990000"),
            "allocations plus all block rewards exceed MAX_MONEY"),
        Arguments.of("amount with nine decimals",
            (Consumer<ObjectNode>) r -> ((ArrayNode) r.get("allocations")).addObject().put("address", mine).put("amount", "1.000000001"),
            "'amount': more than 8 decimals"),
        Arguments.of("wrong format version",
            (Consumer<ObjectNode>) r -> r.put("format", 2),
            "format 2 is not supported"),
        Arguments.of("format as a string",
            (Consumer<ObjectNode>) r -> r.put("format", "1"),
            "'format' must be an integer"),
        Arguments.of("negative powLimit",
            (Consumer<ObjectNode>) r -> params(r).put("powLimit", "0x04923456"),
            "powLimit: bad-diffbits: 0x04923456 is negative"),
        Arguments.of("overflowing powLimit",
            (Consumer<ObjectNode>) r -> params(r).put("powLimit", "0xff123456"),
            "powLimit: bad-diffbits: 0xff123456 overflows 256 bits"),
        Arguments.of("zero genesisTarget",
            (Consumer<ObjectNode>) r -> params(r).put("genesisTarget", "0x00000000"),
            "genesisTarget: bad-diffbits: 0x00000000 is zero"),
        Arguments.of("genesisTarget easier than powLimit",
            (Consumer<ObjectNode>) r -> params(r).put("powLimit", "0x1f00ffff"),
            "genesisTarget must not be easier than powLimit"),
        Arguments.of("non-canonical genesisTarget",
            (Consumer<ObjectNode>) r -> params(r).put("genesisTarget", "0x03000001"),
            "genesisTarget 0x03000001 is not in canonical compact form"),
        Arguments.of("compact target not written as 0x + 8 hex digits",
            (Consumer<ObjectNode>) r -> params(r).put("powLimit", "545259519"),
            "'powLimit' must be a compact target like 0x1f00ffff"),
        Arguments.of("minimumChainWork above 64 hex digits",
            (Consumer<ObjectNode>) r -> params(r).put("minimumChainWork", "0x1" + "0".repeat(64)),
            "'minimumChainWork' must be hex like 0x1a2b, at most 64 digits"),
        Arguments.of("bad name",
            (Consumer<ObjectNode>) r -> params(r).put("name", "Reg Test"),
            "name must be 1-32 of [a-z0-9-]"),
        Arguments.of("bad address prefix",
            (Consumer<ObjectNode>) r -> params(r).put("addressPrefix", "r1"),
            "addressPrefix must be 1-16 of [a-z]"),
        Arguments.of("zero coinbase maturity",
            (Consumer<ObjectNode>) r -> params(r).put("coinbaseMaturity", 0),
            "coinbaseMaturity must be at least 1"),
        Arguments.of("rewards above MAX_MONEY",
            (Consumer<ObjectNode>) r -> params(r).put("halvingInterval", 210_001).put("initialSubsidy", "50"),
            "initialSubsidy * halvingInterval * 2 exceeds MAX_MONEY"),
        Arguments.of("block size below one transfer",
            (Consumer<ObjectNode>) r -> params(r).put("maxBlockSize", 100),
            "maxBlockSize must be between"),
        Arguments.of("coinbaseMaturity beyond an int",
            (Consumer<ObjectNode>) r -> params(r).put("coinbaseMaturity", 1L << 40),
            "'coinbaseMaturity' is out of range"),
        Arguments.of("fixedTarget as a string",
            (Consumer<ObjectNode>) r -> params(r).put("fixedTarget", "true"),
            "'fixedTarget' must be true or false"),
        Arguments.of("zero genesis timestamp",
            (Consumer<ObjectNode>) r -> r.put("genesisTimestamp", 0),
            "genesisTimestamp must be positive"),
        Arguments.of("allocations not an array",
            (Consumer<ObjectNode>) r -> r.put("allocations", "none"),
            "'allocations' must be an array"),
        Arguments.of("params not an object",
            (Consumer<ObjectNode>) r -> r.put("params", 1),
            "params must be a JSON object"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void invalidSpecsAreRefusedWithAClearMessage(String what, Consumer<ObjectNode> edit, String message)
      throws Exception {
    String json = regtestJson(edit);
    assertThatThrownBy(() -> ChainSpecFile.fromJson(json))
        .as(what)
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining(message);
  }

  @Test
  void boundaryValuesOfTheTimingRulesAreAccepted() throws Exception {
    // Exactly 100 intervals and exactly half-life / 24 are allowed.
    String json =
        regtestJson(r -> params(r).put("asertHalfLifeSeconds", 6_000).put("maxFutureDriftSeconds", 250));
    assertThat(ChainSpecFile.fromJson(json).params().asertHalfLifeSeconds()).isEqualTo(6_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{", "[]", "null", "42", "{\"format\": 1,}"})
  void nonJsonOrNonObjectsAreRefused(String text) {
    assertThatThrownBy(() -> ChainSpecFile.fromJson(text))
        .isInstanceOf(ChainSpecException.class)
        .hasMessageMatching("(?s).*(not valid JSON|must be a JSON object).*");
  }

  @Test
  void aRepeatedKeyIsRefusedNotSilentlyOverridden() throws Exception {
    String json = ChainSpecFile.toJson(ChainSpec.regtest());
    assertThat(json).contains("\"name\" : \"regtest\",");
    String repeated = json.replace("\"name\" : \"regtest\",", "\"name\" : \"regtest\", \"name\" : \"evil\",");
    assertThatThrownBy(() -> ChainSpecFile.fromJson(repeated))
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("name");
  }

  @ParameterizedTest
  @ValueSource(strings = {" {\"format\": 2}", "{}", "x", "\n\n{"})
  void dataAfterTheSpecIsRefused(String suffix) {
    String json = ChainSpecFile.toJson(ChainSpec.regtest()) + suffix;
    assertThatThrownBy(() -> ChainSpecFile.fromJson(json))
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void whitespaceAroundTheSpecIsFine() throws Exception {
    String json = "\n  " + ChainSpecFile.toJson(ChainSpec.regtest()) + "\n\n";
    assertThat(ChainSpecFile.fromJson(json)).isEqualTo(ChainSpec.regtest());
  }

  @Test
  void validateRejectsOverflowingSpacingDirectly() {
    ChainParams p = with(ChainSpec.regtest().params(), "targetSpacingSeconds", 1L << 62);
    ChainParams q = with(with(p, "asertHalfLifeSeconds", 2_400L), "maxFutureDriftSeconds", 100L);
    assertThatThrownBy(q::validate)
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining("asertHalfLifeSeconds");
    // And the largest spacing whose 100 intervals still fit is judged exactly.
    long spacing = Long.MAX_VALUE / 100;
    ChainParams edge = with(with(with(p, "targetSpacingSeconds", spacing), "asertHalfLifeSeconds", spacing * 100), "maxFutureDriftSeconds", 1L);
    assertThatThrownBy(() -> with(edge, "asertHalfLifeSeconds", spacing * 100 - 1).validate())
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining("asertHalfLifeSeconds");
  }

  @Test
  void duplicateAllocationsAreRefusedInCodeToo() {
    Address a = TestSupport.address(new Random(3));
    List<Allocation> twice = List.of(Allocation.create(a, Amount.coins(1)), Allocation.create(a, Amount.coins(2)));
    assertThatThrownBy(() -> ChainSpec.of(ChainSpec.regtest().params(), 1, twice))
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining(a.toText("rcairn"))
        .hasMessageContaining("allocated twice");
  }

  // ----------------------------------------------------------------------------- devnet

  @Test
  void devnetFundsEveryDevKey() throws Exception {
    DevnetSpecs.Devnet d = devnet(42, 4);
    ChainSpec spec = d.spec();
    assertThat(d.devKeys()).hasSize(4).doesNotHaveDuplicates();
    TreeMap<Address, Account> expected = new TreeMap<>();
    for (PrivateKey k : d.devKeys()) {
      expected.put(k.address(), Account.EMPTY.withBalance(Amount.coins(1000)));
    }
    assertThat(spec.genesisAccounts()).isEqualTo(expected);
    assertThat(spec.allocations()).extracting(Allocation::recipient).containsExactlyElementsOf(expected.keySet());
    assertThat(spec.allocations()).extracting(Allocation::amount).containsOnly(Amount.coins(1000));
    assertThat(spec.name()).isEqualTo("devnet");
    assertThat(spec.params().addressPrefix()).isEqualTo("dcairn");
    assertThat(spec.genesisTimestamp()).isEqualTo(1_800_000_000L);
    spec.params().validate();
    assertThat(spec.params().asertHalfLifeSeconds()).isEqualTo(100 * spec.params().targetSpacingSeconds());
  }

  @Test
  void devnetsAreDeterministicInTheirInputs() throws Exception {
    DevnetSpecs.Devnet a = devnet(42, 3);
    DevnetSpecs.Devnet b = devnet(42, 3);
    assertThat(b.spec().genesisHash()).isEqualTo(a.spec().genesisHash());
    assertThat(b.devKeys()).isEqualTo(a.devKeys());
    assertThat(devnet(43, 3).spec().genesisHash()).isNotEqualTo(a.spec().genesisHash());
    DevnetSpecs.Devnet later =
        DevnetSpecs.generate(1_800_000_001L, seededRandom(42), 3, Amount.coins(1000), DevnetSpecs.POW_LIMIT);
    assertThat(later.spec().genesisHash()).isNotEqualTo(a.spec().genesisHash());
    assertThat(later.devKeys()).isEqualTo(a.devKeys());
  }

  @Test
  void devnetKeysCanSpendOnTheirNetworkOnly() throws Exception {
    DevnetSpecs.Devnet d = devnet(9, 2);
    PrivateKey alice = d.devKeys().get(0);
    Transfer t = Transfer.sign(alice, d.devKeys().get(1).address(), Amount.coins(1), Amount.units(1000), 0, d.spec().genesisHash());
    assertThat(t.hasValidSignature(d.spec().genesisHash())).isTrue();
    assertThat(t.hasValidSignature(devnet(10, 2).spec().genesisHash())).isFalse();
  }

  @Test
  void devnetRefusesATargetEasierThanItsLimitOrTooMuchMoney() {
    assertThatThrownBy(
            () -> DevnetSpecs.generate(1_800_000_000L, seededRandom(1), 1, Amount.coins(1), new CompactTarget(0x207fffffL)))
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining("easier than powLimit");
    assertThatThrownBy(
            () -> DevnetSpecs.generate(1_800_000_000L, seededRandom(1), 2, Amount.coins(10_000_000), DevnetSpecs.POW_LIMIT))
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining("exceed MAX_MONEY");
  }

  @Test
  void aHarderGenesisTargetWorks() throws Exception {
    CompactTarget harder = CompactTarget.fromTarget(DevnetSpecs.POW_LIMIT.toTarget().shiftRight(20));
    DevnetSpecs.Devnet d = DevnetSpecs.generate(1_800_000_000L, seededRandom(2), 1, Amount.coins(1), harder);
    assertThat(d.spec().params().genesisTarget()).isEqualTo(harder);
    assertThat(ChainSpecFile.fromJson(ChainSpecFile.toJson(d.spec()))).isEqualTo(d.spec());
  }

  @Test
  void unvalidatedChainParamsAreCaughtByPowLimitValue() {
    ChainParams bad = with(ChainSpec.regtest().params(), "powLimit", new CompactTarget(0));
    assertThatThrownBy(bad::powLimitValue).isInstanceOf(IllegalStateException.class);
    assertThat(ChainSpec.regtest().params().powLimitValue().bitLength()).isEqualTo(255);
  }

  @Test
  void theUneditedJsonIsAccepted() throws Exception {
    // Baseline for the rejection table: without an edit, regtest's JSON is valid, so each
    // rejection above is caused by its edit.
    assertThat(ChainSpecFile.fromJson(regtestJson(r -> {})).genesisHash().toHex()).isEqualTo(REGTEST_GENESIS);
  }

  @Test
  void devnetAllocationsMayUseWhatTheRewardsLeave() throws Exception {
    // Rewards reserve 2 * 50 * halvingInterval coins; allocations may take the rest.
    ChainParams p = devnet(1, 0).spec().params();
    long reserved = p.initialSubsidy().units() * p.halvingInterval() * 2;
    assertThat(reserved).isLessThan(Amount.MAX_MONEY);
    Amount room = Amount.units(Amount.MAX_MONEY - reserved);
    DevnetSpecs.Devnet full = DevnetSpecs.generate(1_800_000_000L, seededRandom(1), 1, room, DevnetSpecs.POW_LIMIT);
    assertThat(full.spec().allocations()).hasSize(1);
    assertThatThrownBy(
            () -> DevnetSpecs.generate(1_800_000_000L, seededRandom(1), 1, room.plus(Amount.units(1)), DevnetSpecs.POW_LIMIT))
        .isInstanceOf(ChainSpecException.class)
        .hasMessageContaining("exceed MAX_MONEY");
  }
}
