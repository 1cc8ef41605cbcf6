package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.MempoolPolicy;
import dev.cairn.consensus.SignatureCache;
import dev.cairn.consensus.SignatureVerifier;
import dev.cairn.consensus.TimeSource;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An unexpected failure (here: the store closed under the server) is a 500 with a generic JSON
 * error and one log line, and no internals in the response.
 */
class ExplorerInternalErrorTest {
  @Test
  void unexpectedExceptionIsAGeneric500AndOneLogLine() throws Exception {
    ChainSpec spec = ChainSpec.regtest();
    ChainStore store = ChainStore.open(new InMemoryKeyValueStore(), spec);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Logger log = (Logger) LoggerFactory.getLogger(ExplorerServer.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    log.addAppender(appender);
    try {
      Blockchain chain = new Blockchain(store, TimeSource.SYSTEM, new SignatureVerifier(new SignatureCache(16), pool, 1));
      Mempool mempool = new Mempool(store, MempoolPolicy.DEFAULT, new SignatureCache(16), TimeSource.SYSTEM);
      try (ExplorerServer server = ExplorerServer.start(new NodeQueries(chain, mempool, java.util.List::of), "127.0.0.1", 0)) {
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/block-height/0");
        HttpResponse<String> ok = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(spec.genesisHash().toHex());
        appender.list.clear();

        store.close();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        assertThat(r.body()).isEqualTo("{\"error\":{\"code\":\"internal-error\",\"message\":\"internal error\"}}");
        assertThat(appender.list).hasSize(1);
        ILoggingEvent event = appender.list.get(0);
        assertThat(event.getThrowableProxy()).isNull();
        assertThat(event.getFormattedMessage())
            .contains("GET /api/block-height/0")
            .contains("StoreClosedException")
            .doesNotContain("\n");
      }
    } finally {
      log.detachAppender(appender);
      pool.shutdownNow();
      store.close();
    }
  }
}
