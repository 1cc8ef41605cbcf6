package dev.cairn.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes chain specs as JSON, the way geth and Besu share a genesis file: every node of
 * a devnet loads the same file and so computes the same genesis hash. Unknown or missing fields
 * are errors, never guesses. Stateless and thread-safe.
 */
public final class ChainSpecFile {
  /** The file format's version, bumped on any incompatible change. */
  public static final int FORMAT = 1;

  // Strict reading: a repeated key ("last one wins") or data after the spec is an error, not a guess.
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final Set<String> TOP_FIELDS = Set.of("format", "genesisTimestamp", "params", "allocations");
  private static final Set<String> PARAM_FIELDS =
      Set.of(
          "name", "addressPrefix", "targetSpacingSeconds", "asertHalfLifeSeconds", "maxFutureDriftSeconds",
          "powLimit", "genesisTarget", "fixedTarget", "coinbaseMaturity", "initialSubsidy",
          "halvingInterval", "maxBlockSize", "minimumChainWork");
  private static final Set<String> ALLOCATION_FIELDS = Set.of("address", "amount");

  private ChainSpecFile() {}

  public static String toJson(ChainSpec spec) {
    ChainParams p = spec.params();
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("genesisTimestamp", spec.genesisTimestamp());
    ObjectNode params = root.putObject("params");
    params.put("name", p.name());
    params.put("addressPrefix", p.addressPrefix());
    params.put("targetSpacingSeconds", p.targetSpacingSeconds());
    params.put("asertHalfLifeSeconds", p.asertHalfLifeSeconds());
    params.put("maxFutureDriftSeconds", p.maxFutureDriftSeconds());
    params.put("powLimit", p.powLimit().toString());
    params.put("genesisTarget", p.genesisTarget().toString());
    params.put("fixedTarget", p.fixedTarget());
    params.put("coinbaseMaturity", p.coinbaseMaturity());
    params.put("initialSubsidy", p.initialSubsidy().toCoinString());
    params.put("halvingInterval", p.halvingInterval());
    params.put("maxBlockSize", p.maxBlockSize());
    params.put("minimumChainWork", "0x" + p.minimumChainWork().toString(16));
    ArrayNode allocations = root.putArray("allocations");
    for (Allocation a : spec.allocations()) {
      ObjectNode n = allocations.addObject();
      n.put("address", a.recipient().toText(p.addressPrefix()));
      n.put("amount", a.amount().toCoinString());
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serializes", e);
    }
  }

  public static ChainSpec fromJson(String json) throws ChainSpecException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ChainSpecException("not valid JSON: " + e.getOriginalMessage());
    }
    requireObject(root, "the spec", TOP_FIELDS);
    long format = longField(root, "format");
    if (format != FORMAT) {
      throw new ChainSpecException("format " + format + " is not supported (this build reads " + FORMAT + ")");
    }
    JsonNode p = root.get("params");
    requireObject(p, "params", PARAM_FIELDS);
    ChainParams params =
        new ChainParams(
            textField(p, "name"),
            textField(p, "addressPrefix"),
            longField(p, "targetSpacingSeconds"),
            longField(p, "asertHalfLifeSeconds"),
            longField(p, "maxFutureDriftSeconds"),
            compactField(p, "powLimit"),
            compactField(p, "genesisTarget"),
            booleanField(p, "fixedTarget"),
            intField(p, "coinbaseMaturity"),
            amountField(p, "initialSubsidy"),
            longField(p, "halvingInterval"),
            intField(p, "maxBlockSize"),
            hexBigField(p, "minimumChainWork"));
    JsonNode allocs = root.get("allocations");
    if (allocs == null || !allocs.isArray()) {
      throw new ChainSpecException("'allocations' must be an array");
    }
    List<Allocation> allocations = new ArrayList<>();
    for (JsonNode n : allocs) {
      requireObject(n, "an allocation", ALLOCATION_FIELDS);
      Address address;
      try {
        address = Address.parse(textField(n, "address"), params.addressPrefix());
      } catch (Address.InvalidAddressException e) {
        throw new ChainSpecException("allocation address: " + e.getMessage());
      }
      allocations.add(Allocation.create(address, amountField(n, "amount")));
    }
    return ChainSpec.of(params, longField(root, "genesisTimestamp"), allocations);
  }

  /** Writes atomically: a reader never sees half a file. */
  public static void write(ChainSpec spec, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, toJson(spec), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public static ChainSpec read(Path file) throws ChainSpecException {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ChainSpecException("cannot read chain spec " + file + ": " + e.getMessage(), e);
    }
    try {
      return fromJson(json);
    } catch (ChainSpecException e) {
      throw new ChainSpecException("chain spec " + file + ": " + e.getMessage(), e);
    }
  }

  private static void requireObject(JsonNode node, String what, Set<String> fields) throws ChainSpecException {
    if (node == null || !node.isObject()) {
      throw new ChainSpecException(what + " must be a JSON object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw new ChainSpecException(what + " has an unknown field '" + f + "'");
      }
    }
    for (String f : fields) {
      if (!node.has(f)) {
        throw new ChainSpecException(what + " lacks the field '" + f + "'");
      }
    }
  }

  private static String textField(JsonNode node, String field) throws ChainSpecException {
    JsonNode v = node.get(field);
    if (!v.isTextual()) {
      throw new ChainSpecException("'" + field + "' must be a string");
    }
    return v.asText();
  }

  private static long longField(JsonNode node, String field) throws ChainSpecException {
    JsonNode v = node.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new ChainSpecException("'" + field + "' must be an integer");
    }
    return v.asLong();
  }

  private static int intField(JsonNode node, String field) throws ChainSpecException {
    long v = longField(node, field);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new ChainSpecException("'" + field + "' is out of range");
    }
    return (int) v;
  }

  private static boolean booleanField(JsonNode node, String field) throws ChainSpecException {
    JsonNode v = node.get(field);
    if (!v.isBoolean()) {
      throw new ChainSpecException("'" + field + "' must be true or false");
    }
    return v.asBoolean();
  }

  private static Amount amountField(JsonNode node, String field) throws ChainSpecException {
    String text = textField(node, field);
    try {
      return Amount.parseCoins(text);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ChainSpecException("'" + field + "': " + e.getMessage());
    }
  }

  private static CompactTarget compactField(JsonNode node, String field) throws ChainSpecException {
    String text = textField(node, field);
    if (!text.matches("0x[0-9a-fA-F]{8}")) {
      throw new ChainSpecException("'" + field + "' must be a compact target like 0x1f00ffff");
    }
    return new CompactTarget(Long.parseLong(text.substring(2), 16));
  }

  private static BigInteger hexBigField(JsonNode node, String field) throws ChainSpecException {
    String text = textField(node, field);
    if (!text.matches("0x[0-9a-fA-F]{1,64}")) {
      throw new ChainSpecException("'" + field + "' must be hex like 0x1a2b, at most 64 digits");
    }
    return new BigInteger(text.substring(2), 16);
  }
}
