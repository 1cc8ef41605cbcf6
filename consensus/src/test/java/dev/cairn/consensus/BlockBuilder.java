package dev.cairn.consensus;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.MerkleTree;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.StateCommitment;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * Crafts a block on any parent the {@link StateModel} knows. Valid by default: height parent + 1,
 * the expected target, timestamp parent + spacing, a coinbase paying subsidy + fees at the right
 * height, the Merkle root and state commitment of its transactions, and a nonce that meets the
 * target. Each hook breaks exactly one of those. {@link #build()} registers the block in the model
 * (valid or not), so children can be built on it. Not thread-safe.
 */
final class BlockBuilder {
  /** A fee that passes the default mempool policy (10 units per byte, 142-byte transfers). */
  static final Amount DEFAULT_FEE = Amount.units(2_000);

  private final ChainSpec spec;
  private final StateModel model;
  private final HeaderRules rules;
  private final BlockHeader parent;
  private final List<Transaction> txs = new ArrayList<>();
  private final Map<Address, Long> nextNonce = new HashMap<>();

  private Address miner;
  private long version = BlockHeader.CURRENT_VERSION;
  private Long height;
  private Hash previousHash;
  private Long timestamp;
  private CompactTarget target;
  private Amount coinbaseAmount;
  private Amount coinbaseDelta = Amount.ZERO;
  private boolean coinbaseShort;
  private Long coinbaseHeight;
  private boolean noCoinbase;
  private Hash merkleRoot;
  private Hash stateCommitment;
  private UnaryOperator<List<Transaction>> editCommitted = UnaryOperator.identity();
  private boolean highHash;
  private long nonceStart;

  BlockBuilder(ChainSpec spec, StateModel model, BlockHeader parent, Address miner) {
    this.spec = spec;
    this.model = model;
    this.rules = new HeaderRules(spec);
    this.parent = parent;
    this.miner = miner;
  }

  // ---- transactions ------------------------------------------------------------------------

  /** Adds a signed transfer with the sender's next nonce (at the parent, after earlier ones here). */
  BlockBuilder pay(PrivateKey from, Address to, Amount amount) {
    return pay(from, to, amount, DEFAULT_FEE);
  }

  BlockBuilder pay(PrivateKey from, Address to, Amount amount, Amount fee) {
    long nonce = nextNonce(from.address());
    return add(Transfer.sign(from, to, amount, fee, nonce, spec.genesisHash()));
  }

  /** The nonce the next transfer of {@code sender} in this block should carry. */
  long nextNonce(Address sender) {
    return nextNonce.computeIfAbsent(sender, a -> model.account(parent.hash(), a).nonce());
  }

  /** Adds any transaction as is; a transfer advances the builder's nonce for its sender. */
  BlockBuilder add(Transaction tx) {
    if (tx instanceof Transfer t) {
      long n = nextNonce(t.senderAddress());
      nextNonce.put(t.senderAddress(), Math.max(n, t.nonce() + 1));
    }
    txs.add(tx);
    return this;
  }

  BlockBuilder addAll(List<? extends Transaction> more) {
    more.forEach(this::add);
    return this;
  }

  // ---- breaking one thing --------------------------------------------------------------------

  BlockBuilder miner(Address to) {
    this.miner = to;
    return this;
  }

  BlockBuilder version(long v) {
    this.version = v;
    return this;
  }

  BlockBuilder height(long h) {
    this.height = h;
    return this;
  }

  /** A previous hash other than the parent's (the block is built as if on the parent). */
  BlockBuilder previousHash(Hash h) {
    this.previousHash = h;
    return this;
  }

  BlockBuilder timestamp(long t) {
    this.timestamp = t;
    return this;
  }

  BlockBuilder target(CompactTarget t) {
    this.target = t;
    return this;
  }

  /** The coinbase pays exactly this instead of subsidy + fees. */
  BlockBuilder coinbaseAmount(Amount a) {
    this.coinbaseAmount = a;
    return this;
  }

  /** The coinbase pays subsidy + fees + {@code extra}. */
  BlockBuilder coinbaseExtra(Amount extra) {
    this.coinbaseDelta = extra;
    this.coinbaseShort = false;
    return this;
  }

  /** The coinbase pays subsidy + fees - {@code less}. */
  BlockBuilder coinbaseShort(Amount less) {
    this.coinbaseDelta = less;
    this.coinbaseShort = true;
    return this;
  }

  BlockBuilder coinbaseHeight(long h) {
    this.coinbaseHeight = h;
    return this;
  }

  BlockBuilder noCoinbase() {
    this.noCoinbase = true;
    return this;
  }

  BlockBuilder merkleRoot(Hash root) {
    this.merkleRoot = root;
    return this;
  }

  BlockBuilder stateCommitment(Hash commitment) {
    this.stateCommitment = commitment;
    return this;
  }

  /**
   * Edits the final transaction list (coinbase included) before the Merkle root is computed: the
   * header commits to the edited list.
   */
  BlockBuilder editTransactions(UnaryOperator<List<Transaction>> edit) {
    this.editCommitted = edit;
    return this;
  }

  /** Searches for a nonce whose hash is ABOVE the target. */
  BlockBuilder highHash() {
    this.highHash = true;
    return this;
  }

  /** Where the nonce search starts: two blocks that differ only here differ in hash. */
  BlockBuilder nonceFrom(long start) {
    this.nonceStart = start;
    return this;
  }

  // ---- building ----------------------------------------------------------------------------

  long heightOrDefault() {
    return height != null ? height : parent.height() + 1;
  }

  Block build() {
    long h = heightOrDefault();
    List<Transaction> all = new ArrayList<>();
    Amount fees = Amount.ZERO;
    for (Transaction tx : txs) {
      if (tx instanceof Transfer t) {
        fees = Amount.units(Math.min(Amount.MAX_MONEY, fees.units() + t.fee().units()));
      }
    }
    if (!noCoinbase) {
      // Capped so a block with absurd fees can still be built (and rejected).
      Amount reward = Amount.units(Math.min(Amount.MAX_MONEY, spec.params().subsidyAt(h).units() + fees.units()));
      if (coinbaseAmount != null) {
        reward = coinbaseAmount;
      } else if (coinbaseShort) {
        reward = reward.minus(coinbaseDelta);
      } else {
        reward = reward.plus(coinbaseDelta);
      }
      all.add(Coinbase.create(coinbaseHeight != null ? coinbaseHeight : h, miner, reward));
    }
    all.addAll(txs);
    all = editCommitted.apply(all);
    Hash root = merkleRoot != null ? merkleRoot : MerkleTree.root(ids(all));
    Hash commitment = stateCommitment;
    if (commitment == null) {
      StateModel.Result r = model.apply(parent.hash(), h, all);
      commitment = StateCommitment.of(r.changes());
    }
    CompactTarget bits = target != null ? target : rules.expectedTarget(parent);
    long time = timestamp != null ? timestamp : parent.timestamp() + spec.params().targetSpacingSeconds();
    BlockHeader header =
        BlockHeader.of(version, h, previousHash != null ? previousHash : parent.hash(), root, commitment, time, bits, 0);
    header = highHash ? failingNonce(header) : meetingNonce(header, nonceStart);
    Block block = Block.of(header, all);
    if (previousHash == null && model.knows(parent.hash())) {
      model.register(block);
    }
    return block;
  }

  static List<Hash> ids(List<? extends Transaction> txs) {
    List<Hash> ids = new ArrayList<>(txs.size());
    for (Transaction tx : txs) {
      ids.add(tx.id());
    }
    return ids;
  }

  /** The header with the first nonce from {@code start} whose hash meets its target (if valid). */
  static BlockHeader meetingNonce(BlockHeader header, long start) {
    BigInteger value;
    try {
      value = header.target().toTarget();
    } catch (RejectedException e) {
      return header.withNonce(start); // an invalid target: proof of work is never reached
    }
    NonceSearch search = new NonceSearch(header, value);
    long from = start;
    while (true) {
      OptionalLong found = search.search(from, 1 << 16);
      if (found.isPresent()) {
        return header.withNonce(found.getAsLong());
      }
      from += 1 << 16;
    }
  }

  /** The header with the first nonce whose hash is above its target. */
  static BlockHeader failingNonce(BlockHeader header) {
    BigInteger value;
    try {
      value = header.target().toTarget();
    } catch (RejectedException e) {
      throw new IllegalArgumentException("high-hash needs a valid target", e);
    }
    for (long n = 0; ; n++) {
      BlockHeader h = header.withNonce(n);
      if (!h.meetsTarget(value)) {
        return h;
      }
    }
  }

  /** Re-solves a block's header after its fields were changed by hand. */
  static Block resolve(BlockHeader header, List<? extends Transaction> txs) {
    return Block.of(meetingNonce(header, 0), txs);
  }

  /** The account of {@code address} at this builder's parent. */
  Account accountAtParent(Address address) {
    return model.account(parent.hash(), address);
  }
}
