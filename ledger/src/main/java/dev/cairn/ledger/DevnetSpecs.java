package dev.cairn.ledger;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes fresh devnets: a spec whose genesis time is now (so ASERT's anchor is the launch, and the
 * first blocks are not free) with pre-funded dev accounts whose keys are returned to the caller.
 * The clock reading and the random source are passed in, so tests get the same devnet every time.
 */
public final class DevnetSpecs {
  /** Blocks every 10 seconds; a half-life of 100 intervals; drift at most half-life / 24. */
  public static final long SPACING_SECONDS = 10;
  public static final long HALF_LIFE_SECONDS = 1_000;
  public static final long DRIFT_SECONDS = 40;
  public static final CompactTarget POW_LIMIT = new CompactTarget(0x2000ffffL);

  private DevnetSpecs() {}

  /** A generated devnet: the spec to share and the dev accounts' private keys. */
  public record Devnet(ChainSpec spec, List<PrivateKey> devKeys) {
    public Devnet {
      devKeys = List.copyOf(devKeys);
    }
  }

  /**
   * @param nowSeconds the launch time, seconds since the epoch
   * @param random the source of the dev keys
   * @param accounts how many dev accounts to fund
   * @param perAccount each dev account's genesis balance
   * @param genesisTarget the starting difficulty (the caller calibrates it to the machine)
   */
  public static Devnet generate(
      long nowSeconds, SecureRandom random, int accounts, Amount perAccount, CompactTarget genesisTarget)
      throws ChainSpecException {
    ChainParams params =
        new ChainParams(
            "devnet",
            "dcairn",
            SPACING_SECONDS,
            HALF_LIFE_SECONDS,
            DRIFT_SECONDS,
            POW_LIMIT,
            genesisTarget,
            false,
            10,
            Amount.coins(50),
            // Rewards then total at most 2 * 50 * 100,000 = 10M coins, leaving 11M for the dev
            // allocations (with 210,000 the rewards alone reach MAX_MONEY and no account fits).
            100_000,
            1_000_000,
            BigInteger.ZERO);
    List<PrivateKey> keys = new ArrayList<>(accounts);
    List<Allocation> allocations = new ArrayList<>(accounts);
    for (int i = 0; i < accounts; i++) {
      PrivateKey key = PrivateKey.generate(random);
      keys.add(key);
      allocations.add(Allocation.create(key.address(), perAccount));
    }
    return new Devnet(ChainSpec.of(params, nowSeconds, allocations), keys);
  }
}
