package dev.cairn.ledger.store;

/**
 * What the node knows about an indexed block, as bit flags persisted with its index entry.
 * Immutable.
 */
public record BlockStatus(int flags) {
  /** The header passed every header rule. */
  public static final int HEADER_VALID = 1;
  /** The body is stored. */
  public static final int HAVE_BODY = 1 << 1;
  /** The block passed full validation when it was connected. */
  public static final int VALID = 1 << 2;
  /** The block breaks a consensus rule. */
  public static final int FAILED = 1 << 3;
  /** An ancestor breaks a consensus rule. */
  public static final int FAILED_PARENT = 1 << 4;

  public static final BlockStatus HEADER_ONLY = new BlockStatus(HEADER_VALID);

  public boolean has(int flag) {
    return (flags & flag) == flag;
  }

  public BlockStatus with(int flag) {
    return new BlockStatus(flags | flag);
  }

  public BlockStatus without(int flag) {
    return new BlockStatus(flags & ~flag);
  }

  public boolean isFailed() {
    return (flags & (FAILED | FAILED_PARENT)) != 0;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    if (has(HEADER_VALID)) sb.append("header-valid ");
    if (has(HAVE_BODY)) sb.append("have-body ");
    if (has(VALID)) sb.append("valid ");
    if (has(FAILED)) sb.append("failed ");
    if (has(FAILED_PARENT)) sb.append("failed-parent ");
    return sb.toString().trim();
  }
}
