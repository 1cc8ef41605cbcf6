package dev.cairn.bench;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Transfer;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Seeded test data shared by the benchmarks, so two runs measure the same keys and messages.
 * Not a benchmark itself.
 */
final class Fixtures {
  /** One seed for every benchmark: change it and the data (not the cost) changes. */
  static final long SEED = 0xCA1B_2026L;

  /** Distinct transfers per pool; a power of two so the cycling index is a mask. */
  static final int POOL = 256;

  private Fixtures() {}

  /** The main network's genesis hash, which every signature commits to. */
  static Hash genesis() {
    return ChainSpec.main().genesisHash();
  }

  /**
   * {@code n} transfers, each from its own seeded key to a random recipient, signed for the
   * network {@code genesis}. Fails if any signature does not verify, so a benchmark never
   * measures the (faster) rejection path by accident.
   */
  static Transfer[] signedTransfers(int n, Hash genesis) {
    Random random = new Random(SEED);
    Transfer[] out = new Transfer[n];
    for (int i = 0; i < n; i++) {
      byte[] seed = new byte[PrivateKey.SIZE];
      random.nextBytes(seed);
      PrivateKey key = PrivateKey.fromSeed(seed);
      byte[] to = new byte[Address.SIZE];
      random.nextBytes(to);
      Amount amount = Amount.units(1 + (random.nextLong() >>> 1) % (1_000L * Amount.UNITS_PER_COIN));
      Amount fee = Amount.units(1_000 + random.nextInt(100_000));
      long nonce = random.nextInt(1_000_000);
      Transfer tx = Transfer.sign(key, Address.fromBytes(to), amount, fee, nonce, genesis);
      byte[] pk = tx.sender().toByteArray();
      byte[] sig = tx.signature().toByteArray();
      byte[] msg = tx.signingBytes(genesis);
      if (!Ed25519.verify(sig, 0, pk, 0, msg, 0, msg.length)) {
        throw new IllegalStateException("fixture transfer " + i + " does not verify");
      }
      out[i] = tx;
    }
    return out;
  }
}
