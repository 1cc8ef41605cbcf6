package dev.cairn.wallet;

import dev.cairn.ledger.PrivateKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A directory of encrypted keys, one {@code <name>.json} file per key. Files are created
 * atomically with mode 0600 and never rewritten: reading, listing and failed unlocks leave every
 * byte as it was.
 */
final class Keystore {
  private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");
  private static final String SUFFIX = ".json";
  // Real files are under 1 KiB; a larger one is not ours, and is not worth reading into memory.
  private static final long MAX_FILE_BYTES = 64 * 1024;
  private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

  private final Path dir;
  private final KdfParams kdf;
  private final SecureRandom random;

  Keystore(Path dir, KdfParams kdf, SecureRandom random) {
    this.dir = dir;
    this.kdf = kdf;
    this.random = random;
  }

  /** A listed key: its parsed file, or why the file could not be read. */
  record Entry(String name, Optional<KeyFile> file, Optional<String> problem) {}

  static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  static void requireValidName(String name) {
    if (!isValidName(name)) {
      throw new WalletException(
          ExitCode.USAGE, "bad-name", "invalid key name '" + name + "': use 1 to 32 of a-z, 0-9, '_' and '-'");
    }
  }

  Path dir() {
    return dir;
  }

  Path path(String name) {
    return dir.resolve(name + SUFFIX);
  }

  boolean contains(String name) {
    return Files.exists(path(name), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Fails unless {@code dir} is a directory or does not exist yet (the first key creates it).
   * Checked before anything else, since a regular file there makes every later step fail in a
   * misleading way (a key that "already exists", a key that is "not found").
   */
  static void requireDirectory(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new WalletException(
          ExitCode.USAGE, "bad-wallet-dir",
          "the wallet directory " + dir + " is not a directory (from --wallet-dir or $" + CommonOptions.WALLET_DIR_ENV + ")");
    }
  }

  /** Fails if a key of that name exists, so nobody types a password for nothing. */
  void requireAbsent(String name) {
    requireDirectory(dir);
    if (Files.exists(path(name), LinkOption.NOFOLLOW_LINKS)) {
      throw keyExists(name, path(name));
    }
  }

  /** Encrypts {@code key} under {@code password} into a new file; never replaces an existing one. */
  KeyFile create(String name, PrivateKey key, char[] password) {
    requireValidName(name);
    requireDirectory(dir);
    Path target = path(name);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw keyExists(name, target);
    }
    KeyFile file = KeyCrypto.seal(name, key, password, kdf, random);
    try {
      writeNew(name, target, file.toJson().getBytes(StandardCharsets.UTF_8));
    } catch (FileAlreadyExistsException e) {
      throw keyExists(name, target);
    } catch (IOException e) {
      throw new WalletException(ExitCode.ERROR, "cannot write keystore file " + target + ": " + IoErrors.describe(e));
    }
    return file;
  }

  /** The named key's file, checked as far as it can be without the password. */
  KeyFile load(String name) {
    requireValidName(name);
    requireDirectory(dir);
    Path file = path(name);
    KeyFile parsed;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw damaged(file, "larger than " + MAX_FILE_BYTES + " bytes");
      }
      parsed = KeyFile.parse(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new WalletException(ExitCode.NOT_FOUND, "no key named '" + name + "' in " + dir);
    } catch (IOException e) {
      throw new WalletException(ExitCode.ERROR, "cannot read keystore file " + file + ": " + IoErrors.describe(e));
    } catch (KeyFile.DamagedException e) {
      throw damaged(file, e.getMessage());
    }
    if (!parsed.name().equals(name)) {
      throw damaged(file, "it holds key '" + parsed.name() + "' (was it renamed?)");
    }
    return parsed;
  }

  /** Decrypts a loaded key. */
  PrivateKey unlock(KeyFile file, char[] password) {
    PrivateKey key =
        KeyCrypto.open(file, password)
            .orElseThrow(
                () -> new WalletException(
                    ExitCode.WRONG_PASSWORD,
                    "wrong password for key '" + file.name() + "' (or its keystore file was altered)"));
    // The public key is authenticated data, so this only fails for a file another program wrote.
    if (!key.publicKey().equals(file.publicKey())) {
      throw damaged(path(file.name()), "the encrypted key does not match its public key");
    }
    return key;
  }

  /** Every key file in the directory, by name; damaged ones are listed with their problem. */
  List<Entry> list() {
    requireDirectory(dir);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path f : files) {
        String fileName = f.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - SUFFIX.length());
        if (!isValidName(name) || !Files.isRegularFile(f)) {
          continue;
        }
        try {
          entries.add(new Entry(name, Optional.of(load(name)), Optional.empty()));
        } catch (WalletException e) {
          entries.add(new Entry(name, Optional.empty(), Optional.of(e.getMessage())));
        }
      }
    } catch (IOException e) {
      throw new WalletException(ExitCode.ERROR, "cannot list " + dir + ": " + IoErrors.describe(e));
    }
    entries.sort(Comparator.comparing(Entry::name));
    return entries;
  }

  private static WalletException keyExists(String name, Path target) {
    return new WalletException(
        ExitCode.ERROR, "key-exists", "key '" + name + "' already exists (" + target + "); refusing to overwrite it");
  }

  private static WalletException damaged(Path file, String detail) {
    return new WalletException(ExitCode.KEYSTORE_DAMAGED, "keystore file " + file + " is damaged: " + detail);
  }

  /**
   * Writes a temporary file in the same directory, flushes it, then renames it into place, so the
   * key file is either absent or complete even if the process dies midway.
   */
  private void writeNew(String name, Path target, byte[] content) throws IOException {
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    createDirectory(posix);
    FileAttribute<?>[] attributes =
        posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)} : new FileAttribute<?>[0];
    Path temp = Files.createTempFile(dir, "." + name + "-", ".tmp", attributes);
    boolean moved = false;
    try {
      if (posix) {
        // Set again before any secret is written: the creation mode is filtered by the umask.
        Files.setPosixFilePermissions(temp, OWNER_FILE);
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      // rename(2) replaces silently, so look once more just before it. Only a second wallet
      // process creating the same name in this instant could slip between the two.
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      moved = true;
      syncDirectory();
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }

  private void createDirectory(boolean posix) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (posix) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
      Files.setPosixFilePermissions(dir, OWNER_DIR);
    } else {
      Files.createDirectories(dir);
    }
  }

  // Makes the rename itself durable; without it a crash could forget a key that was reported saved.
  private void syncDirectory() {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not every platform can open a directory; the file itself is already on disk.
    }
  }
}
