package dev.cairn.testkit;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded byte-level mutations for fuzzing decoders and validators: bit flips, byte overwrites,
 * truncation, extension, swapped and duplicated fields, removed ranges and huge length fields.
 * Deterministic for a seed. Not thread-safe.
 */
public final class Mutator {
  private final Random random;

  public Mutator(long seed) {
    this.random = new Random(seed);
  }

  public Random random() {
    return random;
  }

  /** One to three random mutations of {@code input} (which is not modified). */
  public byte[] mutate(byte[] input) {
    byte[] out = input.clone();
    int rounds = 1 + random.nextInt(3);
    for (int i = 0; i < rounds; i++) {
      out = once(out);
    }
    return out;
  }

  private byte[] once(byte[] in) {
    if (in.length == 0) {
      return randomBytes(1 + random.nextInt(64));
    }
    byte[] b = in.clone();
    switch (random.nextInt(9)) {
      case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
      case 1 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      case 2 -> b = Arrays.copyOf(b, random.nextInt(b.length));
      case 3 -> {
        byte[] extra = randomBytes(1 + random.nextInt(32));
        b = Arrays.copyOf(b, b.length + extra.length);
        System.arraycopy(extra, 0, b, in.length, extra.length);
      }
      case 4 -> {
        int len = 1 + random.nextInt(Math.min(32, b.length));
        int x = random.nextInt(b.length - len + 1);
        int y = random.nextInt(b.length - len + 1);
        byte[] tmp = Arrays.copyOfRange(b, x, x + len);
        System.arraycopy(b, y, b, x, len);
        System.arraycopy(tmp, 0, b, y, len);
      }
      case 5 -> {
        int from = random.nextInt(b.length);
        int len = 1 + random.nextInt(Math.min(64, b.length - from));
        byte[] shorter = new byte[b.length - len];
        System.arraycopy(b, 0, shorter, 0, from);
        System.arraycopy(b, from + len, shorter, from, b.length - from - len);
        b = shorter;
      }
      case 6 -> {
        int from = random.nextInt(b.length);
        int len = 1 + random.nextInt(Math.min(64, b.length - from));
        byte[] longer = new byte[b.length + len];
        System.arraycopy(b, 0, longer, 0, from + len);
        System.arraycopy(b, from, longer, from + len, b.length - from);
        b = longer;
      }
      case 7 -> {
        // A huge length or count: four 0xff (or 0x7f) bytes somewhere.
        int at = random.nextInt(Math.max(1, b.length - 3));
        for (int i = 0; i < 4 && at + i < b.length; i++) {
          b[at + i] = (byte) (i == 0 && random.nextBoolean() ? 0x7f : 0xff);
        }
      }
      default -> {
        int at = random.nextInt(b.length);
        Arrays.fill(b, at, Math.min(b.length, at + 1 + random.nextInt(16)), (byte) 0);
      }
    }
    return b;
  }

  public byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** How many cases a fuzz test runs: its default, or the {@code cairn.fuzz.iterations} property (the fuzz profile). */
  public static int iterations(int defaultCount) {
    return Integer.getInteger("cairn.fuzz.iterations", defaultCount);
  }
}
