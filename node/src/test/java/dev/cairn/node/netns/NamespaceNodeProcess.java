package dev.cairn.node.netns;

import dev.cairn.consensus.Miner;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.StateCommitment;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.p2p.HostPort;
import dev.cairn.p2p.P2pConfig;
import dev.cairn.p2p.PeerStatus;
import dev.cairn.testkit.TestChain;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A real node in a child JVM, run inside a network namespace by {@link NamespacePartitionTest}:
 * {@code <data dir> <seed> <index> <p2p host> <p2p port> [<bootstrap host:port>]} starts a node on
 * the chain {@link TestChain#specFor} the seed's two keys, its peer port on (and advertising) the
 * given address, client API and explorer on 127.0.0.1 inside the namespace, fast test timers, and
 * prints {@code ready <host:port>}. Then it answers one line per command read from stdin:
 *
 * <ul>
 *   <li>{@code mine N}: mines N blocks on its tip (regtest), paying its own miner key: {@code
 *       mined <height> <hash>}
 *   <li>{@code tip}: {@code tip <height> <hash> <chain work, hex>}
 *   <li>{@code state}: {@code state <digest>}, a commitment over every account at the tip
 *   <li>{@code peers}: {@code peers <listen addresses of connected peers, sorted, comma-separated>}
 *   <li>{@code pay <key index> <payee seed> <coins>}: signs a transfer from one of the funded keys
 *       (next nonce of chain and mempool) to the first key of {@code payee seed}, hands it to the
 *       mempool: {@code txid <hash>}
 *   <li>{@code balance <payee seed>}: {@code balance <units>}
 *   <li>{@code confirmed <txid>}: {@code confirmed true|false}
 *   <li>{@code reach <host> <port>}: a TCP connect with a 1 s timeout: {@code reach ok|fail}
 *   <li>{@code quit}: stops the node, prints {@code bye} and exits; so does the end of stdin (the
 *       parent died)
 * </ul>
 *
 * A command that fails answers {@code error <message>}. The node's log goes to stderr, so stdout
 * carries nothing but answers.
 */
public final class NamespaceNodeProcess {
  private NamespaceNodeProcess() {}

  public static void main(String[] args) throws Exception {
    PrintStream answers = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err); // logback's console appender writes to System.out: the log goes to stderr
    Path dataDir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int index = Integer.parseInt(args[2]);
    String host = args[3];
    int port = Integer.parseInt(args[4]);
    List<HostPort> bootstrap = args.length > 5 ? List.of(HostPort.parse(args[5])) : List.of();
    List<PrivateKey> keys = TestChain.keys(seed, 2);
    ChainSpec spec = TestChain.specFor(keys);
    Address miner = TestChain.keys(0xC0FFEE + index, 1).get(0).address();

    NodeConfig base = NodeConfig.forTests(spec, dataDir);
    NodeConfig config =
        new NodeConfig(
            spec, dataDir, host, port, "127.0.0.1", 0, "127.0.0.1", 0, false, Optional.empty(), 1, base.storeConfig(),
            base.mempoolPolicy(), P2pConfig.forTests(bootstrap).withListen(host, port, host));
    Node node = new Node(config).start();
    answers.println("ready " + new HostPort(host, node.p2pPort()));

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] w = line.trim().split("\\s+");
        if (w[0].equals("quit")) {
          break;
        }
        String answer;
        try {
          answer = answer(node, spec, keys, miner, w);
        } catch (Exception | AssertionError e) {
          answer = "error " + e;
        }
        answers.println(answer.replace('\n', ' '));
      }
    } finally {
      node.close();
    }
    answers.println("bye");
    System.exit(0);
  }

  private static String answer(Node node, ChainSpec spec, List<PrivateKey> keys, Address miner, String[] w) throws Exception {
    switch (w[0]) {
      case "mine" -> {
        List<Hash> mined = Miner.generate(node.chain(), node.assembler(), miner, Integer.parseInt(w[1]));
        return "mined " + node.chain().tip().height() + " " + mined.get(mined.size() - 1);
      }
      case "tip" -> {
        BlockIndexEntry tip = node.chain().tip();
        return "tip " + tip.height() + " " + tip.hash() + " " + tip.chainWork().toString(16);
      }
      case "state" -> {
        SortedMap<Address, Account> all = new TreeMap<>();
        node.chain().store().forEachAccount(all::put);
        return "state " + StateCommitment.of(all);
      }
      case "peers" -> {
        return "peers " + node.network().peers().stream()
            .map(PeerStatus::listenAddress)
            .filter(s -> !s.isEmpty())
            .sorted()
            .collect(Collectors.joining(","));
      }
      case "pay" -> {
        PrivateKey from = keys.get(Integer.parseInt(w[1]));
        Address to = payee(Long.parseLong(w[2]));
        long nonce = node.chain().store().account(from.address()).nonce() + node.mempool().pendingFrom(from.address()).size();
        Transfer tx = Transfer.sign(from, to, Amount.coins(Long.parseLong(w[3])), Amount.units(10_000), nonce, spec.genesisHash());
        node.mempool().add(tx);
        return "txid " + tx.id();
      }
      case "balance" -> {
        return "balance " + node.chain().store().account(payee(Long.parseLong(w[1]))).balance().units();
      }
      case "confirmed" -> {
        return "confirmed " + node.chain().store().txLocation(Hash.parse(w[1])).isPresent();
      }
      case "reach" -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(w[1], Integer.parseInt(w[2])), 1_000);
          return "reach ok";
        } catch (IOException e) {
          return "reach fail";
        }
      }
      default -> {
        return "error unknown command " + w[0];
      }
    }
  }

  /** The address paid by {@code pay} and read by {@code balance} for a payee seed. */
  static Address payee(long seed) {
    return TestChain.keys(seed, 1).get(0).address();
  }
}
