package dev.cairn.ledger;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The consensus parameters of one network (docs/PROTOCOL.md, "Chain specs"). {@link #validate()}
 * enforces the limits every network must respect; {@link #commitment()} is what the genesis block
 * commits to, so two networks that differ in any consensus parameter have different genesis
 * hashes. Immutable.
 *
 * @param name network name, e.g. {@code main}
 * @param addressPrefix bech32m human-readable part of the network's addresses
 * @param targetSpacingSeconds intended time between blocks
 * @param asertHalfLifeSeconds ASERT: being one half-life behind schedule doubles the target
 * @param maxFutureDriftSeconds how far past the local clock a block's timestamp may be
 * @param powLimit the easiest target allowed
 * @param genesisTarget the genesis block's target, ASERT's anchor
 * @param fixedTarget every block uses the genesis target (regtest); no retargeting
 * @param coinbaseMaturity blocks before a coinbase reward can be spent
 * @param initialSubsidy block reward before the first halving
 * @param halvingInterval blocks between halvings of the reward
 * @param maxBlockSize largest canonical block encoding, in bytes
 * @param minimumChainWork anti-DoS: header chains with less work are never indexed. Policy, not
 *     consensus: it is raised in releases and is not part of the commitment.
 */
public record ChainParams(
    String name,
    String addressPrefix,
    long targetSpacingSeconds,
    long asertHalfLifeSeconds,
    long maxFutureDriftSeconds,
    CompactTarget powLimit,
    CompactTarget genesisTarget,
    boolean fixedTarget,
    int coinbaseMaturity,
    Amount initialSubsidy,
    long halvingInterval,
    int maxBlockSize,
    BigInteger minimumChainWork) {

  /** ASERT needs a half-life of at least this many block intervals to damp oscillation. */
  public static final long MIN_HALF_LIFE_INTERVALS = 100;
  /** A block stamped at +drift must not make the next target much easier: drift <= half-life/24. */
  public static final long HALF_LIFE_PER_DRIFT = 24;

  private static final byte[] TAG = "CAIRN/chain-params/v1".getBytes(StandardCharsets.US_ASCII);

  /** Checks every structural limit; the message names the parameter at fault. */
  public void validate() throws ChainSpecException {
    require(name.matches("[a-z][a-z0-9-]{0,31}"), "name must be 1-32 of [a-z0-9-], got '" + name + "'");
    require(addressPrefix.matches("[a-z]{1,16}"), "addressPrefix must be 1-16 of [a-z], got '" + addressPrefix + "'");
    require(targetSpacingSeconds > 0, "targetSpacingSeconds must be positive");
    // Divided, not multiplied: 100 * spacing can overflow a long and then pass any half-life.
    require(
        asertHalfLifeSeconds / MIN_HALF_LIFE_INTERVALS >= targetSpacingSeconds,
        "asertHalfLifeSeconds " + asertHalfLifeSeconds + " must be at least "
            + MIN_HALF_LIFE_INTERVALS + " block intervals (" + MIN_HALF_LIFE_INTERVALS * targetSpacingSeconds + ")");
    require(maxFutureDriftSeconds > 0, "maxFutureDriftSeconds must be positive");
    require(
        maxFutureDriftSeconds <= asertHalfLifeSeconds / HALF_LIFE_PER_DRIFT,
        "maxFutureDriftSeconds " + maxFutureDriftSeconds + " must be at most asertHalfLifeSeconds/24 ("
            + asertHalfLifeSeconds / HALF_LIFE_PER_DRIFT + ")");
    BigInteger limit = targetOf(powLimit, "powLimit");
    BigInteger genesis = targetOf(genesisTarget, "genesisTarget");
    require(genesis.compareTo(limit) <= 0, "genesisTarget must not be easier than powLimit");
    require(
        CompactTarget.fromTarget(genesis).equals(genesisTarget),
        "genesisTarget " + genesisTarget + " is not in canonical compact form");
    require(coinbaseMaturity >= 1, "coinbaseMaturity must be at least 1");
    require(halvingInterval > 0, "halvingInterval must be positive");
    require(!initialSubsidy.isZero(), "initialSubsidy must be positive");
    // The reward series sums to just under 2 * subsidy * interval; it must stay below MAX_MONEY.
    BigInteger supply =
        BigInteger.valueOf(initialSubsidy.units()).multiply(BigInteger.valueOf(halvingInterval)).shiftLeft(1);
    require(
        supply.compareTo(BigInteger.valueOf(Amount.MAX_MONEY)) <= 0,
        "initialSubsidy * halvingInterval * 2 exceeds MAX_MONEY");
    require(
        maxBlockSize >= BlockHeader.SIZE + 4 + Transfer.SIZE && maxBlockSize <= Block.MAX_ENCODED_SIZE,
        "maxBlockSize must be between " + (BlockHeader.SIZE + 4 + Transfer.SIZE) + " and " + Block.MAX_ENCODED_SIZE);
    require(minimumChainWork.signum() >= 0 && minimumChainWork.bitLength() <= 256, "minimumChainWork must be a u256");
  }

  private static BigInteger targetOf(CompactTarget t, String field) throws ChainSpecException {
    try {
      return t.toTarget();
    } catch (RejectedException e) {
      throw new ChainSpecException(field + ": " + e.getMessage());
    }
  }

  private static void require(boolean ok, String message) throws ChainSpecException {
    if (!ok) {
      throw new ChainSpecException(message);
    }
  }

  /** The block reward at {@code height}: the subsidy halved once per interval, zero after 63. */
  public Amount subsidyAt(long height) {
    long halvings = height / halvingInterval;
    return halvings >= 63 ? Amount.ZERO : Amount.units(initialSubsidy.units() >> halvings);
  }

  /** The target as a number; only call on validated parameters. */
  public BigInteger powLimitValue() {
    try {
      return powLimit.toTarget();
    } catch (RejectedException e) {
      throw new IllegalStateException("unvalidated chain parameters", e);
    }
  }

  /** SHA-256 over every consensus parameter; the genesis header's previous-hash field. */
  public Hash commitment() {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    byte[] prefixBytes = addressPrefix.getBytes(StandardCharsets.US_ASCII);
    ByteWriter w = new ByteWriter(TAG.length + 1 + nameBytes.length + 1 + prefixBytes.length + 8 * 3 + 4 * 2 + 1 + 4 + 8 * 2 + 4);
    w.bytes(TAG)
        .u8(nameBytes.length)
        .bytes(nameBytes)
        .u8(prefixBytes.length)
        .bytes(prefixBytes)
        .u64(targetSpacingSeconds)
        .u64(asertHalfLifeSeconds)
        .u64(maxFutureDriftSeconds)
        .u32(powLimit.bits())
        .u32(genesisTarget.bits())
        .u8(fixedTarget ? 1 : 0)
        .u32(coinbaseMaturity)
        .u64(initialSubsidy.units())
        .u64(halvingInterval)
        .u32(maxBlockSize);
    return Hashes.sha256(w.toByteArray());
  }
}
