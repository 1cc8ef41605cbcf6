package dev.cairn.ledger;

import static dev.cairn.ledger.TestSupport.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Account encoding and the state-delta commitment over changed accounts. */
class AccountTest {

  static Account randomAccount(Random r) {
    return new Account(TestSupport.amount(r), TestSupport.amount(r), TestSupport.u63(r));
  }

  static SortedMap<Address, Account> randomAccounts(Random r, int n) {
    SortedMap<Address, Account> m = new TreeMap<>();
    while (m.size() < n) {
      m.put(TestSupport.address(r), randomAccount(r));
    }
    return m;
  }

  // ------------------------------------------------------------------------- Account

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void accountsRoundTripInTheirDocumentedLayout(long seed) throws Exception {
    Account a = randomAccount(new Random(seed));
    byte[] expected =
        ByteBuffer.allocate(24)
            .putLong(a.balance().units())
            .putLong(a.immature().units())
            .putLong(a.nonce())
            .array();
    assertThat(a.encode()).isEqualTo(expected);
    assertThat(Account.decode(expected)).isEqualTo(a);
  }

  @Test
  void truncatedOrTrailingEncodingsAreRefused() {
    byte[] bytes = randomAccount(new Random(1)).encode();
    for (int len = 0; len < Account.SIZE; len++) {
      byte[] prefix = Arrays.copyOf(bytes, len);
      assertRejected(() -> Account.decode(prefix), Reason.DECODE_TRUNCATED);
    }
    assertRejected(() -> Account.decode(Arrays.copyOf(bytes, Account.SIZE + 1)), Reason.DECODE_TRAILING_BYTES);
  }

  @Test
  void outOfRangeFieldsAreRefused() {
    byte[] bytes = Account.EMPTY.encode();
    for (int offset : new int[] {0, 8}) {
      byte[] b = bytes.clone();
      ByteBuffer.wrap(b).putLong(offset, Amount.MAX_MONEY + 1);
      assertRejected(() -> Account.decode(b), Reason.AMOUNT_OUT_OF_RANGE);
      ByteBuffer.wrap(b).putLong(offset, -1);
      assertRejected(() -> Account.decode(b), Reason.AMOUNT_OUT_OF_RANGE);
    }
    byte[] b = bytes.clone();
    ByteBuffer.wrap(b).putLong(16, Long.MIN_VALUE);
    assertRejected(() -> Account.decode(b), Reason.DECODE_NON_CANONICAL);
  }

  @Test
  void witherMethodsAndEmptiness() {
    assertThat(Account.EMPTY.isEmpty()).isTrue();
    assertThat(Account.EMPTY.encode()).isEqualTo(new byte[24]);
    Account a = Account.EMPTY.withBalance(Amount.coins(1)).withImmature(Amount.coins(2)).withNonce(3);
    assertThat(a).isEqualTo(new Account(Amount.coins(1), Amount.coins(2), 3));
    assertThat(a.isEmpty()).isFalse();
    assertThat(Account.EMPTY.withNonce(1).isEmpty()).isFalse();
    assertThat(Account.EMPTY.withImmature(Amount.units(1)).isEmpty()).isFalse();
    assertThatThrownBy(() -> new Account(Amount.ZERO, Amount.ZERO, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Account.EMPTY.withNonce(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  // --------------------------------------------------------------- StateCommitment

  /** The documented definition, computed independently. */
  private static byte[] reference(SortedMap<Address, Account> changed) {
    List<byte[]> parts = new ArrayList<>();
    parts.add("CAIRN/state/v1".getBytes(StandardCharsets.US_ASCII));
    parts.add(ByteBuffer.allocate(4).putInt(changed.size()).array());
    for (Map.Entry<Address, Account> e : changed.entrySet()) {
      parts.add(e.getKey().toByteArray());
      parts.add(e.getValue().encode());
    }
    return TestSupport.sha256(parts.toArray(new byte[0][]));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void commitmentMatchesItsDefinition(long seed) {
    Random r = new Random(seed);
    SortedMap<Address, Account> m = randomAccounts(r, r.nextInt(20));
    assertThat(StateCommitment.of(m).toByteArray()).isEqualTo(reference(m));
  }

  @Test
  void emptyCommitmentIsTheTagAndAZeroCount() {
    byte[] expected = TestSupport.sha256("CAIRN/state/v1".getBytes(StandardCharsets.US_ASCII), new byte[4]);
    assertThat(StateCommitment.of(new TreeMap<>()).toByteArray()).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.ledger.TestSupport#seeds")
  void changingAnyAccountChangesTheCommitment(long seed) {
    Random r = new Random(seed);
    SortedMap<Address, Account> m = randomAccounts(r, 1 + r.nextInt(10));
    Hash base = StateCommitment.of(m);
    List<Address> keys = new ArrayList<>(m.keySet());
    Address victim = keys.get(r.nextInt(keys.size()));
    Account a = m.get(victim);

    for (Account changed :
        List.of(
            a.withNonce(a.nonce() == Long.MAX_VALUE ? 0 : a.nonce() + 1),
            a.withBalance(a.balance().isZero() ? Amount.units(1) : a.balance().minus(Amount.units(1))),
            a.withImmature(a.immature().isZero() ? Amount.units(1) : a.immature().minus(Amount.units(1))))) {
      SortedMap<Address, Account> copy = new TreeMap<>(m);
      copy.put(victim, changed);
      assertThat(StateCommitment.of(copy)).isNotEqualTo(base);
    }
    // Moving an account to another address, adding or removing one: all change it.
    SortedMap<Address, Account> moved = new TreeMap<>(m);
    moved.remove(victim);
    moved.put(TestSupport.address(r), a);
    assertThat(StateCommitment.of(moved)).isNotEqualTo(base);
    SortedMap<Address, Account> removed = new TreeMap<>(m);
    removed.remove(victim);
    assertThat(StateCommitment.of(removed)).isNotEqualTo(base);
    SortedMap<Address, Account> added = new TreeMap<>(m);
    added.put(TestSupport.address(r), Account.EMPTY);
    assertThat(StateCommitment.of(added)).isNotEqualTo(base);
  }

  @Test
  void swappingTwoAccountsValuesChangesTheCommitment() {
    Random r = new Random(12);
    SortedMap<Address, Account> m = randomAccounts(r, 2);
    Address first = m.firstKey();
    Address last = m.lastKey();
    SortedMap<Address, Account> swapped = new TreeMap<>();
    swapped.put(first, m.get(last));
    swapped.put(last, m.get(first));
    assertThat(StateCommitment.of(swapped)).isNotEqualTo(StateCommitment.of(m));
  }

  @Test
  void insertionOrderDoesNotMatter() {
    Random r = new Random(13);
    SortedMap<Address, Account> m = randomAccounts(r, 10);
    List<Map.Entry<Address, Account>> entries = new ArrayList<>(m.entrySet());
    Collections.shuffle(entries, r);
    SortedMap<Address, Account> shuffled = new TreeMap<>();
    for (Map.Entry<Address, Account> e : entries) {
      shuffled.put(e.getKey(), e.getValue());
    }
    assertThat(StateCommitment.of(shuffled)).isEqualTo(StateCommitment.of(m));
  }

  @Test
  void aMapWithItsOwnComparatorIsRefused() {
    Random r = new Random(14);
    SortedMap<Address, Account> reversed = new TreeMap<>(Comparator.reverseOrder());
    reversed.putAll(randomAccounts(r, 3));
    assertThatThrownBy(() -> StateCommitment.of(reversed)).isInstanceOf(IllegalArgumentException.class);
    // Even an explicit natural-order comparator: the rule is "no comparator", checked simply.
    SortedMap<Address, Account> natural = new TreeMap<>(Comparator.<Address>naturalOrder());
    assertThatThrownBy(() -> StateCommitment.of(natural)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void addressOrderIsUnsigned() {
    // The commitment's order is Address.compareTo: unsigned bytes, so 0x80.. sorts after 0x7f..
    byte[] lo = new byte[20];
    lo[0] = 0x7f;
    byte[] hi = new byte[20];
    hi[0] = (byte) 0x80;
    SortedMap<Address, Account> m = new TreeMap<>();
    m.put(Address.fromBytes(hi), Account.EMPTY.withNonce(1));
    m.put(Address.fromBytes(lo), Account.EMPTY.withNonce(2));
    byte[] expected =
        TestSupport.sha256(
            "CAIRN/state/v1".getBytes(StandardCharsets.US_ASCII),
            new byte[] {0, 0, 0, 2},
            lo,
            Account.EMPTY.withNonce(2).encode(),
            hi,
            Account.EMPTY.withNonce(1).encode());
    assertThat(StateCommitment.of(m).toByteArray()).isEqualTo(expected);
  }
}
