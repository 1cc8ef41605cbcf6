package dev.cairn.node;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecException;
import dev.cairn.ledger.ChainSpecFile;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.StoreConfig;
import dev.cairn.ledger.store.StoreException;
import dev.cairn.ledger.store.TxLocation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn node verify-chain}: re-checks a stopped node's stored chain from genesis, for
 * operators. Every best-chain block is validated again from scratch into a scratch store (proof of
 * work, links, targets, timestamps, commitments, signatures, state transition), then the stored
 * accounts, tip and transaction index are compared with the replay. Read-only on the node's data.
 */
@Command(name = "verify-chain", mixinStandardHelpOptions = true, description = "Re-check a stopped node's stored chain and state from genesis.")
final class VerifyChainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  @Option(names = "--network", defaultValue = "main", description = "Built-in network: main or regtest (default: ${DEFAULT-VALUE}).")
  String network;

  @Option(names = "--chain-spec", description = "A chain spec file; overrides --network.")
  Optional<Path> chainSpec;

  @Option(names = "--data-dir", description = "The node's data directory (default: ~/.cairn/<network>).")
  Optional<Path> dataDir;

  @Override
  public Integer call() {
    ChainSpec spec;
    try {
      spec = chainSpec.isPresent() ? ChainSpecFile.read(chainSpec.get()) : builtIn();
    } catch (ChainSpecException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
    Path dir = dataDir.orElse(Path.of(System.getProperty("user.home"), ".cairn", spec.name()));
    if (!Files.isDirectory(dir.resolve("chain"))) {
      System.err.println("error: no chain store in " + dir);
      return 1;
    }
    try {
      return verify(spec, dir, System.out, System.err);
    } catch (StoreException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
  }

  private ChainSpec builtIn() {
    return switch (network) {
      case "main" -> ChainSpec.main();
      case "regtest" -> ChainSpec.regtest();
      default -> throw new CommandLine.ParameterException(commandSpec.commandLine(), "--network must be main or regtest");
    };
  }

  /** Verifies the chain in {@code dir}; returns 0 if everything checks out, 1 otherwise. */
  static int verify(ChainSpec spec, Path dir, PrintStream out, PrintStream err) {
    Path scratch = dir.resolve("verify-scratch");
    deleteQuietly(scratch);
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try (ChainStore stored = ChainStore.openRocksDb(dir.resolve("chain"), StoreConfig.DEFAULT, spec);
        ChainStore replay = ChainStore.openRocksDb(scratch, new StoreConfig(64L << 20, 16L << 20, 256), spec)) {
      long tip = stored.tip().height();
      int cores = Runtime.getRuntime().availableProcessors();
      Blockchain chain =
          new Blockchain(replay, () -> Long.MAX_VALUE / 4, new SignatureVerifier(new SignatureCache(1), pool, cores));
      Progress progress = new Progress(err, tip);
      for (long h = 1; h <= tip; h++) {
        Optional<Hash> hash = stored.mainChainHash(h);
        if (hash.isEmpty()) {
          return fail(err, "the best chain has no block at height " + h + " (tip is at " + tip + ")");
        }
        Optional<Block> block = stored.body(hash.get());
        if (block.isEmpty()) {
          return fail(err, "block " + hash.get() + " at height " + h + " has no stored body");
        }
        try {
          Blockchain.BlockResult r = chain.processBlock(block.get());
          if (r.outcome() != Blockchain.Outcome.CONNECTED) {
            return fail(err, "block " + hash.get() + " at height " + h + " does not extend the chain below it");
          }
        } catch (RejectedException e) {
          return fail(err, "block " + hash.get() + " at height " + h + " is invalid: " + e.getMessage());
        }
        List<Transaction> txs = block.get().transactions();
        for (int i = 0; i < txs.size(); i++) {
          Optional<ChainStore.ConfirmedTransaction> l = stored.confirmedTransaction(txs.get(i).id());
          if (l.isEmpty()
              || !l.get().location().equals(new TxLocation(hash.get(), h, i))
              || !java.util.Arrays.equals(l.get().tx().encoded(), txs.get(i).encoded())) {
            return fail(err, "the transaction index is wrong for " + txs.get(i).id() + " in block " + h);
          }
        }
        progress.update(h);
      }
      progress.done();
      if (!chain.tip().hash().equals(stored.tip().hash())) {
        return fail(err, "the stored tip " + stored.tip().hash() + " is not the replayed best chain's " + chain.tip().hash());
      }
      Map<Address, Account> expected = new TreeMap<>();
      replay.forEachAccount(expected::put);
      Map<Address, Account> actual = new TreeMap<>();
      stored.forEachAccount(actual::put);
      if (!expected.equals(actual)) {
        for (Map.Entry<Address, Account> e : expected.entrySet()) {
          if (!e.getValue().equals(actual.get(e.getKey()))) {
            return fail(err, "account " + e.getKey().toText(spec.params().addressPrefix()) + " is " + actual.get(e.getKey())
                + " in the store but " + e.getValue() + " by replay");
          }
        }
        return fail(err, "the store holds accounts the replay does not (" + actual.size() + " vs " + expected.size() + ")");
      }
      out.println("ok: " + tip + " blocks from genesis to " + stored.tip().hash() + " re-validated; "
          + actual.size() + " accounts equal a replay from genesis");
      return 0;
    } finally {
      pool.shutdownNow();
      deleteQuietly(scratch);
    }
  }

  private static int fail(PrintStream err, String message) {
    err.println();
    err.println("error: " + message);
    return 1;
  }

  private static void deleteQuietly(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover scratch directory is removed by the next run.
    }
  }

  /** A progress bar on a terminal; a line per 10% otherwise. */
  private static final class Progress {
    private final PrintStream err;
    private final long total;
    private final boolean terminal = System.console() != null;
    private int lastShown = -1;

    Progress(PrintStream err, long total) {
      this.err = err;
      this.total = Math.max(1, total);
    }

    void update(long done) {
      int percent = (int) (done * 100 / total);
      if (terminal) {
        if (percent != lastShown) {
          int filled = percent * 30 / 100;
          err.print("\rverifying [" + "#".repeat(filled) + " ".repeat(30 - filled) + "] " + percent + "%  block " + done + "/" + total);
          err.flush();
          lastShown = percent;
        }
      } else if (percent / 10 != lastShown / 10 || lastShown < 0) {
        err.println("verifying: " + percent + "% (block " + done + " of " + total + ")");
        lastShown = percent;
      }
    }

    void done() {
      if (terminal) {
        err.println();
      }
    }
  }
}
