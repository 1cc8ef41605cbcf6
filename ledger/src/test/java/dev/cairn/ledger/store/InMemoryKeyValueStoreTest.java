package dev.cairn.ledger.store;

class InMemoryKeyValueStoreTest extends KeyValueStoreContractTest {
  @Override
  protected KeyValueStore newStore() {
    return new InMemoryKeyValueStore();
  }
}
