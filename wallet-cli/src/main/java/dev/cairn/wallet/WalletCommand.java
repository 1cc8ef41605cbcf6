package dev.cairn.wallet;

import dev.cairn.ledger.Address;
import dev.cairn.ledger.Amount;
import dev.cairn.ledger.RejectedException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * What every subcommand shares: the common options and access to the keystore, the node and the
 * password sources. A subcommand either returns normally (exit 0) or throws a WalletException.
 */
abstract class WalletCommand implements Callable<Integer> {
  @ParentCommand WalletCli cli;

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
    return new Output(cli.io(), common.json);
  }

  Keystore keystore() {
    return new Keystore(common.walletDir, cli.kdf(), cli.random());
  }

  Passwords passwords() {
    return new Passwords(common.passwordFile, cli.io().env(), cli.io().prompt());
  }

  NodeClient connect() {
    return NodeClient.connect(common.node);
  }

  /** The address prefix from {@code --network} or else the node; empty, with a note, if neither. */
  Optional<String> prefixIfAvailable(NetworkOption option, Output out) {
    if (option.network.isPresent()) {
      return Optional.of(option.network.get().prefix());
    }
    try (NodeClient node = connect()) {
      return Optional.of(node.chainInfo().addressPrefix());
    } catch (WalletException e) {
      out.note("note: showing public keys, since addresses need the node's network (or --network): " + e.getMessage());
      return Optional.empty();
    }
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
