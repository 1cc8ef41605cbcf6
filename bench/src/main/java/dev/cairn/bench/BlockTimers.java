package dev.cairn.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A node's cumulative block validation and store-write time, read from its own Prometheus
 * {@code /metrics} (the timers consensus feeds through {@code ValidationObserver}), so the
 * benchmark can say how much of a hop is the receiving node's own work without instrumenting it.
 *
 * @param validateSeconds signatures, state transition and state commitment of connected blocks
 * @param connectSeconds the synced RocksDB batch of connected blocks
 * @param blocks blocks connected
 */
record BlockTimers(double validateSeconds, double connectSeconds, double blocks) {
  static final BlockTimers ZERO = new BlockTimers(0, 0, 0);

  static BlockTimers scrape(HttpClient http, int httpPort) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET /metrics on port " + httpPort + ": HTTP " + response.statusCode());
    }
    String text = response.body();
    return new BlockTimers(
        value(text, "cairn_block_validation_seconds_sum"),
        value(text, "cairn_block_connect_seconds_sum"),
        value(text, "cairn_block_connect_seconds_count"));
  }

  static BlockTimers scrapeAll(HttpClient http, List<Integer> ports) throws IOException, InterruptedException {
    BlockTimers sum = ZERO;
    for (int port : ports) {
      sum = sum.plus(scrape(http, port));
    }
    return sum;
  }

  BlockTimers plus(BlockTimers o) {
    return new BlockTimers(validateSeconds + o.validateSeconds, connectSeconds + o.connectSeconds, blocks + o.blocks);
  }

  BlockTimers minus(BlockTimers o) {
    return new BlockTimers(validateSeconds - o.validateSeconds, connectSeconds - o.connectSeconds, blocks - o.blocks);
  }

  double validateMillisPerBlock() {
    return blocks == 0 ? 0 : validateSeconds * 1e3 / blocks;
  }

  double connectMillisPerBlock() {
    return blocks == 0 ? 0 : connectSeconds * 1e3 / blocks;
  }

  private static double value(String metrics, String name) throws IOException {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new IOException("metric " + name + " not found");
  }
}
