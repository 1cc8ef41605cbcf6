package dev.cairn.p2p;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.proto.v1.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * One node's peer core with no sockets and no threads: the real {@link PeerManager} and {@link
 * PeerDriver} over a real chain and mempool in memory, a {@link ScriptedTransport} whose peers are
 * the test, validation run inline, and time that moves only when the test says ({@link
 * VirtualScheduler}). After each step everything that step caused has run. Not thread-safe.
 */
final class PeerHarness implements AutoCloseable {
  static final int PORT = 9700;

  final VirtualScheduler scheduler;
  final ScriptedTransport transport = new ScriptedTransport(PORT);
  final ChainStore store;
  final Blockchain chain;
  final Mempool mempool;
  /** The core, for tests that read its state; only ever handed events through the driver. */
  final PeerManager core;
  final PeerDriver driver;

  /** Loopback, no outbound target (nothing is dialled unless pinned), the tests' timers. */
  static P2pConfig quietConfig() {
    return new P2pConfig("127.0.0.1", PORT, "127.0.0.1", List.of(), 0, 125, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofMillis(50));
  }

  PeerHarness(ChainSpec spec, long startMillis, P2pConfig config, long seed) {
    this(spec, startMillis, config, seed, PeerTrace.NONE);
  }

  PeerHarness(ChainSpec spec, long startMillis, P2pConfig config, long seed, PeerTrace trace) {
    scheduler = new VirtualScheduler(startMillis);
    dev.cairn.consensus.TimeSource time = () -> scheduler.now() / 1000;
    SignatureCache cache = new SignatureCache(10_000);
    store = ChainStore.open(new InMemoryKeyValueStore(), spec);
    chain = new Blockchain(store, time, new SignatureVerifier(cache, null, 1));
    mempool = new Mempool(store, MempoolPolicy.DEFAULT, cache, time);
    chain.addListener(mempool);
    SeededRandom random = SeededRandom.fromLong(seed);
    core = new PeerManager(config, chain, mempool, new AddressBook(store, random), "cairn-test/1", scheduler.clock(), random);
    driver = new PeerDriver(core, transport, scheduler, Runnable::run, chain, mempool, trace);
    chain.addListener(driver);
    mempool.addListener(driver);
    transport.attach(driver);
  }

  /** Opens the peer port and starts the timers (tests of handling alone leave it closed). */
  PeerHarness start() {
    try {
      driver.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    scheduler.runDue();
    return this;
  }

  /** A peer connects from {@code remote}; the node answers (handshake, or a refusal). */
  ScriptedTransport.Connection open(HostPort remote) {
    ScriptedTransport.Connection c = transport.connectInbound(remote);
    scheduler.runDue();
    return c;
  }

  /**
   * Hands {@code e} to the node on {@code c} and runs everything it causes. Fails if the node had
   * not asked for a message on {@code c}.
   */
  void deliver(ScriptedTransport.Connection c, Envelope e) {
    if (!transport.deliver(c, e)) {
      throw new AssertionError("the node did not ask for a message on connection " + c.id + (c.isClosed() ? " (closed)" : ""));
    }
    scheduler.runDue();
  }

  /** Whether the node finished with what it was handed on {@code c}: it asked for more or closed. */
  static boolean handled(ScriptedTransport.Connection c) {
    return c.reads > 0 || c.closedByNode;
  }

  void advance(Duration d) {
    scheduler.runFor(d.toMillis());
  }

  List<PeerStatus> statuses() {
    return driver.statuses();
  }

  @Override
  public void close() {
    driver.stop();
    scheduler.runDue();
    store.close();
  }
}
