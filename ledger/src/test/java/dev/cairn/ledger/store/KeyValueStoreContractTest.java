package dev.cairn.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link KeyValueStore} must do, run against each implementation (as Besu's
 * AbstractKeyValueStorageTest is).
 */
abstract class KeyValueStoreContractTest {
  protected KeyValueStore store;

  protected abstract KeyValueStore newStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private List<String> scanKeys(Column c, byte[] from, byte[] to, boolean reverse) {
    List<String> keys = new ArrayList<>();
    store.scan(c, from, to, reverse, (k, v) -> keys.add(new String(k, StandardCharsets.UTF_8)));
    return keys;
  }

  private void put(Column c, String key, String value) {
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.put(c, b(key), b(value)).commit(false);
    }
  }

  @Test
  void missingKeyIsEmpty() {
    assertThat(store.get(Column.ACCOUNTS, b("nothing"))).isEmpty();
  }

  @Test
  void putThenGetThenDelete() {
    put(Column.ACCOUNTS, "k", "v");
    assertThat(store.get(Column.ACCOUNTS, b("k"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("v")));
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.delete(Column.ACCOUNTS, b("k")).commit(true);
    }
    assertThat(store.get(Column.ACCOUNTS, b("k"))).isEmpty();
  }

  @Test
  void aValuesHeadIsItsFirstBytesWithItsWholeLength() {
    put(Column.BODIES, "k", "0123456789");
    KeyValueStore.ValueHead head = store.getHead(Column.BODIES, b("k"), 4).orElseThrow();
    assertThat(head.bytes()).isEqualTo(b("0123"));
    assertThat(head.length()).isEqualTo(10);
    KeyValueStore.ValueHead whole = store.getHead(Column.BODIES, b("k"), 64).orElseThrow();
    assertThat(whole.bytes()).isEqualTo(b("0123456789"));
    assertThat(whole.length()).isEqualTo(10);
    assertThat(store.getHead(Column.BODIES, b("k"), 10).orElseThrow().bytes()).isEqualTo(b("0123456789"));
    assertThat(store.getHead(Column.BODIES, b("other"), 4)).isEmpty();
    assertThat(store.getHead(Column.ACCOUNTS, b("k"), 4)).isEmpty();
  }

  @Test
  void columnsAreSeparate() {
    put(Column.ACCOUNTS, "k", "accounts");
    put(Column.BODIES, "k", "bodies");
    assertThat(store.get(Column.ACCOUNTS, b("k")).orElseThrow()).isEqualTo(b("accounts"));
    assertThat(store.get(Column.BODIES, b("k")).orElseThrow()).isEqualTo(b("bodies"));
    assertThat(store.get(Column.UNDO, b("k"))).isEmpty();
  }

  @Test
  void nothingIsVisibleBeforeCommitAndAllOfItAfter() {
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.put(Column.ACCOUNTS, b("a"), b("1"));
      batch.put(Column.MAIN_CHAIN, b("b"), b("2"));
      assertThat(store.get(Column.ACCOUNTS, b("a"))).isEmpty();
      batch.commit(true);
    }
    assertThat(store.get(Column.ACCOUNTS, b("a"))).isPresent();
    assertThat(store.get(Column.MAIN_CHAIN, b("b"))).isPresent();
  }

  @Test
  void aClosedUncommittedBatchWritesNothing() {
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.put(Column.ACCOUNTS, b("a"), b("1"));
    }
    assertThat(store.get(Column.ACCOUNTS, b("a"))).isEmpty();
  }

  @Test
  void laterWritesInABatchWin() {
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.put(Column.ACCOUNTS, b("a"), b("1"));
      batch.delete(Column.ACCOUNTS, b("a"));
      batch.put(Column.ACCOUNTS, b("b"), b("1"));
      batch.put(Column.ACCOUNTS, b("b"), b("2"));
      batch.commit(false);
    }
    assertThat(store.get(Column.ACCOUNTS, b("a"))).isEmpty();
    assertThat(store.get(Column.ACCOUNTS, b("b")).orElseThrow()).isEqualTo(b("2"));
  }

  @Test
  void scansAHalfOpenRangeInBothDirections() {
    for (String k : List.of("a", "b", "c", "d", "e")) {
      put(Column.ADDRESS_INDEX, k, k);
    }
    assertThat(scanKeys(Column.ADDRESS_INDEX, b("b"), b("e"), false)).containsExactly("b", "c", "d");
    assertThat(scanKeys(Column.ADDRESS_INDEX, b("b"), b("e"), true)).containsExactly("d", "c", "b");
    assertThat(scanKeys(Column.ADDRESS_INDEX, b("bb"), b("dd"), true)).containsExactly("d", "c");
    assertThat(scanKeys(Column.ADDRESS_INDEX, b("e"), b("b"), false)).isEmpty();
    assertThat(scanKeys(Column.ADDRESS_INDEX, b("x"), b("z"), true)).isEmpty();
  }

  @Test
  void scanStopsWhenTheVisitorSaysSo() {
    for (String k : List.of("a", "b", "c")) {
      put(Column.PEERS, k, k);
    }
    List<String> seen = new ArrayList<>();
    store.scan(Column.PEERS, b("a"), b("z"), false, (k, v) -> seen.add(new String(k, StandardCharsets.UTF_8)) && seen.size() < 2);
    assertThat(seen).containsExactly("a", "b");
  }

  @Test
  void keysOrderAsUnsignedBytes() {
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.put(Column.METADATA, bytes(0x7f), b("low"));
      batch.put(Column.METADATA, bytes(0x80), b("high"));
      batch.put(Column.METADATA, bytes(0xff, 0x00), b("higher"));
      batch.commit(false);
    }
    List<String> values = new ArrayList<>();
    store.scan(Column.METADATA, bytes(0x00), bytes(0xff, 0xff), false, (k, v) -> values.add(new String(v, StandardCharsets.UTF_8)));
    assertThat(values).containsExactly("low", "high", "higher");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void randomBatchesMatchAModel(long seed) {
    Random random = new Random(seed);
    TreeMap<String, String> model = new TreeMap<>();
    for (int round = 0; round < 50; round++) {
      try (KeyValueStore.Batch batch = store.batch()) {
        for (int i = 0; i < 20; i++) {
          String key = "k" + random.nextInt(40);
          if (random.nextInt(4) == 0) {
            batch.delete(Column.TX_INDEX, b(key));
            model.remove(key);
          } else {
            String value = "v" + random.nextInt(1000);
            batch.put(Column.TX_INDEX, b(key), b(value));
            model.put(key, value);
          }
        }
        batch.commit(random.nextBoolean());
      }
    }
    assertThat(scanKeys(Column.TX_INDEX, b(""), b("z"), false)).containsExactlyElementsOf(model.keySet());
    model.forEach((k, v) -> assertThat(store.get(Column.TX_INDEX, b(k)).orElseThrow()).isEqualTo(b(v)));
  }

  private long counter(String key) {
    byte[] v = store.get(Column.ADDRESS_COUNTS, b(key)).orElseThrow();
    assertThat(v).hasSize(8);
    return java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
  }

  @Test
  void addCountsFromZeroInEightLittleEndianBytes() {
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.add(Column.ADDRESS_COUNTS, b("c"), 0x0102).commit(true);
    }
    // The exact bytes matter: RocksDB's uint64add operator reads and writes this format.
    assertThat(store.get(Column.ADDRESS_COUNTS, b("c")).orElseThrow()).isEqualTo(bytes(2, 1, 0, 0, 0, 0, 0, 0));
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.add(Column.ADDRESS_COUNTS, b("c"), 0xff).commit(false);
    }
    assertThat(counter("c")).isEqualTo(0x0201);
  }

  @Test
  void addSeesEarlierWritesOfItsBatchAndWrapsModulo2To64() {
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.put(Column.ADDRESS_COUNTS, b("a"), bytes(5, 0, 0, 0, 0, 0, 0, 0));
      batch.add(Column.ADDRESS_COUNTS, b("a"), 3);
      batch.add(Column.ADDRESS_COUNTS, b("a"), -1);
      batch.put(Column.ADDRESS_COUNTS, b("b"), bytes(9, 0, 0, 0, 0, 0, 0, 0));
      batch.delete(Column.ADDRESS_COUNTS, b("b"));
      batch.add(Column.ADDRESS_COUNTS, b("b"), 4);
      batch.add(Column.ADDRESS_COUNTS, b("z"), -1);
      batch.commit(false);
    }
    assertThat(counter("a")).isEqualTo(7);
    assertThat(counter("b")).isEqualTo(4);
    assertThat(counter("z")).isEqualTo(-1L); // 2^64 - 1
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.add(Column.ADDRESS_COUNTS, b("z"), 2).commit(false);
    }
    assertThat(counter("z")).isEqualTo(1);
  }

  @Test
  void addTreatsAValueOfAnotherLengthAsZero() {
    put(Column.ADDRESS_COUNTS, "odd", "abc");
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.add(Column.ADDRESS_COUNTS, b("odd"), 5).commit(false);
    }
    assertThat(counter("odd")).isEqualTo(5);
  }

  @Test
  void anUncommittedAddChangesNothing() {
    try (KeyValueStore.Batch batch = store.batch()) {
      batch.add(Column.ADDRESS_COUNTS, b("c"), 1);
    }
    assertThat(store.get(Column.ADDRESS_COUNTS, b("c"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(longs = {6, 7, 8})
  void randomCounterBatchesMatchAModel(long seed) {
    Random random = new Random(seed);
    TreeMap<String, Long> model = new TreeMap<>();
    for (int round = 0; round < 40; round++) {
      try (KeyValueStore.Batch batch = store.batch()) {
        for (int i = 0; i < 20; i++) {
          String key = "c" + random.nextInt(12);
          switch (random.nextInt(6)) {
            case 0 -> {
              batch.delete(Column.ADDRESS_COUNTS, b(key));
              model.remove(key);
            }
            case 1 -> {
              long v = random.nextLong();
              batch.put(Column.ADDRESS_COUNTS, b(key), Counters.encode(v));
              model.put(key, v);
            }
            default -> {
              long delta = random.nextInt(7) - 3;
              batch.add(Column.ADDRESS_COUNTS, b(key), delta);
              model.merge(key, delta, Long::sum);
            }
          }
        }
        batch.commit(random.nextBoolean());
      }
      List<String> keys = new ArrayList<>();
      List<Long> values = new ArrayList<>();
      store.scan(Column.ADDRESS_COUNTS, b(""), b("z"), false, (k, v) -> {
        keys.add(new String(k, StandardCharsets.UTF_8));
        values.add(Counters.decode(v));
        return true;
      });
      assertThat(keys).containsExactlyElementsOf(model.keySet());
      assertThat(values).containsExactlyElementsOf(model.values());
    }
    model.forEach((k, v) -> assertThat(counter(k)).isEqualTo(v));
  }

  @Test
  void everyCallAfterCloseFailsCleanly() {
    KeyValueStore.Batch pending = store.batch();
    store.close();
    assertThatThrownBy(() -> store.get(Column.ACCOUNTS, b("k"))).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.getHead(Column.BODIES, b("k"), 4)).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.scan(Column.ACCOUNTS, b("a"), b("z"), false, (k, v) -> true))
        .isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.approximateSize(Column.ACCOUNTS)).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> pending.put(Column.ACCOUNTS, b("k"), b("v")).commit(true))
        .isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> pending.add(Column.ADDRESS_COUNTS, b("k"), 1).commit(true))
        .isInstanceOf(StoreClosedException.class);
    pending.close();
    store.close(); // closing twice is harmless
  }
}
