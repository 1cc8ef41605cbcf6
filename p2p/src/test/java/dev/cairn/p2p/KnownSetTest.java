package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Hash;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The bounded per-peer inventory sets. */
class KnownSetTest {
  private static Hash hash(int i) {
    return Hash.of(ByteBuffer.allocate(Hash.SIZE).putInt(i).array());
  }

  @Test
  void forgetsTheOldestBeyondItsCapacity() {
    KnownSet set = new KnownSet(3);
    assertThat(set.add(hash(1))).isTrue();
    assertThat(set.add(hash(1))).isFalse();
    set.add(hash(2));
    set.add(hash(3));
    set.add(hash(4));
    assertThat(set.size()).isEqualTo(3);
    assertThat(set.contains(hash(1))).isFalse();
    assertThat(set.contains(hash(4))).isTrue();
    set.remove(hash(4));
    assertThat(set.contains(hash(4))).isFalse();
    set.clear();
    assertThat(set.size()).isZero();
  }
}
