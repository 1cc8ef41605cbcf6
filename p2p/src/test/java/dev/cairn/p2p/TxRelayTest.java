package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.BlockAssembler;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.Miner;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.Signature;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.NotFound;
import dev.cairn.proto.v1.Ping;
import dev.cairn.proto.v1.TransactionBatch;
import dev.cairn.testkit.TestChain;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Transaction relay between peers, driven through one node's real core, chain and mempool
 * ({@link PeerHarness}: no sockets, inline validation, virtual time). Pins down: an announcement is
 * answered with one GetData of exactly the transactions new to the node (not those in the mempool,
 * recently rejected, in flight from another peer, or confirmed); a delivered transaction goes to
 * the mempool through a {@link PeerAction.ValidateTransactions} and is announced to the other ready
 * peers in the next batch (every {@link P2pConfig#txAnnounceInterval}), never back to its sender;
 * the flood limits (100 unrequested transactions, 50,000 announced and undelivered, 1,000 per
 * message) with their exact reason codes; a punishable loose transaction costs the connection with
 * its consensus reason, a nonce race or short balance does not; a rejection is remembered until
 * the tip moves (one that may pass soon is not); a NotFound frees the transaction for the next
 * announcer, and so does a request unanswered for {@link TxRelay#REQUEST_EXPIRY_MILLIS}; and GetData is served from the mempool in batches of at most 1,000, the rest in one
 * NotFound.
 */
class TxRelayTest {
  private static final Duration ANNOUNCE_INTERVAL = Duration.ofMillis(200);
  private static final Amount FEE = Amount.units(10_000); // above the minimum relay fee of a transfer (1,420)

  /** One node and the test's peers; every action the core emitted, in order. */
  private static final class Fixture implements AutoCloseable {
    final List<PrivateKey> keys;
    final ChainSpec spec;
    final PeerHarness node;
    final RecordingTrace trace = new RecordingTrace();
    private final Address miner;
    private int nextPeer = 1;

    Fixture(long seed, int keyCount) {
      keys = TestChain.keys(seed, keyCount);
      spec = TestChain.specFor(keys);
      miner = TestChain.keys(seed + 1_000, 1).get(0).address();
      P2pConfig config =
          new P2pConfig(
              "127.0.0.1", PeerHarness.PORT, "127.0.0.1", List.of(), 0, 125, Duration.ofSeconds(10), Duration.ofSeconds(3),
              ANNOUNCE_INTERVAL);
      node = new PeerHarness(spec, (spec.genesisTimestamp() + 600) * 1000, config, seed, trace).start();
    }

    /** A peer on its own routable host that completed the handshake (same chain as ours: no sync). */
    ScriptedTransport.Connection readyPeer() {
      int n = nextPeer++;
      ScriptedTransport.Connection c = node.open(new HostPort("198.51.100." + n, 40_000 + n));
      BlockIndexEntry tip = node.chain.tip();
      node.deliver(
          c,
          Envelope.newBuilder()
              .setHandshake(
                  Handshake.newBuilder()
                      .setProtocolVersion(Limits.PROTOCOL_VERSION)
                      .setGenesisHash(Envelopes.bytes(spec.genesisHash()))
                      .setNonce(0x7E57_0000L + n)
                      .setBestHeight(tip.height())
                      .setTotalWork(ByteString.copyFrom(tip.chainWork().toByteArray()))
                      .setAgent("tx-relay-test/" + n))
              .build());
      assertThat(c.isClosed()).isFalse();
      assertThat(c.reads).isEqualTo(1);
      return c;
    }

    Transfer transfer(int key, long nonce, Amount amount) {
      return Transfer.sign(keys.get(key), keys.get((key + 1) % keys.size()).address(), amount, FEE, nonce, spec.genesisHash());
    }

    /** The node's answers to one announcement from {@code c}. */
    List<Envelope> announce(ScriptedTransport.Connection c, List<Hash> txids) {
      int mark = c.sent.size();
      node.deliver(c, Envelopes.inventory(InventoryType.INVENTORY_TYPE_TRANSACTION, txids));
      return c.sentSince(mark);
    }

    void deliverTxs(ScriptedTransport.Connection c, List<? extends Transaction> txs) {
      node.deliver(c, batch(txs));
    }

    /** Mines one block on the node's chain (taking the mempool's transactions); the tip moves. */
    void mine() throws RejectedException {
      Miner.generate(node.chain, new BlockAssembler(node.chain, node.mempool, () -> node.scheduler.now() / 1000), miner, 1);
      node.scheduler.runDue();
    }

    List<PeerAction.ValidateTransactions> validations() {
      return trace.actions().stream()
          .filter(a -> a instanceof PeerAction.ValidateTransactions)
          .map(a -> (PeerAction.ValidateTransactions) a)
          .toList();
    }

    @Override
    public void close() {
      node.close();
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Envelope batch(List<? extends Transaction> txs) {
    TransactionBatch.Builder b = TransactionBatch.newBuilder();
    for (Transaction t : txs) {
      b.addTransactions(dev.cairn.proto.v1.Transaction.newBuilder().setCanonical(ByteString.copyFrom(t.encoded())));
    }
    return Envelope.newBuilder().setTransactions(b).build();
  }

  private static Envelope notFound(List<Hash> txids) {
    NotFound.Builder b = NotFound.newBuilder();
    txids.forEach(h -> b.addItems(Envelopes.item(InventoryType.INVENTORY_TYPE_TRANSACTION, h)));
    return Envelope.newBuilder().setNotFound(b).build();
  }

  private static Envelope getDataOf(List<Hash> txids) {
    return Envelopes.getData(InventoryType.INVENTORY_TYPE_TRANSACTION, txids);
  }

  private static List<Hash> ids(List<? extends Transaction> txs) {
    return txs.stream().map(Transaction::id).toList();
  }

  /** Hashes that name no transaction, distinct per tag and index. */
  private static List<Hash> unknownTxids(long tag, int count) {
    List<Hash> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(Hashes.sha256(ByteBuffer.allocate(16).putLong(tag).putLong(i).array()));
    }
    return out;
  }

  /**
   * A transfer that decodes but pays far below the minimum relay fee: refused by the mempool
   * before its (meaningless) signature is looked at, a policy rejection that costs nothing.
   */
  private static Transfer cheap(PrivateKey from, Address to, long nonce) {
    return Transfer.withSignature(from.publicKey(), to, Amount.coins(1), Amount.units(1), nonce, Signature.of(new byte[64]));
  }

  private static List<Hash> items(Envelope e) {
    List<InventoryItem> items =
        switch (e.getPayloadCase()) {
          case GET_DATA -> e.getGetData().getItemsList();
          case INVENTORY -> e.getInventory().getItemsList();
          case NOT_FOUND -> e.getNotFound().getItemsList();
          default -> throw new AssertionError("no items in " + e.getPayloadCase());
        };
    assertThat(items).allSatisfy(i -> assertThat(i.getType()).isEqualTo(InventoryType.INVENTORY_TYPE_TRANSACTION));
    return items.stream().map(i -> Hash.of(i.getHash().toByteArray())).toList();
  }

  private static List<Hash> batchIds(Envelope e) {
    assertThat(e.getPayloadCase()).isEqualTo(Envelope.PayloadCase.TRANSACTIONS);
    return e.getTransactions().getTransactionsList().stream()
        .map(t -> Hashes.sha256(t.getCanonical().toByteArray()))
        .toList();
  }

  private static List<Envelope> ofKind(List<Envelope> sent, Envelope.PayloadCase kind) {
    return sent.stream().filter(e -> e.getPayloadCase() == kind).toList();
  }

  private static String goodbyeCode(ScriptedTransport.Connection c) {
    return c.goodbye().orElseThrow(() -> new AssertionError("no Disconnect sent on " + c.id)).getDisconnect().getReasonCode();
  }

  private static void assertStillConnected(ScriptedTransport.Connection c) {
    assertThat(c.goodbye()).isEmpty();
    assertThat(c.isClosed()).isFalse();
    assertThat(PeerHarness.handled(c)).as("the node asked for the next message").isTrue();
  }

  // ---- what is asked for ----------------------------------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void anAnnouncementOfNewTransactionsIsAnsweredWithOneGetDataOfExactlyThose(long seed) {
    try (Fixture f = new Fixture(seed, 4)) {
      ScriptedTransport.Connection a = f.readyPeer();
      List<Hash> fresh = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        fresh.add(f.transfer(k, 0, Amount.coins(1 + k)).id());
      }
      // Announced twice in the same message: asked for once.
      List<Hash> announced = new ArrayList<>(fresh);
      announced.add(fresh.get(1));

      List<Envelope> answer = f.announce(a, announced);

      assertThat(answer).hasSize(1);
      assertThat(answer.get(0).getPayloadCase()).isEqualTo(Envelope.PayloadCase.GET_DATA);
      assertThat(items(answer.get(0))).containsExactlyElementsOf(fresh);
      assertStillConnected(a);
    }
  }

  /** How a transaction can already be known to the node. */
  enum Known {
    IN_MEMPOOL,
    RECENTLY_REJECTED,
    IN_FLIGHT_FROM_ANOTHER_PEER,
    CONFIRMED
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Known.class)
  void aTransactionAlreadyKnownIsNotAskedFor(Known how) throws Exception {
    try (Fixture f = new Fixture(11, 4)) {
      ScriptedTransport.Connection a = f.readyPeer();
      ScriptedTransport.Connection other = f.readyPeer();
      Transfer known;
      switch (how) {
        case IN_MEMPOOL -> {
          known = f.transfer(0, 0, Amount.coins(5));
          f.node.mempool.add(known);
          f.node.scheduler.runDue();
        }
        case RECENTLY_REJECTED -> {
          known = cheap(f.keys.get(0), f.keys.get(1).address(), 0);
          assertThat(items(f.announce(other, List.of(known.id())).get(0))).containsExactly(known.id());
          f.deliverTxs(other, List.of(known));
          assertThat(f.validations()).hasSize(1);
          assertThat(f.node.mempool.contains(known.id())).isFalse();
          assertStillConnected(other);
        }
        case IN_FLIGHT_FROM_ANOTHER_PEER -> {
          known = f.transfer(0, 0, Amount.coins(5));
          assertThat(items(f.announce(other, List.of(known.id())).get(0))).containsExactly(known.id());
        }
        case CONFIRMED -> {
          known = f.transfer(0, 0, Amount.coins(5));
          f.node.mempool.add(known);
          f.mine();
          assertThat(f.node.chain.store().txLocation(known.id())).isPresent();
          assertThat(f.node.mempool.contains(known.id())).isFalse();
        }
        default -> throw new AssertionError(how);
      }
      Hash fresh = f.transfer(2, 0, Amount.coins(1)).id();

      List<Envelope> answer = f.announce(a, List.of(known.id(), fresh));

      assertThat(answer).hasSize(1);
      assertThat(items(answer.get(0))).containsExactly(fresh);
      // Known and nothing new: no GetData at all.
      assertThat(f.announce(a, List.of(known.id()))).isEmpty();
      assertStillConnected(a);
    }
  }

  // ---- admission and announcement ---------------------------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {4, 5})
  void aRequestedValidTransactionIsAdmittedAndAnnouncedToTheOtherReadyPeersInTheNextBatch(long seed) {
    try (Fixture f = new Fixture(seed, 4)) {
      ScriptedTransport.Connection sender = f.readyPeer();
      ScriptedTransport.Connection b = f.readyPeer();
      ScriptedTransport.Connection c = f.readyPeer();
      ScriptedTransport.Connection alsoAnnounced = f.readyPeer();
      ScriptedTransport.Connection noHandshake = f.node.open(new HostPort("198.51.100.99", 40_099));
      Transfer tx = f.transfer(1, 0, Amount.coins(7));
      assertThat(items(f.announce(sender, List.of(tx.id())).get(0))).containsExactly(tx.id());
      assertThat(f.announce(alsoAnnounced, List.of(tx.id()))).isEmpty(); // in flight from the sender
      int[] marks = {sender.sent.size(), b.sent.size(), c.sent.size(), alsoAnnounced.sent.size(), noHandshake.sent.size()};

      f.deliverTxs(sender, List.of(tx));

      assertThat(f.validations()).hasSize(1);
      PeerAction.ValidateTransactions v = f.validations().get(0);
      assertThat(v.from()).isEqualTo(sender.id);
      assertThat(ids(v.transactions())).containsExactly(tx.id());
      assertThat(f.node.mempool.get(tx.id())).contains(tx);
      assertStillConnected(sender);
      // Batched: nobody hears of it before the announcement timer.
      assertThat(b.sentSince(marks[1])).isEmpty();
      f.node.advance(ANNOUNCE_INTERVAL.minusMillis(1));
      assertThat(b.sentSince(marks[1])).isEmpty();
      assertThat(c.sentSince(marks[2])).isEmpty();

      f.node.advance(Duration.ofMillis(1));

      for (ScriptedTransport.Connection peer : List.of(b, c)) {
        List<Envelope> sent = peer.sentSince(peer == b ? marks[1] : marks[2]);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).getPayloadCase()).isEqualTo(Envelope.PayloadCase.INVENTORY);
        assertThat(items(sent.get(0))).containsExactly(tx.id());
      }
      assertThat(ofKind(sender.sentSince(marks[0]), Envelope.PayloadCase.INVENTORY)).as("not back to its sender").isEmpty();
      assertThat(ofKind(alsoAnnounced.sentSince(marks[3]), Envelope.PayloadCase.INVENTORY))
          .as("nor to a peer that announced it")
          .isEmpty();
      assertThat(noHandshake.sentSince(marks[4])).as("nor to a peer without a handshake").isEmpty();

      // Once only.
      f.node.advance(ANNOUNCE_INTERVAL.multipliedBy(3));
      assertThat(ofKind(b.sentSince(marks[1]), Envelope.PayloadCase.INVENTORY)).hasSize(1);
      assertThat(ofKind(c.sentSince(marks[2]), Envelope.PayloadCase.INVENTORY)).hasSize(1);
    }
  }

  // ---- flood limits -----------------------------------------------------------------------------

  @Test
  void upTo100UnrequestedTransactionsAreIgnoredAndOneMoreIsUnrequestedData() {
    try (Fixture f = new Fixture(21, 4)) {
      ScriptedTransport.Connection flooder = f.readyPeer();
      List<Transfer> txs = new ArrayList<>();
      for (int n = 0; n < 101; n++) {
        txs.add(f.transfer(n % 4, n / 4, Amount.coins(1)));
      }

      f.deliverTxs(flooder, txs.subList(0, 60));
      f.deliverTxs(flooder, txs.subList(60, 100));

      assertStillConnected(flooder);
      assertThat(f.validations()).as("unrequested transactions are not even validated").isEmpty();
      assertThat(f.node.mempool.stats().count()).isZero();

      f.deliverTxs(flooder, txs.subList(100, 101));

      assertThat(goodbyeCode(flooder)).isEqualTo(Reason.PEER_UNREQUESTED.code()).isEqualTo("unrequested-data");
      assertThat(flooder.closedByNode).isTrue();
      assertThat(f.validations()).isEmpty();
    }
  }

  @Test
  void announcingMoreThan50000TransactionsItNeverDeliversIsUnrequestedData() {
    try (Fixture f = new Fixture(22, 4)) {
      ScriptedTransport.Connection flooder = f.readyPeer();
      List<Hash> first = unknownTxids(1, Limits.MAX_TX_REQUESTS_PER_PEER - 1);

      List<Envelope> answer = f.announce(flooder, first);
      assertThat(answer).hasSize(1);
      assertThat(items(answer.get(0))).hasSize(49_999).first().isEqualTo(first.get(0));

      // One declared not found: no longer counted against it, so two more fit exactly.
      f.node.deliver(flooder, notFound(List.of(first.get(7))));
      List<Hash> two = unknownTxids(2, 2);
      assertThat(items(f.announce(flooder, two).get(0))).containsExactlyElementsOf(two);
      assertStillConnected(flooder);

      // Announcing again what it was already asked for adds nothing either.
      assertThat(f.announce(flooder, first.subList(10, 1_010))).isEmpty();
      assertStillConnected(flooder);

      // 50,001 undelivered.
      int mark = flooder.sent.size();
      f.node.deliver(flooder, Envelopes.inventory(InventoryType.INVENTORY_TYPE_TRANSACTION, unknownTxids(3, 1)));

      assertThat(ofKind(flooder.sentSince(mark), Envelope.PayloadCase.GET_DATA)).isEmpty();
      assertThat(goodbyeCode(flooder)).isEqualTo("unrequested-data");
      assertThat(flooder.closedByNode).isTrue();
    }
  }

  @Test
  void aBatchOf1000TransactionsIsWithinTheLimitAnd1001IsOversized() {
    try (Fixture f = new Fixture(23, 4)) {
      ScriptedTransport.Connection honest = f.readyPeer();
      List<Transfer> thousand = new ArrayList<>();
      for (int n = 0; n < Limits.MAX_TRANSACTIONS; n++) {
        thousand.add(cheap(f.keys.get(n % 4), f.keys.get(0).address(), n));
      }
      assertThat(items(f.announce(honest, ids(thousand)).get(0))).hasSize(1_000);

      f.deliverTxs(honest, thousand);

      assertStillConnected(honest);
      assertThat(f.validations()).hasSize(1);
      assertThat(f.validations().get(0).transactions()).hasSize(1_000);

      ScriptedTransport.Connection flooder = f.readyPeer();
      Transfer one = f.transfer(0, 0, Amount.coins(1));
      assertThat(items(f.announce(flooder, List.of(one.id())).get(0))).containsExactly(one.id());

      f.deliverTxs(flooder, Collections.nCopies(Limits.MAX_TRANSACTIONS + 1, one));

      assertThat(goodbyeCode(flooder)).isEqualTo(Reason.PEER_OVERSIZED.code()).isEqualTo("oversized-message");
      assertThat(flooder.closedByNode).isTrue();
      assertThat(f.validations()).hasSize(1);
      assertThat(f.node.mempool.contains(one.id())).isFalse();
    }
  }

  // ---- what a rejection costs -------------------------------------------------------------------

  @Test
  void aTransactionWithABadSignatureCostsItsSenderTheConnectionWithTheConsensusCode() {
    try (Fixture f = new Fixture(31, 4)) {
      ScriptedTransport.Connection liar = f.readyPeer();
      ScriptedTransport.Connection bystander = f.readyPeer();
      Transfer genuine = f.transfer(0, 0, Amount.coins(2));
      // The same transfer for a larger amount, carrying the smaller one's signature.
      Transfer forged =
          Transfer.withSignature(genuine.sender(), genuine.recipient(), Amount.coins(900), genuine.fee(), 0, genuine.signature());
      assertThatThrownBy(() -> copyOfMempool(f).add(forged))
          .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
      assertThat(items(f.announce(liar, List.of(forged.id())).get(0))).containsExactly(forged.id());

      f.deliverTxs(liar, List.of(forged));

      assertThat(goodbyeCode(liar)).isEqualTo(Reason.BAD_SIGNATURE.code()).isEqualTo("bad-txns-signature");
      assertThat(liar.closedByNode).isTrue();
      assertThat(f.node.mempool.contains(forged.id())).isFalse();
      assertStillConnected(bystander);
      // Punishable: its (routable) host is discouraged.
      ScriptedTransport.Connection back = f.node.open(liar.remote);
      assertThat(goodbyeCode(back)).isEqualTo("discouraged");
    }
  }

  /** A state-dependent rejection of a loose transaction: the sender's view of the chain may lag. */
  enum NonceRace {
    NONCE_ALREADY_USED(Reason.NONCE_TOO_LOW),
    BALANCE_TOO_LOW(Reason.INSUFFICIENT_BALANCE);

    final Reason reason;

    NonceRace(Reason reason) {
      this.reason = reason;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(NonceRace.class)
  void aStateDependentRejectionOfALooseTransactionIsNotPunished(NonceRace race) throws Exception {
    try (Fixture f = new Fixture(32, 4)) {
      ScriptedTransport.Connection peer = f.readyPeer();
      Transfer late;
      if (race == NonceRace.NONCE_ALREADY_USED) {
        f.node.mempool.add(f.transfer(0, 0, Amount.coins(1)));
        f.mine(); // nonce 0 of key 0 is now used
        late = f.transfer(0, 0, Amount.coins(3));
      } else {
        late = f.transfer(0, 0, TestChain.FUNDING.plus(Amount.coins(1)));
      }
      assertThat(race.reason.punishable()).as("punished inside a block").isTrue();
      assertThatThrownBy(() -> copyOfMempool(f).add(late))
          .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(race.reason));
      assertThat(items(f.announce(peer, List.of(late.id())).get(0))).containsExactly(late.id());

      f.deliverTxs(peer, List.of(late));

      assertThat(f.validations()).hasSize(1);
      assertThat(f.node.mempool.contains(late.id())).isFalse();
      assertStillConnected(peer);
      int mark = peer.sent.size();
      f.node.deliver(peer, Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(5)).build());
      assertThat(peer.sentSince(mark)).extracting(Envelope::getPayloadCase).containsExactly(Envelope.PayloadCase.PONG);
      // Discouraged nowhere: the same host connects again.
      assertStillConnected(f.node.open(peer.remote));
    }
  }

  @Test
  void aRejectedTransactionIsNotAskedForAgainUntilTheTipMoves() throws Exception {
    try (Fixture f = new Fixture(41, 4)) {
      ScriptedTransport.Connection a = f.readyPeer();
      ScriptedTransport.Connection b = f.readyPeer();
      Transfer rejected = cheap(f.keys.get(2), f.keys.get(3).address(), 0);
      assertThat(items(f.announce(a, List.of(rejected.id())).get(0))).containsExactly(rejected.id());
      f.deliverTxs(a, List.of(rejected));
      assertThat(f.node.mempool.contains(rejected.id())).isFalse();
      assertStillConnected(a);

      assertThat(f.announce(b, List.of(rejected.id()))).isEmpty();
      assertThat(f.announce(a, List.of(rejected.id()))).isEmpty();
      f.node.advance(Duration.ofSeconds(60)); // time alone does not make it new again
      assertThat(f.announce(b, List.of(rejected.id()))).isEmpty();

      f.mine();

      List<Envelope> answer = f.announce(b, List.of(rejected.id()));
      assertThat(answer).hasSize(1);
      assertThat(items(answer.get(0))).containsExactly(rejected.id());
      assertThat(f.validations()).hasSize(1);
    }
  }

  @Test
  void aRejectionThatMayPassSoonIsNotRemembered() throws Exception {
    try (Fixture f = new Fixture(42, 4)) {
      ScriptedTransport.Connection a = f.readyPeer();
      ScriptedTransport.Connection b = f.readyPeer();
      f.node.mempool.add(f.transfer(0, 0, Amount.coins(600)));
      Transfer second = f.transfer(0, 1, Amount.coins(600)); // together more than the 1,000 coins funded
      assertThatThrownBy(() -> copyOfMempool(f).add(second))
          .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PENDING_BALANCE));
      assertThat(items(f.announce(a, List.of(second.id())).get(0))).containsExactly(second.id());
      f.deliverTxs(a, List.of(second));
      assertThat(f.node.mempool.contains(second.id())).isFalse();
      assertStillConnected(a);

      List<Envelope> answer = f.announce(b, List.of(second.id()));

      assertThat(answer).hasSize(1);
      assertThat(items(answer.get(0))).containsExactly(second.id());
    }
  }

  // ---- NotFound -----------------------------------------------------------------------------------

  @Test
  void aNotFoundFreesTheTransactionSoTheNextAnnouncerIsAsked() {
    try (Fixture f = new Fixture(51, 4)) {
      ScriptedTransport.Connection a = f.readyPeer();
      ScriptedTransport.Connection b = f.readyPeer();
      ScriptedTransport.Connection c = f.readyPeer();
      Transfer tx = f.transfer(3, 0, Amount.coins(4));
      assertThat(items(f.announce(a, List.of(tx.id())).get(0))).containsExactly(tx.id());
      assertThat(f.announce(b, List.of(tx.id()))).as("in flight from a").isEmpty();

      f.node.deliver(a, notFound(List.of(tx.id())));
      assertStillConnected(a);

      List<Envelope> answer = f.announce(c, List.of(tx.id()));
      assertThat(answer).hasSize(1);
      assertThat(items(answer.get(0))).containsExactly(tx.id());
      f.deliverTxs(c, List.of(tx));
      assertThat(f.node.mempool.contains(tx.id())).isTrue();
      assertStillConnected(c);
      // What a said it has not got is no longer expected from it: delivering it now is unrequested
      // (ignored, not validated).
      f.deliverTxs(a, List.of(tx));
      assertThat(f.validations()).hasSize(1);
      assertStillConnected(a);
    }
  }

  @Test
  void aRequestNobodyAnswersBlocksOtherAnnouncersOnlyUntilItExpires() {
    try (Fixture f = new Fixture(52, 4)) {
      ScriptedTransport.Connection silent = f.readyPeer();
      ScriptedTransport.Connection b = f.readyPeer();
      Hash txid = f.transfer(1, 0, Amount.coins(4)).id();
      assertThat(items(f.announce(silent, List.of(txid)).get(0))).containsExactly(txid);

      f.node.advance(Duration.ofMillis(TxRelay.REQUEST_EXPIRY_MILLIS - ANNOUNCE_INTERVAL.toMillis()));
      assertThat(f.announce(b, List.of(txid))).as("still in flight from the silent peer").isEmpty();

      f.node.advance(ANNOUNCE_INTERVAL.multipliedBy(2)); // expired requests are forgotten at an announcement tick
      List<Envelope> answer = f.announce(b, List.of(txid));
      assertThat(answer).hasSize(1);
      assertThat(items(answer.get(0))).containsExactly(txid);
    }
  }

  // ---- serving GetData ----------------------------------------------------------------------------

  @Test
  void getDataIsAnsweredFromTheMempoolInBatchesOfAtMost1000AndTheRestInOneNotFound() throws Exception {
    try (Fixture f = new Fixture(61, 16)) {
      Transfer mined = f.transfer(0, 0, Amount.coins(1));
      f.node.mempool.add(mined);
      f.mine();
      List<Transfer> pooled = new ArrayList<>();
      for (int n = 0; pooled.size() < 1_002; n++) {
        int key = n % 16;
        long nonce = n / 16 + (key == 0 ? 1 : 0);
        Transfer t = f.transfer(key, nonce, Amount.coins(1));
        f.node.mempool.add(t);
        pooled.add(t);
      }
      List<Hash> unknown = unknownTxids(9, 2);
      List<Hash> asked = new ArrayList<>();
      asked.add(unknown.get(0));
      asked.addAll(ids(pooled.subList(0, 600)));
      asked.add(mined.id()); // confirmed, not in the mempool: not served from the chain
      asked.addAll(ids(pooled.subList(600, 1_002)));
      asked.add(unknown.get(1));
      ScriptedTransport.Connection peer = f.readyPeer();
      int mark = peer.sent.size();

      f.node.deliver(peer, getDataOf(asked));

      List<Envelope> sent = peer.sentSince(mark);
      assertThat(sent)
          .extracting(Envelope::getPayloadCase)
          .containsExactly(Envelope.PayloadCase.TRANSACTIONS, Envelope.PayloadCase.TRANSACTIONS, Envelope.PayloadCase.NOT_FOUND);
      assertThat(batchIds(sent.get(0))).containsExactlyElementsOf(ids(pooled.subList(0, 1_000)));
      assertThat(batchIds(sent.get(1))).containsExactlyElementsOf(ids(pooled.subList(1_000, 1_002)));
      assertThat(items(sent.get(2))).containsExactly(unknown.get(0), mined.id(), unknown.get(1));
      // The exact canonical bytes of what the mempool holds.
      assertThat(sent.get(1).getTransactions().getTransactions(1).getCanonical().toByteArray())
          .isEqualTo(pooled.get(1_001).encoded());
      assertStillConnected(peer);

      // A request the mempool fully answers sends no NotFound.
      mark = peer.sent.size();
      f.node.deliver(peer, getDataOf(ids(pooled.subList(5, 8))));
      assertThat(peer.sentSince(mark)).hasSize(1);
      assertThat(batchIds(peer.sentSince(mark).get(0))).containsExactlyElementsOf(ids(pooled.subList(5, 8)));
    }
  }

  /**
   * A mempool over the node's chain store in the same state, to learn the reason the node's mempool
   * will give for a transaction without admitting it there.
   */
  private static Mempool copyOfMempool(Fixture f) {
    Mempool probe = new Mempool(f.node.store, MempoolPolicy.DEFAULT, new SignatureCache(16), () -> f.node.scheduler.now() / 1000);
    List<Mempool.Entry> oldestFirst = new ArrayList<>(f.node.mempool.entries());
    Collections.reverse(oldestFirst);
    for (Mempool.Entry e : oldestFirst) {
      try {
        probe.add(e.tx());
      } catch (RejectedException ex) {
        throw new IllegalStateException("the node's mempool held " + e.tx() + " that a fresh one refuses", ex);
      }
    }
    return probe;
  }
}
