package dev.cairn.node;

import dev.cairn.consensus.Miner;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.testkit.TestChain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real regtest node for tests: RocksDB in the given directory (a JUnit {@code @TempDir}), every
 * server on 127.0.0.1 with an OS-chosen port, no free-running miner; blocks are mined on demand
 * with {@link #generate}. {@link #funded} starts one whose chain spec pre-funds some keys at
 * genesis (regtest parameters otherwise), so tests need not mine 101 blocks to get a spendable
 * balance. Closing stops the node. Not thread-safe.
 */
public final class RegtestNode implements AutoCloseable {
  private final Node node;
  private final List<PrivateKey> keys;
  private final HttpClient http;

  private RegtestNode(Node node, List<PrivateKey> keys) {
    this.node = node;
    this.keys = keys;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** A node on the chain {@code spec}, whose genesis funds {@code keys} (may be empty). */
  public static RegtestNode start(ChainSpec spec, List<PrivateKey> keys, Path dir) {
    try {
      return new RegtestNode(new Node(NodeConfig.forTests(spec, dir)).start(), List.copyOf(keys));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A node on plain regtest: no pre-funded accounts. */
  public static RegtestNode start(Path dir) {
    return start(ChainSpec.regtest(), List.of(), dir);
  }

  /**
   * A node on regtest parameters whose genesis gives {@link TestChain#FUNDING} to each of {@code
   * keyCount} keys derived from {@code seed} ({@link TestChain#keys}).
   */
  public static RegtestNode funded(long seed, int keyCount, Path dir) {
    List<PrivateKey> keys = TestChain.keys(seed, keyCount);
    return start(TestChain.specFor(keys), keys, dir);
  }

  public Node node() {
    return node;
  }

  public ChainSpec spec() {
    return node.config().spec();
  }

  /** The keys funded at genesis. */
  public List<PrivateKey> keys() {
    return keys;
  }

  public PrivateKey key(int i) {
    return keys.get(i);
  }

  /** The network's text form of {@code address}. */
  public String text(Address address) {
    return address.toText(spec().params().addressPrefix());
  }

  /** The explorer's base URL, e.g. {@code http://127.0.0.1:41234} (no trailing slash). */
  public String httpBaseUrl() {
    return "http://127.0.0.1:" + node.httpPort();
  }

  /** Mines {@code count} blocks on the tip paying {@code to}, on the calling thread. */
  public List<Hash> generate(int count, Address to) {
    try {
      return Miner.generate(node.chain(), node.assembler(), to, count);
    } catch (RejectedException e) {
      throw new IllegalStateException("a regtest block we mined was refused: " + e.getMessage(), e);
    }
  }

  /** GET {@code path} (e.g. {@code /api/blocks/tip/height}) from the explorer. */
  public HttpResponse<String> get(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(httpBaseUrl() + path)).timeout(Duration.ofSeconds(10)).GET().build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** POST {@code body} as text/plain to {@code path} of the explorer. */
  public HttpResponse<String> post(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(httpBaseUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** Sends {@code request} with this node's HTTP client. */
  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    node.close();
  }
}
