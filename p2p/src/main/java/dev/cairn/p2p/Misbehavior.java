package dev.cairn.p2p;

import dev.cairn.ledger.Reason;
import java.util.Set;

/**
 * Which rejections cost a peer its connection. A reason's own {@link Reason#punishable()} decides,
 * except for state-dependent transaction rules: inside a block a used nonce or a short balance is a
 * consensus violation, but a loose transaction may simply have been overtaken by a block the
 * sender had not seen yet (a nonce race), so relaying one is never punished.
 */
final class Misbehavior {
  private static final Set<Reason> STATE_DEPENDENT =
      Set.of(Reason.NONCE_TOO_LOW, Reason.NONCE_GAP, Reason.INSUFFICIENT_BALANCE, Reason.IMMATURE_SPEND);

  private Misbehavior() {}

  /**
   * What a punishable offence discourages beyond the connection itself: the host of a routable
   * address, nothing for a local one (honest nodes sharing a host must not be banned together).
   */
  static java.util.Optional<String> discourageKey(HostPort remote, boolean loopbackRoutable) {
    return NetworkGroup.isLocal(remote, loopbackRoutable) ? java.util.Optional.empty() : java.util.Optional.of(remote.host());
  }

  static boolean punishableForLooseTransaction(Reason reason) {
    return reason.punishable() && !STATE_DEPENDENT.contains(reason);
  }

  /**
   * Whether a loose transaction rejected for {@code reason} may be admitted on the same tip a
   * moment later (its predecessor from the same sender had not arrived yet): such a rejection is
   * not remembered, so another peer's announcement fetches it again.
   */
  static boolean mayBecomeValidSoon(Reason reason) {
    return reason == Reason.NONCE_TOO_FAR || reason == Reason.PENDING_BALANCE;
  }
}
