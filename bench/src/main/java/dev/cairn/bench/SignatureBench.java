package dev.cairn.bench;

import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PublicKey;
import dev.cairn.ledger.Signature;
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

/**
 * Ed25519 verification of a transfer's signing bytes: Bouncy Castle's low-level verify over the
 * raw 32-byte key (which decompresses the key point on every call) beside Cairn's {@link
 * PublicKey#verify}, whose point was decompressed once when the key was decoded.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class SignatureBench {
  private static final int MASK = Fixtures.POOL - 1;

  private byte[][] publicKeyBytes;
  private byte[][] signatureBytes;
  private byte[][] messages;
  private PublicKey[] publicKeys;
  private Signature[] signatures;
  private int next;

  @Setup
  public void setUp() throws Exception {
    Hash genesis = Fixtures.genesis();
    Transfer[] txs = Fixtures.signedTransfers(Fixtures.POOL, genesis);
    publicKeyBytes = new byte[txs.length][];
    signatureBytes = new byte[txs.length][];
    messages = new byte[txs.length][];
    publicKeys = new PublicKey[txs.length];
    signatures = new Signature[txs.length];
    for (int i = 0; i < txs.length; i++) {
      publicKeyBytes[i] = txs[i].sender().toByteArray();
      signatureBytes[i] = txs[i].signature().toByteArray();
      messages[i] = txs[i].signingBytes(genesis);
      // Decoded once here, as a node holds a sender's key after decoding the transaction.
      publicKeys[i] = PublicKey.fromBytes(publicKeyBytes[i]);
      signatures[i] = Signature.of(signatureBytes[i]);
    }
  }

  @Benchmark
  public boolean rawBouncyCastleVerify() {
    int i = next++ & MASK;
    byte[] m = messages[i];
    return Ed25519.verify(signatureBytes[i], 0, publicKeyBytes[i], 0, m, 0, m.length);
  }

  @Benchmark
  public boolean cairnPublicKeyVerify() {
    int i = next++ & MASK;
    return publicKeys[i].verify(messages[i], signatures[i]);
  }
}
