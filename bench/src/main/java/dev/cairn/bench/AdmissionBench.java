package dev.cairn.bench;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.StoreConfig;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.proto.v1.ClientServiceGrpc;
import dev.cairn.proto.v1.GetChainInfoRequest;
import dev.cairn.proto.v1.GetChainInfoResponse;
import dev.cairn.proto.v1.SubmitTransactionRequest;
import dev.cairn.proto.v1.SubmitTransactionResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Mempool admission of distinct, valid transfers never seen before (so the signature cache never
 * helps), beside the raw Bouncy Castle verify of the same transfers' signatures:
 *
 * <ul>
 *   <li>{@code mempoolAdd}: {@link Mempool#add} of an already decoded {@link Transfer}, on a real
 *       RocksDB {@link ChainStore} (what consensus and the p2p layer call);
 *   <li>{@code decodeAndMempoolAdd}: the same from the canonical bytes (what a node does per
 *       transaction received from a wallet or a peer);
 *   <li>{@code grpcSubmit}: a blocking {@code SubmitTransaction} call to a real node started
 *       in-process on 127.0.0.1 (client and server share the machine's two cores), one client
 *       thread; {@code grpcSubmit4Clients}: four client threads calling at once (the score is
 *       their sum); {@code grpcRoundTripOnly} (diagnostic): a {@code GetChainInfo} call, the
 *       round trip alone.
 * </ul>
 *
 * <p>The transfers: 4,096 keys funded at genesis on a regtest-parameter network, each sending
 * nonces 0..15 (65,536 transfers, signed once per JVM). Taken in order, a sender's next nonce comes
 * 4,096 transfers after its previous one, so the default policy's 64-per-sender cap is never hit.
 * Each iteration starts from an empty mempool with an empty signature cache (and, for gRPC, a fresh
 * node) and walks the transfers in order, so every admission is of a transaction the node has never
 * seen. The raw verify cycles through the same 65,536 signatures.
 *
 * <p>Acceptance target: mempoolAdd / rawVerify &gt;= 0.8 (throughput).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AdmissionBench {
  static final int SENDERS = 4096;
  static final int NONCES = 16;
  static final int COUNT = SENDERS * NONCES;
  private static final int MASK = COUNT - 1;

  /** The signed transfers, built once per JVM: the ratio runner starts a new trial per round. */
  static final class Data {
    private static Data instance;

    final ChainSpec spec;
    final Transfer[] txs;
    final byte[][] canonical;
    final byte[][] publicKeys;
    final byte[][] signatures;
    final byte[][] signingBytes;

    private Data() {
      PrivateKey[] keys = Fixtures.keys(SENDERS);
      spec = Fixtures.fundedRegtest(keys);
      txs = Fixtures.noncesFrom(keys, 0, NONCES, spec.genesisHash());
      canonical = new byte[COUNT][];
      publicKeys = new byte[COUNT][];
      signatures = new byte[COUNT][];
      signingBytes = new byte[COUNT][];
      for (int i = 0; i < COUNT; i++) {
        canonical[i] = txs[i].encoded().clone();
        publicKeys[i] = txs[i].sender().toByteArray();
        signatures[i] = txs[i].signature().toByteArray();
        signingBytes[i] = txs[i].signingBytes(spec.genesisHash());
      }
    }

    static synchronized Data get() {
      if (instance == null) {
        Fixtures.quietLogs();
        instance = new Data();
      }
      return instance;
    }
  }

  @State(Scope.Thread)
  public static class Raw {
    Data data;
    int next;

    @Setup
    public void setUp() {
      data = Data.get();
      // Every signature must verify, so the raw method never measures the faster rejection path.
      for (int i = 0; i < COUNT; i += 257) {
        byte[] m = data.signingBytes[i];
        if (!Ed25519.verify(data.signatures[i], 0, data.publicKeys[i], 0, m, 0, m.length)) {
          throw new IllegalStateException("transfer " + i + " does not verify");
        }
      }
    }
  }

  /** A mempool over one RocksDB chain store per JVM (admission never writes to the store). */
  @State(Scope.Thread)
  public static class InProcess {
    private static ChainStore store;
    private static Path storeDir;

    Data data;
    Mempool mempool;
    int next;

    static synchronized ChainStore store(ChainSpec spec) {
      if (store == null) {
        storeDir = Fixtures.tempDir("cairn-bench-mempool-");
        store = ChainStore.openRocksDb(storeDir.resolve("chain"), StoreConfig.DEFAULT, spec);
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      store.close();
                      Fixtures.deleteTree(storeDir);
                    }));
      }
      return store;
    }

    @Setup(Level.Trial)
    public void setUp() {
      data = Data.get();
      store(data.spec);
    }

    /** An empty mempool with an empty signature cache (the node's capacity) for each iteration. */
    @Setup(Level.Iteration)
    public void fresh() {
      mempool = new Mempool(store, MempoolPolicy.DEFAULT, new SignatureCache(200_000), TimeSource.SYSTEM);
      next = 0;
    }

    int nextIndex() {
      if (next == COUNT) {
        fresh(); // never seen at 2 s iterations (about 20,000 admissions); costs one allocation
      }
      return next++;
    }
  }

  /** A real node on loopback, a fresh one (empty mempool, new data directory) per iteration. */
  @State(Scope.Benchmark)
  public static class Remote {
    private static SubmitTransactionRequest[] requests;

    Node node;
    Path dir;
    ManagedChannel channel;
    ClientServiceGrpc.ClientServiceBlockingStub stub;
    final AtomicInteger next = new AtomicInteger();

    private static synchronized SubmitTransactionRequest[] requests(Data data) {
      if (requests == null) {
        requests = new SubmitTransactionRequest[COUNT];
        for (int i = 0; i < COUNT; i++) {
          requests[i] =
              SubmitTransactionRequest.newBuilder()
                  .setTransaction(
                      dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(data.canonical[i])))
                  .build();
        }
      }
      return requests;
    }

    @Setup(Level.Trial)
    public void setUp() {
      requests(Data.get());
    }

    @Setup(Level.Iteration)
    public void start() throws Exception {
      dir = Fixtures.tempDir("cairn-bench-node-");
      node = new Node(NodeConfig.forTests(Data.get().spec, dir)).start();
      channel = ManagedChannelBuilder.forAddress("127.0.0.1", node.rpcPort()).usePlaintext().build();
      stub = ClientServiceGrpc.newBlockingStub(channel);
      // Connect (TCP, HTTP/2 settings) before the clock starts.
      stub.getChainInfo(GetChainInfoRequest.getDefaultInstance());
      next.set(0);
    }

    SubmitTransactionRequest nextRequest() {
      int i = next.getAndIncrement();
      if (i >= COUNT) {
        throw new IllegalStateException(
            "all " + COUNT + " transfers were submitted in one iteration: shorten the iteration");
      }
      return requests[i];
    }

    @TearDown(Level.Iteration)
    public void stop() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      node.close();
      Fixtures.deleteTree(dir);
    }
  }

  @Benchmark
  public boolean rawVerify(Raw r) {
    int i = r.next++ & MASK;
    Data d = r.data;
    byte[] m = d.signingBytes[i];
    return Ed25519.verify(d.signatures[i], 0, d.publicKeys[i], 0, m, 0, m.length);
  }

  @Benchmark
  public Mempool mempoolAdd(InProcess s) throws RejectedException {
    s.mempool.add(s.data.txs[s.nextIndex()]);
    return s.mempool;
  }

  @Benchmark
  public Mempool decodeAndMempoolAdd(InProcess s) throws Exception {
    s.mempool.add(Transaction.decode(s.data.canonical[s.nextIndex()]));
    return s.mempool;
  }

  @Benchmark
  public SubmitTransactionResponse grpcSubmit(Remote r) {
    return r.stub.submitTransaction(r.nextRequest());
  }

  @Benchmark
  @Threads(4)
  public SubmitTransactionResponse grpcSubmit4Clients(Remote r) {
    return r.stub.submitTransaction(r.nextRequest());
  }

  /**
   * Diagnostic: a unary call that does almost nothing on the node ({@code GetChainInfo}), the
   * round trip {@code grpcSubmit} pays on top of admission.
   */
  @Benchmark
  public GetChainInfoResponse grpcRoundTripOnly(Remote r) {
    return r.stub.getChainInfo(GetChainInfoRequest.getDefaultInstance());
  }
}
