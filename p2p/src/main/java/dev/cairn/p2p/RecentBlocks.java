package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.Hash;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The canonical encodings of the last few blocks connected here, to serve them to peers. Every
 * peer asks for a new tip within milliseconds of its announcement; served from the store, each
 * request decoded the whole body (every transaction's key) and encoded it again, once per peer, on
 * the one network thread, so the last peer waited for all the others' copies. A block is encoded
 * on its first request and only once. Not thread-safe: used on the network loop only.
 */
final class RecentBlocks {
  private final int capacity;
  private final Map<Hash, Entry> entries;

  /** A connected block, then (once asked for) only its encoding. */
  private static final class Entry {
    private Optional<Block> block;
    private Optional<ByteString> encoded = Optional.empty();

    Entry(Block block) {
      this.block = Optional.of(block);
    }

    ByteString encoded() {
      if (encoded.isEmpty()) {
        encoded = Optional.of(ByteString.copyFrom(block.orElseThrow().encode()));
        block = Optional.empty();
      }
      return encoded.get();
    }
  }

  RecentBlocks(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.entries =
        new LinkedHashMap<>(capacity * 2, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Hash, Entry> eldest) {
            return size() > RecentBlocks.this.capacity;
          }
        };
  }

  /** Remembers a block just connected; the oldest remembered block is forgotten beyond capacity. */
  void add(Block block) {
    entries.putIfAbsent(block.hash(), new Entry(block));
  }

  /** The canonical encoding of {@code hash} if it is one of the last blocks added. */
  Optional<ByteString> encoded(Hash hash) {
    Entry e = entries.get(hash);
    return e == null ? Optional.empty() : Optional.of(e.encoded());
  }

  int size() {
    return entries.size();
  }
}
