package dev.cairn.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.rocksdb.WriteBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbKeyValueStoreTest extends KeyValueStoreContractTest {

  @TempDir Path dir;

  @Override
  protected KeyValueStore newStore() {
    return RocksDbKeyValueStore.open(dir.resolve("db"), StoreConfig.SMALL);
  }

  /** Reads a serialized batch back through RocksDB's own parser, as "type cf key=value" lines. */
  private static List<String> parse(byte[] rep) throws Exception {
    List<String> out = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    try (WriteBatch batch = new WriteBatch(rep);
        WriteBatch.Handler handler =
            new WriteBatch.Handler() {
              @Override
              public void put(int cf, byte[] k, byte[] v) {
                out.add("put " + cf + " " + hex.formatHex(k) + "=" + hex.formatHex(v));
              }

              @Override
              public void merge(int cf, byte[] k, byte[] v) {
                out.add("merge " + cf + " " + hex.formatHex(k) + "=" + hex.formatHex(v));
              }

              @Override
              public void delete(int cf, byte[] k) {
                out.add("delete " + cf + " " + hex.formatHex(k));
              }

              @Override public void put(byte[] k, byte[] v) { out.add("default put"); }
              @Override public void merge(byte[] k, byte[] v) { out.add("default merge"); }
              @Override public void delete(byte[] k) { out.add("default delete"); }
              @Override public void singleDelete(int cf, byte[] k) { out.add("single delete"); }
              @Override public void singleDelete(byte[] k) { out.add("single delete"); }
              @Override public void deleteRange(int cf, byte[] a, byte[] b) { out.add("delete range"); }
              @Override public void deleteRange(byte[] a, byte[] b) { out.add("delete range"); }
              @Override public void logData(byte[] b) { out.add("log data"); }
              @Override public void putBlobIndex(int cf, byte[] k, byte[] v) { out.add("blob index"); }
              @Override public void markBeginPrepare() { out.add("mark"); }
              @Override public void markEndPrepare(byte[] x) { out.add("mark"); }
              @Override public void markNoop(boolean b) { out.add("mark"); }
              @Override public void markRollback(byte[] x) { out.add("mark"); }
              @Override public void markCommit(byte[] x) { out.add("mark"); }
              @Override public void markCommitWithTimestamp(byte[] x, byte[] t) { out.add("mark"); }
            }) {
      batch.iterate(handler);
    }
    return out;
  }

  @Test
  void compactingFullyKeepsEveryValueAndCounter() {
    Random random = new Random(11);
    java.util.Map<String, byte[]> values = new java.util.HashMap<>();
    for (int round = 0; round < 20; round++) {
      try (KeyValueStore.Batch batch = store.batch()) {
        for (int i = 0; i < 50; i++) {
          String key = "k" + random.nextInt(200);
          byte[] value = new byte[1 + random.nextInt(300)];
          random.nextBytes(value);
          batch.put(Column.BODIES, b(key), value);
          values.put(key, value);
          batch.add(Column.ADDRESS_COUNTS, b("counter"), 1);
        }
        batch.commit(false);
      }
    }
    ((RocksDbKeyValueStore) store).compactFully();
    values.forEach((k, v) -> assertThat(store.get(Column.BODIES, b(k))).hasValueSatisfying(got -> assertThat(got).isEqualTo(v)));
    assertThat(Counters.decode(store.get(Column.ADDRESS_COUNTS, b("counter")).orElseThrow())).isEqualTo(1_000);
    store.close();
    assertThatThrownBy(() -> ((RocksDbKeyValueStore) store).compactFully()).isInstanceOf(StoreClosedException.class);
  }

  @Test
  void batchesStagedInJavaAreWhatRocksDbReads() throws Exception {
    // Lengths and column family ids around the varint boundaries (127/128, 16383/16384).
    Random random = new Random(9);
    WriteBatchRep rep = new WriteBatchRep();
    List<String> expected = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    int[] lengths = {0, 1, 127, 128, 300, 16_383, 16_384, 70_000};
    int[] families = {0, 1, 11, 127, 128, 20_000};
    for (int i = 0; i < 60; i++) {
      byte[] key = new byte[lengths[random.nextInt(lengths.length)]];
      byte[] value = new byte[lengths[random.nextInt(lengths.length)]];
      random.nextBytes(key);
      random.nextBytes(value);
      int cf = families[random.nextInt(families.length)];
      switch (i % 3) {
        case 0 -> {
          rep.put(cf, key, value);
          expected.add("put " + cf + " " + hex.formatHex(key) + "=" + hex.formatHex(value));
        }
        case 1 -> {
          rep.delete(cf, key);
          expected.add("delete " + cf + " " + hex.formatHex(key));
        }
        default -> {
          rep.merge(cf, key, value);
          expected.add("merge " + cf + " " + hex.formatHex(key) + "=" + hex.formatHex(value));
        }
      }
    }
    byte[] bytes = rep.toByteArray();
    try (WriteBatch batch = new WriteBatch(bytes)) {
      assertThat(batch.count()).isEqualTo(60);
    }
    assertThat(parse(bytes)).containsExactlyElementsOf(expected);
    rep.clear();
    assertThat(parse(rep.toByteArray())).isEmpty();
  }

  @Test
  void writesSurviveReopening() {
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.put(Column.ACCOUNTS, b("k"), b("v")).commit(true);
    }
    store.close();
    store = newStore();
    assertThat(store.get(Column.ACCOUNTS, b("k")).orElseThrow()).isEqualTo(b("v"));
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefusedClearly() {
    assertThatThrownBy(this::newStore)
        .isInstanceOf(StoreLockedException.class)
        .hasMessageContaining("in use by another process")
        .hasMessageContaining(dir.resolve("db").toString());
    // The first store is untouched by the failed attempt.
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.put(Column.ACCOUNTS, b("k"), b("v")).commit(true);
    }
    assertThat(store.get(Column.ACCOUNTS, b("k"))).isPresent();
  }

  @Test
  void anUnusableDirectoryIsReportedNotCrashed() throws Exception {
    Path file = dir.resolve("a-file");
    java.nio.file.Files.writeString(file, "not a directory");
    assertThatThrownBy(() -> RocksDbKeyValueStore.open(file.resolve("db"), StoreConfig.SMALL))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void sharedCacheIsBoundedByConfiguration() {
    RocksDbKeyValueStore rocks = (RocksDbKeyValueStore) store;
    try (KeyValueStore.Batch batch = store.batch()) {
      for (int i = 0; i < 20_000; i++) {
        batch.put(Column.BODIES, b("key-" + i), new byte[512]);
      }
      batch.commit(false);
    }
    assertThat(rocks.cacheUsage()).isLessThanOrEqualTo(StoreConfig.SMALL.cacheBytes() + (1L << 20));
    assertThat(store.approximateSize(Column.BODIES)).isPositive();
  }
}
