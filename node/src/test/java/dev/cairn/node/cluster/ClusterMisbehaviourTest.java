package dev.cairn.node.cluster;

import static dev.cairn.node.cluster.Conditions.allTipsAre;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.NonceSearch;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.MerkleTree;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.proto.v1.Addresses;
import dev.cairn.proto.v1.BlockData;
import dev.cairn.proto.v1.Disconnect;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.GetData;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.proto.v1.Headers;
import dev.cairn.proto.v1.Inventory;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.PeerAddress;
import dev.cairn.proto.v1.TransactionBatch;
import dev.cairn.testkit.TestChain;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A scripted fake peer (a raw gRPC client speaking the protocol by hand, as Bitcoin Core's
 * p2p_invalid_messages.py) misbehaves against a real node: malformed bytes, a wrong genesis, an
 * invalid block, oversized messages, floods. Each time the node says why (a Disconnect with the
 * exact reason code) and closes, the misbehaving peer being on 127.0.0.1 is cut off per connection
 * only (a new local connection is still served), and an honest node keeps syncing with the victim.
 * Policy rejections never cost the connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterMisbehaviourTest {
  @TempDir static Path dir;
  private Cluster cluster;
  private ClusterNode victim;
  private ClusterNode honest;

  @BeforeAll
  void start() {
    cluster = Cluster.funded(dir, 23, 2);
    victim = cluster.startNode();
    honest = cluster.startNode(victim);
    cluster.verify(Conditions.allHavePeers(1));
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /** A misbehaviour: what the fake peer does after its handshake, and the code the node answers. */
  record Misbehaviour(String name, Consumer<Ctx> act, String expectedCode) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** What an act may use. */
  record Ctx(FakePeer peer, ClusterNode victim) {}

  static Stream<Arguments> misbehaviours() {
    byte[] garbageTx = {1, 2, 3, 4, 5};
    byte[] garbageHeader = new byte[127];
    return Stream.of(
            new Misbehaviour(
                "a transaction whose canonical bytes are garbage",
                c -> c.peer().send(transactions(ByteString.copyFrom(garbageTx))),
                decodeFailure(garbageTx)),
            new Misbehaviour(
                "an envelope with no payload",
                c -> c.peer().send(Envelope.getDefaultInstance()),
                Reason.PEER_PROTOCOL_VIOLATION.code()),
            new Misbehaviour(
                "a second handshake",
                c -> c.peer().send(Envelope.newBuilder().setHandshake(c.peer().handshakeFor(c.victim().node().config().spec())).build()),
                Reason.PEER_PROTOCOL_VIOLATION.code()),
            new Misbehaviour(
                "an inventory hash of 31 bytes",
                c -> c.peer().send(Envelope.newBuilder().setInventory(Inventory.newBuilder().addItems(
                    InventoryItem.newBuilder().setType(InventoryType.INVENTORY_TYPE_TRANSACTION).setHash(ByteString.copyFrom(new byte[31])))).build()),
                Reason.PEER_PROTOCOL_VIOLATION.code()),
            new Misbehaviour(
                "a header of 127 bytes",
                c -> c.peer().send(Envelope.newBuilder().setHeaders(Headers.newBuilder().addHeaders(
                    dev.cairn.proto.v1.BlockHeader.newBuilder().setCanonical(ByteString.copyFrom(garbageHeader)))).build()),
                Reason.DECODE_TRUNCATED.code()),
            new Misbehaviour(
                "a header above its target",
                c -> c.peer().send(headers(List.of(highHashHeader(c.victim())))),
                Reason.HIGH_HASH.code()),
            new Misbehaviour(
                "an invalid block (coinbase pays too much) it was asked for",
                c -> sendInvalidBlock(c),
                Reason.COINBASE_AMOUNT.code()),
            new Misbehaviour(
                "a block nobody asked for",
                c -> c.peer().send(block(validNextBlock(c.victim()))),
                Reason.PEER_UNREQUESTED.code()),
            new Misbehaviour(
                "2,001 headers in one message",
                c -> c.peer().send(headers(2_001)),
                Reason.PEER_OVERSIZED.code()),
            new Misbehaviour(
                "an inventory of 50,001 items",
                c -> c.peer().send(txInventory(50_001)),
                Reason.PEER_OVERSIZED.code()),
            new Misbehaviour(
                "1,001 addresses in one message",
                c -> c.peer().send(addresses(1_001)),
                Reason.PEER_OVERSIZED.code()),
            new Misbehaviour(
                "a request for 50,001 items",
                c -> c.peer().send(Envelope.newBuilder().setGetData(GetData.newBuilder().addAllItems(txItems(50_001))).build()),
                Reason.PEER_OVERSIZED.code()),
            new Misbehaviour(
                "an inventory flood: announcements it never delivers",
                c -> {
                  c.peer().send(txInventory(50_000));
                  c.peer().send(txInventory(50_000));
                },
                Reason.PEER_UNREQUESTED.code()),
            new Misbehaviour(
                "a flood of transactions nobody asked for",
                ClusterMisbehaviourTest::sendUnrequestedTransactions,
                Reason.PEER_UNREQUESTED.code()))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misbehaviours")
  void aMisbehavingPeerIsToldWhyAndCutOffWhileHonestNodesKeepSyncing(Misbehaviour m) {
    try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
      peer.handshake(cluster.spec());
      m.act().accept(new Ctx(peer, victim));
      Disconnect d = peer.awaitDisconnect();
      assertThat(d.getReasonCode()).as(d.getMessage()).isEqualTo(m.expectedCode());
      assertThat(peer.awaitEnd().isOk()).isTrue();
    }
    assertStillServingAndSyncing();
  }

  /** Records what gRPC logs through java.util.logging at WARNING or above (stack traces included). */
  private static final class GrpcLogRecorder extends java.util.logging.Handler implements AutoCloseable {
    final List<java.util.logging.LogRecord> records = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final java.util.logging.Logger root = java.util.logging.Logger.getLogger("");

    GrpcLogRecorder() {
      setLevel(java.util.logging.Level.WARNING);
      root.addHandler(this);
    }

    @Override
    public void publish(java.util.logging.LogRecord r) {
      if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue() && r.getLoggerName() != null
          && r.getLoggerName().startsWith("io.grpc")) {
        records.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      root.removeHandler(this);
    }
  }

  @Test
  void hostileFramesCostNoStackTraceInTheLog() {
    try (GrpcLogRecorder log = new GrpcLogRecorder()) {
      try (FakePeer peer = FakePeer.connectRaw(victim.p2pPort())) {
        peer.handshake(cluster.spec());
        byte[] garbage = new byte[64];
        java.util.Arrays.fill(garbage, (byte) 0xff);
        peer.sendBytes(garbage);
        peer.awaitEnd();
      }
      try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
        peer.handshake(cluster.spec());
        peer.send(Envelope.newBuilder().setBlock(BlockData.newBuilder().setBlock(
            dev.cairn.proto.v1.Block.newBuilder().setCanonical(ByteString.copyFrom(new byte[9 * 1024 * 1024])))).build());
        peer.awaitEnd();
      }
      awaitFakePeersGone();
      assertThat(log.records).as("gRPC log records at WARNING or above").extracting(java.util.logging.LogRecord::getMessage).isEmpty();
    }
  }

  @Test
  void aMessageOverTheSizeLimitEndsTheStream() {
    try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
      peer.handshake(cluster.spec());
      byte[] huge = new byte[9 * 1024 * 1024];
      peer.send(Envelope.newBuilder().setBlock(BlockData.newBuilder().setBlock(
          dev.cairn.proto.v1.Block.newBuilder().setCanonical(ByteString.copyFrom(huge)))).build());
      peer.awaitEnd();
    }
    // gRPC refuses the message itself, so the node cannot say why; it drops the peer all the same.
    awaitFakePeersGone();
    assertStillServingAndSyncing();
  }

  @Test
  void bytesThatAreNotAProtobufMessageAreToldAndEndTheStream() {
    try (FakePeer peer = FakePeer.connectRaw(victim.p2pPort())) {
      peer.handshake(cluster.spec());
      byte[] garbage = new byte[64];
      java.util.Arrays.fill(garbage, (byte) 0xff);
      peer.sendBytes(garbage);
      // The node reads the bytes itself, so it can say why before it closes the stream.
      assertThat(peer.awaitDisconnect().getReasonCode()).isEqualTo(Reason.PEER_PROTOCOL_VIOLATION.code());
      peer.awaitEnd();
    }
    awaitFakePeersGone();
    assertStillServingAndSyncing();
  }

  @ParameterizedTest(name = "seed {0}")
  @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3})
  void randomMessagesNeitherCrashNorStallTheNode(long seed) {
    java.util.Random random = new java.util.Random(seed);
    int sent = 0;
    while (sent < 300) {
      try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
        peer.handshake(cluster.spec());
        while (sent < 300 && !peer.hasEnded()) {
          peer.send(RandomEnvelopes.next(random, victim));
          sent++;
        }
      }
    }
    assertStillServingAndSyncing();
  }

  @Test
  void aPeerOnAnotherNetworkIsToldSo() {
    try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
      peer.send(Envelope.newBuilder().setHandshake(peer.handshakeFor(cluster.spec())
          .setGenesisHash(FakePeer.bytes(FakePeer.randomHash()))).build());
      assertThat(peer.awaitDisconnect().getReasonCode()).isEqualTo(Reason.PEER_WRONG_NETWORK.code());
      peer.awaitEnd();
    }
    assertStillServingAndSyncing();
  }

  @Test
  void aPeerSpeakingAnotherProtocolVersionIsToldSo() {
    try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
      peer.send(Envelope.newBuilder().setHandshake(peer.handshakeFor(cluster.spec()).setProtocolVersion(2)).build());
      assertThat(peer.awaitDisconnect().getReasonCode()).isEqualTo(Reason.PEER_INCOMPATIBLE.code());
      peer.awaitEnd();
    }
  }

  @Test
  void aPeerThatSpeaksBeforeItsHandshakeIsCutOff() {
    try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
      peer.send(txInventory(1));
      assertThat(peer.awaitDisconnect().getReasonCode()).isEqualTo(Reason.PEER_PROTOCOL_VIOLATION.code());
      peer.awaitEnd();
    }
    assertStillServingAndSyncing();
  }

  @Test
  void aPeerClaimingTheAddressOfAConnectedNodeIsADuplicate() {
    try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
      peer.send(Envelope.newBuilder().setHandshake(peer.handshakeFor(cluster.spec())
          .setListenAddress(honest.p2pAddress().toString())).build());
      assertThat(peer.awaitDisconnect().getReasonCode()).isEqualTo(Reason.PEER_DUPLICATE.code());
      peer.awaitEnd();
    }
    assertStillServingAndSyncing();
  }

  @Test
  void policyRejectionsNeverCostTheConnection() throws Exception {
    PrivateKey payer = cluster.key(1);
    Address payee = TestChain.keys(5, 1).get(0).address();
    long nonce = victim.account(payer.address()).nonce();
    // Below the minimum relay fee, and a nonce far in the future: policy, not misbehaviour.
    Transfer lowFee = Transfer.sign(payer, payee, Amount.coins(1), Amount.units(1), nonce, cluster.spec().genesisHash());
    Transfer farNonce = Transfer.sign(payer, payee, Amount.coins(1), Amount.units(10_000), nonce + 1_000, cluster.spec().genesisHash());
    try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
      peer.handshake(cluster.spec());
      for (Transfer tx : List.of(lowFee, farNonce)) {
        peer.send(Envelope.newBuilder().setInventory(Inventory.newBuilder().addItems(
            InventoryItem.newBuilder().setType(InventoryType.INVENTORY_TYPE_TRANSACTION).setHash(FakePeer.bytes(tx.id())))).build());
        GetData asked = peer.next(Envelope.PayloadCase.GET_DATA).getGetData();
        assertThat(asked.getItems(0).getHash()).isEqualTo(FakePeer.bytes(tx.id()));
        peer.send(transactions(ByteString.copyFrom(tx.encoded())));
      }
      // A header stamped beyond the victim's clock plus the allowed drift: too new, not invalid.
      BlockHeader template = victim.node().assembler().create(payee).block().header();
      long tooNew = victim.node().time().nowSeconds() + cluster.spec().params().maxFutureDriftSeconds() + 600;
      BlockHeader future =
          solve(Block.of(BlockHeader.of(template.version(), template.height(), template.previousHash(), template.merkleRoot(),
              template.stateCommitment(), tooNew, template.target(), 0), List.of())).header();
      peer.send(headers(List.of(future)));
      peer.pingPong();
      assertThat(peer.hasEnded()).isFalse();
      assertThat(victim.mempoolContains(lowFee.id())).isFalse();
      assertThat(victim.mempoolContains(farNonce.id())).isFalse();
      assertThat(victim.chain().entry(future.hash())).isEmpty();
      assertThat(peer.receivedSoFar()).noneMatch(e -> e.getPayloadCase() == Envelope.PayloadCase.DISCONNECT);
    }
  }

  @Test
  void aBlockFoundInvalidIsNeverServedToOtherPeers() {
    Block bad;
    try (FakePeer attacker = FakePeer.connect(victim.p2pPort())) {
      attacker.handshake(cluster.spec());
      bad = sendInvalidBlock(new Ctx(attacker, victim));
      assertThat(attacker.awaitDisconnect().getReasonCode()).isEqualTo(Reason.COINBASE_AMOUNT.code());
    }
    assertThat(victim.chain().entry(bad.hash()).orElseThrow().status().isFailed()).isTrue();
    try (FakePeer asker = FakePeer.connect(victim.p2pPort())) {
      asker.handshake(cluster.spec());
      asker.send(Envelope.newBuilder().setGetData(GetData.newBuilder().addItems(
          InventoryItem.newBuilder().setType(InventoryType.INVENTORY_TYPE_BLOCK).setHash(FakePeer.bytes(bad.hash())))).build());
      assertThat(asker.next(Envelope.PayloadCase.NOT_FOUND).getNotFound().getItems(0).getHash()).isEqualTo(FakePeer.bytes(bad.hash()));
      assertThat(asker.receivedSoFar()).noneMatch(e -> e.getPayloadCase() == Envelope.PayloadCase.BLOCK);
    }
    assertStillServingAndSyncing();
  }

  @Test
  void aPeerThatNeverSaysHelloIsCutOff() {
    try (FakePeer silent = FakePeer.connect(victim.p2pPort())) {
      silent.next(Envelope.PayloadCase.HANDSHAKE);
      assertThat(silent.awaitDisconnect().getReasonCode()).isEqualTo(Reason.PEER_HANDSHAKE_TIMEOUT.code());
      silent.awaitEnd();
    }
  }

  @Test
  void announcingManyUnknownBlocksCostsOneHeaderRequest() {
    try (FakePeer peer = FakePeer.connect(victim.p2pPort())) {
      peer.handshake(cluster.spec());
      Inventory.Builder inv = Inventory.newBuilder();
      for (int i = 0; i < 50_000; i++) {
        inv.addItems(InventoryItem.newBuilder().setType(InventoryType.INVENTORY_TYPE_BLOCK).setHash(FakePeer.bytes(FakePeer.randomHash())));
      }
      peer.send(Envelope.newBuilder().setInventory(inv).build());
      peer.pingPong();
      long requests = peer.receivedSoFar().stream().filter(e -> e.getPayloadCase() == Envelope.PayloadCase.GET_HEADERS).count();
      assertThat(requests).isEqualTo(1);
      assertThat(peer.hasEnded()).isFalse();
    }
  }

  @Test
  void aPeerAnsweringAfterTheStallTimeoutIsAskedAgainAndNotPunishedForBeingLate() {
    Block next = validNextBlock(victim);
    try (FakePeer slow = FakePeer.connect(victim.p2pPort())) {
      slow.handshake(cluster.spec());
      slow.send(headers(List.of(next.header())));
      GetData first = slow.next(Envelope.PayloadCase.GET_DATA).getGetData();
      assertThat(first.getItems(0).getHash()).isEqualTo(FakePeer.bytes(next.hash()));
      // No answer: after the stall timeout nobody else has the block, so the slow peer is asked again.
      GetData again = slow.next(Envelope.PayloadCase.GET_DATA).getGetData();
      assertThat(again.getItems(0).getHash()).isEqualTo(FakePeer.bytes(next.hash()));
      // Both answers arrive: the late one and the awaited one; neither is "unrequested".
      slow.send(block(next));
      slow.send(block(next));
      slow.pingPong();
      assertThat(slow.hasEnded()).isFalse();
      assertThat(victim.tip().hash()).isEqualTo(next.hash());
    }
    cluster.verify(allTipsAre(next.hash()));
  }

  private void awaitFakePeersGone() {
    org.awaitility.Awaitility.await()
        .atMost(Cluster.TIMEOUT)
        .pollInterval(Cluster.POLL)
        .untilAsserted(() -> assertThat(victim.peers()).noneMatch(p -> p.agent().startsWith("fake-peer")));
  }

  /** A new local connection is served, and a block mined on the honest node reaches the victim. */
  private void assertStillServingAndSyncing() {
    try (FakePeer again = FakePeer.connect(victim.p2pPort())) {
      Handshake h = again.handshake(cluster.spec());
      assertThat(h.getGenesisHash()).isEqualTo(FakePeer.bytes(cluster.spec().genesisHash()));
      again.pingPong();
    }
    Hash mined = honest.mine(1).get(0);
    cluster.verify(allTipsAre(mined));
  }

  // ---- crafted messages ------------------------------------------------------------------------

  private static String decodeFailure(byte[] bytes) {
    try {
      Transaction.decode(bytes);
      throw new IllegalStateException("garbage decoded");
    } catch (DecodeException e) {
      return e.reason().code();
    }
  }

  static Envelope transactions(ByteString... canonical) {
    TransactionBatch.Builder b = TransactionBatch.newBuilder();
    for (ByteString c : canonical) {
      b.addTransactions(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(c));
    }
    return Envelope.newBuilder().setTransactions(b).build();
  }

  static List<InventoryItem> txItems(int count) {
    List<InventoryItem> items = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      items.add(InventoryItem.newBuilder().setType(InventoryType.INVENTORY_TYPE_TRANSACTION).setHash(FakePeer.bytes(FakePeer.randomHash())).build());
    }
    return items;
  }

  static Envelope txInventory(int count) {
    return Envelope.newBuilder().setInventory(Inventory.newBuilder().addAllItems(txItems(count))).build();
  }

  static Envelope headers(int count) {
    Headers.Builder b = Headers.newBuilder();
    for (int i = 0; i < count; i++) {
      b.addHeaders(dev.cairn.proto.v1.BlockHeader.newBuilder().setCanonical(ByteString.copyFrom(new byte[BlockHeader.SIZE])));
    }
    return Envelope.newBuilder().setHeaders(b).build();
  }

  static Envelope headers(List<BlockHeader> headers) {
    Headers.Builder b = Headers.newBuilder();
    for (BlockHeader h : headers) {
      b.addHeaders(dev.cairn.proto.v1.BlockHeader.newBuilder().setCanonical(ByteString.copyFrom(h.encoded())));
    }
    return Envelope.newBuilder().setHeaders(b).build();
  }

  static Envelope block(Block block) {
    return Envelope.newBuilder()
        .setBlock(BlockData.newBuilder().setBlock(dev.cairn.proto.v1.Block.newBuilder().setCanonical(ByteString.copyFrom(block.encode()))))
        .build();
  }

  static Envelope addresses(int count) {
    Addresses.Builder b = Addresses.newBuilder();
    for (int i = 0; i < count; i++) {
      b.addAddresses(PeerAddress.newBuilder().setHost("203.0.113." + (i % 250 + 1)).setPort(9700 + i).setLastSeen(1));
    }
    return Envelope.newBuilder().setAddresses(b).build();
  }

  /** The block the victim would mine next, with a nonce that meets the target. */
  static Block validNextBlock(ClusterNode node) {
    return solve(node.node().assembler().create(TestChain.keys(77, 1).get(0).address()).block());
  }

  static Block solve(Block template) {
    BlockHeader h = template.header();
    BigInteger target;
    try {
      target = h.target().toTarget();
    } catch (RejectedException e) {
      throw new IllegalStateException(e);
    }
    OptionalLong nonce = new NonceSearch(h, target).search(0, Long.MAX_VALUE);
    return Block.of(h.withNonce(nonce.orElseThrow()), template.transactions());
  }

  /** A header on the victim's tip whose hash is above its (regtest) target. */
  static BlockHeader highHashHeader(ClusterNode node) {
    BlockHeader h = node.node().assembler().create(TestChain.keys(77, 1).get(0).address()).block().header();
    try {
      BigInteger target = h.target().toTarget();
      for (long nonce = 0; ; nonce++) {
        BlockHeader candidate = h.withNonce(nonce);
        if (!candidate.meetsTarget(target)) {
          return candidate;
        }
      }
    } catch (RejectedException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Announces a valid header on the victim's tip, waits to be asked for its body, and delivers a
   * body whose coinbase pays one unit too much (its Merkle root matches, so it is not "mutated").
   */
  static Block sendInvalidBlock(Ctx c) {
    BlockAssembler.Template t = c.victim().node().assembler().create(TestChain.keys(77, 1).get(0).address());
    Block template = t.block();
    Coinbase cb = (Coinbase) template.transactions().get(0);
    List<Transaction> txs = new ArrayList<>(template.transactions());
    txs.set(0, Coinbase.create(cb.height(), cb.recipient(), cb.amount().plus(Amount.units(1))));
    List<Hash> ids = txs.stream().map(Transaction::id).toList();
    BlockHeader th = template.header();
    BlockHeader header =
        BlockHeader.of(th.version(), th.height(), th.previousHash(), MerkleTree.root(ids), th.stateCommitment(), th.timestamp(), th.target(), 0);
    Block bad = solve(Block.of(header, txs));
    c.peer().send(headers(List.of(bad.header())));
    GetData asked = c.peer().next(Envelope.PayloadCase.GET_DATA).getGetData();
    assertThat(asked.getItems(0).getHash()).isEqualTo(FakePeer.bytes(bad.hash()));
    c.peer().send(block(bad));
    return bad;
  }

  /** Valid transactions the node never asked for, more than it tolerates. */
  static void sendUnrequestedTransactions(Ctx c) {
    PrivateKey stranger = TestChain.keys(4242, 1).get(0);
    Address to = TestChain.keys(4243, 1).get(0).address();
    List<ByteString> txs = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      Transfer t = Transfer.sign(stranger, to, Amount.units(1), Amount.units(10_000), i, c.victim().node().config().spec().genesisHash());
      txs.add(ByteString.copyFrom(t.encoded()));
    }
    c.peer().send(transactions(txs.toArray(ByteString[]::new)));
  }
}
