package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {
  @Test
  void loadsOnceAndRemembersOnlyWhatWasFound() {
    BoundedCache<Integer, String> cache = new BoundedCache<>(10);
    List<Integer> loads = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      assertThat(cache.get(1, k -> { loads.add(k); return Optional.of("one"); })).contains("one");
      assertThat(cache.get(2, k -> { loads.add(k); return Optional.empty(); })).isEmpty();
    }
    // 1 loaded once; 2, never found, asked every time.
    assertThat(loads).containsExactly(1, 2, 2, 2);
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void neverHoldsMoreThanItsCapacity() {
    BoundedCache<Integer, Integer> cache = new BoundedCache<>(4);
    for (int i = 0; i < 100; i++) {
      int key = i;
      assertThat(cache.get(key, k -> Optional.of(k * 2))).contains(key * 2);
      assertThat(cache.size()).isBetween(1, 4);
    }
    // What it forgot, it loads again, with the same answer.
    assertThat(cache.get(0, k -> Optional.of(0))).contains(0);
  }

  @Test
  void refusesANonPositiveCapacity() {
    assertThatThrownBy(() -> new BoundedCache<Integer, Integer>(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
