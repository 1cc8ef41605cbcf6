package dev.cairn.wallet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An outcome the user must hear about: printed as one line (and a JSON object with {@code --json}),
 * mapped to an {@link ExitCode}. Never shown with a stack trace.
 */
final class WalletException extends RuntimeException {
  private final ExitCode exit;
  private final String code;
  private final Optional<String> reason;
  private final Map<String, Object> details = new LinkedHashMap<>();

  WalletException(ExitCode exit, String message) {
    this(exit, exit.id(), message, Optional.empty());
  }

  WalletException(ExitCode exit, String code, String message) {
    this(exit, code, message, Optional.empty());
  }

  /**
   * @param code the JSON {@code error.code}; usually {@code exit.id()}, finer where a script can
   *     act on the difference (e.g. {@code bad-address} versus a usage error)
   * @param reason a reason code of docs/PROTOCOL.md, when the node or the ledger gave one
   */
  WalletException(ExitCode exit, String code, String message, Optional<String> reason) {
    super(message);
    this.exit = exit;
    this.code = code;
    this.reason = reason;
  }

  ExitCode exit() {
    return exit;
  }

  String code() {
    return code;
  }

  Optional<String> reason() {
    return reason;
  }

  /**
   * Adds a field to the JSON error object (e.g. the txid a failed {@code send --wait} submitted);
   * a String, a Long or an Integer.
   */
  WalletException detail(String key, Object value) {
    details.put(key, value);
    return this;
  }

  Map<String, Object> details() {
    return Collections.unmodifiableMap(details);
  }

  // User-facing outcomes are never printed with a trace; capturing one would only cost time.
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
