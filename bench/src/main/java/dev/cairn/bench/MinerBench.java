package dev.cairn.bench;

import dev.cairn.consensus.NonceSearch;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import java.math.BigInteger;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The miner's inner loop: {@link NonceSearch} (write the nonce into the 128-byte header, double
 * SHA-256, compare with the target) beside the raw loop it is built on, the JDK's {@code
 * MessageDigest} over a 128-byte array and then over the 32-byte digest into preallocated
 * buffers. Both run {@value #HASHES} hashes per call; scores are hashes per second. The search
 * target is zero, so no nonce is ever found and every call tries all {@value #HASHES}.
 * {@code nonceSearchTwoThreads} runs one search per thread on both cores (its score is the sum):
 * the miner's per-thread rate when it uses every core.
 *
 * <p>Acceptance target: nonceSearch / rawJdkDoubleSha256 &gt;= 0.9 (hashes per second).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class MinerBench {
  static final int HASHES = 1024;

  private final MessageDigest sha = Hashes.newSha256();
  private final byte[] first = new byte[32];
  private final byte[] second = new byte[32];
  private byte[] headerBytes;
  private NonceSearch search;
  private long nonce;

  @Setup
  public void setUp() throws Exception {
    Random random = new Random(Fixtures.SEED);
    BlockHeader header = Fixtures.seededHeader(random);
    headerBytes = header.encoded().clone();
    nonce = random.nextLong() >>> 1;
    // The search hashes exactly what the raw loop hashes: with the easiest possible target it
    // accepts the first nonce, and that header's hash is the raw double SHA-256 of its bytes.
    BigInteger easiest = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
    OptionalLong found = new NonceSearch(header, easiest).search(nonce, 1);
    BlockHeader solved = header.withNonce(found.orElseThrow());
    if (!Hash.of(sha.digest(sha.digest(solved.encoded()))).equals(solved.hash())) {
      throw new IllegalStateException("the raw loop does not compute the block hash");
    }
    search = new NonceSearch(header, BigInteger.ZERO);
  }

  @Benchmark
  @OperationsPerInvocation(HASHES)
  public int rawJdkDoubleSha256() throws DigestException {
    int acc = 0;
    for (int i = 0; i < HASHES; i++) {
      sha.update(headerBytes);
      sha.digest(first, 0, 32);
      sha.update(first);
      sha.digest(second, 0, 32);
      acc ^= second[0];
    }
    return acc;
  }

  @Benchmark
  @OperationsPerInvocation(HASHES)
  public OptionalLong nonceSearch() {
    OptionalLong found = search.search(nonce, HASHES);
    nonce += HASHES;
    return found;
  }

  @Benchmark
  @OperationsPerInvocation(HASHES)
  @Threads(2)
  public OptionalLong nonceSearchTwoThreads() {
    return nonceSearch();
  }
}
