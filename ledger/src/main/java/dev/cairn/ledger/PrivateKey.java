package dev.cairn.ledger;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 private key (the RFC 8032 32-byte seed) with its public key. {@link #toString()}
 * never shows the secret. Immutable and thread-safe.
 */
public final class PrivateKey {
  public static final int SIZE = Ed25519.SECRET_KEY_SIZE;

  private final byte[] seed;
  private final PublicKey publicKey;

  private PrivateKey(byte[] seed) {
    this.seed = seed;
    byte[] pk = new byte[PublicKey.SIZE];
    Ed25519.generatePublicKey(seed, 0, pk, 0);
    try {
      this.publicKey = PublicKey.decodeOwned(pk);
    } catch (DecodeException e) {
      // Keys derived from a seed are multiples of the base point: never small-order.
      throw new IllegalStateException("derived public key rejected", e);
    }
  }

  public static PrivateKey generate(SecureRandom random) {
    byte[] seed = new byte[SIZE];
    Ed25519.generatePrivateKey(random, seed);
    return new PrivateKey(seed);
  }

  public static PrivateKey fromSeed(byte[] seed) {
    if (seed.length != SIZE) {
      throw new IllegalArgumentException("private key must be 32 bytes, got " + seed.length);
    }
    return new PrivateKey(seed.clone());
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  public Address address() {
    return publicKey.address();
  }

  /** Deterministic RFC 8032 Ed25519 signature of {@code message}. */
  public Signature sign(byte[] message) {
    byte[] sig = new byte[Signature.SIZE];
    Ed25519.sign(seed, 0, publicKey.bytesUnsafe(), 0, message, 0, message.length, sig, 0);
    return Signature.wrap(sig);
  }

  /** The secret seed, for the encrypted keystore only. */
  public byte[] seedBytes() {
    return seed.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrivateKey k && Arrays.equals(seed, k.seed);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "PrivateKey[public=" + publicKey + "]";
  }
}
