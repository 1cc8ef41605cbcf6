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
 * fetches the transaction's Merkle proof and every header from genesis to the proof's block, and
 * checks the genesis hash (known independently of the node: a chain spec, a built-in network, or
 * the wallet's pinned network), every link, every header's proof of work and, with the chain
 * spec, its target (ASERT) and timestamps; then that the proof's block is the header at its height
 * and that the Merkle path from the txid reaches that header's Merkle root.
 */
@Command(
    name = "verify",
    description = "Check that a transaction is in the best chain from the node's Merkle proof and the headers from genesis,"
        + " checking links, proof of work, targets and the Merkle path itself.")
final class VerifyCommand extends WalletCommand {
  /** The node's largest GetHeaders answer. */
  static final int HEADERS_PER_REQUEST = 2_000;

  @Parameters(paramLabel = "TXID", description = "Transaction id: 64 hex digits.")
  Hash txid;

  @Option(
      names = "--chain-spec",
      paramLabel = "FILE",
      description = "The network's chain spec (JSON, as 'cairn devnet' writes it): gives the genesis hash and the rules"
          + " every header's target is checked against.")
  Optional<Path> chainSpec;

  @Option(
      names = "--network",
      paramLabel = "NETWORK",
      description = "A built-in network (main or regtest) instead of --chain-spec. Without either, the wallet's pinned"
          + " genesis is used and targets are not checked against the network's rules.")
  Optional<KnownNetwork> network;

  @Option(
      names = "--max-headers",
      paramLabel = "N",
      defaultValue = "5000000",
      description = "Refuse to fetch more than N headers (default: ${DEFAULT-VALUE}).")
  long maxHeaders;

  @Override
  void execute() {
    if (maxHeaders < 1) {
      throw new WalletException(ExitCode.USAGE, "--max-headers must be at least 1, got " + maxHeaders);
    }
    Optional<ChainSpec> spec = spec();
    Optional<ExpectedNetwork> expected =
        spec.map(s -> new ExpectedNetwork(
            s.name(), s.genesisHash(), s.params().addressPrefix(),
            chainSpec.map(f -> "--chain-spec " + f).orElseGet(() -> "--network " + network.get().id())));
    Output out = output();
    try (NodeClient node = connect()) {
      ChainInfo info = chainInfo(node, expected);
      // After chainInfo, the node's genesis is the spec's or the pinned one: known independently.
      Hash genesis = spec.map(ChainSpec::genesisHash).orElse(info.genesisHash());
      Proof proof = proof(node);
      long needed = proof.height() + 1;
      if (needed > maxHeaders) {
        throw new WalletException(
            ExitCode.ERROR, "too-many-headers",
            "the proof's block is at height " + proof.height() + ": checking it needs " + needed
                + " headers, more than --max-headers " + maxHeaders);
      }
      HeaderChainVerifier verifier =
          new HeaderChainVerifier(genesis, spec.map(HeaderRules::new), Instant.now().getEpochSecond());
      fetchAndCheck(node, verifier, needed, proof.height());
      BlockHeader header = verifier.last();
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

      boolean targetsChecked = spec.isPresent();
      if (!targetsChecked) {
        out.note("note: targets (ASERT) were not checked against the network's rules, only that each header meets its own:"
            + " there is no chain spec (give --chain-spec FILE, or --network main|regtest); the genesis is the one pinned"
            + " in " + networkState().pinFile());
      }
      String line = "verified: " + txid + " is in block " + header.hash() + " at height " + proof.height() + ", under "
          + needed + " headers of valid proof of work from genesis";
      ObjectNode json = Output.object();
      json.put("verified", true);
      json.put("txid", txid.toHex());
      json.put("blockHash", header.hash().toHex());
      json.put("height", proof.height());
      json.put("index", proof.merkle().index());
      json.put("treeSize", proof.merkle().treeSize());
      json.put("headers", needed);
      json.put("chainWork", "0x" + verifier.work().toString(16));
      json.put("network", info.network());
      json.put("genesisHash", genesis.toHex());
      json.put("genesisFrom", chainSpec.isPresent() ? "chain-spec" : network.isPresent() ? "network" : "pinned");
      json.put("targetsChecked", targetsChecked);
      out.result(List.of(line), json);
    }
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

  /** Fetches headers 0..needed-1 in pages and checks each as it arrives. */
  private void fetchAndCheck(NodeClient node, HeaderChainVerifier verifier, long needed, long blockHeight) {
    boolean showProgress = io().terminal() && needed > HEADERS_PER_REQUEST;
    try {
      fetchPages(node, verifier, needed, blockHeight, showProgress);
    } finally {
      if (showProgress) {
        // Ends the progress line, also when a check failed, so the error starts on its own line.
        io().stderr().println();
        io().stderr().flush();
      }
    }
  }

  private void fetchPages(
      NodeClient node, HeaderChainVerifier verifier, long needed, long blockHeight, boolean showProgress) {
    while (verifier.count() < needed) {
      long start = verifier.count();
      int ask = (int) Math.min(HEADERS_PER_REQUEST, needed - start);
      GetHeadersResponse r = node.headers(start, ask);
      if (r.getHeadersCount() == 0) {
        throw chainInvalid(
            start,
            "header chain invalid: the node sent no header at height " + start + " (its tip: " + r.getTipHeight()
                + "), yet says the transaction is in a block at height " + blockHeight);
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
      }
      if (showProgress) {
        io().stderr().print("\rchecking headers: " + verifier.count() + "/" + needed);
        io().stderr().flush();
      }
    }
  }

  private static WalletException chainInvalid(long height, String message) {
    return new WalletException(ExitCode.HEADER_CHAIN_INVALID, message).detail("height", height);
  }
}
