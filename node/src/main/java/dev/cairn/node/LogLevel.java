package dev.cairn.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Applies {@code --log-level} to the root logger. */
final class LogLevel {
  private static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");

  private LogLevel() {}

  static void apply(CommandLine commandLine, String level) {
    String l = level.toLowerCase(Locale.ROOT);
    if (!LEVELS.contains(l)) {
      throw new CommandLine.ParameterException(commandLine, "--log-level must be one of " + LEVELS + ", got '" + level + "'");
    }
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.toLevel(l));
  }
}
