package dev.cairn.ledger.store;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ByteReader;
import dev.cairn.ledger.ByteWriter;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The chain's persistent state, typed: block index, bodies, the best chain, accounts, the
 * transaction and address indexes, undo data, peers. It stores what consensus decided; it does
 * not validate. Connecting or disconnecting a block is one synced batch that also moves the tip,
 * so a crash at any instant leaves either the old or the new tip, never a mixture.
 *
 * <p>Thread-safety: reads are safe from any thread. Writes are serialized by this object's monitor;
 * consensus is their only caller. Owns the {@link KeyValueStore} and closes it.
 */
public final class ChainStore implements AutoCloseable {
  /**
   * Bumped on any incompatible change to the records; a mismatch refuses to open. 2: address
   * history keyed by (height, position), counters little-endian and bumped by merge, no address_tx
   * column, undo data without history lengths. 3: a transaction index entry carries the
   * transaction's encoding.
   */
  public static final int SCHEMA_VERSION = 3;

  private static final byte[] KEY_SCHEMA = ascii("schema-version");
  private static final byte[] KEY_GENESIS = ascii("genesis");
  private static final byte[] KEY_TIP = ascii("tip");
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] MAX_KEY = maxKey();

  private final KeyValueStore kv;
  private final ChainSpec spec;
  private volatile BlockIndexEntry tip;

  private ChainStore(KeyValueStore kv, ChainSpec spec) {
    this.kv = kv;
    this.spec = spec;
  }

  /** Opens a RocksDB chain store in {@code directory} for the network {@code spec}. */
  public static ChainStore openRocksDb(Path directory, StoreConfig config, ChainSpec spec) {
    return open(RocksDbKeyValueStore.open(directory, config), spec);
  }

  /**
   * Opens a chain store over {@code kv}, writing the genesis block if it is empty. Refuses a store
   * of another schema version or another network; closes {@code kv} if it refuses.
   */
  public static ChainStore open(KeyValueStore kv, ChainSpec spec) {
    ChainStore store = new ChainStore(kv, spec);
    try {
      store.initialize();
      return store;
    } catch (RuntimeException e) {
      kv.close();
      throw e;
    }
  }

  private void initialize() {
    Optional<byte[]> schema = kv.get(Column.METADATA, KEY_SCHEMA);
    if (schema.isEmpty()) {
      writeGenesis();
      return;
    }
    long version = Codec.readU64(schema.get(), 0);
    if (version != SCHEMA_VERSION) {
      throw new StoreException(
          "the data directory has store schema " + version + ", this build reads " + SCHEMA_VERSION);
    }
    Hash storedGenesis = Hash.of(kv.get(Column.METADATA, KEY_GENESIS).orElseThrow(() -> corrupt("no genesis hash")));
    if (!storedGenesis.equals(spec.genesisHash())) {
      throw new StoreException(
          "the data directory belongs to another network (genesis " + storedGenesis + "), not "
              + spec.name() + " (genesis " + spec.genesisHash() + ")");
    }
    Hash tipHash = Hash.of(kv.get(Column.METADATA, KEY_TIP).orElseThrow(() -> corrupt("no tip")));
    tip = indexEntry(tipHash).orElseThrow(() -> corrupt("tip " + tipHash + " is not indexed"));
  }

  private void writeGenesis() {
    Block genesis = spec.genesisBlock();
    BlockIndexEntry entry =
        new BlockIndexEntry(
            genesis.header(),
            CompactTarget.workFor(targetOf(genesis.header())),
            new BlockStatus(BlockStatus.HEADER_VALID));
    try (KeyValueStore.Batch batch = kv.batch()) {
      batch.put(Column.METADATA, KEY_SCHEMA, Codec.u64(SCHEMA_VERSION));
      batch.put(Column.METADATA, KEY_GENESIS, Codec.key(genesis.hash()));
      BlockIndexEntry connected =
          stageConnect(batch, genesis, entry, new TreeMap<>(spec.genesisAccounts()), address -> Account.EMPTY);
      batch.commit(true);
      tip = connected;
    }
  }

  public ChainSpec spec() {
    return spec;
  }

  // ---- block index and bodies ----------------------------------------------------------------

  public Optional<BlockIndexEntry> indexEntry(Hash hash) {
    return kv.get(Column.BLOCK_INDEX, Codec.key(hash)).map(bytes -> decodeEntry(hash, bytes));
  }

  /**
   * Indexes a header whose parent is indexed, with cumulative work = parent's + its own. Returns
   * the existing entry if the header is already indexed.
   */
  public synchronized BlockIndexEntry indexHeader(BlockHeader header) {
    Optional<BlockIndexEntry> existing = indexEntry(header.hash());
    if (existing.isPresent()) {
      return existing.get();
    }
    BlockIndexEntry parent =
        indexEntry(header.previousHash())
            .orElseThrow(() -> new IllegalArgumentException("parent of " + header.hash() + " is not indexed"));
    if (header.height() != parent.height() + 1) {
      throw new IllegalArgumentException("header " + header.hash() + " does not extend its parent's height");
    }
    BlockIndexEntry entry =
        new BlockIndexEntry(
            header, parent.chainWork().add(CompactTarget.workFor(targetOf(header))), BlockStatus.HEADER_ONLY);
    putIndexEntry(entry);
    return entry;
  }

  /**
   * Indexes consecutive headers (each the child of the one before; the first's parent indexed) in
   * one synced batch, skipping those already indexed. Returns their entries in order.
   */
  public synchronized List<BlockIndexEntry> indexHeaders(List<BlockHeader> headers) {
    List<BlockIndexEntry> out = new ArrayList<>(headers.size());
    if (headers.isEmpty()) {
      return out;
    }
    BlockIndexEntry parent =
        indexEntry(headers.get(0).previousHash())
            .orElseThrow(() -> new IllegalArgumentException("parent of " + headers.get(0).hash() + " is not indexed"));
    try (KeyValueStore.Batch batch = kv.batch()) {
      for (BlockHeader header : headers) {
        if (!header.previousHash().equals(parent.hash()) || header.height() != parent.height() + 1) {
          throw new IllegalArgumentException("header " + header.hash() + " does not extend " + parent.hash());
        }
        Optional<BlockIndexEntry> existing = indexEntry(header.hash());
        BlockIndexEntry entry;
        if (existing.isPresent()) {
          entry = existing.get();
        } else {
          entry =
              new BlockIndexEntry(
                  header, parent.chainWork().add(CompactTarget.workFor(targetOf(header))), BlockStatus.HEADER_ONLY);
          batch.put(Column.BLOCK_INDEX, Codec.key(entry.hash()), entry.encode());
        }
        out.add(entry);
        parent = entry;
      }
      batch.commit(true);
    }
    return out;
  }

  /** Writes (or overwrites) an index entry, e.g. to record a status change. */
  public synchronized void putIndexEntry(BlockIndexEntry entry) {
    try (KeyValueStore.Batch batch = kv.batch()) {
      batch.put(Column.BLOCK_INDEX, Codec.key(entry.hash()), entry.encode());
      batch.commit(true);
    }
    BlockIndexEntry current = tip;
    if (current != null && current.hash().equals(entry.hash())) {
      tip = entry;
    }
  }

  /** Visits every index entry (at start-up, to rebuild the in-memory block tree). */
  public void forEachIndexEntry(Consumer<BlockIndexEntry> visitor) {
    kv.scan(
        Column.BLOCK_INDEX,
        EMPTY,
        MAX_KEY,
        false,
        (key, value) -> {
          visitor.accept(decodeEntry(Hash.of(key), value));
          return true;
        });
  }

  /** Stores the body of an indexed block and marks it HAVE_BODY, in one batch. */
  public synchronized BlockIndexEntry storeBody(Block block) {
    BlockIndexEntry entry =
        indexEntry(block.hash())
            .orElseThrow(() -> new IllegalArgumentException("block " + block.hash() + " is not indexed"));
    if (entry.status().has(BlockStatus.HAVE_BODY)) {
      return entry;
    }
    BlockIndexEntry updated = entry.withStatus(entry.status().with(BlockStatus.HAVE_BODY));
    try (KeyValueStore.Batch batch = kv.batch()) {
      batch.put(Column.BODIES, Codec.key(block.hash()), block.encode());
      batch.put(Column.BLOCK_INDEX, Codec.key(block.hash()), updated.encode());
      batch.commit(true);
    }
    return updated;
  }

  /** A stored body, decoded with every check a block from a peer gets (for validation and reorganisation). */
  public Optional<Block> body(Hash hash) {
    return body(hash, true);
  }

  /**
   * A stored body for readers that show it or prove things about it and never validate it (the
   * explorer, the event feed): its senders' keys were checked when the block was decoded on
   * arrival and are not checked again ({@link Block#decodeStored}), which is most of the cost of
   * decoding a full block.
   */
  public Optional<Block> bodyToRead(Hash hash) {
    return body(hash, false);
  }

  private Optional<Block> body(Hash hash, boolean checkKeys) {
    return kv.get(Column.BODIES, Codec.key(hash))
        .map(
            bytes -> {
              try {
                return checkKeys ? Block.decode(bytes) : Block.decodeStored(bytes);
              } catch (DecodeException e) {
                throw corrupt("body of " + hash + ": " + e.getMessage());
              }
            });
  }

  /**
   * A stored body's transaction count and encoded size, from its first bytes and its length: the
   * block's transactions are neither copied nor decoded.
   */
  public Optional<BodyShape> bodyShape(Hash hash) {
    return kv.getHead(Column.BODIES, Codec.key(hash), Block.COUNT_END)
        .map(
            head -> {
              try {
                return new BodyShape(Block.transactionCount(head.bytes(), head.length()), head.length());
              } catch (DecodeException e) {
                throw corrupt("body of " + hash + ": " + e.getMessage());
              }
            });
  }

  /** How many transactions a stored block holds and how many bytes its encoding takes. */
  public record BodyShape(int transactionCount, int size) {}

  // ---- the best chain ------------------------------------------------------------------------

  /** The tip of the best chain: the last block connected. */
  public BlockIndexEntry tip() {
    return tip;
  }

  public Optional<Hash> mainChainHash(long height) {
    return kv.get(Column.MAIN_CHAIN, Codec.u64(height)).map(Hash::of);
  }

  public Optional<BlockIndexEntry> mainChainEntry(long height) {
    return mainChainHash(height).flatMap(this::indexEntry);
  }

  /** Whether {@code hash} is on the best chain. */
  public boolean isOnMainChain(BlockIndexEntry entry) {
    return mainChainHash(entry.height()).filter(entry.hash()::equals).isPresent();
  }

  /** The account at the tip; {@link Account#EMPTY} if it never held anything. */
  public Account account(Address address) {
    return kv.get(Column.ACCOUNTS, address.toByteArray())
        .map(
            bytes -> {
              try {
                return Account.decode(bytes);
              } catch (DecodeException e) {
                throw corrupt("account " + address + ": " + e.getMessage());
              }
            })
        .orElse(Account.EMPTY);
  }

  /** Visits every non-empty account in address order (for state comparisons and audits). */
  public void forEachAccount(java.util.function.BiConsumer<Address, Account> visitor) {
    kv.scan(
        Column.ACCOUNTS,
        EMPTY,
        MAX_KEY,
        false,
        (key, value) -> {
          try {
            visitor.accept(Address.fromBytes(key), Account.decode(value));
          } catch (DecodeException e) {
            throw corrupt("account record: " + e.getMessage());
          }
          return true;
        });
  }

  /** Where a best-chain transaction is (its index entry's location; the transaction is not decoded). */
  public Optional<TxLocation> txLocation(Hash txid) {
    return kv.get(Column.TX_INDEX, Codec.key(txid))
        .map(
            v -> {
              try {
                return readLocation(new ByteReader(v));
              } catch (DecodeException e) {
                throw corrupt("tx index entry of " + txid + ": " + e.getMessage());
              }
            });
  }

  /** A best-chain transaction and where it is, from its index entry alone (its block is not read). */
  public Optional<ConfirmedTransaction> confirmedTransaction(Hash txid) {
    return kv.get(Column.TX_INDEX, Codec.key(txid))
        .map(
            v -> {
              try {
                ByteReader in = new ByteReader(v);
                TxLocation location = readLocation(in);
                // Validated before it was stored: its key is not checked again.
                Transaction tx = Transaction.decodeValidated(in);
                in.requireEnd("tx index entry");
                if (!tx.id().equals(txid)) {
                  throw corrupt("tx index entry of " + txid + " holds transaction " + tx.id());
                }
                return new ConfirmedTransaction(tx, location);
              } catch (DecodeException e) {
                throw corrupt("tx index entry of " + txid + ": " + e.getMessage());
              }
            });
  }

  /** A transaction of the best chain with its place in it. */
  public record ConfirmedTransaction(Transaction tx, TxLocation location) {}

  private static TxLocation readLocation(ByteReader in) throws DecodeException {
    return new TxLocation(in.hash("block hash"), in.u63("height"), (int) in.u32("position"));
  }

  /** How many transactions of the best chain touch {@code address}. */
  public long addressTxCount(Address address) {
    return kv.get(Column.ADDRESS_COUNTS, address.toByteArray()).map(Counters::decode).orElse(0L);
  }

  /**
   * Where {@code txid} sits in {@code address}'s history, if it is there (for cursors): its
   * position, found through the transaction index.
   */
  public Optional<Long> addressTxSequence(Address address, Hash txid) {
    return txLocation(txid)
        .map(l -> historyPosition(l.height(), l.index()))
        .filter(seq -> kv.get(Column.ADDRESS_INDEX, Codec.addressSeqKey(address, seq)).isPresent());
  }

  /**
   * Up to {@code limit} history entries of {@code address}, newest first, starting below {@code
   * beforeSequence} (exclusive); pass {@link Long#MAX_VALUE} for the newest. O(limit).
   */
  public List<AddressTx> addressHistory(Address address, long beforeSequence, int limit) {
    List<AddressTx> out = new ArrayList<>(Math.min(limit, 64));
    if (limit <= 0 || beforeSequence <= 0) {
      return out;
    }
    kv.scan(
        Column.ADDRESS_INDEX,
        Codec.addressSeqKey(address, 0),
        Codec.addressSeqKey(address, beforeSequence),
        true,
        (key, value) -> {
          out.add(new AddressTx(Codec.readU64(key, Address.SIZE), Hash.of(value)));
          return out.size() < limit;
        });
    return out;
  }

  /**
   * An entry's position in an address's history: height ‖ position in the block, as one number
   * that grows in chain order. Derived from where the transaction is, so connecting a block needs
   * no per-address sequence (no read of the history length) and cursors need no column of their
   * own. Heights stay below 2^31 (4,000 years of one-minute blocks), so it is below Long.MAX_VALUE.
   */
  private static long historyPosition(long height, int position) {
    if (height >= 1L << 31 || position < 0) {
      throw new IllegalArgumentException("history position of height " + height + ", transaction " + position);
    }
    return (height << 32) | position;
  }

  // ---- connect and disconnect ----------------------------------------------------------------

  /**
   * Connects {@code block}, a child of the tip, with the accounts it changes ({@code changes}: the
   * new value of every account the block touches, in address order). One synced batch stores the
   * body if needed, the accounts, undo data, the transaction and address indexes, the best-chain
   * entry, the block's VALID status and the new tip. Reads each changed account's current value
   * for the undo data; {@link #prepareConnect} takes them from the caller instead.
   */
  public synchronized BlockIndexEntry connect(Block block, SortedMap<Address, Account> changes) {
    try (PreparedConnect prepared = prepareConnect(block, changes, this::account)) {
      return prepared.commit();
    }
  }

  /**
   * Builds the batch that {@link #connect} writes, without writing it: the caller may still decide
   * not to connect (consensus builds it while the block's signatures are being checked), and
   * either {@link PreparedConnect#commit() commits} it or closes it. {@code previous} gives each
   * changed account's value at the tip ({@link Account#EMPTY} if it has none), as the state
   * transition read it, for the undo data; the store does not read them again.
   */
  public synchronized PreparedConnect prepareConnect(
      Block block, SortedMap<Address, Account> changes, Function<Address, Account> previous) {
    BlockIndexEntry parent = tip;
    BlockHeader header = block.header();
    if (!header.previousHash().equals(parent.hash()) || header.height() != parent.height() + 1) {
      throw new IllegalArgumentException("block " + block.hash() + " does not extend the tip " + parent.hash());
    }
    BlockIndexEntry entry =
        indexEntry(block.hash())
            .orElseGet(
                () ->
                    new BlockIndexEntry(
                        header,
                        parent.chainWork().add(CompactTarget.workFor(targetOf(header))),
                        BlockStatus.HEADER_ONLY));
    KeyValueStore.Batch batch = kv.batch();
    try {
      BlockIndexEntry connected = stageConnect(batch, block, entry, changes, previous);
      return new PreparedConnect(batch, parent.hash(), connected);
    } catch (RuntimeException e) {
      batch.close();
      throw e;
    }
  }

  /**
   * A connect batch built by {@link #prepareConnect}, not yet written. Not thread-safe: one caller
   * commits or closes it. Committing checks that the tip is still the block's parent.
   */
  public final class PreparedConnect implements AutoCloseable {
    private final KeyValueStore.Batch batch;
    private final Hash parent;
    private final BlockIndexEntry connected;

    private PreparedConnect(KeyValueStore.Batch batch, Hash parent, BlockIndexEntry connected) {
      this.batch = batch;
      this.parent = parent;
      this.connected = connected;
    }

    /** Writes the batch, synced, and makes the block the tip; returns its new index entry. */
    public BlockIndexEntry commit() {
      synchronized (ChainStore.this) {
        if (!tip.hash().equals(parent)) {
          throw new IllegalStateException("the tip moved from " + parent + " to " + tip.hash() + " before the connect was written");
        }
        batch.commit(true);
        tip = connected;
        return connected;
      }
    }

    @Override
    public void close() {
      batch.close();
    }
  }

  private BlockIndexEntry stageConnect(
      KeyValueStore.Batch batch,
      Block block,
      BlockIndexEntry entry,
      SortedMap<Address, Account> changes,
      Function<Address, Account> previous) {
    Hash hash = block.hash();
    long height = block.header().height();
    if (!entry.status().has(BlockStatus.HAVE_BODY)) {
      batch.put(Column.BODIES, Codec.key(hash), block.encode());
    }
    ByteWriter undo = new ByteWriter(4 + changes.size() * UndoRecord.ACCOUNT_SIZE);
    undo.u32(changes.size());
    for (Map.Entry<Address, Account> change : changes.entrySet()) {
      byte[] key = change.getKey().toByteArray();
      Account before = previous.apply(change.getKey());
      if (before == null) {
        throw new IllegalArgumentException("no previous value given for " + change.getKey());
      }
      // The store holds no empty accounts (they are deleted), so EMPTY at the tip means absent.
      UndoRecord.writeAccount(undo, key, before.isEmpty() ? Optional.empty() : Optional.of(before));
      if (change.getValue().isEmpty()) {
        batch.delete(Column.ACCOUNTS, key);
      } else {
        batch.put(Column.ACCOUNTS, key, change.getValue().encode());
      }
    }
    // Counters are bumped (merge operands), never read: how many of the block's transactions
    // touch each address.
    Map<Address, Long> added = new HashMap<>();
    List<Transaction> txs = block.transactions();
    byte[] blockKey = Codec.key(hash);
    for (int i = 0; i < txs.size(); i++) {
      Transaction tx = txs.get(i);
      byte[] txid = Codec.key(tx.id());
      // The entry carries the transaction's own encoding too, so a lookup by txid (the explorer,
      // the client API) reads about 200 bytes instead of its whole block.
      byte[] encoded = tx.encoded();
      batch.put(
          Column.TX_INDEX,
          txid,
          new ByteWriter(Hash.SIZE + 12 + encoded.length).bytes(blockKey).u64(height).u32(i).bytes(encoded).toByteArray());
      long position = historyPosition(height, i);
      for (Address a : tx.touchedAddresses()) {
        batch.put(Column.ADDRESS_INDEX, Codec.addressSeqKey(a, position), txid);
        added.merge(a, 1L, Long::sum);
      }
    }
    added.forEach((address, n) -> batch.add(Column.ADDRESS_COUNTS, address.toByteArray(), n));
    batch.put(Column.UNDO, Codec.key(hash), undo.toByteArray());
    batch.put(Column.MAIN_CHAIN, Codec.u64(height), Codec.key(hash));
    BlockIndexEntry connected =
        entry.withStatus(entry.status().with(BlockStatus.HAVE_BODY | BlockStatus.VALID | BlockStatus.HEADER_VALID));
    batch.put(Column.BLOCK_INDEX, Codec.key(hash), connected.encode());
    batch.put(Column.METADATA, KEY_TIP, Codec.key(hash));
    return connected;
  }

  /**
   * Disconnects the tip with its undo data, in one synced batch that also makes its parent the
   * tip, and returns the disconnected block (its body stays stored).
   */
  public synchronized Block disconnectTip() {
    BlockIndexEntry current = tip;
    if (current.height() == 0) {
      throw new IllegalStateException("the genesis block cannot be disconnected");
    }
    Hash hash = current.hash();
    Block block = body(hash).orElseThrow(() -> corrupt("tip " + hash + " has no body"));
    UndoRecord undo =
        kv.get(Column.UNDO, Codec.key(hash))
            .map(
                bytes -> {
                  try {
                    return UndoRecord.decode(bytes);
                  } catch (DecodeException e) {
                    throw corrupt("undo data of " + hash + ": " + e.getMessage());
                  }
                })
            .orElseThrow(() -> corrupt("tip " + hash + " has no undo data"));
    BlockIndexEntry parent =
        indexEntry(current.header().previousHash()).orElseThrow(() -> corrupt("parent of the tip is not indexed"));
    try (KeyValueStore.Batch batch = kv.batch()) {
      undo.previousAccounts()
          .forEach(
              (address, previous) -> {
                if (previous.isPresent()) {
                  batch.put(Column.ACCOUNTS, address.toByteArray(), previous.get().encode());
                } else {
                  batch.delete(Column.ACCOUNTS, address.toByteArray());
                }
              });
      // The block's history entries are where connecting put them (height, position); each
      // counter goes down by the number of them and disappears at zero, as before the block.
      Map<Address, Long> removed = new HashMap<>();
      List<Transaction> txs = block.transactions();
      for (int i = 0; i < txs.size(); i++) {
        Transaction tx = txs.get(i);
        batch.delete(Column.TX_INDEX, Codec.key(tx.id()));
        long position = historyPosition(current.height(), i);
        for (Address a : tx.touchedAddresses()) {
          batch.delete(Column.ADDRESS_INDEX, Codec.addressSeqKey(a, position));
          removed.merge(a, 1L, Long::sum);
        }
      }
      removed.forEach(
          (address, n) -> {
            long left = addressTxCount(address) - n;
            if (left < 0) {
              throw corrupt("history length of " + address + " below the " + n + " entries of tip " + hash);
            }
            if (left == 0) {
              batch.delete(Column.ADDRESS_COUNTS, address.toByteArray());
            } else {
              batch.put(Column.ADDRESS_COUNTS, address.toByteArray(), Counters.encode(left));
            }
          });
      batch.delete(Column.UNDO, Codec.key(hash));
      batch.delete(Column.MAIN_CHAIN, Codec.u64(current.height()));
      batch.put(Column.METADATA, KEY_TIP, Codec.key(parent.hash()));
      batch.commit(true);
    }
    tip = parent;
    return block;
  }

  // ---- peers ---------------------------------------------------------------------------------

  public void putPeer(byte[] key, byte[] record) {
    try (KeyValueStore.Batch batch = kv.batch()) {
      batch.put(Column.PEERS, key, record);
      batch.commit(false);
    }
  }

  public void deletePeer(byte[] key) {
    try (KeyValueStore.Batch batch = kv.batch()) {
      batch.delete(Column.PEERS, key);
      batch.commit(false);
    }
  }

  public void forEachPeer(java.util.function.BiConsumer<byte[], byte[]> visitor) {
    kv.scan(
        Column.PEERS,
        EMPTY,
        MAX_KEY,
        false,
        (k, v) -> {
          visitor.accept(k, v);
          return true;
        });
  }

  /** Approximate bytes per column. */
  public long approximateSize(Column column) {
    return kv.approximateSize(column);
  }

  /** The key-value store's block cache counters, if it has a cache (RocksDB does). */
  public Optional<KeyValueStore.CacheStats> blockCacheStats() {
    return kv.blockCacheStats();
  }

  @Override
  public void close() {
    kv.close();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static BigInteger targetOf(BlockHeader header) {
    try {
      return header.target().toTarget();
    } catch (RejectedException e) {
      throw new IllegalArgumentException("header " + header.hash() + " has an invalid target; validate it first", e);
    }
  }

  private static BlockIndexEntry decodeEntry(Hash hash, byte[] bytes) {
    try {
      BlockIndexEntry entry = BlockIndexEntry.decode(bytes);
      if (!entry.hash().equals(hash)) {
        throw corrupt("index entry under " + hash + " holds header " + entry.hash());
      }
      return entry;
    } catch (DecodeException e) {
      throw corrupt("index entry " + hash + ": " + e.getMessage());
    }
  }

  private static Account decodeAccount(byte[] bytes) {
    try {
      return Account.decode(bytes);
    } catch (DecodeException e) {
      throw corrupt("account record: " + e.getMessage());
    }
  }

  private static StoreException corrupt(String what) {
    return new StoreException("the chain store is corrupt: " + what);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] maxKey() {
    byte[] k = new byte[64];
    java.util.Arrays.fill(k, (byte) 0xFF);
    return k;
  }
}
