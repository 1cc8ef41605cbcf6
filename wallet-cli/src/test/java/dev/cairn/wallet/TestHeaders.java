package dev.cairn.wallet;

import dev.cairn.consensus.HeaderRules;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainParams;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecException;
import dev.cairn.ledger.CompactTarget;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.Hashes;
import dev.cairn.ledger.MerkleTree;
import dev.cairn.ledger.RejectedException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Header chains for the verify tests, mined for real: every header meets the target the
 * network's rules require (on regtest-easy targets that takes a couple of hashes), so a test can
 * break exactly one rule at one height and see that rule reported.
 */
final class TestHeaders {
  private TestHeaders() {}

  /**
   * A network with ASERT retargeting (not a fixed target) and targets as easy as regtest's, so
   * headers mine instantly while their targets still follow the schedule.
   */
  static ChainSpec asertSpec() {
    try {
      return ChainSpec.of(
          new ChainParams(
              "asertnet", "acairn", 60, 86_400, 3_600, new CompactTarget(0x207fffffL), new CompactTarget(0x207fffffL), false,
              100, Amount.coins(50), 150, 1_000_000, BigInteger.ZERO),
          1_767_225_600L,
          List.of());
    } catch (ChainSpecException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A stand-in transaction id for the only transaction of block {@code height}. */
  static Hash filler(long height) {
    return Hashes.sha256(("block " + height).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * {@code length} headers from {@code spec}'s genesis, block h committing to {@code txids.get(h)}
   * (or one filler txid) and stamped {@code step} seconds after its parent. {@code tamper.get(h)}
   * replaces header h after it is mined, and later headers build on the replacement.
   */
  static List<BlockHeader> chain(
      ChainSpec spec, int length, long step, Map<Long, List<Hash>> txids, Map<Long, UnaryOperator<BlockHeader>> tamper) {
    HeaderRules rules = new HeaderRules(spec);
    List<BlockHeader> chain = new ArrayList<>();
    chain.add(spec.genesisBlock().header());
    for (long h = 1; h < length; h++) {
      BlockHeader parent = chain.get((int) h - 1);
      BlockHeader header =
          mine(BlockHeader.of(
              BlockHeader.CURRENT_VERSION, h, parent.hash(), MerkleTree.root(txids.getOrDefault(h, List.of(filler(h)))),
              Hash.ZERO, parent.timestamp() + step, rules.expectedTarget(parent), 0));
      chain.add(tamper.getOrDefault(h, x -> x).apply(header));
    }
    return chain;
  }

  /** The header with the first nonce from its own that meets its target. */
  static BlockHeader mine(BlockHeader header) {
    BigInteger target = target(header);
    BlockHeader h = header;
    while (!h.meetsTarget(target)) {
      h = h.withNonce(h.nonce() + 1);
    }
    return h;
  }

  /** The header with the first nonce from its own that misses its target: bad proof of work. */
  static BlockHeader unmine(BlockHeader header) {
    BigInteger target = target(header);
    BlockHeader h = header;
    while (h.meetsTarget(target)) {
      h = h.withNonce(h.nonce() + 1);
    }
    return h;
  }

  /** The same header with other fields, mined again. */
  static BlockHeader with(BlockHeader h, Hash previous, long timestamp, CompactTarget target) {
    return mine(BlockHeader.of(h.version(), h.height(), previous, h.merkleRoot(), h.stateCommitment(), timestamp, target, 0));
  }

  private static BigInteger target(BlockHeader header) {
    try {
      return header.target().toTarget();
    } catch (RejectedException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
