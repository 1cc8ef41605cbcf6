package dev.cairn.wallet;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.BlockHeader;
import dev.cairn.ledger.DecodeException;
import dev.cairn.ledger.Hash;
import dev.cairn.ledger.RejectedException;
import dev.cairn.proto.v1.GetHeadersResponse;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * What every subcommand shares: the common options and access to the keystore, the node and the
 * password sources. A subcommand either returns normally (exit 0) or throws a WalletException.
 */
abstract class WalletCommand implements Callable<Integer> {
  /** A node whose tip is more than this many blocks below the highest this wallet saw is behind. */
  static final long BEHIND_BLOCKS = 6;
  /** A node whose tip block is older than this is probably cut off (except on regtest). */
  static final long STALE_TIP_SECONDS = 2 * 3600;

  @ParentCommand WalletCli cli;

  /** Warnings of this run, also reported in the --json result. */
  private final java.util.List<String> warnings = new java.util.ArrayList<>();

  @Mixin CommonOptions common;

  @Override
  public final Integer call() {
    execute();
    return ExitCode.OK.code();
  }

  abstract void execute();

  WalletIo io() {
    return cli.io();
  }

  Output output() {
    return new Output(cli.io(), json(), warnings);
  }

  /** --json, given after the command or before it. */
  boolean json() {
    return common.json || cli.json();
  }

  Keystore keystore() {
    return new Keystore(common.walletDir, cli.kdf(), cli.random());
  }

  Passwords passwords() {
    return new Passwords(common.passwordFile, cli.io().env(), cli.io().prompt());
  }

  NodeClient connect() throws WalletException {
    return common.nodeTls ? NodeClient.connectTls(common.node, common.nodeCa) : NodeClient.connect(common.node);
  }

  /**
   * The network a command expects its node to be on, when the command line says so explicitly
   * (verify's {@code --chain-spec} or {@code --network}) rather than through the pin.
   */
  record ExpectedNetwork(String network, Hash genesisHash, String addressPrefix, String source) {
    boolean matches(ChainInfo info) {
      return genesisHash.equals(info.genesisHash()) && addressPrefix.equals(info.addressPrefix());
    }

    String describe() {
      return "'" + network + "' (chain id " + genesisHash.toHex().substring(0, 8) + ", address prefix "
          + addressPrefix + ")";
    }
  }

  NetworkState networkState() {
    return new NetworkState(common.walletDir);
  }

  /** The node's chain info, once the node is known to be on the wallet's pinned network. */
  ChainInfo chainInfo(NodeClient node) {
    return chainInfo(node, Optional.empty());
  }

  /**
   * Asks the node for its chain info and checks that it is on the expected network: {@code
   * explicit} if given, otherwise the network pinned in the wallet directory, which the first node
   * the wallet talks to pins (trust on first use). Then warns on stderr, without failing, if the
   * node looks behind: its tip far below the highest this wallet has seen on the network, or its
   * tip block hours old.
   */
  ChainInfo chainInfo(NodeClient node, Optional<ExpectedNetwork> explicit) {
    ChainInfo info = node.chainInfo();
    NetworkState state = networkState();
    long now = Instant.now().getEpochSecond();
    if (explicit.isPresent()) {
      ExpectedNetwork expected = explicit.get();
      if (!expected.matches(info)) {
        throw wrongNetwork(node, info, expected.describe() + " (from " + expected.source() + ")");
      }
    } else {
      Optional<NetworkState.Pin> pin = state.pin();
      if (pin.isEmpty()) {
        NetworkState.Pin pinned = state.pin(info, node.node(), now);
        if (pinned.genesisHash().equals(info.genesisHash())) {
          output().note("note: pinned this wallet to network " + info.describe() + " of the node at " + node.node()
              + " (trust on first use; " + state.pinFile() + ")");
        }
        pin = Optional.of(pinned);
      }
      NetworkState.Pin p = pin.get();
      if (!p.genesisHash().equals(info.genesisHash()) || !p.addressPrefix().equals(info.addressPrefix())) {
        throw wrongNetwork(
            node,
            info,
            "'" + p.network() + "' (chain id " + p.chainId() + ", address prefix " + p.addressPrefix()
                + "), pinned on first use from " + p.pinnedFrom() + " in " + state.pinFile()
                + "; use a node of that network, another --wallet-dir, or delete that file to pin again");
      }
    }
    warnIfBehind(node, info, state, now);
    return info;
  }

  private static WalletException wrongNetwork(NodeClient node, ChainInfo info, String expected) {
    return new WalletException(
        ExitCode.WRONG_NETWORK,
        "node-wrong-network",
        "node at " + node.node() + " is on another network: " + info.describe() + ", but this wallet expects "
            + expected);
  }

  private void warnIfBehind(NodeClient node, ChainInfo info, NetworkState state, long now) {
    Output out = output();
    Optional<NetworkState.SeenTip> seen = state.seenTip(info.genesisHash(), now);
    if (seen.isPresent() && seen.get().height() > info.tipHeight() + BEHIND_BLOCKS) {
      NetworkState.SeenTip s = seen.get();
      out.warning("node at " + node.node() + " is behind: its tip is at height " + info.tipHeight()
          + ", but this wallet saw height " + s.height() + " (from " + s.node() + " at "
          + Instant.ofEpochSecond(s.seenAt()) + "); its answers may be out of date");
    } else if (!"regtest".equals(info.network())) {
      // Regtest mines on demand, so an old tip is normal there.
      tipTimestamp(node, info.tipHeight())
          .filter(t -> now - t > STALE_TIP_SECONDS)
          .ifPresent(t -> out.warning("node at " + node.node() + " may be behind or cut off: its tip (height "
              + info.tipHeight() + ") is " + age(now - t) + " old"));
    }
    state.recordTip(info.genesisHash(), new NetworkState.SeenTip(info.tipHeight(), info.tipHash(), node.node().toString(), now));
  }

  /** The tip header's timestamp, if the node serves it; any failure just skips the check. */
  private static Optional<Long> tipTimestamp(NodeClient node, long tipHeight) {
    try {
      GetHeadersResponse r = node.headers(tipHeight, 1);
      if (r.getHeadersCount() == 0) {
        return Optional.empty();
      }
      BlockHeader header = BlockHeader.decode(r.getHeaders(0).getCanonical().toByteArray());
      return header.height() == tipHeight ? Optional.of(header.timestamp()) : Optional.empty();
    } catch (WalletException | DecodeException e) {
      return Optional.empty();
    }
  }

  static String age(long seconds) {
    if (seconds >= 86_400) {
      return (seconds / 86_400) + " d " + (seconds % 86_400) / 3600 + " h";
    }
    return (seconds / 3600) + " h " + (seconds % 3600) / 60 + " min";
  }

  /** The address prefix from {@code --network} or else the node; empty, with a note, if neither. */
  Optional<String> prefixIfAvailable(NetworkOption option, Output out) {
    if (option.network.isPresent()) {
      return Optional.of(option.network.get().prefix());
    }
    try (NodeClient node = connect()) {
      return Optional.of(chainInfo(node).addressPrefix());
    } catch (WalletException e) {
      out.note("note: showing public keys, since addresses need the node's network (or --network): " + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * For arguments that take a key's name or an address: the key, or empty when {@code target} is
   * to be parsed as an address. A valid address is never a valid name (it is longer than 32
   * characters), but a mistyped or cut-short one can be; one that starts like an address (a known
   * prefix and '1') is read as an address, so its error says what is wrong with it rather than
   * that no key has that name. A key that really has such a name still wins.
   */
  Optional<KeyFile> keyNamed(String target) {
    if (!Keystore.isValidName(target)) {
      return Optional.empty();
    }
    Keystore keystore = keystore();
    if (looksLikeAddress(target) && !keystore.contains(target)) {
      return Optional.empty();
    }
    return Optional.of(keystore.load(target));
  }

  private boolean looksLikeAddress(String text) {
    Set<String> prefixes = new HashSet<>();
    for (KnownNetwork n : KnownNetwork.values()) {
      prefixes.add(n.prefix());
    }
    try {
      networkState().pin().ifPresent(p -> prefixes.add(p.addressPrefix()));
    } catch (WalletException e) {
      // A damaged pin is reported when the node's network is checked; here it only adds no prefix.
    }
    return prefixes.stream().anyMatch(p -> text.startsWith(p + "1"));
  }

  /** Parses a text address, mapping each way it can be wrong to its own exit code. */
  static Address parseAddress(String text, String prefix) {
    try {
      return Address.parse(text, prefix);
    } catch (Address.InvalidAddressException e) {
      ExitCode exit =
          switch (e.reason()) {
            case ADDRESS_CHECKSUM -> ExitCode.BAD_ADDRESS_CHECKSUM;
            case ADDRESS_WRONG_NETWORK -> ExitCode.WRONG_NETWORK;
            default -> ExitCode.USAGE;
          };
      String what =
          switch (e.reason()) {
            case ADDRESS_CHECKSUM -> "address checksum does not match (a typo?)";
            case ADDRESS_WRONG_NETWORK -> "address of another network";
            default -> "not an address";
          };
      String code = e.reason().code();
      throw new WalletException(exit, code, what + ": " + detail(e), Optional.of(code));
    }
  }

  /** A base-unit amount the node reported, which must be a valid amount. */
  static Amount nodeAmount(long units, String field) {
    try {
      return Amount.units(units);
    } catch (ArithmeticException e) {
      throw new WalletException(
          ExitCode.ERROR, "node-error", "node reported " + field + " " + Long.toUnsignedString(units) + " units, out of range");
    }
  }

  /** The rejection's message without its leading reason code. */
  static String detail(RejectedException e) {
    String prefix = e.reason().code() + ": ";
    String message = e.getMessage();
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }
}
