package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flags win over CAIRN_* environment variables, which win over the TOML file, which wins over defaults. */
class ConfigDefaultsTest {
  @TempDir Path dir;

  private NodeCommand parse(Map<String, String> env, String... args) throws Exception {
    CommandLine cli = new CommandLine(new CairnCli());
    ConfigDefaults defaults = ConfigDefaults.load(args, env);
    cli.setDefaultValueProvider(defaults);
    CommandLine.ParseResult parsed = cli.parseArgs(args).subcommand();
    defaults.checkKeys(parsed.commandSpec());
    return (NodeCommand) parsed.commandSpec().userObject();
  }

  @Test
  void flagsBeatEnvironmentBeatsFileBeatsDefaults() throws Exception {
    Path toml = dir.resolve("cairn.toml");
    Files.writeString(
        toml,
        "network = \"regtest\"\np2p-port = 7000\nrpc-port = 7001\nhttp-port = 7002\nbootstrap = [\"10.0.0.1:9700\", \"10.0.0.2:9700\"]\nlog-level = \"debug\"\n");
    NodeCommand c = parse(Map.of("CAIRN_RPC_PORT", "8001", "CAIRN_HTTP_PORT", "8002"), "node", "--config", toml.toString(), "--http-port", "9002");
    assertThat(c.network).isEqualTo("regtest");
    assertThat(c.options.p2pPort).isEqualTo(7000);
    assertThat(c.options.rpcPort).isEqualTo(8001);
    assertThat(c.options.httpPort).isEqualTo(9002);
    assertThat(c.options.bootstrap).containsExactly("10.0.0.1:9700", "10.0.0.2:9700");
    assertThat(c.options.logLevel).isEqualTo("debug");
    assertThat(c.options.maxOutbound).isEqualTo(8);
  }

  @Test
  void theExplorerAndClientApiListenOnLoopbackUnlessTold() throws Exception {
    NodeCommand bare = parse(Map.of(), "node");
    assertThat(bare.options.httpHost).isEqualTo("127.0.0.1");
    assertThat(bare.options.rpcHost).isEqualTo("127.0.0.1");
    assertThat(parse(Map.of(), "node", "--http-host", "::1").options.httpHost).isEqualTo("::1");
    assertThat(parse(Map.of("CAIRN_HTTP_HOST", "127.0.0.2"), "node").options.httpHost).isEqualTo("127.0.0.2");
  }

  @Test
  void theConfigFileCanComeFromTheEnvironment() throws Exception {
    Path toml = dir.resolve("c.toml");
    Files.writeString(toml, "rpc-port = 7101\n");
    assertThat(parse(Map.of("CAIRN_CONFIG", toml.toString()), "node").options.rpcPort).isEqualTo(7101);
  }

  @Test
  void anUnknownKeyIsAnErrorNotIgnored() throws Exception {
    Path toml = dir.resolve("typo.toml");
    Files.writeString(toml, "rpc-prot = 1\n");
    assertThatThrownBy(() -> parse(Map.of(), "node", "--config=" + toml))
        .isInstanceOf(ConfigDefaults.ConfigException.class)
        .hasMessageContaining("'rpc-prot' is not an option");
  }

  @Test
  void aBrokenFileIsReportedClearly() throws Exception {
    Path toml = dir.resolve("broken.toml");
    Files.writeString(toml, "rpc-port = = 1\n");
    assertThatThrownBy(() -> parse(Map.of(), "node", "--config", toml.toString()))
        .isInstanceOf(ConfigDefaults.ConfigException.class)
        .hasMessageContaining(toml.toString());
    assertThatThrownBy(() -> parse(Map.of(), "node", "--config", dir.resolve("missing.toml").toString()))
        .isInstanceOf(ConfigDefaults.ConfigException.class)
        .hasMessageContaining("cannot read config file");
  }

  @Test
  void badValuesFromTheEnvironmentAreUsageErrors() {
    assertThat(CairnCli.run(new String[] {"node", "--network", "regtest", "--log-level", "loud"}, Map.of())).isEqualTo(2);
    assertThat(CairnCli.run(new String[] {"node", "--network", "regtest"}, Map.of("CAIRN_RPC_PORT", "not-a-number"))).isEqualTo(2);
    assertThat(List.of(CairnCli.run(new String[] {"node", "--config", dir.resolve("nope.toml").toString()}, Map.of()))).containsExactly(2);
  }
}
