package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.store.ChainStore;
import dev.cairn.ledger.store.InMemoryKeyValueStore;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The address book: its two tables, persistence in the store, backoff and bounds. */
class AddressBookTest {
  private final ChainStore store = ChainStore.open(new InMemoryKeyValueStore(), ChainSpec.regtest());
  private static final HostPort A = new HostPort("10.0.0.1", 9700);
  private static final HostPort B = new HostPort("10.0.0.2", 9700);

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void addressesAreHeardOfAsNewAndBecomeTriedOnlyAfterAConnection() {
    AddressBook book = new AddressBook(store, new Random(1));
    book.addNew(A, 1_000);
    assertThat(book.get(A).orElseThrow().tried()).isFalse();
    book.markTried(A, 2_000);
    assertThat(book.get(A).orElseThrow().tried()).isTrue();
    // Hearing of it again never demotes it.
    book.addNew(A, 3_000);
    assertThat(book.get(A).orElseThrow().tried()).isTrue();
    assertThat(book.get(A).orElseThrow().lastSeen()).isEqualTo(3_000);
  }

  @Test
  void bothTablesArePersistedAndReadBackByTheNextBook() {
    AddressBook book = new AddressBook(store, new Random(1));
    book.addNew(A, 1_000);
    book.addNew(B, 1_500);
    book.markTried(B, 2_000);
    book.markAttempt(A, 2_500, true);

    AddressBook reopened = new AddressBook(store, new Random(2));
    assertThat(reopened.size()).isEqualTo(2);
    assertThat(reopened.get(A)).isEqualTo(book.get(A));
    assertThat(reopened.get(B)).isEqualTo(book.get(B));
    assertThat(reopened.get(B).orElseThrow().tried()).isTrue();
  }

  @Test
  void aCorruptRecordIsDroppedOnLoad() {
    store.putPeer("not an address".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2});
    store.putPeer(A.toString().getBytes(StandardCharsets.UTF_8), new byte[] {1});
    AddressBook book = new AddressBook(store, new Random(1));
    assertThat(book.size()).isZero();
    assertThat(new AddressBook(store, new Random(1)).size()).isZero();
  }

  @Test
  void failedDialsBackOffExponentiallyAndOnlyASuccessResetsThem() {
    AddressBook book = new AddressBook(store, new Random(1));
    book.addNew(A, 0);
    long now = 1_000_000;
    long previousDelay = 0;
    for (int failure = 1; failure <= 8; failure++) {
      book.markAttempt(A, now, false); // the dial starts...
      book.markAttempt(A, now, true); // ...and fails
      long delay = book.get(A).orElseThrow().retryAt() - now;
      assertThat(delay).as("backoff after %d failures", failure).isEqualTo(1_000L << failure);
      assertThat(delay).isGreaterThan(previousDelay);
      assertThat(book.pick(now + delay - 1, Set.of())).as("not before the backoff").isEmpty();
      assertThat(book.pick(now + delay, Set.of())).contains(A);
      previousDelay = delay;
      now += delay;
    }
    book.markTried(A, now);
    assertThat(book.get(A).orElseThrow().failures()).isZero();
    assertThat(book.get(A).orElseThrow().retryAt()).isEqualTo(now);
  }

  @Test
  void theBackoffIsCappedAtAnHour() {
    AddressBook book = new AddressBook(store, new Random(1));
    for (int i = 0; i < 40; i++) {
      book.markAttempt(A, 0, true);
    }
    assertThat(book.get(A).orElseThrow().retryAt()).isEqualTo(3_600_000L);
  }

  @Test
  void pickSkipsExcludedAddresses() {
    AddressBook book = new AddressBook(store, new Random(1));
    book.addNew(A, 1);
    book.addNew(B, 1);
    for (int i = 0; i < 20; i++) {
      assertThat(book.pick(10, Set.of(A))).contains(B);
    }
    assertThat(book.pick(10, Set.of(A, B))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void pickPrefersTriedAddressesButStillExploresNewOnes(long seed) {
    AddressBook book = new AddressBook(store, new Random(seed));
    book.addNew(A, 1);
    book.addNew(B, 1);
    book.markTried(B, 1);
    Set<HostPort> picked = new HashSet<>();
    int tried = 0;
    for (int i = 0; i < 200; i++) {
      HostPort p = book.pick(10, Set.of()).orElseThrow();
      picked.add(p);
      if (p.equals(B)) {
        tried++;
      }
    }
    assertThat(picked).containsExactlyInAnyOrder(A, B);
    assertThat(tried).isGreaterThan(100);
  }

  @Test
  void theNewTableIsBoundedOldestFirst() {
    AddressBook book = new AddressBook(store, new Random(1));
    for (int i = 0; i < AddressBook.MAX_NEW + 10; i++) {
      book.addNew(new HostPort("10.1." + (i / 250) + "." + (i % 250), 9700), 1_000 + i);
    }
    assertThat(book.size()).isEqualTo(AddressBook.MAX_NEW);
    assertThat(book.get(new HostPort("10.1.0.0", 9700))).as("the oldest was evicted").isEmpty();
    assertThat(new AddressBook(store, new Random(1)).size()).as("evictions are persisted").isEqualTo(AddressBook.MAX_NEW);
  }

  @Test
  void aSampleIsBoundedAndMostRecentFirst() {
    AddressBook book = new AddressBook(store, new Random(1));
    for (int i = 0; i < 50; i++) {
      book.addNew(new HostPort("10.2.0." + i, 9700), i);
    }
    var sample = book.sample(10);
    assertThat(sample).hasSize(10);
    assertThat(sample.get(0).lastSeen()).isEqualTo(49);
  }
}
