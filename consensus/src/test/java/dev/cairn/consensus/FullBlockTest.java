package dev.cairn.consensus;

import static dev.cairn.consensus.BlockScenario.Mark.ANY;
import static dev.cairn.consensus.BlockScenario.Mark.FAILED;
import static dev.cairn.consensus.BlockScenario.Mark.FAILED_PARENT;
import static dev.cairn.consensus.BlockScenario.Mark.NOT_INDEXED;
import static dev.cairn.consensus.ChainHarness.coins;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Account;
import dev.cairn.ledger.Address;
import dev.cairn.ledger.Allocation;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.Block;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.Coinbase;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.PrivateKey;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.Signature;
import dev.cairn.ledger.StateCommitment;
import dev.cairn.ledger.Transaction;
import dev.cairn.ledger.Transfer;
import dev.cairn.ledger.store.BlockStatus;
import dev.cairn.testkit.TestChain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consensus rules, block by block, in the style of btcd's {@code fullblocktests}: each
 * scenario is a list of named steps with the exact expected outcome, and after every step the
 * node's accounts and tip equal a fresh replay of its best chain (see {@link BlockScenario}).
 *
 * <p>Block names follow btcd: {@code bN} on the best chain, {@code sN} on side branches, {@code
 * fN} on forks that hold an invalid block, {@code xN} invalid variants.
 */
class FullBlockTest {
  private static final List<PrivateKey> KEYS = TestChain.keys(0xCA1B_0001L, 8);
  private static final List<PrivateKey> FRESH = TestChain.keys(0xCA1B_0002L, 6);

  private static Address addr(int i) {
    return KEYS.get(i).address();
  }

  private static Address fresh(int i) {
    return FRESH.get(i).address();
  }

  @TempDir Path dir;

  // ==== the reason codes, one rule at a time ====================================================

  @TestFactory
  Stream<DynamicTest> consensusRules() {
    ChainHarness h = ChainHarness.inMemory(ChainHarness.funded(KEYS));
    ReplayOracle oracle = new ReplayOracle();
    return consensusRules(h).tests(h, oracle).onClose(() -> close(h, oracle));
  }

  static BlockScenario consensusRules(ChainHarness h) {
    BlockScenario s = new BlockScenario("rules");
    ChainSpec spec = h.spec;
    Hash genesis = spec.genesisHash();
    long spacing = spec.params().targetSpacingSeconds();
    PrivateKey k0 = KEYS.get(0);
    PrivateKey k1 = KEYS.get(1);
    PrivateKey k2 = KEYS.get(2);
    PrivateKey k3 = KEYS.get(3);

    // ---- a valid start ------------------------------------------------------------------------
    Block b1 = h.build(h.on(genesis));
    s.accept("b1: coinbase only, on genesis", b1);
    s.known("genesis again", spec.genesisBlock());
    s.known("b1 again", b1);
    Block b2 = h.build(h.on(b1).pay(k0, addr(1), coins(10)));
    s.accept("b2: k0 pays k1 10 coins", b2);
    Block b3 = h.build(h.on(b2).pay(k0, fresh(0), coins(100)).pay(FRESH.get(0), addr(2), coins(40)));
    s.accept("b3: fresh0 receives 100 from k0 and spends 40 of it later in the same block", b3);
    Block b4 =
        h.build(
            h.on(b3)
                .pay(k1, addr(1), coins(5)) // to itself: only the fee leaves
                .pay(k2, addr(3), Amount.ZERO, Amount.ZERO) // zero amount, zero fee: consensus allows it
                .pay(k3, addr(4), coins(1), Amount.units(1)));
    s.accept("b4: a self-transfer, a zero-amount zero-fee transfer and a 1-unit fee", b4);
    s.check("b4: balances are what the transfers say", x -> {
      Amount fee = BlockBuilder.DEFAULT_FEE;
      assertThat(x.account(addr(0)).balance())
          .isEqualTo(TestChain.FUNDING.minus(coins(110)).minus(fee).minus(fee));
      assertThat(x.account(addr(0)).nonce()).isEqualTo(2);
      assertThat(x.account(addr(1)).balance()).isEqualTo(TestChain.FUNDING.plus(coins(10)).minus(fee));
      assertThat(x.account(fresh(0))).isEqualTo(new Account(coins(60).minus(fee), Amount.ZERO, 1));
      assertThat(x.account(addr(3)).nonce()).isEqualTo(1);
      assertThat(x.account(x.miner).immature())
          .isEqualTo(coins(200).plus(fee).plus(fee).plus(fee).plus(fee).plus(Amount.units(1)));
      assertThat(x.account(x.miner).balance()).isEqualTo(Amount.ZERO);
    });

    // ---- header rules (b4 is the tip) -------------------------------------------------------------
    s.reject("x1: hash above the target", h.build(h.on(b4).highHash()), Reason.HIGH_HASH, NOT_INDEXED);
    s.reject("x2: version 2", h.build(h.on(b4).version(2)), Reason.BAD_VERSION, NOT_INDEXED);
    s.reject("x3: version 0", h.build(h.on(b4).version(0)), Reason.BAD_VERSION, NOT_INDEXED);
    s.reject("x4: version 0xffffffff", h.build(h.on(b4).version(0xFFFF_FFFFL)), Reason.BAD_VERSION, NOT_INDEXED);
    s.reject("x5: target 0x207ffffe, harder than the expected 0x207fffff",
        h.build(h.on(b4).target(new CompactTarget(0x207f_fffeL))), Reason.BAD_COMPACT_TARGET, FAILED);
    s.reject("x6: target 0x1f7fffff, 256 times harder than expected",
        h.build(h.on(b4).target(new CompactTarget(0x1f7f_ffffL))), Reason.BAD_COMPACT_TARGET, FAILED);
    s.reject("x7: target 0x207fff00 in non-canonical form 0x21007fff",
        h.build(h.on(b4).target(new CompactTarget(0x2100_7fffL))), Reason.BAD_COMPACT_TARGET, FAILED);
    s.reject("x8: target 0x2100ffff, easier than powLimit",
        h.build(h.on(b4).target(new CompactTarget(0x2100_ffffL))), Reason.BAD_COMPACT_TARGET, NOT_INDEXED);
    s.reject("x9: negative compact target 0x20800001",
        h.build(h.on(b4).target(new CompactTarget(0x2080_0001L))), Reason.BAD_COMPACT_TARGET, NOT_INDEXED);
    s.reject("x10: zero compact target 0x20000000",
        h.build(h.on(b4).target(new CompactTarget(0x2000_0000L))), Reason.BAD_COMPACT_TARGET, NOT_INDEXED);
    s.reject("x11: zero with the sign bit 0x20800000",
        h.build(h.on(b4).target(new CompactTarget(0x2080_0000L))), Reason.BAD_COMPACT_TARGET, NOT_INDEXED);
    s.reject("x12: mantissa shifted out, 0x01003456 is zero",
        h.build(h.on(b4).target(new CompactTarget(0x0100_3456L))), Reason.BAD_COMPACT_TARGET, NOT_INDEXED);
    s.reject("x13: compact target 0x2300ffff overflows 256 bits",
        h.build(h.on(b4).target(new CompactTarget(0x2300_ffffL))), Reason.BAD_COMPACT_TARGET, NOT_INDEXED);
    s.reject("x14: compact target 0xff7fffff overflows 256 bits",
        h.build(h.on(b4).target(new CompactTarget(0xff7f_ffffL))), Reason.BAD_COMPACT_TARGET, NOT_INDEXED);
    s.reject("x15: height parent + 2", h.build(h.on(b4).height(6)), Reason.BAD_HEIGHT, NOT_INDEXED);
    s.reject("x16: height of the parent", h.build(h.on(b4).height(4)), Reason.BAD_HEIGHT, NOT_INDEXED);
    s.reject("x17: height 0", h.build(h.on(b4).height(0)), Reason.BAD_HEIGHT, NOT_INDEXED);
    // b0..b4 are stamped g, g+60, ..., g+240: the median of the five is g+120.
    long mtp = spec.genesisTimestamp() + 2 * spacing;
    Block x18 = h.build(h.on(b4).timestamp(mtp));
    s.reject("x18: timestamp equal to the median time past", x18, Reason.TIME_TOO_OLD, FAILED);
    Block x19 = h.build(h.on(b4).timestamp(mtp - 1));
    s.reject("x19: timestamp below the median time past", x19, Reason.TIME_TOO_OLD, FAILED);
    Block x20 = h.build(h.on(b4).timestamp(spec.genesisTimestamp()));
    s.reject("x20: timestamp of genesis", x20, Reason.TIME_TOO_OLD, FAILED);
    s.reject("x18 again: known invalid", x18, Reason.KNOWN_INVALID, FAILED);
    Block x21 = h.build(h.on(x18));
    s.reject("x21: child of the time-too-old x18", x21, Reason.PREV_BLOCK_INVALID, FAILED_PARENT);
    Block x22 = h.build(h.on(x21));
    s.reject("x22: grandchild of x18", x22, Reason.PREV_BLOCK_INVALID, FAILED_PARENT);
    s.reject("x21 again: known invalid", x21, Reason.KNOWN_INVALID, FAILED_PARENT);
    Block x23 = h.build(h.on(x22).height(2));
    s.reject("x23: wrong height under an invalid parent", x23, Reason.PREV_BLOCK_INVALID, NOT_INDEXED);
    Block unknownParent = h.build(h.on(b4).miner(fresh(5)));
    Block x24 = h.build(h.on(unknownParent));
    s.reject("x24: child of a block never seen", x24, Reason.PREV_BLOCK_UNKNOWN, NOT_INDEXED);
    s.reject("x25: previous hash of another network's genesis",
        h.build(h.on(b4).previousHash(ChainSpec.regtest().genesisHash())), Reason.PREV_BLOCK_UNKNOWN, NOT_INDEXED);

    // ---- body commitments: a mutated body is dropped, never marked invalid --------------------------
    Block b5 = h.build(h.on(b4).pay(k0, addr(5), coins(1)).pay(k1, addr(6), coins(2)).pay(k2, addr(7), coins(3)));
    List<Transaction> swapped = new ArrayList<>(b5.transactions());
    java.util.Collections.swap(swapped, 1, 2);
    s.reject("x27: b5 with two transactions swapped", Block.of(b5.header(), swapped), Reason.BAD_MERKLE_ROOT, NOT_INDEXED);
    List<Transaction> dropped = new ArrayList<>(b5.transactions());
    dropped.remove(3);
    s.reject("x28: b5 with its last transaction dropped", Block.of(b5.header(), dropped), Reason.BAD_MERKLE_ROOT, NOT_INDEXED);
    List<Transaction> doubled = new ArrayList<>(b5.transactions());
    doubled.add(doubled.get(3));
    s.reject("x29: b5 with its last transaction repeated (CVE-2012-2459 shape)", Block.of(b5.header(), doubled),
        Reason.DUPLICATE_TX, NOT_INDEXED);
    s.reject("x30: b5 with its coinbase replaced",
        Block.of(b5.header(), replaceAt(b5.transactions(), 0, Coinbase.create(5, fresh(1), coins(50).plus(fee(3))))),
        Reason.BAD_MERKLE_ROOT, NOT_INDEXED);
    s.accept("b5: the intact block after its mutated copies (they did not poison it)", b5);
    s.reject("x31: header committing to a random Merkle root",
        h.build(h.on(b5).merkleRoot(Hashes.sha256(new byte[] {1}))), Reason.BAD_MERKLE_ROOT, NOT_INDEXED);
    Transfer t6 = Transfer.sign(k3, addr(0), coins(1), fee(1), 1, genesis);
    s.reject("x32: the same transfer twice, committed by the Merkle root",
        h.build(h.on(b5).add(t6).editTransactions(l -> append(l, t6))), Reason.DUPLICATE_TX, NOT_INDEXED);
    s.reject("x33: the coinbase twice",
        h.build(h.on(b5).editTransactions(l -> append(l, l.get(0)))), Reason.DUPLICATE_TX, NOT_INDEXED);

    // ---- structure (b5 is the tip) ----------------------------------------------------------------
    s.reject("x34: no transactions at all", h.build(h.on(b5).noCoinbase()), Reason.COINBASE_MISSING, FAILED);
    s.reject("x35: a transfer but no coinbase", h.build(h.on(b5).noCoinbase().pay(k3, addr(0), coins(1))),
        Reason.COINBASE_MISSING, FAILED);
    s.reject("x36: the coinbase second",
        h.build(h.on(b5).pay(k3, addr(0), coins(2)).editTransactions(l -> swap(l, 0, 1))), Reason.COINBASE_MISSING, FAILED);
    s.reject("x37: a second coinbase",
        h.build(h.on(b5).editTransactions(l -> append(l, Coinbase.create(6, fresh(1), Amount.ZERO)))),
        Reason.COINBASE_MULTIPLE, FAILED);
    s.reject("x38: a second coinbase paying the same miner at another height",
        h.build(h.on(b5).pay(k3, addr(0), coins(3)).editTransactions(l -> append(l, Coinbase.create(7, h.miner, coins(50))))),
        Reason.COINBASE_MULTIPLE, FAILED);
    s.reject("x39: an allocation outside genesis",
        h.build(h.on(b5).add(Allocation.create(fresh(2), coins(1000)))), Reason.ALLOCATION_OUTSIDE_GENESIS, FAILED);
    s.reject("x40: a genesis allocation replayed",
        h.build(h.on(b5).add(spec.genesisBlock().transactions().get(0))), Reason.ALLOCATION_OUTSIDE_GENESIS, FAILED);
    s.reject("x41: coinbase height of the parent", h.build(h.on(b5).coinbaseHeight(5)), Reason.COINBASE_HEIGHT, FAILED);
    s.reject("x42: coinbase height + 1", h.build(h.on(b5).coinbaseHeight(7)), Reason.COINBASE_HEIGHT, FAILED);

    // ---- the state transition (b5 is the tip) -----------------------------------------------------
    s.reject("x43: coinbase one unit too much", h.build(h.on(b5).pay(k3, addr(0), coins(1)).coinbaseExtra(Amount.units(1))),
        Reason.COINBASE_AMOUNT, FAILED);
    s.reject("x44: coinbase one unit too little", h.build(h.on(b5).pay(k3, addr(0), coins(1)).coinbaseShort(Amount.units(1))),
        Reason.COINBASE_AMOUNT, FAILED);
    s.reject("x45: coinbase without the fees", h.build(h.on(b5).pay(k3, addr(0), coins(1)).coinbaseShort(fee(1))),
        Reason.COINBASE_AMOUNT, FAILED);
    s.reject("x46: coinbase paying nothing", h.build(h.on(b5).coinbaseAmount(Amount.ZERO)), Reason.COINBASE_AMOUNT, FAILED);
    s.reject("x47: coinbase paying MAX_MONEY", h.build(h.on(b5).coinbaseAmount(Amount.units(Amount.MAX_MONEY))),
        Reason.COINBASE_AMOUNT, FAILED);
    Block x48 = h.build(h.on(b5).stateCommitment(Hashes.sha256(new byte[] {2})));
    s.reject("x48: a random state commitment", x48, Reason.BAD_STATE_COMMITMENT, FAILED);
    s.reject("x48 again: known invalid", x48, Reason.KNOWN_INVALID, FAILED);
    s.reject("x49: child of x48", h.build(h.on(x48)), Reason.PREV_BLOCK_INVALID, FAILED_PARENT);
    Block valid6 = h.build(h.on(b5).pay(k3, addr(0), coins(4)).miner(fresh(3)));
    SortedMap<Address, Account> withoutMiner = new TreeMap<>(h.model.node(valid6.hash()).changes());
    withoutMiner.remove(fresh(3));
    s.reject("x50: state commitment leaving out the miner's account",
        h.build(h.on(b5).pay(k3, addr(0), coins(4)).miner(fresh(3)).stateCommitment(StateCommitment.of(withoutMiner))),
        Reason.BAD_STATE_COMMITMENT, FAILED);
    SortedMap<Address, Account> spendable = new TreeMap<>(h.model.node(valid6.hash()).changes());
    Account m = spendable.get(fresh(3));
    spendable.put(fresh(3), new Account(m.immature(), Amount.ZERO, 0));
    s.reject("x51: state commitment crediting the reward as spendable",
        h.build(h.on(b5).pay(k3, addr(0), coins(4)).miner(fresh(3)).stateCommitment(StateCommitment.of(spendable))),
        Reason.BAD_STATE_COMMITMENT, FAILED);
    SortedMap<Address, Account> extra = new TreeMap<>(h.model.node(valid6.hash()).changes());
    extra.put(fresh(4), Account.EMPTY);
    s.reject("x52: state commitment listing an untouched empty account",
        h.build(h.on(b5).pay(k3, addr(0), coins(4)).miner(fresh(3)).stateCommitment(StateCommitment.of(extra))),
        Reason.BAD_STATE_COMMITMENT, FAILED);

    Transfer good = Transfer.sign(k3, addr(0), coins(5), fee(1), 1, genesis);
    s.reject("x53: a signature with one bit flipped", h.build(h.on(b5).add(flipSignatureBit(good))), Reason.BAD_SIGNATURE, FAILED);
    s.reject("x54: signed for another network (replay from regtest)",
        h.build(h.on(b5).add(Transfer.sign(k3, addr(0), coins(5), fee(1), 1, ChainSpec.regtest().genesisHash()))),
        Reason.BAD_SIGNATURE, FAILED);
    Signature byOther = k2.sign(good.signingBytes(genesis));
    s.reject("x55: k3's transfer signed by k2",
        h.build(h.on(b5).add(Transfer.withSignature(k3.publicKey(), addr(0), coins(5), fee(1), 1, byOther))),
        Reason.BAD_SIGNATURE, FAILED);
    s.reject("x56: a valid transfer, then one with a bad signature",
        h.build(h.on(b5).add(good).add(flipSignatureBit(Transfer.sign(k0, addr(1), coins(1), fee(1), 3, genesis)))),
        Reason.BAD_SIGNATURE, FAILED);
    s.reject("x57: amount MAX_MONEY plus a fee of one unit",
        h.build(h.on(b5).pay(k3, addr(0), Amount.units(Amount.MAX_MONEY), Amount.units(1))),
        Reason.AMOUNT_OUT_OF_RANGE, FAILED);
    s.reject("x58: amount and fee of MAX_MONEY each",
        h.build(h.on(b5).pay(k3, addr(0), Amount.units(Amount.MAX_MONEY), Amount.units(Amount.MAX_MONEY))),
        Reason.AMOUNT_OUT_OF_RANGE, FAILED);
    s.reject("x59: b2's transfer replayed", h.build(h.on(b5).add(b2.transactions().get(1))), Reason.NONCE_TOO_LOW, FAILED);
    s.reject("x60: k0 reuses nonce 0 for a new payment",
        h.build(h.on(b5).add(Transfer.sign(k0, addr(2), coins(1), fee(1), 0, genesis))), Reason.NONCE_TOO_LOW, FAILED);
    s.reject("x61: two transfers with one nonce",
        h.build(h.on(b5).add(Transfer.sign(k3, addr(0), coins(1), fee(1), 1, genesis))
            .add(Transfer.sign(k3, addr(1), coins(1), fee(1), 1, genesis))),
        Reason.NONCE_TOO_LOW, FAILED);
    s.reject("x62: nonce one ahead", h.build(h.on(b5).add(Transfer.sign(k3, addr(0), coins(1), fee(1), 2, genesis))),
        Reason.NONCE_GAP, FAILED);
    s.reject("x63: nonces 1 then 3",
        h.build(h.on(b5).add(Transfer.sign(k3, addr(0), coins(1), fee(1), 1, genesis))
            .add(Transfer.sign(k3, addr(0), coins(1), fee(1), 3, genesis))),
        Reason.NONCE_GAP, FAILED);
    s.reject("x64: a never-used account sends nonce 2^63-1",
        h.build(h.on(b5).add(Transfer.sign(KEYS.get(7), addr(0), coins(1), fee(1), Long.MAX_VALUE, genesis))),
        Reason.NONCE_GAP, FAILED);
    Amount k4balance = TestChain.FUNDING.plus(coins(1)); // k3 paid k4 one coin in b4
    s.reject("x65: k4 spends one unit more than its balance",
        h.build(h.on(b5).pay(KEYS.get(4), addr(0), k4balance.minus(fee(1)).plus(Amount.units(1)))),
        Reason.INSUFFICIENT_BALANCE, FAILED);
    s.reject("x66: an account that never held anything pays",
        h.build(h.on(b5).pay(FRESH.get(1), addr(0), Amount.units(1), Amount.ZERO)), Reason.INSUFFICIENT_BALANCE, FAILED);
    s.reject("x67: fresh2 spends before it receives, in the same block",
        h.build(h.on(b5).pay(FRESH.get(2), addr(2), coins(1)).pay(k0, fresh(2), coins(10))),
        Reason.INSUFFICIENT_BALANCE, FAILED);
    s.reject("x68: k5 pays all it has, then one more unit",
        h.build(h.on(b5).pay(KEYS.get(5), addr(0), TestChain.FUNDING.plus(coins(1)).minus(fee(1)))
            .pay(KEYS.get(5), addr(0), Amount.units(1), Amount.ZERO)),
        Reason.INSUFFICIENT_BALANCE, FAILED);
    s.reject("x69: the miner spends its immature rewards",
        h.build(h.on(b5).pay(h.minerKey, addr(0), coins(1))), Reason.IMMATURE_SPEND, FAILED);
    s.reject("x70: a bad signature comes before a nonce gap in the block order",
        h.build(h.on(b5).add(flipSignatureBit(good)).add(Transfer.sign(k0, addr(1), coins(1), fee(1), 9, genesis))),
        Reason.BAD_SIGNATURE, FAILED);
    s.reject("x71: the coinbase amount is checked after the transfers",
        h.build(h.on(b5).add(Transfer.sign(k0, addr(1), coins(1), fee(1), 9, genesis)).coinbaseExtra(coins(1))),
        Reason.NONCE_GAP, FAILED);

    // ---- valid edge cases ---------------------------------------------------------------------------
    Block b6 = h.build(h.on(b5).pay(KEYS.get(4), addr(0), k4balance.minus(fee(1))));
    s.accept("b6: k4 spends exactly its whole balance", b6);
    s.check("b6: k4 is empty but keeps its nonce", x -> assertThat(x.account(addr(4))).isEqualTo(new Account(Amount.ZERO, Amount.ZERO, 1)));
    Block b7 = h.build(h.on(b6).pay(k0, fresh(1), coins(10)).pay(FRESH.get(1), fresh(2), coins(5))
        .pay(FRESH.get(2), fresh(3), coins(2)).pay(FRESH.get(1), addr(0), coins(1)));
    s.accept("b7: a chain of payments through fresh accounts within one block", b7);
    // b0..b7 at g..g+420: the median of the last 11 (all 8) is the 5th smallest, g+240.
    long mtp7 = spec.genesisTimestamp() + 4 * spacing;
    s.reject("x72: timestamp = median time past of b7", h.build(h.on(b7).timestamp(mtp7)), Reason.TIME_TOO_OLD, FAILED);
    Block b8 = h.build(h.on(b7).timestamp(mtp7 + 1));
    s.accept("b8: timestamp before its parent's but after the median time past", b8);
    // The commitment covers every account the block writes, even one it leaves as it was: a zero
    // payment to an address never seen writes an empty account.
    Address nobody = Address.fromBytes(new byte[] {0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
        0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42});
    Block b9 = h.build(h.on(b8).timestamp(mtp7 + 1).pay(k1, nobody, Amount.ZERO));
    SortedMap<Address, Account> changedOnly = new TreeMap<>(h.model.node(b9.hash()).changes());
    assertThat(changedOnly.remove(nobody)).isEqualTo(Account.EMPTY);
    s.reject("x73: b9's commitment without the written-but-unchanged empty account",
        h.build(h.on(b8).timestamp(mtp7 + 1).pay(k1, nobody, Amount.ZERO).stateCommitment(StateCommitment.of(changedOnly))),
        Reason.BAD_STATE_COMMITMENT, FAILED);
    s.accept("b9: the same timestamp as its parent; pays nothing to an address never seen", b9);
    s.check("b9: the empty account is not stored", x -> assertThat(x.accounts()).doesNotContainKey(nobody));

    // ---- forks: first seen wins a tie; more work reorganises ----------------------------------------
    // k6 double-spends: 100 coins to k7 on the b-branch, 200 coins to fresh4 on the s-branch.
    Block b10 = h.build(h.on(b9).pay(KEYS.get(6), addr(7), coins(100)));
    s.accept("b10: k6 pays k7 100", b10);
    Block s10 = h.build(h.on(b9).pay(KEYS.get(6), fresh(4), coins(200)).miner(fresh(5)));
    s.side("s10: k6 pays fresh4 200 instead, equal work: b10 seen first stays", s10);
    s.known("s10 again", s10);
    Block s11 = h.build(h.on(s10).pay(FRESH.get(4), addr(0), coins(50)).miner(fresh(5)));
    s.accept("s11: fresh4 spends the double-spent coins; the s-branch is heavier: reorg", s11);
    s.check("s11: k6's payment to k7 is undone", x -> {
      assertThat(x.account(addr(7)).balance()).isEqualTo(TestChain.FUNDING.plus(coins(3)));
      assertThat(x.account(fresh(4)).balance()).isEqualTo(coins(150).minus(fee(1)));
      assertThat(x.store.txLocation(b10.transactions().get(1).id())).isEmpty();
      assertThat(x.status(b10.hash()).orElseThrow().isFailed()).isFalse();
    });
    Block b11 = h.build(h.on(b10));
    s.side("b11: the b-branch catches up, equal work: s11 stays", b11);
    Block b12 = h.build(h.on(b11).pay(KEYS.get(7), addr(0), coins(150)));
    s.accept("b12: k7 spends the 100 from b10; the b-branch is heavier again: reorg back", b12);
    s.check("b12: the s-branch payments are undone", x -> {
      assertThat(x.account(fresh(4))).isEqualTo(Account.EMPTY);
      assertThat(x.account(fresh(5))).isEqualTo(Account.EMPTY);
      assertThat(x.store.txLocation(s11.transactions().get(1).id())).isEmpty();
    });
    Block s12 = h.build(h.on(s11).miner(fresh(5)));
    s.side("s12: equal work again, b12 stays", s12);
    Block s13 = h.build(h.on(s12).miner(fresh(5)));
    s.accept("s13: reorg to the s-branch once more", s13);
    Block b13 = h.build(h.on(b12));
    s.side("b13: equal work", b13);
    Block b14 = h.build(h.on(b13));
    s.accept("b14: and back to the b-branch", b14);

    // ---- a heavier fork with an invalid block inside ---------------------------------------------
    // f-branch from b12: f13 valid, f14 invalid (bad signature, only found on connect), f15, f16.
    Block f13 = h.build(h.on(b12).pay(KEYS.get(5), addr(6), coins(7)).miner(fresh(5)));
    s.side("f13: valid fork block, less work", f13);
    Block f14 = h.build(h.on(f13).add(flipSignatureBit(Transfer.sign(k0, addr(1), coins(1), fee(1), 4, genesis))).miner(fresh(5)));
    s.side("f14: bad signature, but on a branch with equal work it is only stored", f14);
    Block f15 = h.build(h.on(f14).miner(fresh(5)));
    s.rejectAndSettle("f15: the f-branch is heavier; connecting f14 fails, the node returns to b14",
        f15, Reason.PREV_BLOCK_INVALID, FAILED_PARENT, b14.hash());
    s.expectMark("f14", f14, FAILED);
    s.check("f13 is still valid and stored", x -> {
      BlockStatus st = x.status(f13.hash()).orElseThrow();
      assertThat(st.isFailed()).isFalse();
      assertThat(st.has(BlockStatus.HAVE_BODY)).isTrue();
    });
    s.reject("f16: child of f15", h.build(h.on(f15).miner(fresh(5))), Reason.PREV_BLOCK_INVALID, FAILED_PARENT);
    s.reject("f14 again", f14, Reason.KNOWN_INVALID, FAILED);
    s.reject("f15 again", f15, Reason.KNOWN_INVALID, FAILED_PARENT);
    Block b15 = h.build(h.on(b14).pay(k0, addr(1), coins(1)));
    s.accept("b15: the best chain goes on", b15);
    // A valid sibling of f14 makes the fork viable again.
    Block g14 = h.build(h.on(f13).miner(fresh(4)));
    s.side("g14: valid sibling of f14", g14);
    Block g15 = h.build(h.on(g14).miner(fresh(4)));
    s.side("g15: equal work with b15", g15);
    Block g16 = h.build(h.on(g15).miner(fresh(4)));
    s.accept("g16: the valid fork is heavier: reorg to f13-g14-g15-g16", g16);
    s.check("f13's payment is on the best chain now", x -> assertThat(x.store.txLocation(f13.transactions().get(1).id())).isPresent());
    // The invalid block is the first of the fork: the node disconnects, fails, and returns.
    Block e15 = h.build(h.on(g14).pay(FRESH.get(0), addr(0), coins(1000)).miner(fresh(1)));
    s.side("e15: overspends fresh0 (only found on connect), side chain", e15);
    Block e16 = h.build(h.on(e15).miner(fresh(1)));
    s.side("e16: equal work with g16", e16);
    Block e17 = h.build(h.on(e16).miner(fresh(1)));
    s.rejectAndSettle("e17: heavier, but e15 overspends: the node returns to g16", e17, Reason.PREV_BLOCK_INVALID,
        FAILED_PARENT, g16.hash());
    s.expectMark("e15", e15, FAILED);
    s.expectMark("e16", e16, FAILED_PARENT);
    // The valid part of a failed fork reaches exactly the tip's work: first seen wins the tie.
    Block d15 = h.build(h.on(g14).miner(fresh(0)));
    s.side("d15: valid, less work", d15);
    Block d16 = h.build(h.on(d15).miner(fresh(0)));
    s.side("d16: valid, equal work with g16", d16);
    Block d17 = h.build(h.on(d16).pay(KEYS.get(1), addr(2), coins(1)).coinbaseExtra(Amount.units(1)).miner(fresh(0)));
    s.rejectAndSettle("d17: heavier, but overpays its coinbase; d16 has g16's work, g16 was first: back to g16", d17,
        Reason.COINBASE_AMOUNT, FAILED, g16.hash());
    s.expectMark("d16 stays valid", d16, ANY);
    s.check("d16 is stored and not failed", x -> assertThat(x.status(d16.hash()).orElseThrow().isFailed()).isFalse());
    Block b17 = h.build(h.on(g16));
    s.accept("b17 on g16: the best chain goes on", b17);

    // ---- invalidate and reconsider (regtest controls) ---------------------------------------------
    s.action("invalidate g15: the best valid chain is now d16's (f13-g14-d15-d16)", x -> {
      x.chain.invalidateBlock(g15.hash());
      assertThat(x.chain.tip().hash()).isEqualTo(d16.hash());
    });
    s.expectMark("g16 after invalidating g15", g16, FAILED_PARENT);
    s.reject("b17 again after invalidating g15", b17, Reason.KNOWN_INVALID, ANY);
    s.action("reconsider g15: back to b17", x -> {
      x.chain.reconsiderBlock(g15.hash());
      assertThat(x.chain.tip().hash()).isEqualTo(b17.hash());
    });

    // ---- the local clock: too new is retried, never marked --------------------------------------------
    long now = h.clock.get();
    long drift = spec.params().maxFutureDriftSeconds();
    Block b18 = h.build(h.on(b17).timestamp(now + drift + 1));
    s.reject("b18 stamped one second beyond the allowed drift", b18, Reason.TIME_TOO_NEW, NOT_INDEXED);
    s.reject("b18 again: still too new, not known invalid", b18, Reason.TIME_TOO_NEW, NOT_INDEXED);
    s.action("the clock moves one second", x -> x.clock.set(now + 1));
    s.accept("b18: now exactly at the drift limit, accepted", b18);
    s.reject("x74: child of b18 stamped 1 s beyond the drift", h.build(h.on(b18).timestamp(now + 1 + drift + 1)),
        Reason.TIME_TOO_NEW, NOT_INDEXED);
    s.action("the clock catches up with b18", x -> x.clock.set(now + 2 * drift));
    Block b19 = h.build(h.on(b18));
    s.accept("b19: parent + 60 s", b19);

    // ---- bytes from the wire ------------------------------------------------------------------------
    Block wire = h.build(h.on(b19).pay(k0, addr(1), coins(1)).miner(fresh(2)));
    byte[] good20 = wire.encode();
    s.rejectBytes("w1: the last byte missing", Arrays.copyOf(good20, good20.length - 1), Reason.DECODE_TRUNCATED);
    s.rejectBytes("w2: one byte more", Arrays.copyOf(good20, good20.length + 1), Reason.DECODE_TRAILING_BYTES);
    s.rejectBytes("w3: a transaction count the bytes cannot hold", patch(good20, BlockHeader.SIZE, 0x7f),
        Reason.DECODE_TRUNCATED);
    s.rejectBytes("w4: coinbase encoding version 2", patch(good20, BlockHeader.SIZE + 4, 2), Reason.DECODE_UNKNOWN_VERSION);
    s.rejectBytes("w5: transaction kind 9", patch(good20, BlockHeader.SIZE + 4 + 1, 9), Reason.DECODE_UNKNOWN_KIND);
    s.rejectBytes("w6: header height with the top bit set", patch(good20, 4, 0x80), Reason.DECODE_NON_CANONICAL);
    s.rejectBytes("w7: coinbase amount above MAX_MONEY",
        patch(good20, BlockHeader.SIZE + 4 + Coinbase.SIZE - 8, 0x7f), Reason.AMOUNT_OUT_OF_RANGE);
    int transferAt = BlockHeader.SIZE + 4 + Coinbase.SIZE;
    byte[] identityKey = patchRange(good20, transferAt + 2, identityPoint());
    s.rejectBytes("w8: a transfer from the identity point (small order)", identityKey, Reason.BAD_PUBLIC_KEY);
    s.rejectBytes("w9: a transfer amount above MAX_MONEY", patch(good20, transferAt + 2 + 32 + 20, 0x7f),
        Reason.AMOUNT_OUT_OF_RANGE);
    s.rejectBytes("w10: a transfer nonce with the top bit set", patch(good20, transferAt + 2 + 32 + 20 + 16, 0x80),
        Reason.DECODE_NON_CANONICAL);
    s.rejectBytes("w11: a transfer's signature byte changed (decodes, then fails the Merkle root)",
        patch(good20, transferAt + Transfer.UNSIGNED_SIZE, good20[transferAt + Transfer.UNSIGNED_SIZE] ^ 1),
        Reason.BAD_MERKLE_ROOT);
    s.rejectBytes("w12: more than 8 MiB", new byte[Block.MAX_ENCODED_SIZE + 1], Reason.DECODE_TOO_LARGE);
    s.accept("b20: the intact bytes", wire);
    return s;
  }

  // ==== block size ============================================================================

  /** 13 transfers of 142 bytes, a 38-byte coinbase, 128-byte header and 4-byte count: 2,016 bytes. */
  static final int SIZE_LIMIT = BlockHeader.SIZE + 4 + Coinbase.SIZE + 13 * Transfer.SIZE;

  @TestFactory
  Stream<DynamicTest> blockSizeLimit() {
    ChainHarness h = ChainHarness.inMemory(ChainHarness.funded(KEYS, p -> ChainHarness.withMaxBlockSize(p, SIZE_LIMIT)));
    ReplayOracle oracle = new ReplayOracle();
    return blockSizeLimit(h).tests(h, oracle).onClose(() -> close(h, oracle));
  }

  static BlockScenario blockSizeLimit(ChainHarness h) {
    BlockScenario s = new BlockScenario("size");
    Hash genesis = h.spec.genesisHash();
    assertThat(SIZE_LIMIT).isEqualTo(2016);
    Block full = h.build(transfers(h.on(genesis), 13));
    assertThat(full.size()).isEqualTo(SIZE_LIMIT);
    Block over = h.build(transfers(h.on(genesis), 14));
    assertThat(over.size()).isEqualTo(SIZE_LIMIT + Transfer.SIZE);
    s.reject("x1: 14 transfers, " + over.size() + " bytes", over, Reason.BAD_BLOCK_LENGTH, NOT_INDEXED);
    // Every encoding has an even length: the smallest excess is two bytes. Four coinbases, an
    // allocation and 12 transfers make 2,018 bytes; the size is checked before anything else.
    Block two = h.build(transfers(h.on(genesis), 12).add(Allocation.create(fresh(0), coins(1)))
        .editTransactions(l -> append(append(append(l, Coinbase.create(2, fresh(1), coins(1))),
            Coinbase.create(3, fresh(1), coins(1))), Coinbase.create(4, fresh(1), coins(1)))));
    assertThat(two.size()).isEqualTo(SIZE_LIMIT + 2);
    s.reject("x2: " + two.size() + " bytes, two over", two, Reason.BAD_BLOCK_LENGTH, NOT_INDEXED);
    s.accept("b1: 13 transfers, exactly " + SIZE_LIMIT + " bytes", full);
    Block b2 = h.build(transfers(h.on(full), 12));
    s.accept("b2: 12 transfers, " + b2.size() + " bytes", b2);
    Block over3 = h.build(transfers(h.on(b2), 14));
    s.reject("x3: 14 transfers on b2", over3, Reason.BAD_BLOCK_LENGTH, NOT_INDEXED);
    s.reject("x3 again: still bad-blk-length, never marked invalid", over3, Reason.BAD_BLOCK_LENGTH, NOT_INDEXED);
    return s;
  }

  @TestFactory
  Stream<DynamicTest> blockSizeOneByteOver() {
    // The same 13-transfer block, on a network whose limit is one byte lower.
    ChainHarness h = ChainHarness.inMemory(ChainHarness.funded(KEYS, p -> ChainHarness.withMaxBlockSize(p, SIZE_LIMIT - 1)));
    ReplayOracle oracle = new ReplayOracle();
    BlockScenario s = new BlockScenario("size-1");
    Block over = h.build(transfers(h.on(h.spec.genesisHash()), 13));
    s.reject("x1: " + over.size() + " bytes with a limit of " + (SIZE_LIMIT - 1), over, Reason.BAD_BLOCK_LENGTH, NOT_INDEXED);
    s.accept("b1: 12 transfers fit", h.build(transfers(h.on(h.spec.genesisHash()), 12)));
    return s.tests(h, oracle).onClose(() -> close(h, oracle));
  }

  /** {@code n} transfers from distinct keys (wrapping around), each paying the next key 1 coin. */
  static BlockBuilder transfers(BlockBuilder b, int n) {
    for (int i = 0; i < n; i++) {
      b.pay(KEYS.get(i % KEYS.size()), addr((i + 1) % KEYS.size()), coins(1 + i));
    }
    return b;
  }

  // ==== coinbase maturity ========================================================================

  @TestFactory
  Stream<DynamicTest> coinbaseMaturity() {
    ChainHarness h = ChainHarness.inMemory(ChainSpec.regtest());
    ReplayOracle oracle = new ReplayOracle();
    return coinbaseMaturity(h).tests(h, oracle).onClose(() -> close(h, oracle));
  }

  static BlockScenario coinbaseMaturity(ChainHarness h) {
    BlockScenario s = new BlockScenario("maturity");
    int maturity = h.spec.params().coinbaseMaturity();
    assertThat(maturity).isEqualTo(100);
    PrivateKey early = FRESH.get(0);
    PrivateKey other = FRESH.get(1);
    Block b1 = h.build(h.on(h.spec.genesisHash()).miner(early.address()));
    s.accept("b1: rewards fresh0 (matures in block " + (1 + maturity) + ")", b1);
    Block tip = b1;
    List<Block> main = new ArrayList<>();
    main.add(b1);
    for (int i = 2; i < maturity; i++) {
      tip = h.build(h.on(tip).miner(other.address()));
      main.add(tip);
      s.accept("b" + i + ": rewards fresh1", tip);
    }
    Block b99 = tip;
    s.reject("x100: fresh0 spends its reward in block 100 (maturity - 1 after it)",
        h.build(h.on(b99).pay(early, fresh(2), coins(1)).miner(other.address())), Reason.IMMATURE_SPEND, FAILED);
    Block b100 = h.build(h.on(b99).miner(other.address()));
    s.accept("b100", b100);
    s.check("b100: fresh0's reward is still immature", x ->
        assertThat(x.account(early.address())).isEqualTo(new Account(Amount.ZERO, coins(50), 0)));
    s.reject("x102: fresh0 spends in block 101, one unit more than the reward",
        h.build(h.on(b100).pay(early, fresh(2), coins(50).minus(fee(1)).plus(Amount.units(1)))), Reason.INSUFFICIENT_BALANCE, FAILED);
    Block b101 = h.build(h.on(b100).pay(early, fresh(2), coins(10)).miner(other.address()));
    s.accept("b101: fresh0 spends 10 of its reward: mature exactly now", b101);
    s.check("b101: fresh0 has the rest, fresh1's first reward matured", x -> {
      assertThat(x.account(early.address())).isEqualTo(new Account(coins(40).minus(fee(1)), Amount.ZERO, 1));
      // fresh1 mined b2..b101; b2's reward matures in block 102.
      assertThat(x.account(other.address()).balance()).isEqualTo(Amount.ZERO);
      assertThat(x.account(other.address()).immature()).isEqualTo(coins(50L * maturity).plus(fee(1)));
    });
    s.reject("x103: in block 102 only b2's reward is mature: fresh1 cannot spend 60",
        h.build(h.on(b101).pay(other, fresh(2), coins(60)).miner(fresh(3))), Reason.IMMATURE_SPEND, FAILED);
    Block b102 = h.build(h.on(b101).pay(other, fresh(2), coins(49)).miner(fresh(3)));
    s.accept("b102: b2's reward matured: fresh1 spends 49", b102);

    // On a fork from b99: its own block 100 and 101.
    Block f100 = h.build(h.on(b99).pay(early, fresh(3), coins(1)).miner(fresh(4)));
    s.side("f100: fork block 100 spends fresh0's immature reward; stored, not yet connected", f100);
    Block f101 = h.build(h.on(f100).miner(fresh(4)));
    s.side("f101", f101);
    Block f102 = h.build(h.on(f101).miner(fresh(4)));
    s.side("f102: equal work with b102", f102);
    Block f103 = h.build(h.on(f102).miner(fresh(4)));
    s.rejectAndSettle("f103: heavier, but f100 spends immature coins: back to b102", f103, Reason.PREV_BLOCK_INVALID,
        FAILED_PARENT, b102.hash());
    s.expectMark("f100", f100, FAILED);
    Block g100 = h.build(h.on(b99).miner(fresh(4)));
    s.side("g100: a valid fork block 100", g100);
    Block g101 = h.build(h.on(g100).pay(early, fresh(3), coins(20)).miner(fresh(4)));
    s.side("g101: fresh0 spends at maturity on the fork", g101);
    Block g102 = h.build(h.on(g101).pay(other, fresh(3), coins(2)).miner(fresh(4)));
    s.side("g102: fresh1 spends b2's reward on the fork", g102);
    Block g103 = h.build(h.on(g102).miner(fresh(4)));
    s.accept("g103: the fork is heavier: reorg over the maturity boundary", g103);
    s.check("g103: rewards of the b-branch's blocks 100-102 are gone, fork rewards immature", x -> {
      assertThat(x.account(early.address())).isEqualTo(new Account(coins(30).minus(fee(1)), Amount.ZERO, 1));
      assertThat(x.account(fresh(4))).isEqualTo(new Account(Amount.ZERO, coins(200).plus(fee(2)), 0));
      assertThat(x.account(fresh(3))).isEqualTo(new Account(coins(22), Amount.ZERO, 0));
    });
    Block b103 = h.build(h.on(b102).miner(fresh(3)));
    s.side("b103: equal work", b103);
    Block b104 = h.build(h.on(b103).miner(fresh(3)));
    s.accept("b104: back to the b-branch", b104);
    s.check("b104: fresh3 has b102's reward immature and nothing spendable", x ->
        assertThat(x.account(fresh(3))).isEqualTo(new Account(Amount.ZERO, coins(150).plus(fee(1)), 0)));
    return s;
  }

  // ==== a long reorganisation, on RocksDB ===========================================================

  @TestFactory
  Stream<DynamicTest> longReorganisation() {
    ChainHarness h = ChainHarness.rocksDb(ChainHarness.funded(KEYS), dir.resolve("chain"));
    ReplayOracle oracle = ReplayOracle.incremental(); // a fresh replay after each of its 300 steps takes 4x longer
    return longReorganisation(h).tests(h, oracle).onClose(() -> close(h, oracle));
  }

  /** A fork 150 blocks deep against 120, then the original branch back to 151. */
  static BlockScenario longReorganisation(ChainHarness h) {
    BlockScenario s = new BlockScenario("long-reorg");
    Block base = h.build(h.on(h.spec.genesisHash()).pay(KEYS.get(0), addr(1), coins(1)));
    s.accept("b1", base);
    List<Block> a = new ArrayList<>();
    List<Block> b = new ArrayList<>();
    Block tip = base;
    for (int i = 0; i < 120; i++) {
      BlockBuilder builder = h.on(tip);
      if (i % 3 == 0) {
        builder.pay(KEYS.get(i % 4), addr((i + 1) % 4), coins(1).plus(Amount.units(i)));
      }
      tip = h.build(builder);
      a.add(tip);
      s.accept("a" + (i + 2), tip);
    }
    tip = base;
    for (int i = 0; i < 150; i++) {
      BlockBuilder builder = h.on(tip).miner(fresh(5));
      if (i % 2 == 0) {
        builder.pay(KEYS.get(4 + i % 4), addr(i % 4), coins(2).plus(Amount.units(i)));
      }
      if (i == 148) { // height 150: the subsidy has halved on regtest
        s.reject("xb150: block 150 paying the pre-halving subsidy",
            h.build(h.on(tip).miner(fresh(5)).coinbaseAmount(coins(50))), Reason.COINBASE_AMOUNT, FAILED);
      }
      tip = h.build(builder);
      b.add(tip);
      if (i < 120) {
        s.side("b" + (i + 2) + " of the fork", tip);
      } else {
        s.accept("b" + (i + 2) + " of the fork" + (i == 120 ? ": heavier, reorganise 120 blocks" : ""), tip);
      }
    }
    s.check("the fork's last block pays the halved subsidy", x ->
        assertThat(((Coinbase) b.get(149).transactions().get(0)).amount()).isEqualTo(coins(25)));
    tip = a.get(a.size() - 1);
    for (int i = 120; i < 151; i++) {
      tip = h.build(h.on(tip).pay(KEYS.get(i % 3), addr(7), coins(1)));
      a.add(tip);
      if (i < 150) {
        s.side("a" + (i + 2), tip);
      } else {
        s.accept("a" + (i + 2) + ": heavier, reorganise 150 blocks back", tip);
      }
    }
    return s;
  }

  // ==== coverage ====================================================================================

  /** Every reason a block can be rejected with (docs/PROTOCOL.md, sections 5-12). */
  static final Set<Reason> BLOCK_REASONS =
      EnumSet.of(
          // decoding the bytes of a block
          Reason.DECODE_TRUNCATED, Reason.DECODE_TRAILING_BYTES, Reason.DECODE_UNKNOWN_VERSION,
          Reason.DECODE_UNKNOWN_KIND, Reason.DECODE_NON_CANONICAL, Reason.DECODE_TOO_LARGE, Reason.BAD_PUBLIC_KEY,
          // header
          Reason.HIGH_HASH, Reason.BAD_COMPACT_TARGET, Reason.BAD_VERSION, Reason.BAD_HEIGHT, Reason.TIME_TOO_OLD,
          Reason.TIME_TOO_NEW, Reason.PREV_BLOCK_INVALID, Reason.PREV_BLOCK_UNKNOWN, Reason.KNOWN_INVALID,
          // body
          Reason.BAD_MERKLE_ROOT, Reason.BAD_BLOCK_LENGTH, Reason.DUPLICATE_TX, Reason.COINBASE_MISSING,
          Reason.COINBASE_MULTIPLE, Reason.COINBASE_AMOUNT, Reason.COINBASE_HEIGHT, Reason.ALLOCATION_OUTSIDE_GENESIS,
          Reason.BAD_STATE_COMMITMENT,
          // transactions
          Reason.BAD_SIGNATURE, Reason.AMOUNT_OUT_OF_RANGE, Reason.NONCE_TOO_LOW, Reason.NONCE_GAP,
          Reason.INSUFFICIENT_BALANCE, Reason.IMMATURE_SPEND);

  /**
   * Every reason a block can be rejected with appears in some step. Not reachable through a block:
   * the address codes (text from people), {@code bad-genesis} (handshakes), the mempool's policy
   * codes (see {@link MempoolTest}) and the peer protocol's.
   */
  @Test
  void everyBlockReasonIsExercised() {
    Set<Reason> covered = EnumSet.noneOf(Reason.class);
    try (ChainHarness h1 = ChainHarness.inMemory(ChainHarness.funded(KEYS));
        ChainHarness h2 = ChainHarness.inMemory(ChainHarness.funded(KEYS, p -> ChainHarness.withMaxBlockSize(p, SIZE_LIMIT)));
        ChainHarness h3 = ChainHarness.inMemory(ChainSpec.regtest())) {
      covered.addAll(consensusRules(h1).expectedReasons());
      covered.addAll(blockSizeLimit(h2).expectedReasons());
      covered.addAll(coinbaseMaturity(h3).expectedReasons());
    }
    assertThat(covered).containsAll(BLOCK_REASONS);
  }

  // ==== helpers =====================================================================================

  static Amount fee(int transfers) {
    return Amount.units(BlockBuilder.DEFAULT_FEE.units() * transfers);
  }

  static Transfer flipSignatureBit(Transfer t) {
    byte[] sig = t.signature().toByteArray();
    sig[5] ^= 0x01;
    return Transfer.withSignature(t.sender(), t.recipient(), t.amount(), t.fee(), t.nonce(), Signature.of(sig));
  }

  static List<Transaction> append(List<Transaction> l, Transaction tx) {
    List<Transaction> out = new ArrayList<>(l);
    out.add(tx);
    return out;
  }

  static List<Transaction> swap(List<Transaction> l, int i, int j) {
    List<Transaction> out = new ArrayList<>(l);
    java.util.Collections.swap(out, i, j);
    return out;
  }

  static List<Transaction> replaceAt(List<Transaction> l, int i, Transaction tx) {
    List<Transaction> out = new ArrayList<>(l);
    out.set(i, tx);
    return out;
  }

  static byte[] patch(byte[] bytes, int offset, int value) {
    byte[] out = bytes.clone();
    out[offset] = (byte) value;
    return out;
  }

  static byte[] patchRange(byte[] bytes, int offset, byte[] with) {
    byte[] out = bytes.clone();
    System.arraycopy(with, 0, out, offset, with.length);
    return out;
  }

  /** The Ed25519 identity point (0, 1): small order, refused as a key. */
  static byte[] identityPoint() {
    byte[] p = new byte[32];
    p[0] = 1;
    return p;
  }

  private static void close(ChainHarness h, ReplayOracle oracle) {
    oracle.close();
    h.close();
  }
}
