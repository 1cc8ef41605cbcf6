package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.Handshake;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.PeerAddress;
import dev.cairn.proto.v1.Ping;
import dev.cairn.testkit.Mutator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the peer stream handler: seeded mutations (bit flips, overwrites, truncation, extension,
 * swapped and removed ranges, huge lengths; {@link Mutator}) of valid peer messages of every kind
 * (handshake, inventory, get-data, not-found, headers of a real chain, get-headers with a locator,
 * every block of that chain, transactions, addresses, ping, pong, disconnect), either of the whole
 * serialized {@code Envelope} or of one field inside it (a block's, header's or transaction's
 * canonical bytes, a hash, a number, a string), fed to the real peer core ({@link PeerManager}
 * and its {@link PeerDriver}) over a real in-memory chain.
 *
 * <p>Only the socket is replaced: the connection is a {@link ScriptedTransport} one, which keeps
 * gRPC's manual flow control (one message per read the core asked for), validation runs inline and
 * time is virtual ({@link PeerHarness}), so tens of thousands of cases run in seconds and each
 * case's outcome is known when its delivery returns; real sockets are exercised by the cluster
 * tests (node module, ClusterMisbehaviourTest: garbage frames, oversized frames, random envelopes).
 * The network is not started: no timers (dialling, stall checks), so every case is the core's
 * reaction to one message; it listens to the chain and mempool as a started node does.
 *
 * <p>For each case: bytes that do not parse as an {@code Envelope} are what the transport rejects
 * (counted; the parser may throw nothing but {@link InvalidProtocolBufferException}); a parsed
 * envelope is handed to the node on the peer's connection, and then
 *
 * <ul>
 *   <li>the node handles it: it asks for the next message or closes the stream, logs no error (a handler's unexpected exception is logged at ERROR: counted by an appender);
 *   <li>the peer is still connected (and still answered: a Ping gets its Pong), or the node closed
 *       the stream after a {@code Disconnect} whose code is one of {@link Reason}'s, or the peer
 *       itself said goodbye;
 *   <li>everything the node sent is a well-formed message within the protocol's limits;
 *   <li>the chain state does not change: the tip moves only on a block message, only forward
 *       along the corpus chain (a mutation that leaves a block's content intact, e.g. adds an
 *       unknown protobuf field, may legitimately deliver a requested block), the account-state
 *       digest is the corpus chain's at the tip height, no block of the corpus chain is ever
 *       marked invalid (a mutated copy must not poison the real block), and the mempool holds
 *       only genuine corpus transactions.
 * </ul>
 *
 * <p>A connection either sets up a "syncing" peer (valid handshake claiming the corpus chain, then
 * usually its headers, so the node has blocks in flight from it and mutated blocks reach block
 * validation) and receives mutated messages until the node cuts it off, or, for a handshake case,
 * is a new connection whose first message is the mutated handshake. When the node has synced the
 * whole corpus chain it is replaced by a fresh one. Valid requested blocks are delivered between
 * the cases now and then, so the node meets the mutations at every height of the corpus chain.
 *
 * <p>Default 4 seeds x 10,000 cases (about 56% reach the handler, the rest the transport refuses);
 * the fuzz profile sets {@code cairn.fuzz.iterations} (cases per seed). The seeds make the corpus
 * and every mutation reproducible, and seed the node's own randomness (connection nonces).
 */
@Tag("fuzz")
class PeerMessageFuzzTest {
  private static final PeerFuzzCorpus CORPUS = new PeerFuzzCorpus(0xF022_9E2L);
  private static final Set<String> REASON_CODES =
      Arrays.stream(Reason.values()).map(Reason::code).collect(Collectors.toUnmodifiableSet());
  private static final ErrorCounter ERRORS = new ErrorCounter();
  private static Level savedLevel;

  @BeforeAll
  static void countErrorLogs() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ERRORS.setContext(root.getLoggerContext());
    ERRORS.start();
    root.addAppender(ERRORS);
    // Disconnecting misbehaving peers logs a warning per case: keep the console to errors.
    Logger cairn = (Logger) LoggerFactory.getLogger("dev.cairn");
    savedLevel = cairn.getLevel();
    cairn.setLevel(Level.ERROR);
  }

  @AfterAll
  static void restoreLogging() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(ERRORS);
    ((Logger) LoggerFactory.getLogger("dev.cairn")).setLevel(savedLevel);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void mutatedPeerMessagesCostAtMostTheConnectionAndNeverChangeTheChain(long seed) {
    ERRORS.reset();
    Mutator m = new Mutator(seed);
    Random r = m.random();
    int cases = Mutator.iterations(10_000);
    Stats stats = new Stats();
    long started = System.nanoTime();
    Victim victim = new Victim(seed);
    Session session = null;
    try {
      for (int i = 0; i < cases; i++) {
        if (session != null && r.nextInt(12) == 0) {
          // Honest traffic between the mutations: the block the node asked for next, unmutated.
          // It is accepted without costing the connection, so the node moves along the corpus
          // chain and later mutations meet it at every height.
          if (victim.deliverNextRequestedBlock(session, "seed " + seed + " before case " + i)) {
            stats.validBlocks++;
          }
        }
        PeerFuzzCorpus.Base base = r.nextBoolean() ? CORPUS.blockBases.get(r.nextInt(CORPUS.blockBases.size())) : CORPUS.otherBases.get(r.nextInt(CORPUS.otherBases.size()));
        byte[] bytes = r.nextInt(10) < 6 ? m.mutate(base.envelope().toByteArray()) : fieldMutation(base.envelope(), m).toByteArray();
        Envelope e;
        try {
          e = Envelope.parseFrom(bytes);
        } catch (InvalidProtocolBufferException notAMessage) {
          // What gRPC refuses before the handler sees it (the stream ends as protocol-violation;
          // the cluster tests send such frames over real sockets). Any other exception fails here.
          stats.transportRejected++;
          continue;
        }
        String label = "seed " + seed + " case " + i + " (" + base.name() + " -> " + e.getPayloadCase() + ")";
        if (base.envelope().getPayloadCase() == Envelope.PayloadCase.HANDSHAKE) {
          // A new connection whose first message is the mutated handshake.
          victim.end(session);
          session = victim.open();
        } else if (session == null) {
          session = victim.openSyncing(r, label);
        }
        ChainView before = victim.view();
        int sentBefore = session.stream.sent.size();
        session.deliver(e, label);
        stats.delivered.merge(e.getPayloadCase().name(), 1, Integer::sum);

        assertNoErrorLogged(label);
        List<Envelope> answers = session.stream.sentSince(sentBefore);
        assertWellFormed(answers, label);
        if (session.stream.isClosed()) {
          Envelope bye = answers.stream().filter(Envelope::hasDisconnect).reduce((a, b) -> b).orElse(null);
          if (bye != null) {
            stats.outcomes.merge(bye.getDisconnect().getReasonCode(), 1, Integer::sum);
          } else {
            assertThat(e.getPayloadCase()).as("%s: the node closed the stream without saying why", label).isEqualTo(Envelope.PayloadCase.DISCONNECT);
            stats.outcomes.merge("(peer said goodbye)", 1, Integer::sum);
          }
          session = null;
        } else {
          stats.outcomes.merge("(still connected)", 1, Integer::sum);
          session.pingPong(i, label);
        }
        victim.assertChainUnharmed(before, e, label);
        if (before.tip().height() < victim.chain.tip().height()) {
          stats.blocksAccepted++;
        }
        if (victim.chain.tip().height() == PeerFuzzCorpus.BLOCKS) {
          // Synced the whole corpus chain: no block is in flight any more. A fresh node, so
          // mutated blocks keep reaching block validation.
          victim.end(session);
          session = null;
          victim.close();
          victim = new Victim(seed);
          stats.resets++;
        }
      }
      victim.end(session);
      assertNoErrorLogged("seed " + seed + " at the end");
    } finally {
      victim.close();
    }
    stats.seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("PeerMessageFuzzTest seed %d: %d cases in %.1f s: %s%n", seed, cases, stats.seconds, stats);
    int delivered = stats.delivered.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(delivered + stats.transportRejected).isEqualTo(cases);
    // The corpus and mutations reach the handler with every kind of message, and both outcomes occur.
    assertThat(stats.delivered.keySet()).as("kinds delivered").hasSizeGreaterThanOrEqualTo(12);
    assertThat(stats.outcomes).containsKeys("(still connected)", Reason.PEER_PROTOCOL_VIOLATION.code());
  }

  // ---- mutating one field ---------------------------------------------------------------------

  /** The envelope with one field inside it mutated; a kind without such fields mutates whole. */
  private static Envelope fieldMutation(Envelope e, Mutator m) {
    Random r = m.random();
    switch (e.getPayloadCase()) {
      case BLOCK -> {
        dev.cairn.proto.v1.Block.Builder b = e.getBlock().getBlock().toBuilder();
        b.setCanonical(mutate(b.getCanonical(), m));
        return e.toBuilder().setBlock(e.getBlock().toBuilder().setBlock(b)).build();
      }
      case HEADERS -> {
        dev.cairn.proto.v1.Headers.Builder h = e.getHeaders().toBuilder();
        int i = r.nextInt(h.getHeadersCount());
        if (r.nextInt(8) == 0) {
          h.removeHeaders(i);
        } else {
          h.setHeaders(i, h.getHeaders(i).toBuilder().setCanonical(mutate(h.getHeaders(i).getCanonical(), m)));
        }
        return e.toBuilder().setHeaders(h).build();
      }
      case TRANSACTIONS -> {
        dev.cairn.proto.v1.TransactionBatch.Builder t = e.getTransactions().toBuilder();
        int i = r.nextInt(t.getTransactionsCount());
        t.setTransactions(i, t.getTransactions(i).toBuilder().setCanonical(mutate(t.getTransactions(i).getCanonical(), m)));
        return e.toBuilder().setTransactions(t).build();
      }
      case INVENTORY -> {
        return e.toBuilder().setInventory(e.getInventory().toBuilder().clearItems().addAllItems(items(e.getInventory().getItemsList(), m))).build();
      }
      case GET_DATA -> {
        return e.toBuilder().setGetData(e.getGetData().toBuilder().clearItems().addAllItems(items(e.getGetData().getItemsList(), m))).build();
      }
      case NOT_FOUND -> {
        return e.toBuilder().setNotFound(e.getNotFound().toBuilder().clearItems().addAllItems(items(e.getNotFound().getItemsList(), m))).build();
      }
      case GET_HEADERS -> {
        dev.cairn.proto.v1.GetHeaders.Builder g = e.getGetHeaders().toBuilder();
        if (g.getLocatorCount() > 0 && r.nextBoolean()) {
          int i = r.nextInt(g.getLocatorCount());
          g.setLocator(i, mutate(g.getLocator(i), m));
        } else {
          g.setStopHash(mutate(g.getStopHash(), m));
        }
        return e.toBuilder().setGetHeaders(g).build();
      }
      case HANDSHAKE -> {
        Handshake.Builder h = e.getHandshake().toBuilder();
        switch (r.nextInt(7)) {
          case 0 -> h.setProtocolVersion((int) number(r));
          case 1 -> h.setGenesisHash(mutate(h.getGenesisHash(), m));
          case 2 -> h.setNonce(number(r));
          case 3 -> h.setBestHeight(number(r));
          case 4 -> h.setTotalWork(mutate(h.getTotalWork(), m));
          case 5 -> h.setListenAddress(mutate(h.getListenAddress(), m));
          default -> h.setAgent(mutate(h.getAgent(), m));
        }
        return e.toBuilder().setHandshake(h).build();
      }
      case ADDRESSES -> {
        dev.cairn.proto.v1.Addresses.Builder a = e.getAddresses().toBuilder();
        int i = r.nextInt(a.getAddressesCount());
        PeerAddress.Builder p = a.getAddresses(i).toBuilder();
        switch (r.nextInt(3)) {
          case 0 -> p.setHost(mutate(p.getHost(), m));
          case 1 -> p.setPort((int) number(r));
          default -> p.setLastSeen(number(r));
        }
        return e.toBuilder().setAddresses(a.setAddresses(i, p)).build();
      }
      default -> {
        try {
          return Envelope.parseFrom(m.mutate(e.toByteArray()));
        } catch (InvalidProtocolBufferException notAMessage) {
          return e;
        }
      }
    }
  }

  private static List<InventoryItem> items(List<InventoryItem> items, Mutator m) {
    List<InventoryItem> out = new ArrayList<>(items);
    int i = m.random().nextInt(out.size());
    InventoryItem.Builder b = out.get(i).toBuilder();
    if (m.random().nextInt(4) == 0) {
      b.setTypeValue((int) number(m.random()));
    } else {
      b.setHash(mutate(b.getHash(), m));
    }
    out.set(i, b.build());
    if (m.random().nextInt(8) == 0) {
      out.add(out.get(i)); // the same item twice
    }
    return out;
  }

  private static ByteString mutate(ByteString field, Mutator m) {
    return ByteString.copyFrom(m.mutate(field.toByteArray()));
  }

  private static String mutate(String field, Mutator m) {
    return new String(m.mutate(field.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  /** A number from the edges (0, 1, -1, extremes, powers of two) or anywhere. */
  private static long number(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> 0;
      case 1 -> 1;
      case 2 -> -1;
      case 3 -> Long.MAX_VALUE;
      case 4 -> Long.MIN_VALUE;
      case 5 -> Integer.MAX_VALUE + (long) r.nextInt(3) - 1;
      case 6 -> 1L << r.nextInt(64);
      default -> r.nextLong();
    };
  }

  // ---- checks ---------------------------------------------------------------------------------

  private static void assertNoErrorLogged(String label) {
    assertThat(ERRORS.count.get()).as("%s: errors logged: %s", label, ERRORS.first).isZero();
  }

  /** What the node sends is a message of the protocol, within its limits. */
  private static void assertWellFormed(List<Envelope> sent, String label) {
    for (Envelope s : sent) {
      switch (s.getPayloadCase()) {
        case PAYLOAD_NOT_SET -> throw new AssertionError(label + ": the node sent an empty envelope");
        case DISCONNECT -> assertThat(REASON_CODES).as("%s: reason code sent", label).contains(s.getDisconnect().getReasonCode());
        case INVENTORY -> assertThat(s.getInventory().getItemsCount()).as(label).isBetween(1, Limits.MAX_INVENTORY);
        case GET_DATA -> assertThat(s.getGetData().getItemsCount()).as(label).isBetween(1, Limits.MAX_INVENTORY);
        case NOT_FOUND -> assertThat(s.getNotFound().getItemsCount()).as(label).isBetween(1, Limits.MAX_INVENTORY);
        case HEADERS -> assertThat(s.getHeaders().getHeadersCount()).as(label).isLessThanOrEqualTo(Limits.MAX_HEADERS);
        case GET_HEADERS -> assertThat(s.getGetHeaders().getLocatorCount()).as(label).isBetween(1, Limits.MAX_LOCATOR);
        case ADDRESSES -> assertThat(s.getAddresses().getAddressesCount()).as(label).isLessThanOrEqualTo(Limits.MAX_ADDRESSES);
        case TRANSACTIONS -> assertThat(s.getTransactions().getTransactionsCount()).as(label).isBetween(1, Limits.MAX_TRANSACTIONS);
        default -> {}
      }
    }
  }

  // ---- the node under test --------------------------------------------------------------------

  /** The chain as seen before a case. */
  private record ChainView(BlockIndexEntry tip, Hash digest) {}

  /** A fresh node at genesis of the corpus chain: in-memory store, chain, mempool, peer network. */
  private static final class Victim implements AutoCloseable {
    private static final AtomicInteger PORTS = new AtomicInteger();
    final PeerHarness node;
    final ChainStore store;
    final Blockchain chain;
    final Mempool mempool;

    Victim(long seed) {
      // Its clock is past every corpus block's timestamp, so none is too new. No outbound target
      // (addresses heard from the fuzzer are never dialled), and the network is not started: no
      // timers, so every case is the core's reaction to one message.
      node = new PeerHarness(CORPUS.spec, (CORPUS.endClock + 600) * 1000, PeerHarness.quietConfig(), seed);
      store = node.store;
      chain = node.chain;
      mempool = node.mempool;
    }

    /** A new inbound connection from a loopback address (never discouraged: §13). */
    Session open() {
      HostPort remote = new HostPort("127.0.0.1", 1024 + PORTS.getAndIncrement() % 60_000);
      return new Session(node, node.open(remote));
    }

    /**
     * A new connection of a peer that has the corpus chain: a valid handshake and, three times in
     * four, its headers, so the node asks it for blocks. Valid messages never cost the connection.
     */
    Session openSyncing(Random r, String label) {
      Session s = open();
      s.deliver(CORPUS.handshake(r.nextLong()), "valid handshake");
      assertThat(s.stream.isClosed()).as("%s: a valid handshake cost the connection: %s", label, s.stream.sent).isFalse();
      if (r.nextInt(4) != 0) {
        s.deliver(CORPUS.allHeaders(), "valid headers");
        assertThat(s.stream.isClosed()).as("%s: valid headers cost the connection: %s", label, s.stream.sent).isFalse();
      }
      return s;
    }

    /** The peer says goodbye, if still connected. */
    void end(Session s) {
      if (s != null && !s.stream.isClosed()) {
        s.node.deliver(s.stream, PeerFuzzCorpus.disconnect());
        assertThat(s.stream.isClosed()).as("the node kept a peer that said goodbye").isTrue();
      }
    }

    ChainView view() {
      return new ChainView(chain.tip(), PeerFuzzCorpus.digest(store));
    }

    /**
     * Delivers, unmutated, the lowest corpus block above the tip that the node asked this peer for
     * (its GetData); returns false if it asked for none. A valid requested block is accepted and
     * never costs the connection.
     */
    boolean deliverNextRequestedBlock(Session s, String label) {
      long tipHeight = chain.tip().height();
      int next = Integer.MAX_VALUE;
      for (Envelope sent : s.stream.sent) {
        for (InventoryItem item : sent.getGetData().getItemsList()) {
          if (item.getType() != dev.cairn.proto.v1.InventoryType.INVENTORY_TYPE_BLOCK) {
            continue;
          }
          int h = CORPUS.heightOf(Hash.of(item.getHash().toByteArray()));
          if (h > tipHeight && h < next && store.body(CORPUS.blocks.get(h).hash()).isEmpty()) {
            next = h;
          }
        }
      }
      if (next == Integer.MAX_VALUE) {
        return false;
      }
      ChainView before = view();
      Envelope block = CORPUS.block(next);
      s.deliver(block, "valid block " + next);
      assertNoErrorLogged(label);
      assertThat(s.stream.isClosed())
          .as("%s: requested block %d cost the connection; the node sent %s; the peer sent %s", label, next, s.stream.sent, s.history)
          .isFalse();
      assertThat(store.body(CORPUS.blocks.get(next).hash())).as("%s: requested block %d not stored", label, next).isPresent();
      assertChainUnharmed(before, block, label);
      return true;
    }

    void assertChainUnharmed(ChainView before, Envelope e, String label) {
      BlockIndexEntry tip = chain.tip();
      if (!tip.hash().equals(before.tip().hash())) {
        assertThat(e.getPayloadCase()).as("%s: the tip moved", label).isEqualTo(Envelope.PayloadCase.BLOCK);
        assertThat(tip.height()).as("%s: the tip went back", label).isGreaterThan(before.tip().height());
        // Every block of the best chain carries exactly the corpus chain's transactions.
        for (long h = 1; h <= tip.height(); h++) {
          Block mine = store.body(store.mainChainHash(h).orElseThrow()).orElseThrow();
          assertThat(mine.transactionIds()).as("%s: transactions at height %d", label, h).isEqualTo(CORPUS.blocks.get((int) h).transactionIds());
        }
      }
      assertThat(PeerFuzzCorpus.digest(store)).as("%s: account state at height %d", label, tip.height()).isEqualTo(CORPUS.digests.get((int) tip.height()));
      for (int h = 1; h <= PeerFuzzCorpus.BLOCKS; h++) {
        Hash real = CORPUS.blocks.get(h).hash();
        assertThat(chain.entry(real).map(en -> en.status().isFailed()).orElse(false))
            .as("%s: corpus block %d marked invalid", label, h)
            .isFalse();
      }
      if (e.getPayloadCase() == Envelope.PayloadCase.TRANSACTIONS) {
        for (Mempool.Entry entry : mempool.entries()) {
          assertThat(CORPUS.knownTxids).as("%s: mempool admitted a transaction not in the corpus", label).contains(entry.tx().id());
        }
      }
    }

    @Override
    public void close() {
      node.close();
    }
  }

  /** One connection to the victim. */
  private static final class Session {
    final PeerHarness node;
    final ScriptedTransport.Connection stream;
    /** What the fuzzer sent on this connection, for failure messages. */
    final List<String> history = new ArrayList<>();

    Session(PeerHarness node, ScriptedTransport.Connection stream) {
      this.node = node;
      this.stream = stream;
    }

    /**
     * Hands {@code e} to the node; it must finish with it: ask for the next message or close the
     * connection (a handler that died or hangs does neither).
     */
    void deliver(Envelope e, String what) {
      history.add(what + ": " + e.toString().replace('\n', ' '));
      node.deliver(stream, e);
      assertThat(PeerHarness.handled(stream))
          .as("the node neither asked for the next message nor closed the stream after %s", what)
          .isTrue();
    }

    /** The node still serves this peer: a Ping is answered by a Pong with its nonce. */
    void pingPong(long nonce, String label) {
      int from = stream.sent.size();
      deliver(Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)).build(), "ping " + nonce);
      assertThat(stream.isClosed()).as("%s: a Ping cost the connection", label).isFalse();
      assertThat(stream.sentSince(from))
          .as("%s: answer to Ping %d", label, nonce)
          .anyMatch(s -> s.hasPong() && s.getPong().getNonce() == nonce);
    }
  }

  private static final class Stats {
    int transportRejected;
    int blocksAccepted;
    int validBlocks;
    int resets;
    double seconds;
    final Map<String, Integer> delivered = new TreeMap<>();
    final Map<String, Integer> outcomes = new TreeMap<>();

    @Override
    public String toString() {
      return "transport-rejected " + transportRejected + ", delivered " + delivered + ", outcomes " + outcomes
          + ", tip moved by a mutated message " + blocksAccepted + " times, valid requested blocks delivered between cases "
          + validBlocks + ", fresh nodes " + resets;
    }
  }

  /** Counts ERROR events of any logger and keeps the first few, with their exceptions. */
  private static final class ErrorCounter extends AppenderBase<ILoggingEvent> {
    final AtomicInteger count = new AtomicInteger();
    final List<String> first = Collections.synchronizedList(new ArrayList<>());

    void reset() {
      count.set(0);
      first.clear();
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
        count.incrementAndGet();
        if (first.size() < 5) {
          IThrowableProxy t = event.getThrowableProxy();
          first.add(event.getLoggerName() + ": " + event.getFormattedMessage()
              + (t != null ? " [" + t.getClassName() + ": " + t.getMessage() + "]" : ""));
        }
      }
    }
  }
}
