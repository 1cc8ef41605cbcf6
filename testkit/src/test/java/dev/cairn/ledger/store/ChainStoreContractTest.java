package dev.cairn.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.testkit.TestChain;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the typed chain store guarantees, over every {@link KeyValueStore} implementation. */
abstract class ChainStoreContractTest {
  protected KeyValueStore kv;
  protected ChainStore store;

  /** A fresh, empty key-value store. */
  protected abstract KeyValueStore newKv() throws Exception;

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  protected ChainStore open(ChainSpec spec) throws Exception {
    kv = newKv();
    store = ChainStore.open(kv, spec);
    return store;
  }

  /** The raw contents of the columns that connecting a block changes, for byte-exact comparison. */
  protected Map<Column, Map<String, String>> snapshot() {
    Map<Column, Map<String, String>> out = new LinkedHashMap<>();
    HexFormat hex = HexFormat.of();
    for (Column c :
        List.of(Column.ACCOUNTS, Column.ADDRESS_INDEX, Column.ADDRESS_COUNTS, Column.TX_INDEX, Column.MAIN_CHAIN, Column.UNDO)) {
      Map<String, String> entries = new TreeMap<>();
      kv.scan(c, new byte[0], new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, false, (k, v) -> {
        entries.put(hex.formatHex(k), hex.formatHex(v));
        return true;
      });
      out.put(c, entries);
    }
    return out;
  }

  protected static Map<Address, Account> accountsOf(ChainStore s) {
    Map<Address, Account> out = new TreeMap<>();
    s.forEachAccount(out::put);
    return out;
  }

  @Test
  void aNewStoreHoldsGenesisAndItsAllocations() throws Exception {
    TestChain chain = new TestChain(1, 4);
    open(chain.spec());
    assertThat(store.tip().hash()).isEqualTo(chain.spec().genesisHash());
    assertThat(store.tip().height()).isZero();
    assertThat(store.mainChainHash(0)).contains(chain.spec().genesisHash());
    assertThat(accountsOf(store)).isEqualTo(chain.spec().genesisAccounts());
    for (Transaction tx : chain.spec().genesisBlock().transactions()) {
      assertThat(store.txLocation(tx.id())).hasValueSatisfying(l -> assertThat(l.height()).isZero());
    }
    assertThat(store.body(chain.spec().genesisHash())).contains(chain.spec().genesisBlock());
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13})
  void connectingThenDisconnectingEverythingRestoresTheStateByteForByte(long seed) throws Exception {
    TestChain chain = new TestChain(seed, 6);
    open(chain.spec());
    Map<Column, Map<String, String>> before = snapshot();
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      TestChain.BuiltBlock built = chain.next(8);
      store.connect(built.block(), built.changes());
      blocks.add(built.block());
      assertThat(store.tip().hash()).isEqualTo(built.block().hash());
    }
    assertThat(accountsOf(store)).isEqualTo(chain.state());
    for (int i = blocks.size() - 1; i >= 0; i--) {
      assertThat(store.disconnectTip()).isEqualTo(blocks.get(i));
    }
    assertThat(store.tip().hash()).isEqualTo(chain.spec().genesisHash());
    assertThat(snapshot()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(longs = {14, 15})
  void aPreparedConnectWritesNothingUntilCommittedAndUndoesByteForByte(long seed) throws Exception {
    TestChain chain = new TestChain(seed, 6);
    open(chain.spec());
    Map<Column, Map<String, String>> genesisState = snapshot();
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      TestChain.BuiltBlock built = chain.next(8);
      // The previous values as consensus passes them: what the state held, EMPTY for none.
      Map<Address, Account> before = accountsOf(store);
      Map<Column, Map<String, String>> unchanged = snapshot();
      BlockIndexEntry parent = store.tip();
      try (ChainStore.PreparedConnect abandoned =
          store.prepareConnect(built.block(), built.changes(), a -> before.getOrDefault(a, Account.EMPTY))) {
        assertThat(snapshot()).isEqualTo(unchanged);
      }
      assertThat(snapshot()).isEqualTo(unchanged);
      assertThat(store.tip()).isEqualTo(parent);
      try (ChainStore.PreparedConnect prepared =
          store.prepareConnect(built.block(), built.changes(), a -> before.getOrDefault(a, Account.EMPTY))) {
        assertThat(prepared.commit().hash()).isEqualTo(built.block().hash());
      }
      blocks.add(built.block());
    }
    assertThat(accountsOf(store)).isEqualTo(chain.state());
    for (int i = blocks.size() - 1; i >= 0; i--) {
      assertThat(store.disconnectTip()).isEqualTo(blocks.get(i));
    }
    assertThat(snapshot()).isEqualTo(genesisState);
  }

  @Test
  void aPreparedConnectIsRefusedOnceTheTipHasMoved() throws Exception {
    TestChain chain = new TestChain(16, 4);
    open(chain.spec());
    TestChain.BuiltBlock built = chain.next(3);
    try (ChainStore.PreparedConnect prepared = store.prepareConnect(built.block(), built.changes(), store::account)) {
      store.connect(built.block(), built.changes());
      Map<Column, Map<String, String>> connected = snapshot();
      assertThatThrownBy(prepared::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("tip moved");
      assertThat(snapshot()).isEqualTo(connected);
    }
    assertThatThrownBy(() -> store.prepareConnect(chain.next(1).block(), new TreeMap<>(Map.of(chain.spec().genesisAccounts().keySet().iterator().next(), Account.EMPTY)), a -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no previous value");
  }

  @Test
  void indexesFollowTheBestChain() throws Exception {
    TestChain chain = new TestChain(21, 5);
    open(chain.spec());
    List<TestChain.BuiltBlock> built = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      TestChain.BuiltBlock b = chain.next(5);
      store.connect(b.block(), b.changes());
      built.add(b);
    }
    // Every transaction is found where it was connected; every address's history lists its
    // transactions newest first, exactly once each.
    Map<Address, List<Hash>> expectedHistory = new TreeMap<>();
    for (Transaction tx : chain.spec().genesisBlock().transactions()) {
      for (Address a : tx.touchedAddresses()) {
        expectedHistory.computeIfAbsent(a, k -> new ArrayList<>()).add(tx.id());
      }
    }
    for (TestChain.BuiltBlock b : built) {
      List<Transaction> txs = b.block().transactions();
      for (int i = 0; i < txs.size(); i++) {
        TxLocation location = store.txLocation(txs.get(i).id()).orElseThrow();
        assertThat(location).isEqualTo(new TxLocation(b.block().hash(), b.block().header().height(), i));
        ChainStore.ConfirmedTransaction confirmed = store.confirmedTransaction(txs.get(i).id()).orElseThrow();
        assertThat(confirmed.location()).isEqualTo(location);
        assertThat(confirmed.tx().encoded()).isEqualTo(txs.get(i).encoded());
        for (Address a : new java.util.TreeSet<>(txs.get(i).touchedAddresses())) {
          expectedHistory.computeIfAbsent(a, k -> new ArrayList<>()).add(txs.get(i).id());
        }
      }
      assertThat(store.mainChainHash(b.block().header().height())).contains(b.block().hash());
    }
    for (Map.Entry<Address, List<Hash>> e : expectedHistory.entrySet()) {
      List<Hash> newestFirst = new ArrayList<>(e.getValue());
      java.util.Collections.reverse(newestFirst);
      assertThat(store.addressTxCount(e.getKey())).isEqualTo(newestFirst.size());
      List<Hash> paged = new ArrayList<>();
      long before = Long.MAX_VALUE;
      while (true) {
        List<AddressTx> page = store.addressHistory(e.getKey(), before, 3);
        if (page.isEmpty()) {
          break;
        }
        page.forEach(t -> paged.add(t.txid()));
        page.forEach(t -> assertThat(store.addressTxSequence(e.getKey(), t.txid())).contains(t.sequence()));
        // A transaction of the chain that does not touch this address is no cursor for it.
        expectedHistory.keySet().stream()
            .filter(other -> !expectedHistory.get(other).isEmpty() && !e.getValue().contains(expectedHistory.get(other).get(0)))
            .findFirst()
            .ifPresent(other -> assertThat(store.addressTxSequence(e.getKey(), expectedHistory.get(other).get(0))).isEmpty());
        before = page.get(page.size() - 1).sequence();
      }
      assertThat(paged).containsExactlyElementsOf(newestFirst);
    }
    // Disconnecting removes the tip's transactions from the indexes.
    Block last = built.get(built.size() - 1).block();
    store.disconnectTip();
    for (Transaction tx : last.transactions()) {
      assertThat(store.txLocation(tx.id())).isEmpty();
      assertThat(store.confirmedTransaction(tx.id())).isEmpty();
    }
    assertThat(store.mainChainHash(last.header().height())).isEmpty();
    assertThat(store.body(last.hash())).contains(last);
  }

  @Test
  void headersAndBodiesOfSideChainsAreKeptWithoutMovingTheTip() throws Exception {
    TestChain chain = new TestChain(31, 3);
    open(chain.spec());
    TestChain.BuiltBlock first = chain.next(2);
    store.connect(first.block(), first.changes());
    TestChain.BuiltBlock second = chain.next(3);
    store.connect(second.block(), second.changes());
    // A sibling of the tip: same parent and body, another nonce.
    Block sibling =
        Block.of(second.block().header().withNonce(second.block().header().nonce() + 1), second.block().transactions());

    BlockIndexEntry entry = store.indexHeader(sibling.header());
    assertThat(entry.status().has(BlockStatus.HEADER_VALID)).isTrue();
    assertThat(entry.status().has(BlockStatus.HAVE_BODY)).isFalse();
    assertThat(entry.chainWork()).isEqualTo(store.tip().chainWork());
    assertThat(store.indexHeader(sibling.header())).isEqualTo(entry);
    BlockIndexEntry withBody = store.storeBody(sibling);
    assertThat(withBody.status().has(BlockStatus.HAVE_BODY)).isTrue();
    assertThat(store.isOnMainChain(withBody)).isFalse();
    assertThat(store.body(sibling.hash())).contains(sibling);

    assertThat(store.tip().hash()).isEqualTo(second.block().hash());
    List<Hash> indexed = new ArrayList<>();
    store.forEachIndexEntry(e -> indexed.add(e.hash()));
    assertThat(indexed)
        .containsExactlyInAnyOrder(
            chain.spec().genesisHash(), first.block().hash(), second.block().hash(), sibling.hash());
  }

  @Test
  void cumulativeWorkAddsUp() throws Exception {
    TestChain chain = new TestChain(41, 2);
    open(chain.spec());
    java.math.BigInteger genesisWork = store.tip().chainWork();
    TestChain.BuiltBlock b = chain.next(0);
    store.connect(b.block(), b.changes());
    java.math.BigInteger blockWork =
        dev.cairn.ledger.CompactTarget.workFor(b.block().header().target().toTarget());
    assertThat(store.tip().chainWork()).isEqualTo(genesisWork.add(blockWork));
  }

  @Test
  void misuseIsRefusedWithoutChangingAnything() throws Exception {
    TestChain chain = new TestChain(51, 3);
    open(chain.spec());
    assertThatThrownBy(() -> store.disconnectTip()).isInstanceOf(IllegalStateException.class);
    TestChain.BuiltBlock one = chain.next(1);
    TestChain.BuiltBlock two = chain.next(1);
    Map<Column, Map<String, String>> before = snapshot();
    assertThatThrownBy(() -> store.connect(two.block(), two.changes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not extend the tip");
    assertThatThrownBy(() -> store.indexHeader(two.block().header()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not indexed");
    assertThatThrownBy(() -> store.storeBody(one.block())).isInstanceOf(IllegalArgumentException.class);
    assertThat(snapshot()).isEqualTo(before);
    assertThat(store.tip().hash()).isEqualTo(chain.spec().genesisHash());
  }
}
