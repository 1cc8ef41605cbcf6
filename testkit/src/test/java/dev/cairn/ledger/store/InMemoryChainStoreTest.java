package dev.cairn.ledger.store;

class InMemoryChainStoreTest extends ChainStoreContractTest {
  @Override
  protected KeyValueStore newKv() {
    return new InMemoryKeyValueStore();
  }
}
