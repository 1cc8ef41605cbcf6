package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.CompactTarget;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Asert} against the published aserti3-2d test vectors of the Bitcoin Cash specification
 * (spec/2020-11-15-asert.md), stored verbatim under {@code src/test/resources/asert/} (see the
 * README there), plus direct checks of the rounding and clamping the specification requires.
 */
class AsertVectorsTest {
  // Bitcoin Cash mainnet parameters the vectors were generated with.
  private static final long SPACING = 600;
  private static final long HALF_LIFE = 172_800;
  private static final long MAX_BITS = 0x1d00ffffL;
  private static final BigInteger POW_LIMIT = decode(MAX_BITS);

  private static final String[] RUNS = {
    "run01", "run02", "run03", "run04", "run05", "run06", "run07", "run08", "run09", "run10"
  };
  private static final int TOTAL_VECTOR_LINES = 3000;

  private static final Set<String> HEADER_KEYS =
      Set.of(
          "description",
          "anchor height",
          "anchor ancestor time",
          "anchor nBits",
          "start height",
          "start time",
          "iterations");

  private static BigInteger decode(long bits) {
    try {
      return new CompactTarget(bits).toTarget();
    } catch (Exception e) {
      throw new IllegalArgumentException("bad compact target " + Long.toHexString(bits), e);
    }
  }

  /** One data line: the next block's expected bits for an evaluation block at height and time. */
  record Vector(int iteration, BigInteger height, long time, long expectedBits) {}

  /** One parsed run file. Heights are unbounded: run10 crosses 2^63 - 1. */
  record Run(
      String name,
      String description,
      BigInteger anchorHeight,
      long anchorAncestorTime,
      long anchorBits,
      List<Vector> vectors) {}

  private static Run load(String name) throws IOException {
    try (InputStream in = AsertVectorsTest.class.getResourceAsStream("/asert/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /asert/" + name);
      }
      return parse(name, new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    }
  }

  private static IllegalStateException malformed(String name, int lineNo, String line, String why) {
    return new IllegalStateException(name + ":" + lineNo + ": " + why + ": \"" + line + "\"");
  }

  /** Parses and validates a run file; any deviation from the documented format throws. */
  static Run parse(String name, String text) {
    Map<String, String> header = new LinkedHashMap<>();
    List<Vector> vectors = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("##")) {
        if (!vectors.isEmpty()) {
          throw malformed(name, lineNo, line, "header line after data");
        }
        int colon = line.indexOf(':');
        if (colon < 0) {
          throw malformed(name, lineNo, line, "header line without ':'");
        }
        String key = line.substring(2, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (!HEADER_KEYS.contains(key)) {
          throw malformed(name, lineNo, line, "unknown header key '" + key + "'");
        }
        if (header.put(key, value) != null) {
          throw malformed(name, lineNo, line, "duplicate header key '" + key + "'");
        }
        continue;
      }
      if (line.startsWith("#")) {
        continue; // column legend: "# iteration,height,time,target"
      }
      String[] f = line.trim().split("\\s+");
      if (f.length != 4) {
        throw malformed(name, lineNo, line, "expected 4 fields, found " + f.length);
      }
      if (!f[3].startsWith("0x") || f[3].length() != 10) {
        throw malformed(name, lineNo, line, "target is not 0x followed by 8 hex digits");
      }
      Vector v;
      try {
        v =
            new Vector(
                Integer.parseInt(f[0]),
                new BigInteger(f[1]),
                Long.parseLong(f[2]),
                Long.parseLong(f[3].substring(2), 16));
      } catch (NumberFormatException e) {
        throw malformed(name, lineNo, line, "unparseable number (" + e.getMessage() + ")");
      }
      if (v.iteration() != vectors.size() + 1) {
        throw malformed(name, lineNo, line, "expected iteration " + (vectors.size() + 1));
      }
      vectors.add(v);
    }
    for (String key : HEADER_KEYS) {
      if (!header.containsKey(key)) {
        throw new IllegalStateException(name + ": missing header '" + key + "'");
      }
    }
    int iterations = Integer.parseInt(header.get("iterations"));
    if (iterations != vectors.size()) {
      throw new IllegalStateException(
          name + ": header says " + iterations + " iterations but file has " + vectors.size() + " lines");
    }
    Vector first = vectors.get(0);
    if (!first.height().equals(new BigInteger(header.get("start height")))
        || first.time() != Long.parseLong(header.get("start time"))) {
      throw new IllegalStateException(name + ": first line does not match start height/start time");
    }
    String bits = header.get("anchor nBits");
    if (!bits.startsWith("0x")) {
      throw new IllegalStateException(name + ": anchor nBits not hex: " + bits);
    }
    return new Run(
        name,
        header.get("description"),
        new BigInteger(header.get("anchor height")),
        Long.parseLong(header.get("anchor ancestor time")),
        Long.parseLong(bits.substring(2), 16),
        List.copyOf(vectors));
  }

  private static CompactTarget compute(Run run, Vector v) {
    return Asert.nextTarget(
        decode(run.anchorBits()),
        v.time() - run.anchorAncestorTime(),
        v.height().subtract(run.anchorHeight()).longValueExact(),
        SPACING,
        HALF_LIFE,
        POW_LIMIT);
  }

  static Stream<String> runs() {
    return Arrays.stream(RUNS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void matchesPublishedVectors(String name) throws IOException {
    Run run = load(name);
    SoftAssertions softly = new SoftAssertions();
    for (Vector v : run.vectors()) {
      CompactTarget actual = compute(run, v);
      softly
          .assertThat(actual)
          .as(
              "%s (%s) iteration %d: height %s, time %d",
              run.name(), run.description(), v.iteration(), v.height(), v.time())
          .isEqualTo(new CompactTarget(v.expectedBits()));
    }
    softly.assertAll();
  }

  @Test
  void allTenRunsAreThereWithTheirFullLineCounts() throws IOException {
    int lines = 0;
    for (String name : RUNS) {
      lines += load(name).vectors().size();
    }
    assertThat(lines).isEqualTo(TOTAL_VECTOR_LINES);
  }

  @Test
  void parserRejectsMalformedFiles() {
    String header =
        "## description: t\n##   anchor height: 1\n##   anchor ancestor time: 0\n"
            + "##   anchor nBits: 0x1d00ffff\n##   start height: 2\n##   start time: 1200\n";
    String good = header + "##   iterations: 2\n# iteration,height,time,target\n1 2 1200 0x1d00ffff\n2 3 1800 0x1d00ffff\n\n";
    assertThat(parse("good", good).vectors()).hasSize(2);

    assertThatThrownBy(() -> parse("short", good.replace("2 3 1800 0x1d00ffff", "2 3 1800")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("short:10")
        .hasMessageContaining("expected 4 fields");
    assertThatThrownBy(() -> parse("count", good.replace("iterations: 2", "iterations: 3")))
        .hasMessageContaining("3 iterations but file has 2 lines");
    assertThatThrownBy(() -> parse("order", good.replace("2 3 1800", "3 3 1800")))
        .hasMessageContaining("expected iteration 2");
    assertThatThrownBy(() -> parse("hex", good.replace("1 2 1200 0x1d00ffff", "1 2 1200 0x1d00fffg")))
        .hasMessageContaining("unparseable number");
    assertThatThrownBy(() -> parse("nokey", good.replace("##   start time: 1200\n", "")))
        .hasMessageContaining("missing header 'start time'");
  }

  /**
   * The exponent is (timeDelta - spacing * (heightDelta + 1)) * 2^16 / halfLife with division
   * truncating toward zero, as int64 division does in the C++ reference (and Java's {@code /}).
   * One second ahead of schedule gives a numerator of -65536: truncation yields exponent 0 (target
   * unchanged), floor yields -1 (shift -1, fraction 65535, target * 131071 / 2^17).
   */
  @Test
  void exponentDivisionTruncatesTowardZeroLikeTheCppReference() {
    long numerator = (599 - SPACING * (0 + 1)) * 65536;
    assertThat(numerator / HALF_LIFE).isZero(); // C++ int64 / and Java long /: toward zero
    assertThat(Math.floorDiv(numerator, HALF_LIFE)).isEqualTo(-1);

    // Bits for each rounding, worked out independently from the spec's pseudo-code.
    long truncBits = 0x1a2b3c4dL;
    long floorBits = 0x1a2b3c37L;
    CompactTarget actual = Asert.nextTarget(decode(0x1a2b3c4dL), 599, 0, SPACING, HALF_LIFE, POW_LIMIT);
    assertThat(actual).isEqualTo(new CompactTarget(truncBits)).isNotEqualTo(new CompactTarget(floorBits));

    // The same distinction inside the published data: run05 iteration 1 (height 2, time 0 against
    // anchor height 1, ancestor time 0) has numerator -1200 * 65536, exponent -455 truncated but
    // -456 floored; the vector says 0x1d00fec5, flooring would give 0x1d00fec4.
    long n2 = (0 - SPACING * (1 + 1)) * 65536;
    assertThat(n2 / HALF_LIFE).isEqualTo(-455);
    assertThat(Math.floorDiv(n2, HALF_LIFE)).isEqualTo(-456);
    assertThat(Asert.nextTarget(POW_LIMIT, 0, 1, SPACING, HALF_LIFE, POW_LIMIT))
        .isEqualTo(new CompactTarget(0x1d00fec5L))
        .isNotEqualTo(new CompactTarget(0x1d00fec4L));
  }

  @Test
  void farAheadOfScheduleClampsToTargetOne() {
    // A million blocks in no time: ~3,470 halvings, far past any 256-bit target, so the shifted
    // result is 0 and the spec returns target_to_bits(1).
    CompactTarget hardest = Asert.nextTarget(POW_LIMIT, 0, 1_000_000, SPACING, HALF_LIFE, POW_LIMIT);
    assertThat(hardest).isEqualTo(CompactTarget.fromTarget(BigInteger.ONE));
    assertThat(hardest.bits()).isEqualTo(0x01010000L);
    assertThat(decode(hardest.bits())).isEqualTo(BigInteger.ONE);

    // Same with an extreme negative time delta and the smallest anchor target.
    CompactTarget extreme =
        Asert.nextTarget(BigInteger.ONE, Long.MIN_VALUE / 4, 0, SPACING, HALF_LIFE, POW_LIMIT);
    assertThat(extreme.bits()).isEqualTo(0x01010000L);
  }

  @Test
  void farBehindScheduleClampsToPowLimit() {
    // Ten half-lives late from an anchor already at the limit: 1024x easier, capped at max_bits.
    CompactTarget easiest =
        Asert.nextTarget(POW_LIMIT, 10 * HALF_LIFE + 2 * SPACING, 1, SPACING, HALF_LIFE, POW_LIMIT);
    assertThat(easiest.bits()).isEqualTo(MAX_BITS);
    assertThat(decode(easiest.bits())).isEqualTo(POW_LIMIT);

    // From the hardest target, an extreme delay still lands exactly on the limit (no overflow).
    CompactTarget extreme =
        Asert.nextTarget(BigInteger.ONE, Long.MAX_VALUE / 4, 0, SPACING, HALF_LIFE, POW_LIMIT);
    assertThat(extreme.bits()).isEqualTo(MAX_BITS);

    // The limit is the one passed in, not a built-in constant: with a tighter limit the same delay
    // stops there, while a result under the limit is returned unclamped.
    BigInteger tightLimit = decode(0x1b00ffffL);
    assertThat(Asert.nextTarget(tightLimit, 10 * HALF_LIFE + SPACING, 0, SPACING, HALF_LIFE, tightLimit).bits())
        .isEqualTo(0x1b00ffffL);
    BigInteger quarter = tightLimit.shiftRight(2);
    assertThat(Asert.nextTarget(quarter, HALF_LIFE + SPACING, 0, SPACING, HALF_LIFE, tightLimit))
        .isEqualTo(CompactTarget.fromTarget(quarter.shiftLeft(1)));
  }
}
