package dev.cairn.testkit;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecException;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.MerkleTree;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.StateCommitment;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A deterministic chain for storage tests: from a seed, the same funded keys, the same signed
 * transfers and the same blocks every time, with the account changes each block makes. Its state
 * model is deliberately simple (coinbase rewards stay immature, no validation): the store records
 * state, it does not judge it. Not thread-safe.
 */
public final class TestChain {
  public static final Amount FUNDING = Amount.coins(1_000);

  private final ChainSpec spec;
  private final List<PrivateKey> keys;
  private final Random random;
  private final SortedMap<Address, Account> state;
  private BlockHeader tip;

  public TestChain(long seed, int keyCount) {
    this.keys = keys(seed, keyCount);
    this.spec = specFor(keys);
    this.random = new Random(seed);
    this.state = new TreeMap<>(spec.genesisAccounts());
    this.tip = spec.genesisBlock().header();
  }

  /** Keys derived from the seed; the same seed always gives the same keys. */
  public static List<PrivateKey> keys(long seed, int count) {
    List<PrivateKey> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] material = ByteBuffer.allocate(16).putLong(seed).putLong(i).array();
      out.add(PrivateKey.fromSeed(Hashes.sha256(material).toByteArray()));
    }
    return out;
  }

  /** Regtest parameters with every key funded at genesis. */
  public static ChainSpec specFor(List<PrivateKey> keys) {
    List<Allocation> allocations = new ArrayList<>();
    for (PrivateKey k : keys) {
      allocations.add(Allocation.create(k.address(), FUNDING));
    }
    try {
      return ChainSpec.of(ChainSpec.regtest().params(), ChainSpec.regtest().genesisTimestamp(), allocations);
    } catch (ChainSpecException e) {
      throw new IllegalStateException(e);
    }
  }

  public ChainSpec spec() {
    return spec;
  }

  public List<PrivateKey> keys() {
    return keys;
  }

  /** The model's accounts after the last block built. */
  public SortedMap<Address, Account> state() {
    return new TreeMap<>(state);
  }

  /** A block and the new values of the accounts it changes. */
  public record BuiltBlock(Block block, SortedMap<Address, Account> changes) {}

  /** Builds the next block with up to {@code maxTransfers} random transfers among the keys. */
  public BuiltBlock next(int maxTransfers) {
    long height = tip.height() + 1;
    SortedMap<Address, Account> changes = new TreeMap<>();
    List<Transaction> txs = new ArrayList<>();
    PrivateKey miner = keys.get(random.nextInt(keys.size()));
    Amount fees = Amount.ZERO;
    List<Transfer> transfers = new ArrayList<>();
    int count = maxTransfers == 0 ? 0 : random.nextInt(maxTransfers + 1);
    for (int i = 0; i < count; i++) {
      PrivateKey from = keys.get(random.nextInt(keys.size()));
      Address to = keys.get(random.nextInt(keys.size())).address();
      Account sender = current(changes, from.address());
      Amount fee = Amount.units(1_000 + random.nextInt(1_000));
      if (sender.balance().units() <= fee.units()) {
        continue;
      }
      Amount amount = Amount.units(1 + (long) (random.nextDouble() * (sender.balance().units() - fee.units() - 1)));
      Transfer t = Transfer.sign(from, to, amount, fee, sender.nonce(), spec.genesisHash());
      changes.put(
          from.address(),
          sender.withBalance(sender.balance().minus(amount).minus(fee)).withNonce(sender.nonce() + 1));
      Account recipient = current(changes, to);
      changes.put(to, recipient.withBalance(recipient.balance().plus(amount)));
      fees = fees.plus(fee);
      transfers.add(t);
    }
    Amount reward = spec.params().subsidyAt(height).plus(fees);
    Coinbase coinbase = Coinbase.create(height, miner.address(), reward);
    Account minerAccount = current(changes, miner.address());
    changes.put(miner.address(), minerAccount.withImmature(minerAccount.immature().plus(reward)));
    txs.add(coinbase);
    txs.addAll(transfers);
    List<Hash> ids = new ArrayList<>();
    for (Transaction tx : txs) {
      ids.add(tx.id());
    }
    BlockHeader header =
        BlockHeader.of(
            BlockHeader.CURRENT_VERSION,
            height,
            tip.hash(),
            MerkleTree.root(ids),
            StateCommitment.of(changes),
            tip.timestamp() + 60,
            spec.params().genesisTarget(),
            random.nextLong());
    state.putAll(changes);
    tip = header;
    return new BuiltBlock(Block.of(header, txs), changes);
  }

  private Account current(SortedMap<Address, Account> changes, Address address) {
    Account changed = changes.get(address);
    return changed != null ? changed : state.getOrDefault(address, Account.EMPTY);
  }
}
