package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Reason;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which rejections cost a peer its connection, and what a punishment discourages. */
class MisbehaviorTest {
  @ParameterizedTest
  @EnumSource(Reason.class)
  void policyAndTimingRejectionsAreNeverPunished(Reason reason) {
    if (!reason.punishable()) {
      assertThat(Misbehavior.punishableForLooseTransaction(reason)).isFalse();
    }
  }

  @Test
  void aLooseTransactionOvertakenByABlockIsARaceNotMisbehaviour() {
    Set<Reason> races = EnumSet.of(Reason.NONCE_TOO_LOW, Reason.NONCE_GAP, Reason.INSUFFICIENT_BALANCE, Reason.IMMATURE_SPEND);
    for (Reason r : races) {
      assertThat(r.punishable()).as("%s is punishable inside a block", r).isTrue();
      assertThat(Misbehavior.punishableForLooseTransaction(r)).as("%s in a loose transaction", r).isFalse();
    }
    for (Reason r : EnumSet.of(Reason.BAD_SIGNATURE, Reason.BAD_PUBLIC_KEY, Reason.AMOUNT_OUT_OF_RANGE, Reason.DECODE_TRUNCATED)) {
      assertThat(Misbehavior.punishableForLooseTransaction(r)).as("%s", r).isTrue();
    }
    assertThat(Misbehavior.punishableForLooseTransaction(Reason.FEE_TOO_LOW)).isFalse();
  }

  @Test
  void onlyRejectionsThatMayClearOnTheSameTipAreFetchedAgain() {
    assertThat(Misbehavior.mayBecomeValidSoon(Reason.NONCE_TOO_FAR)).isTrue();
    assertThat(Misbehavior.mayBecomeValidSoon(Reason.PENDING_BALANCE)).isTrue();
    assertThat(Misbehavior.mayBecomeValidSoon(Reason.FEE_TOO_LOW)).isFalse();
    assertThat(Misbehavior.mayBecomeValidSoon(Reason.BAD_SIGNATURE)).isFalse();
  }

  @Test
  void routableAddressesAreDiscouragedByHostLocalOnesOnlyPerConnection() {
    assertThat(Misbehavior.discourageKey(new HostPort("8.8.8.8", 40_000), false)).contains("8.8.8.8");
    assertThat(Misbehavior.discourageKey(new HostPort("2001:db8::7", 40_000), false)).contains("2001:db8::7");
    assertThat(Misbehavior.discourageKey(new HostPort("127.0.0.1", 40_000), false)).isEmpty();
    assertThat(Misbehavior.discourageKey(new HostPort("192.168.0.10", 40_000), false)).isEmpty();
    assertThat(Misbehavior.discourageKey(new HostPort("::1", 40_000), false)).isEmpty();
  }
}
