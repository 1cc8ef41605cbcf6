package dev.cairn.wallet;

import dev.cairn.ledger.PrivateKey;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * Encrypts a key's seed under a password: scrypt turns the password and a random salt into an
 * AES-256 key, AES-GCM encrypts the seed. The key's name and public key are authenticated as
 * associated data, so a file that was renamed, or whose clear public key was swapped for another,
 * fails to open instead of showing one key and signing with another.
 */
final class KeyCrypto {
  static final int SEED_BYTES = PrivateKey.SIZE;
  static final int SALT_BYTES = 16;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final int CIPHERTEXT_BYTES = SEED_BYTES + TAG_BYTES;
  private static final int KEY_BYTES = 32;
  private static final byte[] AAD_TAG = "CAIRN/keystore/v1".getBytes(StandardCharsets.US_ASCII);

  private KeyCrypto() {}

  static KeyFile seal(String name, PrivateKey key, char[] password, KdfParams kdf, SecureRandom random) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    // A fresh salt gives a fresh AES key per file, so a random 96-bit nonce can never repeat under it.
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] aesKey = deriveKey(password, salt, kdf);
    byte[] seed = key.seedBytes();
    try {
      Cipher cipher = gcm(Cipher.ENCRYPT_MODE, aesKey, nonce);
      cipher.updateAAD(associatedData(name, key.publicKey().toByteArray()));
      byte[] ciphertext = cipher.doFinal(seed);
      return new KeyFile(name, key.publicKey(), kdf, salt, nonce, ciphertext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    } finally {
      Arrays.fill(aesKey, (byte) 0);
      Arrays.fill(seed, (byte) 0);
    }
  }

  /**
   * The private key, or empty when the tag does not verify: a wrong password, or a file whose
   * ciphertext, nonce, salt, name or public key was altered (GCM cannot tell these apart).
   */
  static Optional<PrivateKey> open(KeyFile file, char[] password) {
    byte[] aesKey = deriveKey(password, file.salt(), file.kdf());
    byte[] seed = null;
    try {
      Cipher cipher = gcm(Cipher.DECRYPT_MODE, aesKey, file.nonce());
      cipher.updateAAD(associatedData(file.name(), file.publicKey().toByteArray()));
      seed = cipher.doFinal(file.ciphertext());
      return Optional.of(PrivateKey.fromSeed(seed));
    } catch (AEADBadTagException e) {
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    } finally {
      Arrays.fill(aesKey, (byte) 0);
      if (seed != null) {
        Arrays.fill(seed, (byte) 0);
      }
    }
  }

  private static Cipher gcm(int mode, byte[] aesKey, byte[] nonce) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
    return cipher;
  }

  private static byte[] deriveKey(char[] password, byte[] salt, KdfParams kdf) {
    byte[] passwordBytes = utf8(password);
    try {
      return SCrypt.generate(passwordBytes, salt, kdf.n(), kdf.r(), kdf.p(), KEY_BYTES);
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
    }
  }

  // Encodes without an intermediate String, which could not be wiped.
  private static byte[] utf8(char[] password) {
    ByteBuffer buffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    Arrays.fill(buffer.array(), (byte) 0);
    return bytes;
  }

  /** "CAIRN/keystore/v1" ‖ u8 length of the name ‖ name (ASCII) ‖ public key (32). */
  static byte[] associatedData(String name, byte[] publicKey) {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(AAD_TAG.length + 1 + nameBytes.length + publicKey.length)
        .put(AAD_TAG)
        .put((byte) nameBytes.length)
        .put(nameBytes)
        .put(publicKey)
        .array();
  }
}
