package dev.cairn.p2p;

import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.Miner;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Several nodes' peer cores in one thread: each node has its own in-memory chain store, chain,
 * mempool, {@link PeerManager} and {@link PeerDriver}, and they talk over an {@link
 * InMemoryNetwork} on one {@link VirtualScheduler}, validation inline. The same seed and the same
 * script give the same run; every node's events and actions, in order, feed one SHA-256 (the
 * trace hash). Not thread-safe.
 */
final class InMemoryCluster implements AutoCloseable {
  static final int PORT = 9700;

  final VirtualScheduler scheduler;
  final InMemoryNetwork network;
  final ChainSpec spec;
  final long startMillis;
  final List<Node> nodes = new ArrayList<>();
  private final MessageDigest trace = Hashes.newSha256();
  private long traced;

  /** One node of the cluster. */
  final class Node implements PeerTrace {
    final int index;
    final HostPort address;
    final ChainStore store;
    final Blockchain chain;
    final Mempool mempool;
    final BlockAssembler assembler;
    final InMemoryTransport transport;
    final PeerDriver driver;

    Node(int index, List<HostPort> bootstrap, long seed) {
      this.index = index;
      this.address = new HostPort("10.0.0." + (index + 1), PORT);
      TimeSource time = () -> scheduler.now() / 1000;
      SignatureCache cache = new SignatureCache(10_000);
      store = ChainStore.open(new InMemoryKeyValueStore(), spec);
      chain = new Blockchain(store, time, new SignatureVerifier(cache, null, 1));
      mempool = new Mempool(store, MempoolPolicy.DEFAULT, cache, time);
      chain.addListener(mempool);
      assembler = new BlockAssembler(chain, mempool, time);
      P2pConfig config =
          new P2pConfig(address.host(), PORT, address.host(), bootstrap, 8, 125, Duration.ofSeconds(10), Duration.ofSeconds(3),
              Duration.ofMillis(200));
      SeededRandom random = SeededRandom.fromLong(seed * 1_000 + index);
      PeerManager core = new PeerManager(config, chain, mempool, new AddressBook(store, random), "cairn-sim/" + index, scheduler.clock(), random);
      transport = network.transport(address);
      driver = new PeerDriver(core, transport, scheduler, Runnable::run, chain, mempool, this);
      chain.addListener(driver);
      mempool.addListener(driver);
    }

    void start() {
      try {
        driver.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Mines one block on this node's tip (regtest's trivial proof of work). */
    Hash mine(Address to) {
      try {
        return Miner.generate(chain, assembler, to, 1).get(0);
      } catch (RejectedException e) {
        throw new IllegalStateException(e);
      }
    }

    void submit(Transaction tx) {
      try {
        mempool.add(tx);
      } catch (RejectedException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void event(PeerEvent event) {
      record("node " + index + " @" + scheduler.now() + " event " + event.describe());
    }

    @Override
    public void action(PeerAction action) {
      record("node " + index + " @" + scheduler.now() + " action " + action.describe());
    }
  }

  /** {@code count} nodes on {@code spec}; node i bootstraps from the nodes {@code bootstrap.get(i)} names. */
  InMemoryCluster(ChainSpec spec, long startMillis, long seed, List<List<Integer>> bootstrap, InMemoryNetwork.LinkDelay delay) {
    this.spec = spec;
    this.startMillis = startMillis;
    this.scheduler = new VirtualScheduler(startMillis);
    this.network = new InMemoryNetwork(scheduler, delay);
    for (int i = 0; i < bootstrap.size(); i++) {
      List<HostPort> peers = bootstrap.get(i).stream().map(j -> new HostPort("10.0.0." + (j + 1), PORT)).toList();
      nodes.add(new Node(i, peers, seed));
    }
  }

  Node node(int i) {
    return nodes.get(i);
  }

  /** Runs {@code task} {@code sinceStartMillis} after the cluster's start time. */
  void at(long sinceStartMillis, Runnable task) {
    scheduler.schedule(startMillis + sinceStartMillis - scheduler.now(), task);
  }

  void runFor(Duration d) {
    scheduler.runFor(d.toMillis());
  }

  private void record(String line) {
    trace.update(line.getBytes(StandardCharsets.UTF_8));
    trace.update((byte) '\n');
    traced++;
  }

  /** The hash of every event and action so far, of every node, in order. */
  String traceHash() {
    try {
      return HexFormat.of().formatHex(((MessageDigest) trace.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  long tracedLines() {
    return traced;
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      n.driver.stop();
    }
    scheduler.runDue();
    for (Node n : nodes) {
      n.transport.close();
      n.store.close();
    }
  }
}
