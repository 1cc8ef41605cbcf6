package dev.cairn.wallet;

/**
 * The wallet's exit codes, in one place so the code, the help text and wallet-cli/README.md cannot
 * drift apart. Scripts branch on the number; {@link #id()} is the same outcome in {@code --json}
 * errors. Numbers are stable: never renumber, only append.
 */
public enum ExitCode {
  OK(0, "ok", "success"),
  ERROR(1, "error", "error, or aborted at the confirmation prompt"),
  USAGE(2, "usage", "usage error: a missing or bad argument"),
  BAD_ADDRESS_CHECKSUM(3, "bad-address-checksum", "address checksum mismatch (a typo)"),
  WRONG_NETWORK(4, "bad-address-network", "another network: an address, or the node, is not on the wallet's network"),
  INSUFFICIENT_FUNDS(5, "insufficient-funds", "insufficient funds"),
  WRONG_PASSWORD(6, "wrong-password", "wrong password"),
  NODE_UNREACHABLE(7, "node-unreachable", "node unreachable"),
  REJECTED(8, "rejected", "rejected by the node"),
  NOT_FOUND(9, "not-found", "not found: unknown key name or transaction (verify: not confirmed)"),
  KEYSTORE_DAMAGED(10, "keystore-damaged", "keystore file damaged (or the wallet's pinned-network file)"),
  DROPPED(11, "dropped", "send --wait: the transaction left the node's mempool without being confirmed"),
  REORGED_OUT(12, "reorged-out", "send --wait: the transaction was confirmed, then left the best chain"),
  WAIT_TIMEOUT(13, "wait-timeout", "send --wait: not enough confirmations before the deadline"),
  PROOF_INVALID(14, "proof-invalid", "verify: the Merkle proof does not verify against the header"),
  HEADER_CHAIN_INVALID(15, "header-chain-invalid", "verify: the header chain from genesis to the tip is invalid");

  private final int code;
  private final String id;
  private final String description;

  ExitCode(int code, String id, String description) {
    this.code = code;
    this.id = id;
    this.description = description;
  }

  /** The process exit status. */
  public int code() {
    return code;
  }

  /** The stable name used as {@code error.code} in JSON output. */
  public String id() {
    return id;
  }

  public String description() {
    return description;
  }
}
