package dev.cairn.ledger;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A network: its parameters, its launch time and its genesis allocations. The genesis block is
 * derived from these alone, so the genesis hash identifies the network (its chain id) and commits
 * to every parameter and pre-funded account. Built-in: {@link #main()} and {@link #regtest()};
 * devnets come from {@link DevnetSpecs}. Immutable.
 */
public final class ChainSpec {
  private final ChainParams params;
  private final long genesisTimestamp;
  private final List<Allocation> allocations;
  private final Block genesis;

  private ChainSpec(ChainParams params, long genesisTimestamp, List<Allocation> allocations) {
    this.params = params;
    this.genesisTimestamp = genesisTimestamp;
    this.allocations = allocations;
    this.genesis = buildGenesis();
  }

  /**
   * Validates and builds a spec. Allocations are ordered by address; an address may appear once,
   * and their sum plus all future block rewards must stay within MAX_MONEY.
   */
  public static ChainSpec of(ChainParams params, long genesisTimestamp, List<Allocation> allocations)
      throws ChainSpecException {
    params.validate();
    if (genesisTimestamp <= 0) {
      throw new ChainSpecException("genesisTimestamp must be positive");
    }
    List<Allocation> sorted = new ArrayList<>(allocations);
    sorted.sort((a, b) -> a.recipient().compareTo(b.recipient()));
    BigInteger total =
        BigInteger.valueOf(params.initialSubsidy().units())
            .multiply(BigInteger.valueOf(params.halvingInterval()))
            .shiftLeft(1);
    for (int i = 0; i < sorted.size(); i++) {
      if (i > 0 && sorted.get(i).recipient().equals(sorted.get(i - 1).recipient())) {
        throw new ChainSpecException(
            "address " + sorted.get(i).recipient().toText(params.addressPrefix()) + " is allocated twice");
      }
      if (sorted.get(i).amount().isZero()) {
        throw new ChainSpecException("allocation to " + sorted.get(i).recipient().toText(params.addressPrefix()) + " is zero");
      }
      total = total.add(BigInteger.valueOf(sorted.get(i).amount().units()));
    }
    if (total.compareTo(BigInteger.valueOf(Amount.MAX_MONEY)) > 0) {
      throw new ChainSpecException("allocations plus all block rewards exceed MAX_MONEY");
    }
    return new ChainSpec(params, genesisTimestamp, Collections.unmodifiableList(sorted));
  }

  private Block buildGenesis() {
    List<Hash> ids = new ArrayList<>(allocations.size());
    for (Allocation a : allocations) {
      ids.add(a.id());
    }
    BlockHeader header =
        BlockHeader.of(
            BlockHeader.CURRENT_VERSION,
            0,
            params.commitment(),
            MerkleTree.root(ids),
            StateCommitment.of(genesisAccounts()),
            genesisTimestamp,
            params.genesisTarget(),
            0);
    return Block.of(header, allocations);
  }

  /** The accounts genesis creates: each allocation as a spendable balance. */
  public SortedMap<Address, Account> genesisAccounts() {
    SortedMap<Address, Account> accounts = new TreeMap<>();
    for (Allocation a : allocations) {
      accounts.put(a.recipient(), Account.EMPTY.withBalance(a.amount()));
    }
    return accounts;
  }

  /** The public network: launches 2027-01-01T00:00:00Z, no pre-funded accounts. */
  public static ChainSpec main() {
    return builtIn(
        new ChainParams(
            "main",
            "cairn",
            60,
            172_800,
            7_200,
            new CompactTarget(0x1f00ffffL),
            new CompactTarget(0x1f00ffffL),
            false,
            100,
            Amount.coins(50),
            210_000,
            1_000_000,
            BigInteger.ZERO),
        1_798_761_600L);
  }

  /**
   * The local test network: a trivial fixed target (a block takes a couple of hashes), so tests
   * mine on demand. Its genesis time is fixed so every regtest node shares one genesis.
   */
  public static ChainSpec regtest() {
    return builtIn(
        new ChainParams(
            "regtest",
            "rcairn",
            60,
            86_400,
            3_600,
            new CompactTarget(0x207fffffL),
            new CompactTarget(0x207fffffL),
            true,
            100,
            Amount.coins(50),
            150,
            1_000_000,
            BigInteger.ZERO),
        1_767_225_600L);
  }

  private static ChainSpec builtIn(ChainParams params, long genesisTimestamp) {
    try {
      return of(params, genesisTimestamp, List.of());
    } catch (ChainSpecException e) {
      throw new IllegalStateException("built-in chain spec " + params.name() + " is invalid", e);
    }
  }

  public ChainParams params() {
    return params;
  }

  public String name() {
    return params.name();
  }

  public long genesisTimestamp() {
    return genesisTimestamp;
  }

  public List<Allocation> allocations() {
    return allocations;
  }

  public Block genesisBlock() {
    return genesis;
  }

  public Hash genesisHash() {
    return genesis.hash();
  }

  /** A short id for people and logs: the first 8 hex digits of the genesis hash. */
  public String chainId() {
    return genesisHash().toHex().substring(0, 8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChainSpec s && genesisHash().equals(s.genesisHash()) && params.equals(s.params);
  }

  @Override
  public int hashCode() {
    return genesisHash().hashCode();
  }

  @Override
  public String toString() {
    return "ChainSpec[" + params.name() + " genesis=" + genesisHash() + "]";
  }
}
