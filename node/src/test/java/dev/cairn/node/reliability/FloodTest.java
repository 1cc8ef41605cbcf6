package dev.cairn.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.cairn.consensus.MempoolListener;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.Miner;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.StoreConfig;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.HostPort;
import dev.cairn.p2p.P2pConfig;
import dev.cairn.proto.v1.ClientServiceGrpc;
import dev.cairn.proto.v1.GetAccountRequest;
import dev.cairn.proto.v1.GetChainInfoRequest;
import dev.cairn.proto.v1.SubmitTransactionRequest;
import dev.cairn.testkit.TestChain;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A flood: {@value #SENDERS} funded senders on 6 client threads submit transfers as fast as they
 * can for 8 s ({@code cairn.flood.threads}, {@code cairn.flood.seconds}), each sender to one of three nodes,
 * over each node's real gRPC client API; the nodes relay to each other over real gRPC; the first
 * node mines a block every second. Throughout, every {@value #SAMPLE_MILLIS} ms: every mempool
 * holds at most its {@code maxBytes}, the JVM's heap and RSS stay within {@link #HEAP_BOUND} and
 * {@link #RSS_GROWTH_BOUND}, and each explorer answers {@code /api/blocks/tip/height} within 2 s.
 * After it: no uncaught exception in any thread, every node still answers, the pools drain by
 * mining, every transaction a node admitted (gRPC success) is either in a block of the best chain
 * or left that node's pool with a recorded reason ({@link MempoolListener.Removal}: evicted,
 * replaced, nonce used, orphaned behind a gap, unaffordable, expired), and the three nodes end on
 * one tip with identical accounts.
 */
class FloodTest {
  static final int SENDERS = 50;
  static final int CLIENT_THREADS = Integer.getInteger("cairn.flood.threads", 6);
  static final int FLOOD_SECONDS = Integer.getInteger("cairn.flood.seconds", 8);
  static final int SAMPLE_MILLIS = 200;
  /** Small on purpose: about 460 transfers, so the flood fills it between blocks. */
  static final long MAX_POOL_BYTES = 64 << 10;
  /** Short, so transactions stranded behind a nonce gap at the end can be expired (mock time). */
  static final long EXPIRY_SECONDS = 600;
  static final MempoolPolicy POLICY = new MempoolPolicy(10, MAX_POOL_BYTES, 1_000, 10, EXPIRY_SECONDS, 16);
  /**
   * Live heap (used after a full GC) of this whole test JVM with three nodes: three 64 KiB pools,
   * block caches off-heap, so a leak or an unbounded queue is what would break it.
   */
  static final long HEAP_BOUND = 256L << 20;
  /**
   * RSS may grow by at most this over the whole run: the heap (whatever G1 commits up to the
   * fork's -Xmx2g) plus RocksDB's configured memory (3 x (16 MiB cache + 4 MiB write buffers)),
   * gRPC/Netty direct buffers and thread stacks.
   */
  static final long RSS_GROWTH_BOUND = 1L << 30;

  private static final long SEED = 0xF100DL;

  @TempDir Path dir;

  /** What one node told its listeners about transactions leaving its pool. */
  private static final class Removals implements MempoolListener {
    final Map<Hash, Removal> last = new ConcurrentHashMap<>();
    final Map<Removal, AtomicLong> counts = new EnumMap<>(Removal.class);

    Removals() {
      for (Removal r : Removal.values()) {
        counts.put(r, new AtomicLong());
      }
    }

    @Override
    public void transactionAdded(Transfer tx) {}

    @Override
    public void transactionRemoved(Transfer tx, Removal why) {
      last.put(tx.id(), why);
      counts.get(why).incrementAndGet();
    }
  }

  /** A sender: its key, the node it submits to, and the nonce it will use next. */
  private static final class Sender {
    final PrivateKey key;
    final int node;
    final Random random;
    long nextNonce;

    Sender(PrivateKey key, int node, long seed) {
      this.key = key;
      this.node = node;
      this.random = new Random(seed);
    }
  }

  @Test
  void manySendersFloodingThreeNodesStayWithinBoundsAndEveryAdmittedTransactionIsAccountedFor() throws Exception {
    ch.qos.logback.classic.Logger apiLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.cairn.node.ClientApiService");
    Level apiLevel = apiLog.getLevel();
    apiLog.setLevel(Level.WARN); // one INFO line per submission would be tens of thousands of lines
    ConcurrentLinkedQueue<String> uncaught = new ConcurrentLinkedQueue<>();
    Thread.UncaughtExceptionHandler previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
    long rssBefore = rssBytes();
    List<PrivateKey> keys = TestChain.keys(SEED, SENDERS);
    ChainSpec spec = TestChain.specFor(keys);
    List<Node> nodes = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    List<Removals> removals = new ArrayList<>();
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      for (int i = 0; i < 3; i++) {
        List<HostPort> bootstrap = new ArrayList<>();
        for (Node n : nodes) {
          bootstrap.add(new HostPort("127.0.0.1", n.p2pPort()));
        }
        Node node = new Node(config(spec, dir.resolve("node" + i), bootstrap)).start();
        nodes.add(node);
        Removals r = new Removals();
        node.mempool().addListener(r);
        removals.add(r);
        channels.add(NettyChannelBuilder.forAddress("127.0.0.1", node.rpcPort()).usePlaintext().build());
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n -> n.network().peers().size() >= 2));

      // ---- the flood ------------------------------------------------------------------------
      List<Sender> senders = new ArrayList<>();
      for (int i = 0; i < SENDERS; i++) {
        senders.add(new Sender(keys.get(i), i % 3, SEED + i));
      }
      List<Map<Hash, Transfer>> admitted = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        admitted.add(new ConcurrentHashMap<>());
      }
      Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
      Samples samples = new Samples();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLOOD_SECONDS);
      Address minerAddress = TestChain.keys(SEED + 1_000, 1).get(0).address();
      var mining =
          timers.scheduleWithFixedDelay(
              () -> {
                try {
                  Miner.generate(nodes.get(0).chain(), nodes.get(0).assembler(), minerAddress, 1);
                  samples.blocks.incrementAndGet();
                } catch (RejectedException | RuntimeException e) {
                  uncaught.add("mining: " + e);
                }
              },
              1, 1, TimeUnit.SECONDS);
      var sampling = timers.scheduleWithFixedDelay(() -> samples.take(nodes, http, uncaught), 0, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
      List<java.util.concurrent.Future<?>> work = new ArrayList<>();
      for (int t = 0; t < CLIENT_THREADS; t++) {
        int thread = t;
        work.add(
            clients.submit(
                () -> {
                  List<Sender> mine = new ArrayList<>();
                  for (int i = thread; i < SENDERS; i += CLIENT_THREADS) {
                    mine.add(senders.get(i));
                  }
                  while (System.nanoTime() < deadline) {
                    for (Sender s : mine) {
                      submitOne(s, spec, keys, channels.get(s.node), admitted.get(s.node), refused, samples);
                    }
                  }
                  return null;
                }));
      }
      for (var f : work) {
        f.get(FLOOD_SECONDS + 60, TimeUnit.SECONDS);
      }
      mining.cancel(false);
      sampling.cancel(false);
      timers.shutdown();
      assertThat(timers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      long heapAfterGc = heapAfterGc();
      long rssAfter = rssBytes();

      // ---- during the flood ------------------------------------------------------------------
      long totalAdmitted = admitted.stream().mapToLong(Map::size).sum();
      System.out.printf(
          "FloodTest: %d s, %d submissions (%d admitted, %d refused: %s), %d blocks; largest pool %d of %d bytes; "
              + "heap max %d MiB sampled, %d MiB live after GC; RSS %d -> max %d MiB; explorer slowest %d ms over %d samples%n",
          FLOOD_SECONDS, samples.submissions.get(), totalAdmitted, samples.submissions.get() - totalAdmitted, refused,
          samples.blocks.get(), samples.maxPoolBytes.get(), MAX_POOL_BYTES, samples.maxHeap.get() >> 20, heapAfterGc >> 20,
          rssBefore >> 20, Math.max(samples.maxRss.get(), rssAfter) >> 20, samples.slowestExplorerMillis.get(), samples.explorerSamples.get());
      assertThat(samples.poolViolations).as("pool samples above maxBytes").isEmpty();
      assertThat(samples.explorerFailures).as("explorer answers within 2 s").isEmpty();
      assertThat(samples.explorerSamples.get()).as("explorer samples taken").isGreaterThan(3L * FLOOD_SECONDS);
      assertThat(heapAfterGc).as("live heap after GC").isLessThan(HEAP_BOUND);
      assertThat(Math.max(samples.maxRss.get(), rssAfter) - rssBefore).as("RSS growth").isLessThan(RSS_GROWTH_BOUND);
      assertThat(uncaught).as("uncaught exceptions, failed blocks").isEmpty();
      assertThat(totalAdmitted).as("the flood got transactions in").isGreaterThan(1_000L);
      assertThat(samples.maxPoolBytes.get()).as("the flood filled a pool at least a quarter: the bound was exercised").isGreaterThan(MAX_POOL_BYTES / 4);

      // ---- drain: mine on each node in turn until every pool is empty ------------------------
      // Each node pays its own address here, so the blocks say which node had which transaction.
      List<Address> drainMiners = TestChain.keys(SEED + 2_000, 3).stream().map(PrivateKey::address).toList();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> mineRound(nodes, drainMiners));
      // Whatever is left waits behind a nonce gap its sender never filled: its time runs out
      // (every node's clock moves past the expiry, and a block makes them expire it).
      int stranded = nodes.stream().mapToInt(n -> n.mempool().stats().count()).sum();
      if (stranded > 0) {
        long later = System.currentTimeMillis() / 1000 + EXPIRY_SECONDS + 60;
        nodes.forEach(n -> n.time().setMockTime(later));
        Hash hash = Miner.generate(nodes.get(0).chain(), nodes.get(0).assembler(), minerAddress, 1).get(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(o -> o.chain().tip().hash().equals(hash)));
      }
      for (Node n : nodes) {
        assertThat(n.mempool().stats().count()).as("pool of %s after draining", n.rpcPort()).isZero();
      }

      // ---- accounting ------------------------------------------------------------------------
      Map<String, Long> outcomes = new TreeMap<>();
      long minedOnlyByTheirOwnNode = 0;
      for (int i = 0; i < 3; i++) {
        Node n = nodes.get(i);
        for (Hash id : admitted.get(i).keySet()) {
          var location = n.chain().store().txLocation(id);
          if (location.isPresent()) {
            outcomes.merge("mined", 1L, Long::sum);
            var coinbase = (dev.cairn.ledger.Coinbase) n.chain().store().body(location.get().blockHash()).orElseThrow().transactions().get(0);
            if (i > 0 && coinbase.recipient().equals(drainMiners.get(i))) {
              minedOnlyByTheirOwnNode++; // never reached the mining node's pool, or was pushed out of it
            }
            continue;
          }
          MempoolListener.Removal why = removals.get(i).last.get(id);
          assertThat(why).as("admitted %s on node %d: not in the best chain, so it must have left with a reason", id, i).isNotNull();
          assertThat(why).as("a transaction recorded as mined is in the best chain").isNotEqualTo(MempoolListener.Removal.MINED);
          outcomes.merge(why.code(), 1L, Long::sum);
        }
      }
      System.out.printf(
          "FloodTest: %d stranded behind gaps expired; every admitted transaction: %s; %d admitted by nodes 1-2 were mined only when that node mined itself%n",
          stranded, outcomes, minedOnlyByTheirOwnNode);

      // ---- one chain ------------------------------------------------------------------------
      Hash tip = nodes.get(0).chain().tip().hash();
      Map<Address, Account> accounts = accounts(nodes.get(0));
      for (Node n : nodes) {
        assertThat(n.chain().tip().hash()).isEqualTo(tip);
        assertThat(accounts(n)).isEqualTo(accounts);
        var info = ClientServiceGrpc.newBlockingStub(channels.get(nodes.indexOf(n))).withDeadlineAfter(5, TimeUnit.SECONDS)
            .getChainInfo(GetChainInfoRequest.getDefaultInstance());
        assertThat(info.getTipHeight()).isEqualTo(nodes.get(0).chain().tip().height());
      }
      assertThat(uncaught).isEmpty();
    } finally {
      clients.shutdownNow();
      timers.shutdownNow();
      for (ManagedChannel c : channels) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      nodes.forEach(Node::close);
      Thread.setDefaultUncaughtExceptionHandler(previousHandler);
      apiLog.setLevel(apiLevel);
    }
  }

  private static NodeConfig config(ChainSpec spec, Path dataDir, List<HostPort> bootstrap) {
    return new NodeConfig(
        spec, dataDir, "127.0.0.1", 0, "127.0.0.1", 0, "127.0.0.1", 0, false, Optional.empty(), 1,
        StoreConfig.SMALL, POLICY, P2pConfig.forTests(bootstrap));
  }

  /**
   * One transfer from {@code s} to its node; on success its nonce moves on, on refusal it keeps
   * the nonce (pool full: try again, paying maybe more) or re-reads it from the node.
   */
  private static void submitOne(
      Sender s, ChainSpec spec, List<PrivateKey> keys, ManagedChannel channel, Map<Hash, Transfer> admitted,
      Map<String, AtomicLong> refused, Samples samples) {
    Address to = keys.get(s.random.nextInt(keys.size())).address();
    long fee = POLICY.minFee(Transfer.SIZE).units() * (1 + s.random.nextInt(4));
    Transfer t = Transfer.sign(s.key, to, Amount.units(1 + s.random.nextInt(10_000)), Amount.units(fee), s.nextNonce, spec.genesisHash());
    var stub = ClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    samples.submissions.incrementAndGet();
    try {
      stub.submitTransaction(
          SubmitTransactionRequest.newBuilder()
              .setTransaction(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(t.encoded())))
              .build());
      admitted.put(t.id(), t);
      s.nextNonce++;
    } catch (StatusRuntimeException e) {
      String code = reasonCode(e);
      refused.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
      if (!code.equals("mempool-full")) {
        s.nextNonce =
            stub.getAccount(GetAccountRequest.newBuilder().setAddress(s.key.address().toText(spec.params().addressPrefix())).build())
                .getPendingNonce();
      }
    }
  }

  private static String reasonCode(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status != null) {
      for (com.google.protobuf.Any detail : status.getDetailsList()) {
        if (detail.is(ErrorInfo.class)) {
          try {
            return detail.unpack(ErrorInfo.class).getReason();
          } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            break;
          }
        }
      }
    }
    return e.getStatus().getCode().name();
  }

  /**
   * Mines a block on each node that has transactions to mine, waiting for all tips to agree after
   * each; true once no node has any (what is left then waits behind a nonce gap).
   */
  private static boolean mineRound(List<Node> nodes, List<Address> miners) throws RejectedException {
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (!n.mempool().selectForBlock(Long.MAX_VALUE).isEmpty()) {
        Hash hash = Miner.generate(n.chain(), n.assembler(), miners.get(i), 1).get(0);
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> nodes.stream().allMatch(o -> o.chain().tip().hash().equals(hash)));
      }
    }
    return nodes.stream().allMatch(n -> n.mempool().selectForBlock(Long.MAX_VALUE).isEmpty());
  }

  private static Map<Address, Account> accounts(Node n) {
    Map<Address, Account> out = new TreeMap<>();
    n.chain().store().forEachAccount(out::put);
    return out;
  }

  /** Live heap: used after a full collection. */
  private static long heapAfterGc() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /** VmRSS from /proc/self/status, in bytes (0 where there is no /proc). */
  static long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** What the sampler saw. */
  private static final class Samples {
    final AtomicLong submissions = new AtomicLong();
    final AtomicLong blocks = new AtomicLong();
    final AtomicLong maxPoolBytes = new AtomicLong();
    final AtomicLong maxHeap = new AtomicLong();
    final AtomicLong maxRss = new AtomicLong();
    final AtomicLong slowestExplorerMillis = new AtomicLong();
    final AtomicLong explorerSamples = new AtomicLong();
    final Set<String> poolViolations = ConcurrentHashMap.newKeySet();
    final Set<String> explorerFailures = ConcurrentHashMap.newKeySet();

    void take(List<Node> nodes, HttpClient http, ConcurrentLinkedQueue<String> errors) {
      try {
        for (Node n : nodes) {
          long bytes = n.mempool().stats().bytes();
          maxPoolBytes.accumulateAndGet(bytes, Math::max);
          if (bytes > MAX_POOL_BYTES) {
            poolViolations.add(n.rpcPort() + ": " + bytes);
          }
        }
        Runtime rt = Runtime.getRuntime();
        maxHeap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
        maxRss.accumulateAndGet(rssBytes(), Math::max);
        for (Node n : nodes) {
          long started = System.nanoTime();
          HttpRequest request =
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + "/api/blocks/tip/height"))
                  .timeout(Duration.ofSeconds(2))
                  .GET()
                  .build();
          try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long millis = (System.nanoTime() - started) / 1_000_000;
            slowestExplorerMillis.accumulateAndGet(millis, Math::max);
            explorerSamples.incrementAndGet();
            if (response.statusCode() != 200 || !response.body().matches("[0-9]+") || millis > 2_000) {
              explorerFailures.add(n.httpPort() + ": " + response.statusCode() + " " + response.body() + " in " + millis + " ms");
            }
          } catch (IOException e) {
            explorerFailures.add(n.httpPort() + ": " + e);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        errors.add("sampler: " + e);
      }
    }
  }
}
