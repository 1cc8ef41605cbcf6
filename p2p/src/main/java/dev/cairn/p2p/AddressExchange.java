package dev.cairn.p2p;

import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.proto.v1.Addresses;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.GetAddresses;
import dev.cairn.proto.v1.PeerAddress;

/**
 * Addresses between peers: we ask each outbound peer once, answer a peer at most once per 10 s,
 * and take what peers tell us into the book at a rate limited per peer (a token bucket: about one
 * address per 10 s sustained, bursts of 1,000, as Bitcoin Core). Not thread-safe: part of the peer
 * core.
 */
final class AddressExchange {
  private static final long ANSWER_INTERVAL_MILLIS = 10_000;

  private final AddressBook book;
  private final ConnectionManager connections;
  private final Clock clock;
  private final Outbox out;

  AddressExchange(AddressBook book, ConnectionManager connections, Clock clock, Outbox out) {
    this.book = book;
    this.connections = connections;
    this.clock = clock;
    this.out = out;
  }

  /** A new outbound peer: ask it whom it knows. */
  void askForAddresses(Peer peer) {
    out.send(peer, Envelope.newBuilder().setGetAddresses(GetAddresses.getDefaultInstance()).build());
  }

  void onGetAddresses(Peer peer) {
    long now = clock.nowMillis();
    if (now - peer.lastAddressRequestMillis < ANSWER_INTERVAL_MILLIS) {
      return;
    }
    peer.lastAddressRequestMillis = now;
    Addresses.Builder b = Addresses.newBuilder();
    for (AddressBook.Entry e : book.sample(Limits.MAX_ADDRESSES)) {
      if (!connections.isDiscouraged(e.address())) {
        b.addAddresses(PeerAddress.newBuilder().setHost(e.address().host()).setPort(e.address().port()).setLastSeen(e.lastSeen() / 1000));
      }
    }
    out.send(peer, Envelope.newBuilder().setAddresses(b).build());
  }

  void onAddresses(Peer peer, Addresses message) throws RejectedException {
    if (message.getAddressesCount() > Limits.MAX_ADDRESSES) {
      throw new RejectedException(Reason.PEER_OVERSIZED, message.getAddressesCount() + " addresses in one message");
    }
    long now = clock.nowMillis();
    peer.addressTokens = Math.min(Limits.MAX_ADDRESSES, peer.addressTokens + (now - peer.addressTokensUpdatedMillis) / 10_000.0);
    peer.addressTokensUpdatedMillis = now;
    for (PeerAddress a : message.getAddressesList()) {
      if (peer.addressTokens < 1) {
        break;
      }
      peer.addressTokens -= 1;
      try {
        HostPort hp = new HostPort(a.getHost(), a.getPort());
        long seen = Math.min(now, a.getLastSeen() * 1000);
        book.addNew(hp, seen);
      } catch (IllegalArgumentException e) {
        // An unusable address is skipped, not punished: it may come from a third party.
      }
    }
  }
}
