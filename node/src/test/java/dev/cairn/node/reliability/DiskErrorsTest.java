package dev.cairn.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cairn.consensus.Miner;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.StoreException;
import dev.cairn.ledger.store.StoreLockedException;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk and permission faults are reported clearly and leave the store intact:
 *
 * <ul>
 *   <li>a data directory that cannot be created (its parent immutable, or a path through a regular
 *       file) or a store that cannot be written (its directory or LOCK file immutable) makes {@code
 *       Node.start} fail with one line naming the path and the system's reason, and {@code cairn
 *       node} print exactly that line and exit 1, with no stack trace; once the cause is gone the
 *       same directory starts normally with its chain intact;
 *   <li>a full disk (a tmpfs of 8 MiB filled with a file) makes the next block fail with "No space
 *       left on device" while the node keeps its tip and keeps answering; on the full disk a
 *       restart fails the same way (or its first block does); once the files are deleted the store
 *       opens on the last acknowledged block, {@code verify-chain} passes and mining resumes.
 * </ul>
 *
 * The tests run as root, which ignores POSIX permission bits, so they use {@code chattr +i}
 * (immutable) and {@code mount -t tmpfs}; each is skipped, saying why, where that is not allowed.
 */
class DiskErrorsTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0xD15C_0001L, 4);
  private static final ChainSpec SPEC = TestChain.specFor(KEYS);

  @TempDir Path dir;

  // ---- permissions -----------------------------------------------------------------------------

  @Test
  void aDataDirectoryThatCannotBeCreatedIsReportedInOneLineWithItsPath() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    Path underFile = file.resolve("data");
    assertStartFails(underFile, underFile.resolve("chain").toString(), "Not a directory");

    Path parent = Files.createDirectories(dir.resolve("immutable-parent"));
    immutable(parent, true);
    try {
      Path data = parent.resolve("data");
      assertStartFails(data, data.resolve("chain").toString(), "Operation not permitted");
      assertThat(data).doesNotExist();
    } finally {
      immutable(parent, false);
    }
    // Nothing is left holding anything: a node starts normally in that place now.
    try (Node node = new Node(NodeConfig.forTests(SPEC, parent.resolve("data"))).start()) {
      assertThat(node.chain().tip().height()).isZero();
    }
  }

  @Test
  void aStoreThatCannotBeWrittenIsReportedAsSuchNotAsHeldByAnotherProcess() throws Exception {
    Path data = dir.resolve("node");
    Hash tip;
    try (Node node = new Node(NodeConfig.forTests(SPEC, data)).start()) {
      tip = Miner.generate(node.chain(), node.assembler(), KEYS.get(0).address(), 3).get(2);
    }
    Path chain = data.resolve("chain");
    Path lock = chain.resolve("LOCK");
    immutable(lock, true);
    try {
      Throwable failure = assertStartFails(data, lock.toString(), "Operation not permitted");
      assertThat(failure).isNotInstanceOf(StoreLockedException.class);
      assertThat(failure.getMessage()).doesNotContain("another process");
    } finally {
      immutable(lock, false);
    }
    immutable(chain, true);
    try {
      assertStartFails(data, chain.toString(), "Operation not permitted");
    } finally {
      immutable(chain, false);
    }
    try (Node node = new Node(NodeConfig.forTests(SPEC, data)).start()) {
      assertThat(node.chain().tip().hash()).as("the chain is intact after the failed starts").isEqualTo(tip);
    }
    ChainChecks.Verification v = ChainChecks.verifyChain(SPEC, data);
    assertThat(v.ok()).as("%s", v).isTrue();
  }

  @Test
  void theCommandLineSaysItInOneLineAndExitsOne() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    Path data = file.resolve("data");
    CliRun run = cli("node", "--network", "regtest", "--data-dir", data.toString(), "--p2p-port", "0", "--rpc-port", "0", "--http-port", "0");
    assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
    // SLF4J's own notice that the test classpath holds a second logging provider is not ours.
    assertThat(run.stderr().strip().lines().filter(l -> !l.startsWith("SLF4J(")).toList())
        .as("%s", run)
        .singleElement()
        .satisfies(line -> assertThat(line).startsWith("error: ").contains(data.resolve("chain").toString()).contains("Not a directory"));
    assertThat(run.stdout() + run.stderr()).as("no stack trace").doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at ");
  }

  // ---- a full disk -----------------------------------------------------------------------------

  @Test
  void aFullDiskFailsWritesCleanlyAndTheStoreSurvives() throws Exception {
    Path mount = Files.createDirectories(dir.resolve("tmpfs"));
    int mounted = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString());
    Assumptions.assumeTrue(mounted == 0, "skipped: cannot mount a tmpfs here (mount -t tmpfs exited " + mounted + "; needs root or CAP_SYS_ADMIN)");
    try {
      Path data = mount.resolve("node");
      Path filler = mount.resolve("filler");
      Hash acknowledged;
      long acknowledgedHeight;
      try (Node node = new Node(NodeConfig.forTests(SPEC, data)).start()) {
        acknowledged = mine(node, 5);
        fill(filler);
        // Mine on: the write that finds the disk full fails, nothing before it is lost.
        Throwable failure = null;
        for (int i = 0; i < 10_000 && failure == null; i++) {
          try {
            acknowledged = mine(node, 1);
          } catch (StoreException e) {
            failure = e;
          }
        }
        assertThat(failure).as("a write failed within 10,000 blocks of a full disk").isNotNull();
        assertThat(failure.getMessage()).contains("No space left on device").contains(data.resolve("chain").toString()).doesNotContain("\n");
        System.out.println("DiskErrorsTest: disk full: " + failure.getMessage());
        acknowledgedHeight = node.chain().entry(acknowledged).orElseThrow().height();
        assertThat(node.chain().tip().hash()).as("the node stays on its last acknowledged block").isEqualTo(acknowledged);
        Throwable again = catchThrowable(() -> mine(node, 1));
        assertThat(again).as("the next write fails the same clear way").isInstanceOf(StoreException.class).hasMessageContaining("No space left on device");
        assertThat(node.chain().tip().hash()).isEqualTo(acknowledged);
        assertThat(explorerTipHeight(node)).as("the explorer still answers").isEqualTo(acknowledgedHeight);
      }
      // Starting on the full disk (closing freed RocksDB's spare log space, so fill up again):
      // either the start fails clearly, or the node starts and its first block fails clearly.
      Path more = mount.resolve("filler-2");
      fill(more);
      Node started = null;
      try {
        started = new Node(NodeConfig.forTests(SPEC, data)).start();
      } catch (StoreException e) {
        assertThat(e.getMessage()).contains(data.resolve("chain").toString()).contains("No space left on device").doesNotContain("\n");
        System.out.println("DiskErrorsTest: a start on the full disk failed: " + e.getMessage());
      }
      if (started != null) {
        try (Node node = started) {
          assertThat(node.chain().tip().hash()).isEqualTo(acknowledged);
          Throwable first = catchThrowable(() -> mine(node, 1));
          assertThat(first).isInstanceOf(StoreException.class).hasMessageContaining("No space left on device");
          System.out.println("DiskErrorsTest: a start on the full disk worked; its first block failed: " + first.getMessage());
        }
      }

      Files.delete(filler);
      Files.delete(more);
      try (Node node = new Node(NodeConfig.forTests(SPEC, data)).start()) {
        assertThat(node.chain().tip().hash()).as("restarted on the last acknowledged block").isEqualTo(acknowledged);
      }
      ChainChecks.Verification v = ChainChecks.verifyChain(SPEC, data);
      assertThat(v.ok()).as("verify-chain after the disk was freed: %s", v).isTrue();
      try (Node node = new Node(NodeConfig.forTests(SPEC, data)).start()) {
        mine(node, 3);
        assertThat(node.chain().tip().height()).as("mining resumes").isEqualTo(acknowledgedHeight + 3);
      }
    } finally {
      if (run("umount", mount.toString()) != 0) {
        run("umount", "-l", mount.toString());
      }
    }
  }

  /** Mines {@code count} blocks, each with a few transfers; returns the last, acknowledged (processBlock returned). */
  private static Hash mine(Node node, int count) throws RejectedException {
    Hash last = null;
    for (int i = 0; i < count; i++) {
      for (int k = 0; k < 3; k++) {
        PrivateKey from = KEYS.get(k);
        long nonce = node.chain().store().account(from.address()).nonce() + node.mempool().pendingFrom(from.address()).size();
        node.mempool().add(Transfer.sign(from, KEYS.get(3).address(), Amount.units(1_000), Amount.units(5_000), nonce, SPEC.genesisHash()));
      }
      last = Miner.generate(node.chain(), node.assembler(), KEYS.get(0).address(), 1).get(0);
    }
    return last;
  }

  /** Writes {@code filler} until the file system is full. */
  private static void fill(Path filler) {
    byte[] chunk = new byte[64 << 10];
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (int i = 0; i < 1 << 20; i++) {
        out.write(chunk);
      }
      throw new AssertionError("the tmpfs never filled up");
    } catch (IOException e) {
      assertThat(e).hasMessageContaining("No space left on device");
    }
  }

  private static long explorerTipHeight(Node node) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/api/blocks/tip/height")).timeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return Long.parseLong(response.body().strip());
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Node.start on {@code data} fails with one line naming {@code path} and {@code reason}; returns the failure. */
  private static Throwable assertStartFails(Path data, String path, String reason) {
    Throwable failure = catchThrowable(() -> new Node(NodeConfig.forTests(SPEC, data)).start());
    assertThat(failure).isInstanceOf(StoreException.class);
    assertThat(failure.getMessage()).contains(path).contains(reason).doesNotContain("\n");
    return failure;
  }

  /** {@code chattr +i} or {@code -i}; skips the test if the file system or the user cannot. */
  private static void immutable(Path path, boolean on) throws Exception {
    int code = run("chattr", on ? "+i" : "-i", path.toString());
    if (on) {
      Assumptions.assumeTrue(code == 0, "skipped: chattr +i is not possible here (exit " + code + "; needs root and a file system with attributes)");
    } else {
      assertThat(code).as("chattr -i %s", path).isZero();
    }
  }

  private static int run(String... command) throws Exception {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return 127; // not installed
    }
  }

  record CliRun(int exitCode, String stdout, String stderr) {}

  /** Runs {@code cairn ARGS} (CairnCli) in a child JVM on this classpath, with its own temp directory. */
  private CliRun cli(String... args) throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("cli-tmp"));
    Path out = dir.resolve("cli.out");
    Path err = dir.resolve("cli.err");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx256m");
    command.add("-Djava.io.tmpdir=" + tmp);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.cairn.node.CairnCli");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("cairn exits").isTrue();
    } finally {
      p.destroyForcibly();
    }
    return new CliRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }
}
