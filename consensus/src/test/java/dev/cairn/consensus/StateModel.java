package dev.cairn.consensus;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An independent model of the account state of every block the tests build, on any branch: the
 * accounts after each block, so a block can be crafted on any parent (not only the tip) with the
 * right state commitment. Written from docs/PROTOCOL.md and DESIGN.md, not from {@link
 * StateTransition}: if the two disagree, the chain rejects the test's blocks with {@code
 * bad-state-commitment}.
 *
 * <p>The rules modelled: the coinbase of the block {@code coinbaseMaturity} below matures first
 * (immature to balance), then each transfer in block order (sender pays amount + fee, its nonce
 * goes up; the recipient gains the amount), then the block's coinbase is credited as immature.
 * Every account written is in the commitment, with its final value. The model is lenient: it
 * applies invalid transactions too (so descendants of a deliberately invalid block can still be
 * built), and marks the result inconsistent if a value leaves its range.
 *
 * <p>Not thread-safe.
 */
final class StateModel {
  /** What the model knows about one block: its parent, its coinbase and the state after it. */
  record Node(
      Hash hash,
      Hash parent,
      long height,
      Optional<Coinbase> coinbase,
      SortedMap<Address, Account> accounts,
      SortedMap<Address, Account> changes,
      boolean consistent) {}

  /** The accounts a block would write, and whether every value stayed in range. */
  record Result(SortedMap<Address, Account> changes, SortedMap<Address, Account> accounts, boolean consistent) {}

  private final ChainSpec spec;
  private final Map<Hash, Node> nodes = new HashMap<>();

  StateModel(ChainSpec spec) {
    this.spec = spec;
    Block genesis = spec.genesisBlock();
    SortedMap<Address, Account> accounts = new TreeMap<>(spec.genesisAccounts());
    nodes.put(
        genesis.hash(),
        new Node(genesis.hash(), null, 0, Optional.empty(), accounts, new TreeMap<>(accounts), true));
  }

  Node node(Hash hash) {
    Node n = nodes.get(hash);
    if (n == null) {
      throw new IllegalArgumentException("the model does not know block " + hash);
    }
    return n;
  }

  boolean knows(Hash hash) {
    return nodes.containsKey(hash);
  }

  /** The account after block {@code at}. */
  Account account(Hash at, Address address) {
    return node(at).accounts().getOrDefault(address, Account.EMPTY);
  }

  /** The accounts after block {@code at}, without empty ones (as the store lists them). */
  SortedMap<Address, Account> accounts(Hash at) {
    SortedMap<Address, Account> out = new TreeMap<>();
    node(at).accounts().forEach((a, acc) -> {
      if (!acc.isEmpty()) {
        out.put(a, acc);
      }
    });
    return out;
  }

  /** The coinbase of the block at {@code height} on the branch ending at {@code tip}. */
  Optional<Coinbase> coinbaseAt(Hash tip, long height) {
    Node n = node(tip);
    while (n.height() > height) {
      n = node(n.parent());
    }
    return n.height() == height ? n.coinbase() : Optional.empty();
  }

  /** The accounts {@code txs} would write in a block at {@code height} on {@code parent}. */
  Result apply(Hash parent, long height, List<? extends Transaction> txs) {
    Node p = node(parent);
    TreeMap<Address, Long[]> written = new TreeMap<>();
    boolean[] consistent = {p.consistent()};
    // [balance, immature, nonce] as longs, so an invalid block can still be modelled.
    java.util.function.Function<Address, Long[]> get =
        a ->
            written.computeIfAbsent(
                a,
                k -> {
                  Account acc = p.accounts().getOrDefault(k, Account.EMPTY);
                  return new Long[] {acc.balance().units(), acc.immature().units(), acc.nonce()};
                });
    long maturing = height - spec.params().coinbaseMaturity();
    if (maturing >= 1) {
      Optional<Coinbase> matured = coinbaseAt(parent, maturing);
      if (matured.isPresent()) {
        Long[] acc = get.apply(matured.get().recipient());
        acc[0] += matured.get().amount().units();
        acc[1] -= matured.get().amount().units();
      } else {
        consistent[0] = false;
      }
    }
    for (Transaction tx : txs) {
      if (tx instanceof Transfer t) {
        Long[] sender = get.apply(t.senderAddress());
        sender[0] -= t.amount().units() + t.fee().units();
        sender[2] += 1;
        Long[] recipient = get.apply(t.recipient());
        recipient[0] += t.amount().units();
      }
    }
    if (!txs.isEmpty() && txs.get(0) instanceof Coinbase cb) {
      Long[] acc = get.apply(cb.recipient());
      acc[1] += cb.amount().units();
    }
    SortedMap<Address, Account> changes = new TreeMap<>();
    for (Map.Entry<Address, Long[]> e : written.entrySet()) {
      Long[] v = e.getValue();
      if (v[0] < 0 || v[0] > Amount.MAX_MONEY || v[1] < 0 || v[1] > Amount.MAX_MONEY || v[2] < 0) {
        consistent[0] = false;
        v[0] = Math.max(0, Math.min(v[0], Amount.MAX_MONEY));
        v[1] = Math.max(0, Math.min(v[1], Amount.MAX_MONEY));
        v[2] = Math.max(0, v[2]);
      }
      changes.put(e.getKey(), new Account(Amount.units(v[0]), Amount.units(v[1]), v[2]));
    }
    SortedMap<Address, Account> accounts = new TreeMap<>(p.accounts());
    accounts.putAll(changes);
    return new Result(changes, accounts, consistent[0]);
  }

  /** Records a block (valid or not) so blocks can be built on it. Idempotent. */
  Node register(Block block) {
    Node existing = nodes.get(block.hash());
    if (existing != null) {
      return existing;
    }
    List<Transaction> txs = block.transactions();
    Result r = apply(block.header().previousHash(), block.header().height(), txs);
    Optional<Coinbase> coinbase =
        !txs.isEmpty() && txs.get(0) instanceof Coinbase cb ? Optional.of(cb) : Optional.empty();
    Node n =
        new Node(block.hash(), block.header().previousHash(), block.header().height(), coinbase, r.accounts(), r.changes(), r.consistent());
    nodes.put(block.hash(), n);
    return n;
  }
}
