package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.ledger.Hash;
import dev.cairn.proto.v1.Addresses;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.InventoryItem;
import dev.cairn.proto.v1.InventoryType;
import dev.cairn.proto.v1.PeerAddress;
import dev.cairn.proto.v1.Ping;
import java.util.ArrayList;
import java.util.List;

/** Peer messages the tests send, and readers of what the node sent. Stateless. */
final class TestMessages {
  private TestMessages() {}

  static Envelope ping(long nonce) {
    return Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)).build();
  }

  static Envelope addresses(List<HostPort> list, long lastSeenSeconds) {
    Addresses.Builder b = Addresses.newBuilder();
    for (HostPort hp : list) {
      b.addAddresses(PeerAddress.newBuilder().setHost(hp.host()).setPort(hp.port()).setLastSeen(lastSeenSeconds));
    }
    return Envelope.newBuilder().setAddresses(b).build();
  }

  /** Every block the node asked for in {@code sent}, in order (every GetData item must be a block). */
  static List<Hash> blockRequests(List<Envelope> sent) {
    List<Hash> out = new ArrayList<>();
    for (Envelope e : sent) {
      for (InventoryItem item : e.getGetData().getItemsList()) {
        assertThat(item.getType()).isEqualTo(InventoryType.INVENTORY_TYPE_BLOCK);
        out.add(Hash.of(item.getHash().toByteArray()));
      }
    }
    return out;
  }
}
