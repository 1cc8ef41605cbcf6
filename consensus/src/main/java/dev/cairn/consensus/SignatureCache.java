package dev.cairn.consensus;

import dev.cairn.ledger.Hash;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of transfers whose signatures verified, so a transaction checked at mempool entry is not
 * verified again when its block connects. Keyed by txid, which hashes the signature too; a node
 * serves one network, so the genesis hash in the signed message never varies. Bounded, least
 * recently used out first. Thread-safe.
 */
public final class SignatureCache {
  private final Map<Hash, Boolean> verified;

  public SignatureCache(int capacity) {
    this.verified =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Hash, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  public synchronized boolean contains(Hash txid) {
    // get, not containsKey: only a get counts as a use in an access-ordered LinkedHashMap.
    return verified.get(txid) != null;
  }

  public synchronized void add(Hash txid) {
    verified.put(txid, Boolean.TRUE);
  }

  public synchronized int size() {
    return verified.size();
  }
}
