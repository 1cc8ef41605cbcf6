package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.Miner;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.StateCommitment;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import dev.cairn.proto.v1.Addresses;
import dev.cairn.proto.v1.BlockData;
import dev.cairn.proto.v1.Disconnect;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.GetAddresses;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.NotFound;
import dev.cairn.proto.v1.PeerAddress;
import dev.cairn.proto.v1.Ping;
import dev.cairn.proto.v1.Pong;
import dev.cairn.proto.v1.TransactionBatch;
import dev.cairn.testkit.TestChain;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the peer-message fuzzer mutates: a deterministic regtest "source" chain (blocks carrying
 * signed transfers, built by the real assembler and miner on a clock that moves 60 s per block),
 * the account-state digest at each of its heights, a few loose transfers valid on any of its
 * states, and valid envelopes of every kind a peer sends, built from them. Immutable once built.
 */
final class PeerFuzzCorpus {
  /** A valid envelope, named for the statistics. */
  record Base(String name, Envelope envelope) {}

  static final int BLOCKS = 24;
  static final String PEER_LISTEN = "198.51.100.7:9700";

  final ChainSpec spec;
  final List<Block> blocks = new ArrayList<>(); // index = height; 0 is genesis
  final List<Hash> digests = new ArrayList<>(); // account-state digest at each height
  final List<Transfer> looseTransfers = new ArrayList<>();
  final Set<Hash> knownTxids = new HashSet<>();
  /** Every corpus block as a BlockData message. */
  final List<Base> blockBases = new ArrayList<>();
  /** Every other kind of message. */
  final List<Base> otherBases = new ArrayList<>();
  final long endClock;
  final BigInteger tipWork;
  private final List<Hash> sourceLocator;

  PeerFuzzCorpus(long seed) {
    List<PrivateKey> keys = TestChain.keys(seed, 4);
    spec = TestChain.specFor(keys);
    AtomicLong clock = new AtomicLong(spec.genesisTimestamp() + 600);
    TimeSource time = clock::get;
    SignatureCache cache = new SignatureCache(10_000);
    ChainStore store = ChainStore.open(new InMemoryKeyValueStore(), spec);
    Blockchain chain = new Blockchain(store, time, new SignatureVerifier(cache, null, 1));
    Mempool mempool = new Mempool(store, MempoolPolicy.DEFAULT, cache, time);
    chain.addListener(mempool);
    BlockAssembler assembler = new BlockAssembler(chain, mempool, time);
    Address miner = TestChain.keys(seed + 1, 1).get(0).address();
    blocks.add(spec.genesisBlock());
    digests.add(digest(store));
    try {
      for (int h = 1; h <= BLOCKS; h++) {
        // Keys 0..2 pay each other every block; key 3 never appears in a block (its transfers are
        // the loose ones below, valid on every state of this chain).
        for (int k = 0; k < 3; k++) {
          PrivateKey from = keys.get(k);
          long nonce = store.account(from.address()).nonce();
          mempool.add(Transfer.sign(from, keys.get((k + 1) % 3).address(), Amount.coins(1 + k), Amount.units(10_000), nonce, spec.genesisHash()));
        }
        clock.addAndGet(60);
        Hash hash = Miner.generate(chain, assembler, miner, 1).get(0);
        Block b = store.body(hash).orElseThrow();
        blocks.add(b);
        digests.add(digest(store));
        b.transactionIds().forEach(knownTxids::add);
      }
    } catch (RejectedException e) {
      throw new IllegalStateException("building the fuzz corpus chain failed", e);
    }
    endClock = clock.get();
    for (int n = 0; n < 3; n++) {
      Transfer t = Transfer.sign(keys.get(3), keys.get(n).address(), Amount.coins(2), Amount.units(20_000), n, spec.genesisHash());
      looseTransfers.add(t);
      knownTxids.add(t.id());
    }
    sourceLocator = chain.locator();
    tipWork = chain.tip().chainWork();
    buildBases();
  }

  /** The account-state digest of a store: a commitment over every account, sorted by address. */
  static Hash digest(ChainStore store) {
    SortedMap<Address, Account> all = new TreeMap<>();
    store.forEachAccount(all::put);
    return StateCommitment.of(all);
  }

  Block tip() {
    return blocks.get(BLOCKS);
  }

  List<BlockHeader> headers(int fromHeight, int toHeight) {
    List<BlockHeader> out = new ArrayList<>();
    for (int h = fromHeight; h <= toHeight; h++) {
      out.add(blocks.get(h).header());
    }
    return out;
  }

  /** The handshake of a peer that has the whole source chain. */
  Envelope handshake(long nonce) {
    return Envelope.newBuilder()
        .setHandshake(
            Handshake.newBuilder()
                .setProtocolVersion(Limits.PROTOCOL_VERSION)
                .setGenesisHash(Envelopes.bytes(spec.genesisHash()))
                .setNonce(nonce)
                .setBestHeight(BLOCKS)
                .setTotalWork(ByteString.copyFrom(tipWork.toByteArray()))
                .setListenAddress(PEER_LISTEN)
                .setAgent("cairn-fuzz/1"))
        .build();
  }

  /** A handshake from a peer listening on {@code listen} that claims {@code bestHeight} and {@code work}. */
  Envelope handshake(long nonce, String listen, long bestHeight, BigInteger work) {
    return Envelope.newBuilder()
        .setHandshake(
            handshake(nonce).getHandshake().toBuilder()
                .setListenAddress(listen)
                .setBestHeight(bestHeight)
                .setTotalWork(ByteString.copyFrom(work.toByteArray())))
        .build();
  }

  /** Hashes of the chain's blocks {@code from..to}. */
  List<Hash> hashes(int from, int to) {
    List<Hash> out = new ArrayList<>();
    for (int h = from; h <= to; h++) {
      out.add(blocks.get(h).hash());
    }
    return out;
  }

  Envelope allHeaders() {
    return Envelopes.headers(headers(1, BLOCKS));
  }

  Envelope block(int height) {
    return Envelope.newBuilder()
        .setBlock(BlockData.newBuilder().setBlock(dev.cairn.proto.v1.Block.newBuilder().setCanonical(ByteString.copyFrom(blocks.get(height).encode()))))
        .build();
  }

  static Envelope disconnect() {
    return Envelopes.disconnect("shutdown", "fuzz peer leaving");
  }

  private void buildBases() {
    List<Hash> looseIds = looseTransfers.stream().map(Transfer::id).toList();
    List<Hash> someBlocks = List.of(blocks.get(1).hash(), blocks.get(7).hash(), blocks.get(BLOCKS).hash());
    add("handshake", handshake(0x1234_5678_9ABCL));
    add("inventory-tx", Envelopes.inventory(InventoryType.INVENTORY_TYPE_TRANSACTION, looseIds));
    add("inventory-block", Envelopes.inventory(InventoryType.INVENTORY_TYPE_BLOCK, someBlocks));
    add("getdata-tx", Envelopes.getData(InventoryType.INVENTORY_TYPE_TRANSACTION, looseIds));
    add("getdata-block", Envelopes.getData(InventoryType.INVENTORY_TYPE_BLOCK, List.of(spec.genesisHash(), blocks.get(1).hash())));
    add(
        "notfound",
        Envelope.newBuilder()
            .setNotFound(
                NotFound.newBuilder()
                    .addItems(Envelopes.item(InventoryType.INVENTORY_TYPE_BLOCK, blocks.get(1).hash()))
                    .addItems(Envelopes.item(InventoryType.INVENTORY_TYPE_TRANSACTION, looseIds.get(0))))
            .build());
    add("headers-all", allHeaders());
    add("headers-first", Envelopes.headers(headers(1, 1)));
    add("headers-last8", Envelopes.headers(headers(BLOCKS - 7, BLOCKS)));
    add("getheaders", Envelopes.getHeaders(sourceLocator));
    add(
        "getheaders-stop",
        Envelope.newBuilder()
            .setGetHeaders(
                dev.cairn.proto.v1.GetHeaders.newBuilder()
                    .addLocator(Envelopes.bytes(spec.genesisHash()))
                    .setStopHash(Envelopes.bytes(blocks.get(3).hash())))
            .build());
    for (int h = 1; h <= BLOCKS; h++) {
      blockBases.add(new Base("block " + h, block(h)));
    }
    TransactionBatch.Builder batch = TransactionBatch.newBuilder();
    for (Transfer t : looseTransfers) {
      batch.addTransactions(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(t.encoded())));
    }
    add("transactions", Envelope.newBuilder().setTransactions(batch).build());
    Transaction inBlock = blocks.get(2).transactions().get(1);
    add(
        "transactions-one",
        Envelope.newBuilder()
            .setTransactions(TransactionBatch.newBuilder().addTransactions(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(inBlock.encoded()))))
            .build());
    add(
        "addresses",
        Envelope.newBuilder()
            .setAddresses(
                Addresses.newBuilder()
                    .addAddresses(PeerAddress.newBuilder().setHost("198.51.100.20").setPort(9700).setLastSeen(spec.genesisTimestamp()))
                    .addAddresses(PeerAddress.newBuilder().setHost("2001:db8::1").setPort(9700).setLastSeen(spec.genesisTimestamp() + 1))
                    .addAddresses(PeerAddress.newBuilder().setHost("203.0.113.5").setPort(19700).setLastSeen(spec.genesisTimestamp() + 2)))
            .build());
    add("getaddresses", Envelope.newBuilder().setGetAddresses(GetAddresses.getDefaultInstance()).build());
    add("ping", Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(77)).build());
    add("pong", Envelope.newBuilder().setPong(Pong.newBuilder().setNonce(78)).build());
    add("disconnect", Envelope.newBuilder().setDisconnect(Disconnect.newBuilder().setReasonCode("too-slow").setMessage("bye")).build());
  }

  private void add(String name, Envelope e) {
    otherBases.add(new Base(name, e));
  }

  /** The height of a corpus block, or -1. */
  int heightOf(Hash hash) {
    for (int h = 0; h <= BLOCKS; h++) {
      if (blocks.get(h).hash().equals(hash)) {
        return h;
      }
    }
    return -1;
  }
}
