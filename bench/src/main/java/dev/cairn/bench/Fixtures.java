package dev.cairn.bench;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecException;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.slf4j.LoggerFactory;

/**
 * Seeded test data shared by the benchmarks, so two runs measure the same keys and messages.
 * Not a benchmark itself.
 */
final class Fixtures {
  /** One seed for every benchmark: change it and the data (not the cost) changes. */
  static final long SEED = 0xCA1B_2026L;

  /** Distinct transfers per pool; a power of two so the cycling index is a mask. */
  static final int POOL = 256;

  private Fixtures() {}

  /** The main network's genesis hash, which every signature commits to. */
  static Hash genesis() {
    return ChainSpec.main().genesisHash();
  }

  /**
   * {@code n} transfers, each from its own seeded key to a random recipient, signed for the
   * network {@code genesis}. Fails if any signature does not verify, so a benchmark never
   * measures the (faster) rejection path by accident.
   */
  static Transfer[] signedTransfers(int n, Hash genesis) {
    Random random = new Random(SEED);
    Transfer[] out = new Transfer[n];
    for (int i = 0; i < n; i++) {
      byte[] seed = new byte[PrivateKey.SIZE];
      random.nextBytes(seed);
      PrivateKey key = PrivateKey.fromSeed(seed);
      byte[] to = new byte[Address.SIZE];
      random.nextBytes(to);
      Amount amount = Amount.units(1 + (random.nextLong() >>> 1) % (1_000L * Amount.UNITS_PER_COIN));
      Amount fee = Amount.units(1_000 + random.nextInt(100_000));
      long nonce = random.nextInt(1_000_000);
      Transfer tx = Transfer.sign(key, Address.fromBytes(to), amount, fee, nonce, genesis);
      byte[] pk = tx.sender().toByteArray();
      byte[] sig = tx.signature().toByteArray();
      byte[] msg = tx.signingBytes(genesis);
      if (!Ed25519.verify(sig, 0, pk, 0, msg, 0, msg.length)) {
        throw new IllegalStateException("fixture transfer " + i + " does not verify");
      }
      out[i] = tx;
    }
    return out;
  }

  /**
   * A main-network header at a random height and time with random commitments and nonce 0, drawn
   * from {@code random}; checks the fixed 128-byte layout the hashing benchmarks assume.
   */
  static BlockHeader seededHeader(Random random) {
    byte[] merkle = new byte[Hash.SIZE];
    byte[] state = new byte[Hash.SIZE];
    random.nextBytes(merkle);
    random.nextBytes(state);
    BlockHeader header =
        BlockHeader.of(
            BlockHeader.CURRENT_VERSION,
            1 + random.nextInt(1_000_000),
            ChainSpec.main().genesisHash(),
            Hash.of(merkle),
            Hash.of(state),
            1_798_761_600L + random.nextInt(10_000_000),
            new CompactTarget(0x1f00ffffL),
            0);
    if (header.encoded().length != 128) {
      throw new IllegalStateException("header is " + header.encoded().length + " bytes, expected 128");
    }
    return header;
  }

  // ---- a funded regtest network, for benchmarks that go through the mempool or the chain -------

  /** What every funded key holds at genesis: far more than any benchmark spends. */
  static final Amount FUNDING = Amount.coins(1_000);

  /** A fee that passes the default mempool policy (10 units per byte of a 142-byte transfer). */
  static final Amount FEE = Amount.units(2_000);

  /** {@code n} seeded keys (a different seed stream from {@link #signedTransfers}). */
  static PrivateKey[] keys(int n) {
    Random random = new Random(SEED ^ 0x5EED_F00DL);
    PrivateKey[] out = new PrivateKey[n];
    for (int i = 0; i < n; i++) {
      byte[] seed = new byte[PrivateKey.SIZE];
      random.nextBytes(seed);
      out[i] = PrivateKey.fromSeed(seed);
    }
    return out;
  }

  /**
   * A network with regtest's parameters (trivial fixed proof of work) and launch time whose genesis
   * block gives each of {@code keys} {@link #FUNDING}.
   */
  static ChainSpec fundedRegtest(PrivateKey[] keys) {
    List<Allocation> allocations = new ArrayList<>(keys.length);
    for (PrivateKey k : keys) {
      allocations.add(Allocation.create(k.address(), FUNDING));
    }
    ChainSpec regtest = ChainSpec.regtest();
    try {
      return ChainSpec.of(regtest.params(), regtest.genesisTimestamp(), allocations);
    } catch (ChainSpecException e) {
      throw new IllegalStateException("benchmark chain spec is invalid", e);
    }
  }

  /** A recipient address derived from {@code index} alone: a fresh account for every transfer. */
  static Address recipient(long index) {
    byte[] digest =
        Hashes.sha256(ByteBuffer.allocate(16).putLong(SEED).putLong(index).array()).toByteArray();
    byte[] address = new byte[Address.SIZE];
    System.arraycopy(digest, 0, address, 0, Address.SIZE);
    return Address.fromBytes(address);
  }

  /**
   * Signs, on all cores, {@code nonces} transfers from each key: element {@code n * keys.length +
   * s} is key {@code s}'s transfer with nonce {@code firstNonce + n}, so taken in order every
   * sender's nonces arrive consecutively but far apart. Each pays 1 coin plus a few units (so no
   * two are alike) to its own fresh recipient, with fee {@link #FEE}.
   */
  static Transfer[] noncesFrom(PrivateKey[] keys, long firstNonce, int nonces, Hash genesis) {
    int senders = keys.length;
    return IntStream.range(0, senders * nonces)
        .parallel()
        .mapToObj(
            i -> {
              long nonce = firstNonce + i / senders;
              long serial = nonce * senders + i % senders;
              return Transfer.sign(
                  keys[i % senders],
                  recipient(serial),
                  Amount.units(Amount.UNITS_PER_COIN + serial),
                  FEE,
                  nonce,
                  genesis);
            })
        .toArray(Transfer[]::new);
  }

  // ---- environment ---------------------------------------------------------------------------

  /** Held so that its level sticks: java.util.logging keeps loggers only weakly. */
  private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

  /**
   * Lowers Cairn's logging to WARN unless {@code CAIRN_LOG_LEVEL} is set, so a node's per-event
   * INFO lines (one per accepted transaction on the client API) neither flood the benchmark's
   * output nor get measured. Uses logback, the node's backend.
   */
  static void quietLogs() {
    if (System.getenv("CAIRN_LOG_LEVEL") != null) {
      return;
    }
    // gRPC logs through java.util.logging: a stream cut by a node's close is a multi-line WARNING.
    GRPC_LOG.setLevel(java.util.logging.Level.SEVERE);
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  /** The 1, 5 and 15 minute load averages where the OS shows them: other work skews the run. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static double median(double[] values) {
    double[] s = values.clone();
    java.util.Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
