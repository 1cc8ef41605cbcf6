package dev.cairn.wallet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.PublicKey;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;

/**
 * One keystore file's content: the key's name and public key in clear (so keys can be listed and
 * shown as addresses without a password), the scrypt parameters and salt, the AES-GCM nonce, and
 * the encrypted 32-byte seed followed by the 16-byte tag. The byte arrays are never modified.
 */
record KeyFile(String name, PublicKey publicKey, KdfParams kdf, byte[] salt, byte[] nonce, byte[] ciphertext) {
  static final int VERSION = 1;
  static final String KDF_NAME = "scrypt";
  static final String CIPHER_NAME = "aes-256-gcm";

  // Only this wallet writes these files: anything after the object means the file was damaged.
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final HexFormat HEX = HexFormat.of();

  String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    root.put("name", name);
    root.put("publicKey", publicKey.toHex());
    ObjectNode kdfNode = root.putObject("kdf");
    kdfNode.put("name", KDF_NAME);
    kdfNode.put("n", kdf.n());
    kdfNode.put("r", kdf.r());
    kdfNode.put("p", kdf.p());
    kdfNode.put("salt", HEX.formatHex(salt));
    ObjectNode cipher = root.putObject("cipher");
    cipher.put("name", CIPHER_NAME);
    cipher.put("nonce", HEX.formatHex(nonce));
    root.put("ciphertext", HEX.formatHex(ciphertext));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }

  /**
   * Parses and checks everything that can be checked without the password. Strict: unknown or
   * missing fields, wrong lengths and another version are all damage, since only this wallet
   * writes these files.
   */
  static KeyFile parse(byte[] content) throws DamagedException {
    JsonNode root;
    try {
      root = JSON.readTree(content);
    } catch (java.io.IOException e) {
      throw new DamagedException("not valid JSON (" + firstLine(e.getMessage()) + ")");
    }
    if (root == null || !root.isObject()) {
      throw new DamagedException("not a JSON object");
    }
    onlyFields(root, "", Set.of("version", "name", "publicKey", "kdf", "cipher", "ciphertext"));
    int version = integer(root, "version");
    if (version != VERSION) {
      throw new DamagedException("unsupported version " + version);
    }
    String name = text(root, "name");
    if (!Keystore.isValidName(name)) {
      throw new DamagedException("invalid name '" + name + "'");
    }
    PublicKey publicKey;
    try {
      publicKey = PublicKey.fromBytes(hex(root, "publicKey", PublicKey.SIZE));
    } catch (DecodeException e) {
      throw new DamagedException("publicKey: " + e.getMessage());
    }
    JsonNode kdfNode = object(root, "kdf");
    onlyFields(kdfNode, "kdf.", Set.of("name", "n", "r", "p", "salt"));
    if (!text(kdfNode, "name").equals(KDF_NAME)) {
      throw new DamagedException("unsupported kdf '" + text(kdfNode, "name") + "'");
    }
    KdfParams kdf = new KdfParams(integer(kdfNode, "n"), integer(kdfNode, "r"), integer(kdfNode, "p"));
    if (kdf.problem().isPresent()) {
      throw new DamagedException(kdf.problem().get());
    }
    byte[] salt = hex(kdfNode, "salt", KeyCrypto.SALT_BYTES);
    JsonNode cipher = object(root, "cipher");
    onlyFields(cipher, "cipher.", Set.of("name", "nonce"));
    if (!text(cipher, "name").equals(CIPHER_NAME)) {
      throw new DamagedException("unsupported cipher '" + text(cipher, "name") + "'");
    }
    byte[] nonce = hex(cipher, "nonce", KeyCrypto.NONCE_BYTES);
    byte[] ciphertext = hex(root, "ciphertext", KeyCrypto.CIPHERTEXT_BYTES);
    return new KeyFile(name, publicKey, kdf, salt, nonce, ciphertext);
  }

  private static void onlyFields(JsonNode node, String path, Set<String> allowed) throws DamagedException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!allowed.contains(field)) {
        throw new DamagedException("unknown field '" + path + field + "'");
      }
    }
  }

  private static JsonNode field(JsonNode node, String name) throws DamagedException {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new DamagedException("missing field '" + name + "'");
    }
    return value;
  }

  private static JsonNode object(JsonNode node, String name) throws DamagedException {
    JsonNode value = field(node, name);
    if (!value.isObject()) {
      throw new DamagedException("'" + name + "' is not an object");
    }
    return value;
  }

  private static String text(JsonNode node, String name) throws DamagedException {
    JsonNode value = field(node, name);
    if (!value.isTextual()) {
      throw new DamagedException("'" + name + "' is not a string");
    }
    return value.textValue();
  }

  private static int integer(JsonNode node, String name) throws DamagedException {
    JsonNode value = field(node, name);
    if (!value.isInt()) {
      throw new DamagedException("'" + name + "' is not a 32-bit integer");
    }
    return value.intValue();
  }

  private static byte[] hex(JsonNode node, String name, int length) throws DamagedException {
    String text = text(node, name);
    if (text.length() != 2 * length) {
      throw new DamagedException("'" + name + "' must be " + length + " bytes of hex, got " + text.length() + " characters");
    }
    try {
      return HEX.parseHex(text);
    } catch (IllegalArgumentException e) {
      throw new DamagedException("'" + name + "' is not hex");
    }
  }

  private static String firstLine(String message) {
    return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
  }

  /** The file cannot be a keystore file this wallet wrote. */
  static final class DamagedException extends Exception {
    DamagedException(String message) {
      super(message);
    }
  }
}
