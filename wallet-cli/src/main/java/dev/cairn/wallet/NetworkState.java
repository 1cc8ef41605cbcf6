package dev.cairn.wallet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.ledger.Hash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the wallet remembers about networks, in two small files of its directory (their names do
 * not end in {@code .json}, so they are never taken for keys):
 *
 * <ul>
 *   <li>{@value #PIN_FILE}: the network pinned on first use (trust on first use): the first
 *       command that talks to a node records that node's network name, genesis hash and address
 *       prefix, and from then on every node must be on that network. Written once, never
 *       rewritten; delete it to pin again.
 *   <li>{@value #TIPS_FILE}: per genesis hash, the highest tip any node has shown this wallet, so a
 *       node far behind it is noticed. Only a hint: rewritten freely, ignored when unreadable.
 * </ul>
 */
final class NetworkState {
  static final String PIN_FILE = "pinned-network";
  static final String TIPS_FILE = "last-seen-tip";
  private static final int VERSION = 1;
  private static final long MAX_FILE_BYTES = 64 * 1024;
  // Only this wallet writes these files: anything after the object means the file was damaged.
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Path dir;

  NetworkState(Path dir) {
    this.dir = dir;
  }

  /** The network the wallet expects its nodes to be on. */
  record Pin(String network, Hash genesisHash, String addressPrefix, String pinnedFrom, long pinnedAt) {
    String chainId() {
      return genesisHash.toHex().substring(0, 8);
    }
  }

  /** The highest tip a node showed the wallet for one network. */
  record SeenTip(long height, Hash hash, String node, long seenAt) {}

  Path pinFile() {
    return dir.resolve(PIN_FILE);
  }

  Path tipsFile() {
    return dir.resolve(TIPS_FILE);
  }

  /** The pinned network, if one was pinned. A damaged pin file is an error: it guards the network. */
  Optional<Pin> pin() {
    Keystore.requireDirectory(dir);
    Path file = pinFile();
    JsonNode root;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw damagedPin("larger than " + MAX_FILE_BYTES + " bytes");
      }
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (JsonProcessingException e) {
      throw damagedPin("not valid JSON");
    } catch (IOException e) {
      throw new WalletException(ExitCode.ERROR, "cannot read " + file + ": " + IoErrors.describe(e));
    }
    try {
      if (root == null || !root.isObject() || root.path("version").asInt() != VERSION) {
        throw damagedPin("not a version " + VERSION + " pin");
      }
      String prefix = root.path("addressPrefix").asText("");
      if (!prefix.matches("[a-z]{1,16}")) {
        throw damagedPin("bad addressPrefix");
      }
      return Optional.of(
          new Pin(
              root.path("network").asText(""),
              Hash.parse(root.path("genesisHash").asText("")),
              prefix,
              root.path("pinnedFrom").asText(""),
              root.path("pinnedAt").asLong()));
    } catch (IllegalArgumentException e) {
      throw damagedPin("bad genesisHash");
    }
  }

  /**
   * Pins the network {@code info} describes, unless another command pinned one meanwhile; returns
   * the pin in force.
   */
  Pin pin(ChainInfo info, HostPort node, long nowSeconds) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    root.put("network", info.network());
    root.put("genesisHash", info.genesisHash().toHex());
    root.put("addressPrefix", info.addressPrefix());
    root.put("pinnedFrom", node.toString());
    root.put("pinnedAt", nowSeconds);
    try {
      write(PIN_FILE, pretty(root), false);
    } catch (FileAlreadyExistsException e) {
      // Another wallet process pinned first: its pin is the one in force.
      return pin().orElseThrow(() -> damagedPin("vanished while being read"));
    } catch (IOException e) {
      throw new WalletException(ExitCode.ERROR, "cannot write " + pinFile() + ": " + IoErrors.describe(e));
    }
    return new Pin(info.network(), info.genesisHash(), info.addressPrefix(), node.toString(), nowSeconds);
  }

  /**
   * How long a recorded tip counts. Heights are unverified claims: a node that once announced a
   * height it does not have must not make every honest node look behind for ever.
   */
  static final long SEEN_TIP_SECONDS = 12 * 3600;

  /** The highest tip recorded in the last {@link #SEEN_TIP_SECONDS} for the network of {@code genesis}; empty if none or unreadable. */
  Optional<SeenTip> seenTip(Hash genesis, long nowSeconds) {
    return Optional.ofNullable(readTips().get(genesis.toHex())).filter(t -> nowSeconds - t.seenAt() <= SEEN_TIP_SECONDS);
  }

  /**
   * Records {@code tip} for the network of {@code genesis} if it is higher than the one recorded, or
   * that one is older than {@link #SEEN_TIP_SECONDS}.
   * Best effort: a wallet directory that cannot be written only loses the hint.
   */
  void recordTip(Hash genesis, SeenTip tip) {
    if (!Files.isDirectory(dir)) {
      // Not worth creating the wallet directory for a hint.
      return;
    }
    Map<String, SeenTip> tips = readTips();
    SeenTip old = tips.get(genesis.toHex());
    if (old != null && old.height() >= tip.height() && tip.seenAt() - old.seenAt() <= SEEN_TIP_SECONDS) {
      return;
    }
    tips.put(genesis.toHex(), tip);
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    ObjectNode byGenesis = root.putObject("tips");
    tips.forEach(
        (g, t) -> {
          ObjectNode n = byGenesis.putObject(g);
          n.put("height", t.height());
          n.put("hash", t.hash().toHex());
          n.put("node", t.node());
          n.put("seenAt", t.seenAt());
        });
    try {
      write(TIPS_FILE, pretty(root), true);
    } catch (IOException e) {
      // A hint only.
    }
  }

  private Map<String, SeenTip> readTips() {
    Map<String, SeenTip> tips = new TreeMap<>();
    try {
      Path file = tipsFile();
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_FILE_BYTES) {
        return tips;
      }
      JsonNode root = JSON.readTree(Files.readAllBytes(file));
      if (root == null || root.path("version").asInt() != VERSION || !root.path("tips").isObject()) {
        return tips;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = root.get("tips").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode t = e.getValue();
        Hash.parse(e.getKey());
        tips.put(
            e.getKey(),
            new SeenTip(
                t.path("height").asLong(), Hash.parse(t.path("hash").asText("")), t.path("node").asText(""),
                t.path("seenAt").asLong()));
      }
    } catch (IOException | IllegalArgumentException e) {
      // Unreadable: start over, it is only a hint.
      tips.clear();
    }
    return tips;
  }

  private WalletException damagedPin(String detail) {
    return new WalletException(
        ExitCode.KEYSTORE_DAMAGED,
        "pin-damaged",
        "pinned-network file " + pinFile() + " is damaged (" + detail + "); delete it to pin the next node's network");
  }

  private static byte[] pretty(ObjectNode root) {
    try {
      return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }

  /**
   * Writes a temporary file, then renames it into place, so readers see the old or the new file,
   * never half of one. Without {@code replace}, an existing file is left alone
   * (FileAlreadyExistsException).
   */
  private void write(String name, byte[] content, boolean replace) throws IOException {
    Path target = dir.resolve(name);
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    }
    FileAttribute<?>[] attributes =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
            : new FileAttribute<?>[0];
    Path temp = Files.createTempFile(dir, "." + name + "-", ".tmp", attributes);
    try {
      Files.write(temp, content);
      if (!replace && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      if (replace) {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
