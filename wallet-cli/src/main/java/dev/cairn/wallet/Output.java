package dev.cairn.wallet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Where results go. Without {@code --json}, text lines on stdout; with it, exactly one JSON object
 * on stdout. Notes, the confirmation summary and errors always go to stderr, so stdout stays
 * parseable in both modes. Warnings go to stderr too, and with {@code --json} also into the
 * result's {@code warnings} array, so a script sees that a node is behind.
 */
final class Output {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WalletIo io;
  private final boolean json;
  /** The command's warnings so far (shared by every Output of one command run). */
  private final List<String> warnings;

  Output(WalletIo io, boolean json, List<String> warnings) {
    this.io = io;
    this.json = json;
    this.warnings = warnings;
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** The command's result: {@code text} for people, {@code object} for {@code --json}. */
  void result(List<String> text, ObjectNode object) {
    if (json) {
      if (!warnings.isEmpty()) {
        ArrayNode list = object.putArray("warnings");
        warnings.forEach(list::add);
      }
      io.stdout().println(serialise(object));
    } else {
      text.forEach(io.stdout()::println);
    }
    io.stdout().flush();
  }

  /** A line for the person at the terminal, never part of the result. */
  void note(String line) {
    io.stderr().println(line);
    io.stderr().flush();
  }

  /** A warning: on stderr, never a failure. */
  void warning(String line) {
    warnings.add(line);
    note("warning: " + line);
  }

  boolean json() {
    return json;
  }

  /** Reports a failure: one "error: ..." line on stderr, and with {@code --json} an object on stdout. */
  static void error(WalletIo io, boolean json, WalletException e) {
    io.stderr().println("error: " + e.getMessage());
    io.stderr().flush();
    if (json) {
      ObjectNode root = object();
      ObjectNode error = root.putObject("error");
      error.put("code", e.code());
      error.put("message", e.getMessage());
      e.reason().ifPresent(r -> error.put("reason", r));
      error.put("exitCode", e.exit().code());
      e.details().forEach((key, value) -> {
        if (value instanceof Long l) {
          error.put(key, l);
        } else if (value instanceof Integer i) {
          error.put(key, i);
        } else {
          error.put(key, String.valueOf(value));
        }
      });
      io.stdout().println(serialise(root));
      io.stdout().flush();
    }
  }

  private static String serialise(ObjectNode object) {
    try {
      return JSON.writeValueAsString(object);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }
}
