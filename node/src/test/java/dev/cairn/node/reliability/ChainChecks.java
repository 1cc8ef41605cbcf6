package dev.cairn.node.reliability;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** What the reliability tests check on a node's data directory after a fault. Stateless. */
final class ChainChecks {
  private ChainChecks() {}

  /** The outcome of {@code cairn node verify-chain} on a data directory. */
  record Verification(int exitCode, String out, String err) {
    boolean ok() {
      return exitCode == 0;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + ": " + out.strip() + " " + err.strip();
    }
  }

  /**
   * Runs {@code VerifyChainCommand.verify} (what {@code cairn node verify-chain} runs) on a stopped
   * node's data directory: every best-chain block validated again from genesis into a scratch
   * store, then the stored accounts, tip and transaction index compared with that replay. It is
   * package-private in {@code dev.cairn.node}, so it is reached by reflection rather than widened
   * for tests.
   */
  static Verification verifyChain(ChainSpec spec, Path dataDir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      Method verify =
          Class.forName("dev.cairn.node.VerifyChainCommand")
              .getDeclaredMethod("verify", ChainSpec.class, Path.class, PrintStream.class, PrintStream.class);
      verify.setAccessible(true);
      int code = (Integer) verify.invoke(null, spec, dataDir, o, e);
      return new Verification(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("VerifyChainCommand.verify(ChainSpec, Path, PrintStream, PrintStream) moved", e);
    }
  }

  /**
   * Opens the chain in {@code dataDir} as a restarting node does (the {@link Blockchain}
   * constructor re-activates the best valid chain it holds, finishing an interrupted
   * reorganisation), hands it to {@code check}, and closes it.
   */
  static void reopen(ChainSpec spec, Path dataDir, Consumer<Blockchain> check) {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (ChainStore store = ChainStore.openRocksDb(dataDir.resolve("chain"), StoreConfig.SMALL, spec)) {
      Blockchain chain = new Blockchain(store, TimeSource.SYSTEM, new SignatureVerifier(new SignatureCache(1_000), pool, 2));
      check.accept(chain);
    } finally {
      pool.shutdownNow();
    }
  }

  static void copyTree(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
