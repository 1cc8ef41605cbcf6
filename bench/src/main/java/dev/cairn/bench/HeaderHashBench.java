package dev.cairn.bench;

import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Hash;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The block hash (double SHA-256 of the 128-byte header): the JDK digest run twice over a byte
 * array beside Cairn's header decode-and-hash (what a node does per received header) and {@code
 * withNonce(n).hash()} (what a naive miner loop does per attempt).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class HeaderHashBench {
  private MessageDigest sha256;
  private byte[] headerBytes;
  private BlockHeader header;
  private long nonce;

  @Setup
  public void setUp() throws Exception {
    Random random = new Random(Fixtures.SEED);
    header = Fixtures.seededHeader(random).withNonce(random.nextLong());
    headerBytes = header.encoded().clone();
    sha256 = MessageDigest.getInstance("SHA-256");
    nonce = random.nextLong();
    byte[] raw = sha256.digest(sha256.digest(headerBytes));
    if (!Hash.of(raw).equals(BlockHeader.decode(headerBytes).hash())) {
      throw new IllegalStateException("raw double SHA-256 differs from the header hash");
    }
  }

  @Benchmark
  public byte[] rawJdkDoubleSha256() {
    // digest() resets the digest, so one instance serves both rounds and every call.
    return sha256.digest(sha256.digest(headerBytes));
  }

  @Benchmark
  public Hash headerDecodeAndHash() throws Exception {
    return BlockHeader.decode(headerBytes).hash();
  }

  @Benchmark
  public Hash headerWithNonceHash() {
    return header.withNonce(nonce++).hash();
  }
}
