package dev.cairn.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbChainStoreTest extends ChainStoreContractTest {
  @TempDir Path dir;

  @Override
  protected KeyValueStore newKv() {
    return RocksDbKeyValueStore.open(dir.resolve("chain"), StoreConfig.SMALL);
  }

  @Test
  void closeAndReopenRestoresTheExactTipAndState() throws Exception {
    TestChain chain = new TestChain(61, 5);
    open(chain.spec());
    for (int i = 0; i < 25; i++) {
      TestChain.BuiltBlock b = chain.next(6);
      store.connect(b.block(), b.changes());
    }
    BlockIndexEntry tip = store.tip();
    Map<Column, Map<String, String>> before = snapshot();
    store.close();
    store = null;

    open(chain.spec());
    assertThat(store.tip()).isEqualTo(tip);
    assertThat(snapshot()).isEqualTo(before);
    Map<Address, Account> accounts = accountsOf(store);
    assertThat(accounts).isEqualTo(chain.state());
  }

  @Test
  void aDataDirectoryOfAnotherNetworkIsRefused() throws Exception {
    TestChain chain = new TestChain(71, 2);
    open(chain.spec());
    store.close();
    store = null;
    KeyValueStore other = newKv();
    assertThatThrownBy(() -> ChainStore.open(other, ChainSpec.regtest()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("belongs to another network");
    // The refused open closed its store, so the directory can be opened again.
    open(chain.spec());
    assertThat(store.tip().hash()).isEqualTo(chain.spec().genesisHash());
  }

  @Test
  void anotherSchemaVersionIsRefused() throws Exception {
    TestChain chain = new TestChain(81, 2);
    open(chain.spec());
    store.close();
    store = null;
    KeyValueStore raw = newKv();
    try (KeyValueStore.Batch batch = raw.batch()) {
      batch.put(Column.METADATA, "schema-version".getBytes(), Codec.u64(99)).commit(true);
    }
    assertThatThrownBy(() -> ChainStore.open(raw, chain.spec()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema 99");
  }
}
