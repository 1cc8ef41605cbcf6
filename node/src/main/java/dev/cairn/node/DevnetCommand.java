package dev.cairn.node;

import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.NonceSearch;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecException;
import dev.cairn.ledger.ChainSpecFile;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.DevnetSpecs;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cairn devnet}: a local network for development. On first run it writes a fresh chain spec
 * (genesis time now, difficulty calibrated to this machine, dev accounts pre-funded) and the dev
 * accounts' keys into {@code --dir}; later runs reuse them. Then it starts a mining node with the
 * explorer and prints ready-to-paste wallet commands.
 */
@Command(name = "devnet", mixinStandardHelpOptions = true, description = "Run a local development network.")
final class DevnetCommand implements Callable<Integer> {
  static final Amount DEV_FUNDING = Amount.coins(100_000);

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Option(names = "--dir", defaultValue = ".devnet", description = "Where the devnet's spec, keys and data live (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--accounts", defaultValue = "4", description = "Dev accounts to fund in a new devnet (default: ${DEFAULT-VALUE}).")
  int accounts;

  @Option(names = "--nodes", defaultValue = "3", description = "Nodes to run, all mining; the first is the others' bootstrap (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--reset", defaultValue = "false", description = "Delete the devnet in --dir and start a fresh one (default: ${DEFAULT-VALUE}).")
  boolean reset;

  @Mixin NodeOptions options;

  @Override
  public Integer call() throws Exception {
    options.validate(commandSpec.commandLine());
    if (nodes < 1 || nodes > 16) {
      throw new CommandLine.ParameterException(commandSpec.commandLine(), "--nodes must be between 1 and 16");
    }
    if (accounts < 1 || accounts > 100) {
      throw new CommandLine.ParameterException(commandSpec.commandLine(), "--accounts must be between 1 and 100");
    }
    if (reset) {
      deleteTree(dir);
    }
    Path specFile = dir.resolve("spec.json");
    ChainSpec spec;
    List<PrivateKey> keys;
    try {
      if (Files.exists(specFile)) {
        spec = ChainSpecFile.read(specFile);
        keys = readKeys(spec);
      } else {
        DevnetSpecs.Devnet devnet = create();
        spec = devnet.spec();
        keys = devnet.devKeys();
      }
    } catch (ChainSpecException | IOException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println("(start over with: ./cairn devnet --reset)");
      return 1;
    }
    List<Node> running = new ArrayList<>();
    try {
      for (int i = 0; i < nodes; i++) {
        int p2pPort = options.p2pPort == 0 ? 0 : options.p2pPort + 2 * i;
        List<dev.cairn.p2p.HostPort> bootstrap =
            i == 0 ? List.of() : List.of(new dev.cairn.p2p.HostPort("127.0.0.1", running.get(0).p2pPort()));
        NodeConfig config =
            new NodeConfig(
                spec, dir.resolve("node-" + i), options.p2pHost, p2pPort, options.rpcHost,
                options.rpcPort == 0 ? 0 : options.rpcPort + 2 * i, options.httpHost,
                options.httpPort == 0 ? 0 : options.httpPort + i, true, Optional.of(keys.get(i % keys.size()).address()),
                options.minerThreads, options.storeConfig(), MempoolPolicy.DEFAULT,
                options.p2pConfig(commandSpec.commandLine(), p2pPort, bootstrap));
        running.add(new Node(config).start());
      }
    } catch (RuntimeException | IOException e) {
      System.err.println("error: " + e.getMessage());
      closeAll(running);
      return 1;
    }
    printWelcome(spec, keys, running);
    NodeRunner.runUntilStopped(() -> closeAll(running));
    return 0;
  }

  private static void closeAll(List<Node> running) {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
  }

  private DevnetSpecs.Devnet create() throws ChainSpecException, IOException {
    CompactTarget target = calibrate(options.minerThreads * nodes);
    DevnetSpecs.Devnet devnet =
        DevnetSpecs.generate(System.currentTimeMillis() / 1000, new SecureRandom(), accounts, DEV_FUNDING, target);
    Files.createDirectories(dir.resolve("dev-keys"));
    for (int i = 0; i < devnet.devKeys().size(); i++) {
      writePrivate(keyFile(i), HexFormat.of().formatHex(devnet.devKeys().get(i).seedBytes()) + "\n");
    }
    ChainSpecFile.write(devnet.spec(), dir.resolve("spec.json"));
    return devnet;
  }

  /**
   * A starting target this machine meets about once per block interval with {@code threads}
   * threads, measured for half a second, so the devnet mines at its pace from the first block.
   */
  static CompactTarget calibrate(int threads) {
    dev.cairn.ledger.BlockHeader probe = ChainSpec.regtest().genesisBlock().header();
    NonceSearch search = new NonceSearch(probe, BigInteger.ZERO);
    long start = System.nanoTime();
    long tried = 0;
    while (System.nanoTime() - start < 500_000_000L) {
      search.search(tried, 10_000);
      tried += 10_000;
    }
    double perSecond = tried / ((System.nanoTime() - start) / 1e9);
    BigInteger expectedHashes =
        BigInteger.valueOf(Math.max(1L, (long) (perSecond * threads * DevnetSpecs.SPACING_SECONDS)));
    BigInteger target = BigInteger.ONE.shiftLeft(256).divide(expectedHashes);
    BigInteger limit;
    try {
      limit = DevnetSpecs.POW_LIMIT.toTarget();
    } catch (RejectedException e) {
      throw new IllegalStateException(e);
    }
    return CompactTarget.fromTarget(target.min(limit));
  }

  private Path keyFile(int i) {
    return dir.resolve("dev-keys").resolve("dev-" + i + ".key");
  }

  private List<PrivateKey> readKeys(ChainSpec spec) throws IOException, ChainSpecException {
    List<PrivateKey> keys = new ArrayList<>();
    for (int i = 0; Files.exists(keyFile(i)); i++) {
      String hex = Files.readString(keyFile(i), StandardCharsets.US_ASCII).trim();
      try {
        keys.add(PrivateKey.fromSeed(HexFormat.of().parseHex(hex)));
      } catch (IllegalArgumentException e) {
        throw new ChainSpecException("dev key " + keyFile(i) + " is damaged: " + e.getMessage());
      }
    }
    if (keys.isEmpty()) {
      throw new ChainSpecException("no dev keys in " + dir.resolve("dev-keys"));
    }
    return keys;
  }

  private static void writePrivate(Path file, String content) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private void printWelcome(ChainSpec spec, List<PrivateKey> keys, List<Node> running) {
    String prefix = spec.params().addressPrefix();
    Node first = running.get(0);
    String rpc = options.rpcHost + ":" + first.rpcPort();
    String nodeFlag = first.rpcPort() == 9701 && options.rpcHost.equals("127.0.0.1") ? "" : " --node " + rpc;
    StringBuilder sb = new StringBuilder();
    sb.append('\n')
        .append("Cairn devnet ").append(spec.chainId()).append(" is running: ").append(running.size())
        .append(" node(s) mining, a block every ~").append(DevnetSpecs.SPACING_SECONDS).append(" s.\n");
    for (int i = 0; i < running.size(); i++) {
      Node n = running.get(i);
      sb.append("  node-").append(i).append("  explorer http://").append(options.httpHost).append(':').append(n.httpPort())
          .append("/  client API ").append(options.rpcHost).append(':').append(n.rpcPort())
          .append("  peers ").append(n.p2pPort()).append(i == 0 ? "  (bootstrap)" : "").append('\n');
    }
    sb.append("  data    ").append(dir.toAbsolutePath()).append('\n')
        .append("\nDev accounts (").append(DEV_FUNDING).append(" coins each at genesis):\n");
    for (int i = 0; i < keys.size(); i++) {
      sb.append("  dev-").append(i).append("  ").append(keys.get(i).address().toText(prefix))
          .append("  key: ").append(keyFile(i)).append('\n');
    }
    sb.append("\nTry (in another terminal):\n")
        .append("  ./cairn wallet import dev0 --key-file ").append(keyFile(0)).append(nodeFlag).append('\n')
        .append("  ./cairn wallet new alice").append(nodeFlag).append('\n')
        .append("  ./cairn wallet send --from dev0 --to \"$(./cairn wallet address alice").append(nodeFlag)
        .append(")\" --amount 25").append(nodeFlag).append('\n')
        .append("  ./cairn wallet balance alice").append(nodeFlag).append('\n')
        .append("  ./cairn wallet verify <txid> --chain-spec ").append(dir.resolve("spec.json")).append(nodeFlag)
        .append("   # checks it from the headers itself\n")
        .append("\nCtrl-C stops every node; ./cairn devnet starts them again where they left off.\n");
    System.out.println(sb);
  }
}
