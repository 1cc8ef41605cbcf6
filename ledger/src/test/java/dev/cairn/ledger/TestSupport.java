package dev.cairn.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.LongStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Deterministic builders for the ledger's value types, driven by a seeded {@link Random} so every
 * property-style test is reproducible from its seed.
 */
final class TestSupport {
  private TestSupport() {}

  /** The seeds every property-style test runs over. */
  static LongStream seeds() {
    return LongStream.rangeClosed(1, 20);
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  static PrivateKey key(Random r) {
    return PrivateKey.fromSeed(bytes(r, PrivateKey.SIZE));
  }

  static Address address(Random r) {
    return Address.fromBytes(bytes(r, Address.SIZE));
  }

  static Hash hash(Random r) {
    return Hash.of(bytes(r, Hash.SIZE));
  }

  /** Any amount 0..MAX_MONEY, biased towards the bounds now and then. */
  static Amount amount(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> Amount.ZERO;
      case 1 -> Amount.units(Amount.MAX_MONEY);
      default -> Amount.units(Math.floorMod(r.nextLong(), Amount.MAX_MONEY + 1));
    };
  }

  /** Any non-negative long, biased towards 0 and Long.MAX_VALUE now and then. */
  static long u63(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> 0;
      case 1 -> Long.MAX_VALUE;
      default -> r.nextLong() & Long.MAX_VALUE;
    };
  }

  static Transfer transfer(Random r, Hash genesis) {
    return Transfer.sign(key(r), address(r), amount(r), amount(r), u63(r), genesis);
  }

  static Coinbase coinbase(Random r) {
    return Coinbase.create(u63(r), address(r), amount(r));
  }

  static Allocation allocation(Random r) {
    return Allocation.create(address(r), amount(r));
  }

  static Transaction transaction(Random r, Hash genesis) {
    return switch (r.nextInt(3)) {
      case 0 -> coinbase(r);
      case 1 -> transfer(r, genesis);
      default -> allocation(r);
    };
  }

  static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        d.update(p);
      }
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Asserts that decoding fails with a {@link DecodeException} of the given reason. */
  static void assertRejected(ThrowingCallable call, Reason reason) {
    assertReason(call, DecodeException.class, reason);
  }

  /** Asserts that {@code call} throws {@code type} carrying {@code reason}. */
  static void assertReason(
      ThrowingCallable call, Class<? extends RejectedException> type, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(type, e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
  }
}
