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

  static boolean punishableForLooseTransaction(Reason reason) {
    return reason.punishable() && !STATE_DEPENDENT.contains(reason);
  }
}
