package dev.cairn.node.cluster;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Miner;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.HostPort;
import dev.cairn.p2p.P2pConfig;
import dev.cairn.p2p.PeerStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One real node of a {@link Cluster}: RocksDB in its own directory, real gRPC on 127.0.0.1, no
 * free-running miner. Acts in the domain's words ({@link #submit}, {@link #mine}, {@link
 * #connect}) and can be stopped and restarted on the same data directory and peer port. Not
 * thread-safe: driven by the test thread.
 */
public final class ClusterNode implements AutoCloseable {
  private final String name;
  private final Path dataDir;
  private final ChainSpec spec;
  private final Address minerAddress;
  private List<HostPort> bootstrap;
  private int p2pPort;
  private Node node;

  ClusterNode(String name, ChainSpec spec, Path dataDir, List<HostPort> bootstrap, int p2pPort, Address minerAddress) {
    this.name = name;
    this.spec = spec;
    this.dataDir = dataDir;
    this.bootstrap = List.copyOf(bootstrap);
    this.p2pPort = p2pPort;
    this.minerAddress = minerAddress;
  }

  /** Starts the node; after the first start it keeps its peer port, so peers can re-dial it. */
  ClusterNode start() {
    if (node != null) {
      throw new IllegalStateException(name + " is already running");
    }
    NodeConfig base = NodeConfig.forTests(spec, dataDir).withP2p(P2pConfig.forTests(bootstrap));
    NodeConfig config =
        new NodeConfig(
            base.spec(), base.dataDir(), base.p2pHost(), p2pPort, base.rpcHost(), base.rpcPort(), base.httpHost(),
            base.httpPort(), false, java.util.Optional.empty(), 1, base.storeConfig(), base.mempoolPolicy(), base.p2p());
    try {
      node = new Node(config).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    p2pPort = node.p2pPort();
    return this;
  }

  /** Stops the node (like a clean shutdown); {@link #restart} brings it back on the same data. */
  public void stop() {
    if (node != null) {
      node.close();
      node = null;
    }
  }

  /** Starts the stopped node again on the same data directory and peer port. */
  public ClusterNode restart() {
    return start();
  }

  /** Starts the stopped node again, now knowing only {@code newBootstrap}. */
  public ClusterNode restart(List<HostPort> newBootstrap) {
    bootstrap = List.copyOf(newBootstrap);
    return start();
  }

  /** Starts the stopped node again on a new peer port, so only dialling out can reconnect it. */
  public ClusterNode restartOnNewPort(List<HostPort> newBootstrap) {
    p2pPort = 0;
    return restart(newBootstrap);
  }

  /** Deletes the stopped node's data directory: it comes back as a new node at the same address. */
  public void wipeData() {
    if (node != null) {
      throw new IllegalStateException(name + " is running");
    }
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dataDir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean isRunning() {
    return node != null;
  }

  public String name() {
    return name;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Node node() {
    if (node == null) {
      throw new IllegalStateException(name + " is stopped");
    }
    return node;
  }

  public Blockchain chain() {
    return node().chain();
  }

  /** Where peers dial this node. */
  public HostPort p2pAddress() {
    return new HostPort("127.0.0.1", p2pPort);
  }

  public int p2pPort() {
    return p2pPort;
  }

  public Address minerAddress() {
    return minerAddress;
  }

  // ---- acting ----------------------------------------------------------------------------------

  /** Hands {@code tx} to this node's mempool, as a wallet would; returns its id. */
  public Hash submit(Transfer tx) {
    try {
      node().mempool().add(tx);
    } catch (RejectedException e) {
      throw new AssertionError(name + " refused " + tx.id() + ": " + e.getMessage(), e);
    }
    return tx.id();
  }

  /** A transfer from {@code from} with the next nonce this node expects from it (chain + pending). */
  public Transfer transfer(PrivateKey from, Address to, Amount amount) {
    long nonce = account(from.address()).nonce() + node().mempool().pendingFrom(from.address()).size();
    return Transfer.sign(from, to, amount, Amount.units(10_000), nonce, spec.genesisHash());
  }

  /** Mines {@code count} blocks on this node's tip, on the calling thread, paying its miner address. */
  public List<Hash> mine(int count) {
    return mine(count, minerAddress);
  }

  public List<Hash> mine(int count, Address to) {
    try {
      return Miner.generate(node().chain(), node().assembler(), to, count);
    } catch (RejectedException e) {
      throw new AssertionError(name + " refused a block it mined: " + e.getMessage(), e);
    }
  }

  /** Dials {@code other} and keeps the connection (an operator's "add node"). */
  public void connect(ClusterNode other) {
    node().network().addPeer(other.p2pAddress());
  }

  /** Hands blocks to this node directly, as {@code submitblock} would. */
  public void submitBlocks(List<Block> blocks) {
    for (Block b : blocks) {
      try {
        node().chain().processBlock(b);
      } catch (RejectedException e) {
        throw new AssertionError(name + " refused block " + b.hash() + ": " + e.getMessage(), e);
      }
    }
  }

  // ---- observing -------------------------------------------------------------------------------

  public BlockIndexEntry tip() {
    return node().chain().tip();
  }

  public long height() {
    return tip().height();
  }

  public Account account(Address address) {
    return node().chain().store().account(address);
  }

  /** Every account at this node's tip: its whole state. */
  public Map<Address, Account> state() {
    Map<Address, Account> out = new TreeMap<>();
    node().chain().store().forEachAccount(out::put);
    return out;
  }

  /** The best chain's blocks from {@code fromHeight} to the tip. */
  public List<Block> blocks(long fromHeight) {
    List<Block> out = new ArrayList<>();
    for (long h = fromHeight; h <= height(); h++) {
      Hash hash = node().chain().store().mainChainHash(h).orElseThrow();
      out.add(node().chain().store().body(hash).orElseThrow());
    }
    return out;
  }

  public boolean mempoolContains(Hash txid) {
    return node().mempool().contains(txid);
  }

  public List<PeerStatus> peers() {
    return node().network().peers();
  }

  /** The listen addresses of the connected peers (what they told in their handshake). */
  public Set<HostPort> peerAddresses() {
    return peers().stream()
        .map(PeerStatus::listenAddress)
        .filter(s -> !s.isEmpty())
        .map(HostPort::parse)
        .collect(Collectors.toSet());
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return name + (node != null ? " (height " + height() + ", " + peers().size() + " peers)" : " (stopped)");
  }
}
