package dev.cairn.bench;

import dev.cairn.consensus.TransactionChecks;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a node pays for a transaction received from the network before it looks at any state:
 * decode the canonical bytes (key validation, id and sender address included) and run the
 * stateless checks (amount range, signature), beside the raw Bouncy Castle verify of the same
 * signature, key and signing bytes. Both cycle through the same pool of distinct signed transfers
 * so neither benefits from a repeated input. {@code decodeOnly} splits the difference out.
 *
 * <p>Acceptance target: decodeAndCheckStateless / rawVerify &gt;= 0.90 (throughput).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class TransactionBench {
  private static final int MASK = Fixtures.POOL - 1;

  private Hash genesis;
  private byte[][] canonical;
  private byte[][] publicKeyBytes;
  private byte[][] signatureBytes;
  private byte[][] signingBytes;
  private int next;

  @Setup
  public void setUp() throws Exception {
    genesis = Fixtures.genesis();
    Transfer[] txs = Fixtures.signedTransfers(Fixtures.POOL, genesis);
    canonical = new byte[txs.length][];
    publicKeyBytes = new byte[txs.length][];
    signatureBytes = new byte[txs.length][];
    signingBytes = new byte[txs.length][];
    for (int i = 0; i < txs.length; i++) {
      canonical[i] = txs[i].encoded().clone();
      publicKeyBytes[i] = txs[i].sender().toByteArray();
      signatureBytes[i] = txs[i].signature().toByteArray();
      signingBytes[i] = txs[i].signingBytes(genesis);
      // The decoded form must be the same transaction and pass the checks being measured.
      Transfer decoded = (Transfer) Transaction.decode(canonical[i]);
      if (!decoded.id().equals(txs[i].id())) {
        throw new IllegalStateException("transfer " + i + " does not round-trip");
      }
      TransactionChecks.checkStateless(decoded, genesis);
    }
  }

  @Benchmark
  public void rawVerify(Blackhole bh) {
    int i = next++ & MASK;
    byte[] m = signingBytes[i];
    bh.consume(Ed25519.verify(signatureBytes[i], 0, publicKeyBytes[i], 0, m, 0, m.length));
  }

  @Benchmark
  public void decodeAndCheckStateless(Blackhole bh) throws Exception {
    int i = next++ & MASK;
    Transfer tx = (Transfer) Transaction.decode(canonical[i]);
    TransactionChecks.checkStateless(tx, genesis);
    bh.consume(tx);
  }

  /** Diagnostic: the decode alone (no signature verify), to attribute any overhead. */
  @Benchmark
  public void decodeOnly(Blackhole bh) throws Exception {
    int i = next++ & MASK;
    bh.consume(Transaction.decode(canonical[i]));
  }
}
