package dev.cairn.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbKeyValueStoreTest extends KeyValueStoreContractTest {
  static final StoreConfig SMALL = new StoreConfig(16L << 20, 4L << 20, 64);

  @TempDir Path dir;

  @Override
  protected KeyValueStore newStore() {
    return RocksDbKeyValueStore.open(dir.resolve("db"), SMALL);
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
    assertThatThrownBy(() -> RocksDbKeyValueStore.open(file.resolve("db"), SMALL))
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
    assertThat(rocks.cacheUsage()).isLessThanOrEqualTo(SMALL.cacheBytes() + (1L << 20));
    assertThat(store.approximateSize(Column.BODIES)).isPositive();
  }
}
