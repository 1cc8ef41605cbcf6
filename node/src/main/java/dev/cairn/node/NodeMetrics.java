package dev.cairn.node;

import dev.cairn.consensus.Blockchain;
import dev.cairn.consensus.Mempool;
import dev.cairn.consensus.ValidationObserver;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.Column;
import dev.cairn.ledger.store.KeyValueStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * The node's metrics, served at {@code /metrics} in the Prometheus text format (docs/API.md,
 * "Metrics"), on Micrometer's Prometheus registry. Gauges read the chain, mempool, peers and store
 * when scraped; counters and latency histograms are fed by consensus through {@link
 * ValidationObserver} (set on the {@link Blockchain} and the {@link Mempool}), whose calls run under
 * the chain or mempool lock and only bump counters. Thread-safe.
 */
final class NodeMetrics implements ValidationObserver, AutoCloseable {
  /** The Prometheus text exposition format, version 0.0.4. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
  };

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter blocksValidated;
  private final Counter transactionsInBlocks;
  private final Counter transactionsAdmitted;
  private final Timer validation;
  private final Timer connect;
  private final Map<Reason, Counter> blockRejections = new EnumMap<>(Reason.class);
  private final Map<Reason, Counter> transactionRejections = new EnumMap<>(Reason.class);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final ChainStore store;

  NodeMetrics(Blockchain chain, Mempool mempool, IntSupplier peers, IntSupplier sseClients) {
    this.store = chain.store();
    // Two of ProcessorMetrics' names break Prometheus' naming rules (promtool check metrics):
    // process_cpu_time_ns_total (an abbreviated unit) and system_cpu_count (a _count suffix on a gauge).
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
    gauge("cairn.chain.height", "Height of the best chain's tip", () -> chain.tip().height());
    gauge("cairn.peers", "Connected peers (handshake completed)", () -> peers.getAsInt());
    gauge("cairn.mempool.transactions", "Transactions in the mempool", () -> mempool.stats().count());
    gauge("cairn.mempool.bytes", "Bytes of the transactions in the mempool (canonical encodings)", () -> mempool.stats().bytes());
    gauge("cairn.explorer.event.clients", "Clients connected to the explorer's event stream", () -> sseClients.getAsInt());
    for (Column column : Column.values()) {
      Gauge.builder("cairn.store.bytes", () -> orNaN(() -> store.approximateSize(column)))
          .description("Approximate bytes of a RocksDB column family (SST files and memtables)")
          .tag("column", column.familyName())
          .register(registry);
    }
    gauge("cairn.store.block.cache.hit.ratio", "Block cache hits / lookups since the node started (NaN before any lookup)",
        () -> cache().map(s -> s.hits() + s.misses() == 0 ? Double.NaN : (double) s.hits() / (s.hits() + s.misses()))
            .orElse(Double.NaN));
    gauge("cairn.store.block.cache.usage.bytes", "Bytes held by the RocksDB block cache, memtables included",
        () -> cache().map(s -> (double) s.usageBytes()).orElse(Double.NaN));
    FunctionCounter.builder("cairn.store.block.cache.hits", store, s -> cacheOf(s).map(c -> (double) c.hits()).orElse(0.0))
        .description("RocksDB block cache lookups that hit")
        .register(registry);
    FunctionCounter.builder("cairn.store.block.cache.misses", store, s -> cacheOf(s).map(c -> (double) c.misses()).orElse(0.0))
        .description("RocksDB block cache lookups that missed")
        .register(registry);

    blocksValidated =
        Counter.builder("cairn.blocks.validated")
            .description("Blocks that passed full validation and were connected to the best chain")
            .register(registry);
    transactionsInBlocks =
        Counter.builder("cairn.transactions.validated")
            .description("Transactions validated: admitted to the mempool (stage=mempool) or in connected blocks, coinbases included (stage=block)")
            .tag("stage", "block")
            .register(registry);
    transactionsAdmitted =
        Counter.builder("cairn.transactions.validated")
            .description("Transactions validated: admitted to the mempool (stage=mempool) or in connected blocks, coinbases included (stage=block)")
            .tag("stage", "mempool")
            .register(registry);
    validation =
        Timer.builder("cairn.block.validation")
            .description("Time to validate a block being connected: signatures, state transition, state commitment")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    connect =
        Timer.builder("cairn.block.connect")
            .description("Time to write a connected block to the store (one synced RocksDB batch)")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    gc.bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  private Optional<KeyValueStore.CacheStats> cache() {
    return cacheOf(store);
  }

  private static Optional<KeyValueStore.CacheStats> cacheOf(ChainStore store) {
    try {
      return store.blockCacheStats();
    } catch (RuntimeException e) {
      return Optional.empty(); // the store is closed: the node is stopping
    }
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    Gauge.builder(name, () -> orNaN(value)).description(help).register(registry);
  }

  /** A gauge's value, NaN if it cannot be read (a store closing under a scrape). */
  private static double orNaN(DoubleSupplier value) {
    try {
      return value.getAsDouble();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  /** The metrics in the Prometheus text format (0.0.4). */
  String scrape() {
    return registry.scrape();
  }

  @Override
  public void blockConnected(long validateNanos, long connectNanos, int txCount) {
    blocksValidated.increment();
    transactionsInBlocks.increment(txCount);
    validation.record(validateNanos, TimeUnit.NANOSECONDS);
    connect.record(connectNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void blockRejected(Reason reason) {
    rejection(blockRejections, "block", reason).increment();
  }

  @Override
  public void transactionAccepted() {
    transactionsAdmitted.increment();
  }

  @Override
  public void transactionRejected(Reason reason) {
    rejection(transactionRejections, "transaction", reason).increment();
  }

  private Counter rejection(Map<Reason, Counter> counters, String kind, Reason reason) {
    synchronized (counters) {
      return counters.computeIfAbsent(
          reason,
          r ->
              Counter.builder("cairn.rejections")
                  .description("Blocks and transactions refused, by kind and reason code (docs/PROTOCOL.md)")
                  .tag("kind", kind)
                  .tag("reason", r.code())
                  .register(registry));
    }
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
