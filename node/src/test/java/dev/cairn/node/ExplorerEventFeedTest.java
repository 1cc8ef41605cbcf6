package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Transfer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EventFeed} without HTTP: its frames, its client cap, and that a client that does not keep
 * up is dropped instead of holding anyone up (the chain's and mempool's listener calls never block).
 */
class ExplorerEventFeedTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir static Path dir;
  private static RegtestNode regtest;
  private static Transfer tx;

  @BeforeAll
  static void startNode() {
    regtest = RegtestNode.funded(61, 1, dir);
    tx = Transfer.sign(regtest.key(0), regtest.key(0).address(), Amount.units(1), Amount.units(1_420), 0, regtest.spec().genesisHash());
  }

  @AfterAll
  static void stopNode() {
    regtest.close();
  }

  @Test
  void framesAreServerSentEvents() throws Exception {
    try (EventFeed feed = new EventFeed(regtest.node().queries(), 4, 60_000)) {
      EventFeed.Client client = feed.register().orElseThrow();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> client.serve(synchronizedStream(out)));
      feed.transactionAdded(tx);
      await().atMost(WAIT).until(() -> text(out).contains("\n\n" + "event: tx"));
      await().atMost(WAIT).until(() -> text(out).endsWith("\n\n"));
      String expected =
          ": connected\n\nevent: tx\ndata: "
              + new String(JsonViews.bytes(new JsonViews(regtest.node().queries()).transaction(new NodeQueries.TxView(tx, Optional.empty()))), StandardCharsets.UTF_8)
              + "\n\n";
      assertThat(text(out)).isEqualTo(expected);
      feed.close();
      serving.get();
      assertThat(feed.clientCount()).isZero();
      assertThat(feed.register()).isEmpty(); // closed
    }
  }

  @Test
  void clientsAreCapped() {
    try (EventFeed feed = new EventFeed(regtest.node().queries(), 3, 60_000)) {
      for (int i = 0; i < 3; i++) {
        assertThat(feed.register()).isPresent();
      }
      assertThat(feed.register()).isEmpty();
      assertThat(feed.clientCount()).isEqualTo(3);
    }
  }

  @Test
  void aClientThatDoesNotKeepUpIsDropped() throws Exception {
    try (EventFeed feed = new EventFeed(regtest.node().queries(), 4, 60_000)) {
      EventFeed.Client stuck = feed.register().orElseThrow(); // registered, never served
      EventFeed.Client reading = feed.register().orElseThrow();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> reading.serve(synchronizedStream(out)));
      await().atMost(WAIT).until(() -> text(out).contains(": connected"));
      int published = 0;
      while (published < EventFeed.CLIENT_QUEUE + 50) {
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
          feed.transactionAdded(tx); // never blocks, however far behind a client is
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        published += 100;
        int expected = published;
        // The reading client keeps up (chunk by chunk); the stuck one only accumulates.
        await().atMost(WAIT).until(() -> count(text(out), "event: tx") == expected);
      }
      await().atMost(WAIT).until(() -> feed.clientCount() == 1);
      // The stuck client's stream ends at once when it is finally served.
      CompletableFuture.runAsync(() -> stuck.serve(OutputStream.nullOutputStream())).get();
      // The reading client got every event.
      assertThat(count(text(out), "event: tx")).isEqualTo(published);
      assertThat(feed.clientCount()).isEqualTo(1);
      feed.close();
      serving.get();
    }
  }

  @Test
  void aClientWhoseWritesFailIsForgotten() throws Exception {
    try (EventFeed feed = new EventFeed(regtest.node().queries(), 4, 50)) {
      EventFeed.Client client = feed.register().orElseThrow();
      OutputStream broken =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              throw new IOException("connection reset");
            }
          };
      CompletableFuture.runAsync(() -> client.serve(broken)).get();
      assertThat(feed.clientCount()).isZero();
    }
  }

  private static OutputStream synchronizedStream(ByteArrayOutputStream out) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (out) {
          out.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (out) {
          out.write(b, off, len);
        }
      }
    };
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
