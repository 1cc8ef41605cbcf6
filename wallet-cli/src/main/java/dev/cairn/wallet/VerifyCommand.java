package dev.cairn.wallet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.cairn.consensus.HeaderRules;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.ChainSpec;
import dev.cairn.ledger.ChainSpecException;
import dev.cairn.ledger.ChainSpecFile;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.MerkleProof;
import dev.cairn.proto.v1.GetHeadersResponse;
import dev.cairn.proto.v1.GetMerkleProofResponse;
import dev.cairn.proto.v1.GetTransactionResponse;
import dev.cairn.proto.v1.TransactionStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Checks for itself that a transaction is in the node's best chain, trusting no node's word: it
 * fetches the transaction's Merkle proof and every header from genesis to the node's tip, and
 * checks the genesis hash (known independently of the node: a chain spec, a built-in network, or
 * the wallet's pinned network), every link, and every header's proof of work, target (ASERT) and
 * timestamps under the network's rules; then that the proof's block is the header at its height
 * and that the Merkle path from the txid reaches that header's Merkle root. The rules always come
 * from a chain spec: given, or built in for the pinned network; without one it refuses, since a
 * header meeting a target it chose itself proves nothing.
 */
@Command(
    name = "verify",
    description = "Check that a transaction is in the best chain from the node's Merkle proof and the headers from genesis"
        + " to the node's tip, checking links, proof of work, targets and the Merkle path itself.")
final class VerifyCommand extends WalletCommand {
  /** The node's largest GetHeaders answer. */
  static final int HEADERS_PER_REQUEST = 2_000;

  /** The networks whose chain spec is built in, so a wallet pinned to one needs no spec file. */
  private static final List<ChainSpec> BUILT_IN = List.of(ChainSpec.main(), ChainSpec.regtest());

  @Parameters(paramLabel = "TXID", description = "Transaction id: 64 hex digits.")
  Hash txid;

  @Option(
      names = "--chain-spec",
      paramLabel = "FILE",
      description = "The network's chain spec (JSON, as 'cairn devnet' writes it): gives the genesis hash and the rules"
          + " every header's target is checked against. Needed for a network other than main and regtest.")
  Optional<Path> chainSpec;

  @Option(
      names = "--network",
      paramLabel = "NETWORK",
      description = "A built-in network (main or regtest) instead of --chain-spec. Without either, the wallet's pinned"
          + " network is used, with its built-in rules (main or regtest only).")
  Optional<KnownNetwork> network;

  @Option(
      names = "--max-headers",
      paramLabel = "N",
      defaultValue = "5000000",
      description = "Refuse to fetch more than N headers (default: ${DEFAULT-VALUE}).")
  long maxHeaders;

  /** The chain spec the headers are checked against, where it came from, and the network it makes the node's. */
  private record Rules(ChainSpec spec, String from, Optional<ExpectedNetwork> explicit) {}

  @Override
  void execute() {
    if (maxHeaders < 1) {
      throw new WalletException(ExitCode.USAGE, "--max-headers must be at least 1, got " + maxHeaders);
    }
    Optional<ChainSpec> given = spec();
    Output out = output();
    try (NodeClient node = connect()) {
      Rules rules = given.map(this::givenRules).orElseGet(() -> pinnedRules(node));
      ChainInfo info = chainInfo(node, rules.explicit());
      // After chainInfo, the node's genesis is the spec's or the pinned one: known independently.
      Hash genesis = rules.spec().genesisHash();
      Proof proof = proof(node);
      // Through the tip: a block is only in the best chain if the headers above it are valid too.
      long tip = Math.max(info.tipHeight(), proof.height());
      long needed = tip + 1;
      if (needed > maxHeaders) {
        throw new WalletException(
            ExitCode.ERROR, "too-many-headers",
            "the node's tip is at height " + tip + ": checking the chain from genesis to it needs " + needed
                + " headers, more than --max-headers " + maxHeaders);
      }
      HeaderChainVerifier verifier =
          new HeaderChainVerifier(genesis, new HeaderRules(rules.spec()), Instant.now().getEpochSecond());
      BlockHeader header = fetchAndCheck(node, verifier, needed, proof.height());
      if (!header.hash().equals(proof.blockHash())) {
        throw new WalletException(
            ExitCode.PROOF_INVALID,
            "proof does not verify: the node says " + txid + " is in block " + proof.blockHash() + ", but the header at height "
                + proof.height() + " is block " + header.hash() + " (or the node's best chain changed meanwhile: try again)")
            .detail("height", proof.height());
      }
      if (!proof.merkle().verify(txid, header.merkleRoot())) {
        throw new WalletException(
            ExitCode.PROOF_INVALID,
            "proof does not verify: the Merkle path from " + txid + " (leaf " + proof.merkle().index() + " of "
                + proof.merkle().treeSize() + ") does not reach the Merkle root " + header.merkleRoot() + " of block "
                + header.hash())
            .detail("height", proof.height());
      }

      BlockHeader tipHeader = verifier.last();
      long confirmations = tipHeader.height() - proof.height() + 1;
      String line = "verified: " + txid + " is in block " + header.hash() + " at height " + proof.height() + ", with "
          + confirmations + " confirmation" + (confirmations == 1 ? "" : "s") + " under " + needed
          + " headers of valid proof of work from genesis to the node's tip (height " + tipHeader.height() + ")";
      ObjectNode json = Output.object();
      json.put("verified", true);
      json.put("txid", txid.toHex());
      json.put("blockHash", header.hash().toHex());
      json.put("height", proof.height());
      json.put("confirmations", confirmations);
      json.put("tipHeight", tipHeader.height());
      json.put("tipHash", tipHeader.hash().toHex());
      json.put("index", proof.merkle().index());
      json.put("treeSize", proof.merkle().treeSize());
      json.put("headers", needed);
      json.put("chainWork", "0x" + verifier.work().toString(16));
      json.put("network", info.network());
      json.put("genesisHash", genesis.toHex());
      json.put("genesisFrom", rules.from());
      json.put("targetsChecked", true);
      out.result(List.of(line), json);
    }
  }

  private Rules givenRules(ChainSpec spec) {
    String source = chainSpec.map(f -> "--chain-spec " + f).orElseGet(() -> "--network " + network.get().id());
    ExpectedNetwork expected =
        new ExpectedNetwork(spec.name(), spec.genesisHash(), spec.params().addressPrefix(), source);
    return new Rules(spec, chainSpec.isPresent() ? "chain-spec" : "network", Optional.of(expected));
  }

  /**
   * The built-in rules of the wallet's pinned network (or, before anything is pinned, of the
   * node's network, which chainInfo then pins). Any other network needs its spec file: its
   * targets cannot be checked without it. Refused before pinning, so a refusal changes nothing.
   */
  private Rules pinnedRules(NodeClient node) {
    Optional<NetworkState.Pin> pin = networkState().pin();
    Hash genesis;
    String name;
    if (pin.isPresent()) {
      genesis = pin.get().genesisHash();
      name = "'" + pin.get().network() + "' (chain id " + pin.get().chainId() + ", pinned in " + networkState().pinFile() + ")";
    } else {
      ChainInfo info = node.chainInfo();
      genesis = info.genesisHash();
      name = info.describe() + " of the node at " + node.node();
    }
    return BUILT_IN.stream()
        .filter(s -> s.genesisHash().equals(genesis))
        .findFirst()
        .map(s -> new Rules(s, "pinned", Optional.<ExpectedNetwork>empty()))
        .orElseThrow(() -> new WalletException(
            ExitCode.USAGE, "chain-spec-needed",
            "verify needs the chain spec of network " + name + " to check its headers' targets: its genesis is not"
                + " that of built-in main or regtest; give --chain-spec FILE (as 'cairn devnet' writes it)"));
  }

  private Optional<ChainSpec> spec() {
    if (chainSpec.isPresent() && network.isPresent()) {
      throw new WalletException(ExitCode.USAGE, "give --chain-spec or --network, not both");
    }
    if (chainSpec.isPresent()) {
      try {
        return Optional.of(ChainSpecFile.read(chainSpec.get()));
      } catch (ChainSpecException e) {
        throw new WalletException(ExitCode.USAGE, "bad-chain-spec", e.getMessage());
      }
    }
    if (network.isPresent()) {
      return switch (network.get()) {
        case MAIN -> Optional.of(ChainSpec.main());
        case REGTEST -> Optional.of(ChainSpec.regtest());
        case DEVNET -> throw new WalletException(
            ExitCode.USAGE, "every devnet has its own genesis: give its chain spec with --chain-spec FILE");
      };
    }
    return Optional.empty();
  }

  private record Proof(Hash blockHash, long height, MerkleProof merkle) {}

  /** The node's proof, checked for shape only; whether it verifies is decided against the headers. */
  private Proof proof(NodeClient node) {
    GetMerkleProofResponse r;
    try {
      r = node.merkleProof(txid);
    } catch (WalletException e) {
      if (e.exit() == ExitCode.NOT_FOUND) {
        throw notConfirmed(node);
      }
      throw e;
    }
    List<Hash> path = new ArrayList<>(r.getPathCount());
    for (ByteString p : r.getPathList()) {
      if (p.size() != Hash.SIZE) {
        throw malformed("a path element of " + p.size() + " bytes");
      }
      path.add(Hash.of(p.toByteArray()));
    }
    if (r.getBlockHash().size() != Hash.SIZE) {
      throw malformed("a block hash of " + r.getBlockHash().size() + " bytes");
    }
    if (r.getBlockHeight() < 0) {
      throw malformed("height " + Long.toUnsignedString(r.getBlockHeight()));
    }
    long index = Integer.toUnsignedLong(r.getIndex());
    long size = Integer.toUnsignedLong(r.getTreeSize());
    if (size == 0 || index >= size) {
      throw malformed("leaf " + index + " of a tree of " + size);
    }
    return new Proof(Hash.of(r.getBlockHash().toByteArray()), r.getBlockHeight(), new MerkleProof(index, size, path));
  }

  private WalletException malformed(String what) {
    return new WalletException(ExitCode.PROOF_INVALID, "proof does not verify: the node sent a malformed proof (" + what + ")");
  }

  /** Why the node has no proof: the transaction is pending, or unknown to it. */
  private WalletException notConfirmed(NodeClient node) {
    try {
      GetTransactionResponse tx = node.transaction(txid);
      if (tx.getStatus() == TransactionStatus.TRANSACTION_STATUS_PENDING) {
        return new WalletException(
            ExitCode.NOT_FOUND, "not-confirmed",
            "transaction " + txid + " is not confirmed yet: it is pending in the node's mempool, so there is no block to"
                + " verify it in");
      }
    } catch (WalletException e) {
      if (e.exit() != ExitCode.NOT_FOUND) {
        throw e;
      }
    }
    return new WalletException(ExitCode.NOT_FOUND, "transaction " + txid + " is not in the node's best chain");
  }

  /**
   * Fetches headers 0..needed-1 in pages and checks each as it arrives; returns the one at {@code
   * blockHeight}.
   */
  private BlockHeader fetchAndCheck(NodeClient node, HeaderChainVerifier verifier, long needed, long blockHeight) {
    boolean showProgress = io().terminal() && needed > HEADERS_PER_REQUEST;
    try {
      return fetchPages(node, verifier, needed, blockHeight, showProgress);
    } finally {
      if (showProgress) {
        // Ends the progress line, also when a check failed, so the error starts on its own line.
        io().stderr().println();
        io().stderr().flush();
      }
    }
  }

  private BlockHeader fetchPages(
      NodeClient node, HeaderChainVerifier verifier, long needed, long blockHeight, boolean showProgress) {
    Optional<BlockHeader> atBlock = Optional.empty();
    while (verifier.count() < needed) {
      long start = verifier.count();
      int ask = (int) Math.min(HEADERS_PER_REQUEST, needed - start);
      GetHeadersResponse r = node.headers(start, ask);
      if (r.getHeadersCount() == 0) {
        String why =
            start <= blockHeight
                ? "yet says the transaction is in a block at height " + blockHeight
                : "below the tip at height " + (needed - 1) + " it reported (if its best chain changed meanwhile, try"
                    + " again)";
        throw chainInvalid(
            start,
            "header chain invalid: the node sent no header at height " + start + " (its tip: " + r.getTipHeight() + "), "
                + why);
      }
      int n = Math.min(r.getHeadersCount(), ask);
      for (int i = 0; i < n; i++) {
        long height = start + i;
        BlockHeader header;
        try {
          header = BlockHeader.decode(r.getHeaders(i).getCanonical().toByteArray());
        } catch (DecodeException e) {
          throw chainInvalid(height, "header chain invalid: the header at height " + height + " does not decode: " + e.getMessage());
        }
        try {
          verifier.accept(header);
        } catch (HeaderChainVerifier.Invalid e) {
          throw chainInvalid(e.height(), "header chain invalid: " + e.getMessage());
        }
        if (height == blockHeight) {
          atBlock = Optional.of(header);
        }
      }
      if (showProgress) {
        io().stderr().print("\rchecking headers: " + verifier.count() + "/" + needed);
        io().stderr().flush();
      }
    }
    return atBlock.orElseThrow(() -> new IllegalStateException("needed > blockHeight, so the loop passed it"));
  }

  private static WalletException chainInvalid(long height, String message) {
    return new WalletException(ExitCode.HEADER_CHAIN_INVALID, message).detail("height", height);
  }
}
