package dev.cairn.wallet;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.Optional;

/**
 * Says in plain words why a file could not be read or written, for one-line errors: the Java
 * exception's class name means nothing to the person at the terminal, and its message often
 * repeats the path the error already names.
 */
final class IoErrors {
  private IoErrors() {}

  /** "no such file", "is a directory", "permission denied", ..., else the system's reason. */
  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "it already exists";
    }
    // A FileSystemException's message is "path: reason"; the caller names the path already.
    Optional<String> reason =
        Optional.ofNullable(e instanceof FileSystemException f ? f.getReason() : e.getMessage())
            .map(String::strip)
            .filter(r -> !r.isEmpty());
    return reason
        .map(r -> switch (r.toLowerCase(Locale.ROOT)) {
          case "is a directory" -> "is a directory";
          case "not a directory" -> "not a directory";
          case "permission denied" -> "permission denied";
          case "no such file or directory" -> "no such file";
          case "no space left on device" -> "no space left on the disk";
          case "read-only file system" -> "the file system is read-only";
          default -> r;
        })
        .orElse("an input/output error");
  }
}
