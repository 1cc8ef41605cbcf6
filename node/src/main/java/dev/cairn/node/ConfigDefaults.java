package dev.cairn.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option values from the environment and a TOML file, as Besu does: a flag given on the command
 * line wins, then a {@code CAIRN_*} environment variable (e.g. {@code CAIRN_RPC_PORT} for
 * {@code --rpc-port}), then the file named by {@code --config} (or {@code CAIRN_CONFIG}) with keys
 * named like the options ({@code rpc-port = 9701}, {@code bootstrap = ["host:port"]}), then the
 * built-in default. Immutable.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
  private final Map<String, String> env;
  private final Map<String, String> file;

  private ConfigDefaults(Map<String, String> env, Map<String, String> file) {
    this.env = env;
    this.file = file;
  }

  /** Reads the config file named in {@code args} ({@code --config F} or {@code --config=F}) or in CAIRN_CONFIG. */
  static ConfigDefaults load(String[] args, Map<String, String> env) throws ConfigException {
    Optional<Path> path = Optional.ofNullable(env.get("CAIRN_CONFIG")).map(Path::of);
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        path = Optional.of(Path.of(args[i + 1]));
      } else if (args[i].startsWith("--config=")) {
        path = Optional.of(Path.of(args[i].substring("--config=".length())));
      }
    }
    Map<String, String> values = new HashMap<>();
    if (path.isPresent()) {
      JsonNode root;
      try {
        root = new TomlMapper().readTree(Files.readString(path.get()));
      } catch (IOException e) {
        throw new ConfigException("cannot read config file " + path.get() + ": " + e.getMessage());
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        values.put(e.getKey(), flatten(path.get(), e.getKey(), e.getValue()));
      }
    }
    return new ConfigDefaults(env, values);
  }

  private static String flatten(Path path, String key, JsonNode value) throws ConfigException {
    if (value.isArray()) {
      List<String> parts = new ArrayList<>();
      for (JsonNode v : value) {
        if (!v.isValueNode()) {
          throw new ConfigException(path + ": '" + key + "' must be a list of plain values");
        }
        parts.add(v.asText());
      }
      return String.join(",", parts);
    }
    if (!value.isValueNode()) {
      throw new ConfigException(path + ": '" + key + "' must be a plain value (tables are not used)");
    }
    return value.asText();
  }

  /** Fails on keys that name no option of {@code command}, so a typo is not silently ignored. */
  void checkKeys(CommandLine.Model.CommandSpec command) throws ConfigException {
    for (String key : file.keySet()) {
      if (key.equals("config") || command.findOption("--" + key) == null) {
        throw new ConfigException("config file: '" + key + "' is not an option of 'cairn " + command.name() + "'");
      }
    }
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.longestName().equals("--config")) {
      return null;
    }
    String key = option.longestName().replaceFirst("^--", "");
    String fromEnv = env.get("CAIRN_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
    if (fromEnv != null) {
      return fromEnv;
    }
    return file.get(key);
  }

  /** A config file that cannot be used. */
  static final class ConfigException extends Exception {
    ConfigException(String message) {
      super(message);
    }
  }
}
