package dev.cairn.consensus;

import dev.cairn.ledger.Block;
import dev.cairn.ledger.store.BlockIndexEntry;

/**
 * Hears about changes of the best chain, in order, on the thread that made them while the chain
 * is locked: implementations must be quick and must not call back into {@link Blockchain}.
 */
public interface ChainListener {
  /** {@code block} now extends the best chain; {@code entry} is its index entry. */
  default void blockConnected(Block block, BlockIndexEntry entry) {}

  /** {@code block}, the former tip, left the best chain during a reorganisation. */
  default void blockDisconnected(Block block, BlockIndexEntry entry) {}

  /** A whole activation finished; {@code tip} is the new best block. */
  default void tipChanged(BlockIndexEntry tip) {}
}
