package dev.cairn.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import java.math.BigInteger;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The miner's allocation-free loop finds exactly the nonces {@link BlockHeader#meetsTarget} accepts. */
class NonceSearchTest {
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void findsTheFirstNonceThatMeetsTheTarget(long seed) throws Exception {
    Random r = new Random(seed);
    byte[] prev = new byte[32];
    r.nextBytes(prev);
    // 0x1f7fffff is just under 2^247: about one hash in 512 meets it.
    BigInteger target = new CompactTarget(0x1f7fffffL).toTarget();
    BlockHeader header = BlockHeader.of(1, r.nextInt(1_000), Hash.of(prev), Hashes.sha256(prev), Hashes.sha256(new byte[] {1}),
        1_700_000_000L + r.nextInt(1_000_000), new CompactTarget(0x1f7fffffL), 0);
    long start = r.nextLong() >>> 1;
    NonceSearch search = new NonceSearch(header, target);
    OptionalLong found = search.search(start, 100_000);
    assertThat(found).isPresent();
    long nonce = found.getAsLong();
    assertThat(header.withNonce(nonce).meetsTarget(target)).isTrue();
    for (long n = start; n < nonce; n++) {
      assertThat(header.withNonce(n).meetsTarget(target)).as("nonce %d", n).isFalse();
    }
    // Nonces above 2^63 are written as unsigned 64-bit values too.
    OptionalLong high = search.search(Long.MIN_VALUE + 12_345, 100_000);
    assertThat(high).isPresent();
    assertThat(header.withNonce(high.getAsLong()).meetsTarget(target)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(longs = {5, 6})
  void findsNothingWhenNothingMeetsTheTarget(long seed) throws Exception {
    Random r = new Random(seed);
    BlockHeader header = BlockHeader.of(1, 1, Hashes.sha256(new byte[] {(byte) seed}), Hashes.sha256(new byte[] {2}),
        Hashes.sha256(new byte[] {3}), 1_700_000_000L, new CompactTarget(0x0300_0001L), 0);
    assertThat(new NonceSearch(header, BigInteger.ONE).search(r.nextLong(), 2_000)).isEmpty();
  }
}
