package dev.cairn.bench;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.NonceSearch;
import dev.cairn.consensus.StateTransition;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.MerkleTree;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.StateCommitment;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.RocksDbKeyValueStore;
import dev.cairn.ledger.store.StoreConfig;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;

/**
 * The one way the benchmarks build a valid chain of full blocks: {@code blocks} consecutive blocks
 * on a regtest-parameter network whose genesis funds {@code senders} seeded keys ({@link
 * Fixtures#fundedRegtest}); block {@code h} holds a coinbase to one miner address and one transfer
 * from every key (nonce {@code h - 1}, {@link Fixtures#noncesFrom}) to a fresh address. So each
 * sender's and the miner's address history is {@code blocks} long (explorer paging), and every
 * recipient's is one. Each header has the right Merkle root, state commitment (from {@link
 * StateTransition}) and regtest proof of work ({@link NonceSearch}); timestamps are genesis + 60 s
 * per block, far behind any clock, so the clock-drift rule never bites.
 *
 * <p>Signing is the slow part (about 10 s per 100,000 transfers on 2 cores), so {@link #cached}
 * keeps the encoded blocks in {@code java.io.tmpdir} and later JVMs decode them instead: the
 * blocks are deterministic (seeded keys, deterministic Ed25519, fixed timestamps), so the cache
 * changes how long set-up takes, never the data. Immutable once built; safe to share across
 * threads.
 */
final class TransferChain {
  /** Bump when the way blocks are built changes, so old cache files are not used. */
  private static final int FORMAT = 1;

  final ChainSpec spec;
  /** Blocks 1..n of the best chain, in order. */
  final List<Block> blocks;
  /** The accounts each block writes: what {@code ChainStore.connect} stores for it. */
  final List<SortedMap<Address, Account>> changes;
  /** Receives every coinbase. */
  final Address miner;
  final int senders;

  private TransferChain(ChainSpec spec, List<Block> blocks, List<SortedMap<Address, Account>> changes, Address miner, int senders) {
    this.spec = spec;
    this.blocks = List.copyOf(blocks);
    this.changes = List.copyOf(changes);
    this.miner = miner;
    this.senders = senders;
  }

  /** The miner address: derived like the recipients, at an index no recipient uses. */
  static Address minerAddress() {
    return Fixtures.recipient(-1);
  }

  /** Builds the chain in memory (signs everything). */
  static TransferChain build(int blocks, int senders) {
    PrivateKey[] keys = Fixtures.keys(senders);
    ChainSpec spec = Fixtures.fundedRegtest(keys);
    Transfer[] all = Fixtures.noncesFrom(keys, 0, blocks, spec.genesisHash());
    List<List<Transaction>> bodies = new ArrayList<>(blocks);
    for (int b = 0; b < blocks; b++) {
      List<Transaction> txs = new ArrayList<>(senders + 1);
      for (int i = 0; i < senders; i++) {
        Transfer t = all[b * senders + i];
        if (t.nonce() != b) {
          throw new IllegalStateException("transfer " + i + " of block " + (b + 1) + " has nonce " + t.nonce());
        }
        txs.add(t);
      }
      bodies.add(txs);
    }
    return assemble(spec, bodies, senders);
  }

  /**
   * The chain from {@code java.io.tmpdir}'s cache file if one matches, else built and written
   * there (atomically, so a concurrent or killed run never leaves half a file behind).
   */
  static TransferChain cached(int blocks, int senders) {
    PrivateKey[] keys = Fixtures.keys(senders);
    ChainSpec spec = Fixtures.fundedRegtest(keys);
    Path file =
        Path.of(System.getProperty("java.io.tmpdir"))
            .resolve("cairn-bench-chain-v" + FORMAT + "-" + spec.chainId() + "-" + blocks + "x" + senders + ".bin");
    if (Files.isRegularFile(file)) {
      try {
        TransferChain chain = read(file, spec, senders);
        // A file from another build of this class would still be a valid chain, just not this
        // one: compare its first block's transfers with freshly signed ones.
        List<Transfer> first = chain.transfers().subList(0, senders);
        if (chain.blocks.size() == blocks && first.equals(List.of(Fixtures.noncesFrom(keys, 0, 1, spec.genesisHash())))) {
          return chain;
        }
        System.err.println("# ignoring stale chain cache " + file);
      } catch (IOException | RuntimeException e) {
        System.err.println("# ignoring unreadable chain cache " + file + ": " + e);
      }
    }
    TransferChain chain = build(blocks, senders);
    chain.write(file);
    return chain;
  }

  /** Computes each block's state changes and header (Merkle root, commitment, proof of work). */
  private static TransferChain assemble(ChainSpec spec, List<List<Transaction>> transfers, int senders) {
    ChainParams params = spec.params();
    Address miner = minerAddress();
    Map<Address, Account> state = new HashMap<>(spec.genesisAccounts());
    Map<Long, Coinbase> coinbases = new HashMap<>();
    StateTransition transition = new StateTransition(params);
    BlockHeader parent = spec.genesisBlock().header();
    List<Block> blocks = new ArrayList<>(transfers.size());
    List<SortedMap<Address, Account>> changes = new ArrayList<>(transfers.size());
    for (List<Transaction> body : transfers) {
      long height = parent.height() + 1;
      Amount fees = Amount.ZERO;
      for (Transaction t : body) {
        fees = fees.plus(((Transfer) t).fee());
      }
      List<Transaction> txs = new ArrayList<>(body.size() + 1);
      Coinbase coinbase = Coinbase.create(height, miner, params.subsidyAt(height).plus(fees));
      coinbases.put(height, coinbase);
      txs.add(coinbase);
      txs.addAll(body);
      List<Hash> ids = new ArrayList<>(txs.size());
      for (Transaction tx : txs) {
        ids.add(tx.id());
      }
      // The state transition reads only the height and the transactions: apply it to a block
      // whose header is provisional to get the accounts the real header commits to.
      Hash zero = Hash.of(new byte[32]);
      BlockHeader provisional =
          BlockHeader.of(BlockHeader.CURRENT_VERSION, height, parent.hash(), zero, zero, 0, params.genesisTarget(), 0);
      SortedMap<Address, Account> changed;
      try {
        changed = transition.apply(Block.of(provisional, txs), a -> state.getOrDefault(a, Account.EMPTY), coinbases::get);
      } catch (Exception e) {
        throw new IllegalStateException("benchmark block " + height + " is invalid", e);
      }
      BlockHeader header =
          BlockHeader.of(
              BlockHeader.CURRENT_VERSION, height, parent.hash(), MerkleTree.root(ids), StateCommitment.of(changed),
              parent.timestamp() + params.targetSpacingSeconds(), params.genesisTarget(), 0);
      header = header.withNonce(proofOfWork(header));
      Block block = Block.of(header, txs);
      if (block.size() > params.maxBlockSize()) {
        throw new IllegalStateException("block of " + block.size() + " bytes exceeds " + params.maxBlockSize());
      }
      blocks.add(block);
      changes.add(changed);
      state.putAll(changed);
      parent = header;
    }
    return new TransferChain(spec, blocks, changes, miner, senders);
  }

  private static long proofOfWork(BlockHeader header) {
    BigInteger target;
    try {
      target = header.target().toTarget();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    NonceSearch search = new NonceSearch(header, target);
    OptionalLong nonce = OptionalLong.empty();
    for (long from = 0; nonce.isEmpty(); from += 1 << 16) {
      nonce = search.search(from, 1 << 16);
    }
    return nonce.getAsLong();
  }

  // ---- the cache file: u32 block count, then per block u32 length ‖ canonical encoding ---------

  private void write(Path file) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      try (OutputStream raw = Files.newOutputStream(tmp);
          DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw, 1 << 20))) {
        out.writeInt(blocks.size());
        for (Block b : blocks) {
          byte[] bytes = b.encode();
          out.writeInt(bytes.length);
          out.write(bytes);
        }
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // Only an optimisation: the next run builds the chain again.
      System.err.println("# could not cache the benchmark chain in " + file + ": " + e);
    }
  }

  private static TransferChain read(Path file, ChainSpec spec, int senders) throws IOException {
    List<List<Transaction>> transfers = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 20))) {
      int count = in.readInt();
      for (int b = 0; b < count; b++) {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        List<Transaction> txs = Block.decode(bytes).transactions();
        transfers.add(txs.subList(1, txs.size()));
      }
    } catch (dev.cairn.ledger.DecodeException e) {
      throw new IOException(e);
    }
    // Headers and state changes are recomputed from the transfers rather than trusted.
    return assemble(spec, transfers, senders);
  }

  // ---- derived views ---------------------------------------------------------------------------

  Block tip() {
    return blocks.get(blocks.size() - 1);
  }

  int transferCount() {
    return blocks.size() * senders;
  }

  /** Every transfer, block by block. */
  List<Transfer> transfers() {
    List<Transfer> out = new ArrayList<>(transferCount());
    for (Block b : blocks) {
      for (Transaction tx : b.transactions()) {
        if (tx instanceof Transfer t) {
          out.add(t);
        }
      }
    }
    return out;
  }

  /**
   * Writes a node data directory holding this chain by running a {@link Node} on it and handing
   * it every block ({@code Blockchain.processBlock}: full validation, as a node that mined or
   * received them would store them). The node is closed before returning.
   */
  void writeDataDir(Path dataDir) throws Exception {
    try (Node node = new Node(NodeConfig.forTests(spec, dataDir)).start()) {
      for (Block b : blocks) {
        Blockchain.BlockResult r = node.chain().processBlock(b);
        if (r.outcome() != Blockchain.Outcome.CONNECTED) {
          throw new IllegalStateException("block " + b.header().height() + ": " + r.outcome());
        }
      }
    }
    // A store that has just taken 100 blocks in a minute compacts for a while after it is reopened:
    // settle it now, so a benchmark over it does not share the cores with that (a long-running
    // node's store has long settled).
    try (RocksDbKeyValueStore kv = RocksDbKeyValueStore.open(dataDir.resolve("chain"), StoreConfig.DEFAULT)) {
      kv.compactFully();
    }
  }
}
