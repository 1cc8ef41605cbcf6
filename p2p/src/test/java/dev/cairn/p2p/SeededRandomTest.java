package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The peer layer's one random source: a replay needs the same sequence from the same seed (longs,
 * bounded ints, shuffles), different seeds must not collide, the seed is exactly 32 bytes and
 * copied (changing the caller's array afterwards changes nothing), the output is SHA-256 of the
 * seed and a big-endian counter (so it is pinned, not just self-consistent), and it is roughly
 * uniform: chi-square and per-bit checks over fixed seeds, with deterministic, generous bounds.
 */
class SeededRandomTest {

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {0, 1, 42, -7, Long.MAX_VALUE})
  void theSameSeedGivesTheSameSequence(long seed) {
    SeededRandom a = SeededRandom.fromLong(seed);
    SeededRandom b = SeededRandom.fromLong(seed);
    for (int i = 0; i < 1_000; i++) {
      assertThat(a.nextLong()).isEqualTo(b.nextLong());
    }
    for (int bound : new int[] {1, 2, 7, 1_000, 1 << 20, Integer.MAX_VALUE}) {
      for (int i = 0; i < 200; i++) {
        int x = a.nextInt(bound);
        assertThat(x).isEqualTo(b.nextInt(bound)).isBetween(0, bound - 1);
      }
    }
    List<Integer> deckA = deck(52);
    List<Integer> deckB = deck(52);
    Collections.shuffle(deckA, a);
    Collections.shuffle(deckB, b);
    assertThat(deckA).isEqualTo(deckB).isNotEqualTo(deck(52));
    // And the same from the 32-byte seed given directly.
    byte[] raw = seedBytes(seed);
    assertThat(firstLongs(new SeededRandom(raw), 64)).isEqualTo(firstLongs(new SeededRandom(raw), 64));
  }

  @Test
  void differentSeedsGiveDifferentSequences() {
    List<List<Long>> seen = new ArrayList<>();
    for (long seed = 0; seed < 32; seed++) {
      seen.add(firstLongs(SeededRandom.fromLong(seed), 16));
    }
    assertThat(seen).doesNotHaveDuplicates();
    // Not even one position agrees between neighbouring seeds (2^-64 per position by chance).
    List<Long> one = firstLongs(SeededRandom.fromLong(1), 256);
    List<Long> two = firstLongs(SeededRandom.fromLong(2), 256);
    for (int i = 0; i < one.size(); i++) {
      assertThat(one.get(i)).isNotEqualTo(two.get(i));
    }
    // One bit of the 32-byte seed changes everything.
    byte[] seed = seedBytes(9);
    byte[] flipped = seed.clone();
    flipped[31] ^= 1;
    assertThat(firstLongs(new SeededRandom(seed), 16)).isNotEqualTo(firstLongs(new SeededRandom(flipped), 16));
    // Shuffles differ too.
    List<Integer> deckA = deck(52);
    List<Integer> deckB = deck(52);
    Collections.shuffle(deckA, SeededRandom.fromLong(1));
    Collections.shuffle(deckB, SeededRandom.fromLong(2));
    assertThat(deckA).isNotEqualTo(deckB);
  }

  @Test
  void theSeedMustBe32BytesAndIsCopied() {
    for (int length : new int[] {0, 1, 16, 31, 33, 64}) {
      assertThatThrownBy(() -> new SeededRandom(new byte[length]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("32 bytes")
          .hasMessageContaining(Integer.toString(length));
    }
    assertThatThrownBy(() -> new SeededRandom(null)).isInstanceOf(NullPointerException.class);

    byte[] seed = seedBytes(5);
    SeededRandom r = new SeededRandom(seed);
    List<Long> expected = firstLongs(new SeededRandom(seedBytes(5)), 32);
    java.util.Arrays.fill(seed, (byte) 0x55); // the caller reuses its array: the generator must not see it
    assertThat(firstLongs(r, 32)).isEqualTo(expected);
  }

  @Test
  void setSeedDoesNotReseed() {
    SeededRandom r = SeededRandom.fromLong(3);
    long first = r.nextLong();
    r.setSeed(3);
    SeededRandom fresh = SeededRandom.fromLong(3);
    fresh.nextLong();
    // Continues where it was: a reseed would have started over at the first value again.
    assertThat(r.nextLong()).isEqualTo(fresh.nextLong()).isNotEqualTo(first);
  }

  /**
   * The construction itself, so a simulation's seed replays on every version: each block of output
   * is SHA-256(seed ‖ counter as 8 big-endian bytes), counter from 0, read as big-endian ints whose
   * top bits serve a request for fewer; and fromLong's seed is SHA-256 of the long's 8 big-endian bytes.
   */
  @Test
  void outputIsSha256OfTheSeedAndACounter() throws Exception {
    byte[] seed = seedBytes(0xCA1E);
    SeededRandom r = new SeededRandom(seed);
    for (long counter = 0; counter < 3; counter++) {
      ByteBuffer block = ByteBuffer.wrap(sha256(seed, ByteBuffer.allocate(8).putLong(counter).array()));
      for (int i = 0; i < 8; i++) {
        assertThat(r.nextInt()).as("int %d of block %d", i, counter).isEqualTo(block.getInt(4 * i));
      }
    }
    // Fewer bits are the top ones of each int: nextInt(256) is the first byte of each 4.
    byte[] first = sha256(seed, new byte[8]);
    SeededRandom bytes = new SeededRandom(seed);
    for (int i = 0; i < 8; i++) {
      assertThat(bytes.nextInt(256)).as("byte %d", 4 * i).isEqualTo(first[4 * i] & 0xFF);
    }
    SeededRandom viaLong = SeededRandom.fromLong(0xCA1E);
    assertThat(firstLongs(viaLong, 8)).isEqualTo(firstLongs(new SeededRandom(seed), 8));
  }

  /**
   * 200,000 draws in 100 buckets: chi-square with 99 degrees of freedom has mean 99 and standard
   * deviation 14; a fair source stays well inside [40, 200] (beyond 7 standard deviations above),
   * a biased or repeating one (say, a counter that does not advance) lands far outside it.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 0xBEEF, 20_240_601})
  void boundedIntsAreRoughlyUniform(long seed) {
    SeededRandom r = SeededRandom.fromLong(seed);
    int buckets = 100;
    int draws = 200_000;
    long[] counts = new long[buckets];
    for (int i = 0; i < draws; i++) {
      counts[r.nextInt(buckets)]++;
    }
    double expected = (double) draws / buckets;
    double chiSquare = IntStream.range(0, buckets).mapToDouble(i -> Math.pow(counts[i] - expected, 2) / expected).sum();
    assertThat(chiSquare).isBetween(40.0, 200.0);
  }

  /** Each of a long's 64 bits is set about half the time: 50,000 draws, within 8 standard deviations (one is 112). */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 0xBEEF})
  void everyBitOfALongIsSetAboutHalfTheTime(long seed) {
    SeededRandom r = SeededRandom.fromLong(seed);
    int draws = 50_000;
    int[] ones = new int[64];
    for (int i = 0; i < draws; i++) {
      long x = r.nextLong();
      for (int bit = 0; bit < 64; bit++) {
        ones[bit] += (int) ((x >>> bit) & 1);
      }
    }
    for (int bit = 0; bit < 64; bit++) {
      assertThat(ones[bit]).as("bit %d", bit).isBetween(draws / 2 - 900, draws / 2 + 900);
    }
  }

  private static List<Integer> deck(int n) {
    List<Integer> d = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      d.add(i);
    }
    return d;
  }

  private static List<Long> firstLongs(SeededRandom r, int n) {
    List<Long> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(r.nextLong());
    }
    return out;
  }

  private static byte[] seedBytes(long seed) {
    try {
      return sha256(ByteBuffer.allocate(8).putLong(seed).array());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[]... parts) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    for (byte[] p : parts) {
      d.update(p);
    }
    return d.digest();
  }
}
