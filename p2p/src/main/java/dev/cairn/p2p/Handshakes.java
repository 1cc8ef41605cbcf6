package dev.cairn.p2p;

import com.google.protobuf.ByteString;
import dev.cairn.consensus.Blockchain;
import dev.cairn.ledger.Reason;
import dev.cairn.ledger.RejectedException;
import dev.cairn.ledger.store.BlockIndexEntry;
import dev.cairn.proto.v1.Envelope;
import dev.cairn.proto.v1.Handshake;
import java.math.BigInteger;
import java.util.Optional;

/**
 * The first message each side sends (docs/PROTOCOL.md, "Handshake"): ours, and the rules theirs
 * must meet: our protocol version and genesis, not our own nonce (a self-connection), fields
 * within bounds, and not a second connection to a peer we already have. Not thread-safe: part of
 * the peer core.
 */
final class Handshakes {
  private final Blockchain chain;
  private final String agent;

  Handshakes(Blockchain chain, String agent) {
    this.chain = chain;
    this.agent = agent;
  }

  Envelope ours(Peer peer, Optional<HostPort> advertised) {
    BlockIndexEntry tip = chain.tip();
    Handshake.Builder h =
        Handshake.newBuilder()
            .setProtocolVersion(Limits.PROTOCOL_VERSION)
            .setGenesisHash(Envelopes.bytes(chain.spec().genesisHash()))
            .setNonce(peer.localNonce)
            .setBestHeight(tip.height())
            .setTotalWork(ByteString.copyFrom(tip.chainWork().toByteArray()))
            .setAgent(agent);
    advertised.ifPresent(a -> h.setListenAddress(a.toString()));
    return Envelope.newBuilder().setHandshake(h).build();
  }

  /**
   * Checks {@code peer}'s handshake against ours and against the other connections, and records
   * it on the peer. A self-connection names the address that is us ({@code self}) before it is
   * refused.
   */
  void accept(Peer peer, Handshake h, Iterable<Peer> others, ConnectionManager connections) throws RejectedException {
    if (h.getProtocolVersion() != Limits.PROTOCOL_VERSION) {
      throw new RejectedException(Reason.PEER_INCOMPATIBLE, "protocol version " + h.getProtocolVersion());
    }
    if (!h.getGenesisHash().equals(Envelopes.bytes(chain.spec().genesisHash()))) {
      throw new RejectedException(Reason.PEER_WRONG_NETWORK, "peer's genesis differs from " + chain.spec().chainId());
    }
    for (Peer other : others) {
      if (other.localNonce == h.getNonce()) {
        // One end of this connection is our own outbound dial: that address is us, never dial it.
        if (peer.direction == Peer.Direction.OUTBOUND) {
          connections.noteSelf(peer.remote);
        } else if (other.direction == Peer.Direction.OUTBOUND) {
          connections.noteSelf(other.remote);
        }
        throw new RejectedException(Reason.PEER_SELF, "received our own nonce");
      }
    }
    if (h.getTotalWork().size() > 33 || h.getAgent().length() > 256 || h.getListenAddress().length() > 300) {
      throw new RejectedException(Reason.PEER_OVERSIZED, "handshake field too long");
    }
    Optional<HostPort> listen = Peer.listenAddress(h);
    for (Peer other : others) {
      if (other != peer && other.ready() && listen.isPresent()
          && (listen.equals(other.listenAddress()) || (other.direction == Peer.Direction.OUTBOUND && other.remote.equals(listen.get())))) {
        throw new RejectedException(Reason.PEER_DUPLICATE, "already connected to " + listen.get());
      }
    }
    // Recorded only once every rule passed: a refused handshake leaves the peer without one, so an
    // outbound connection refused for any reason counts as a failed dial and backs off.
    peer.handshake = Optional.of(h);
    peer.bestHeight = h.getBestHeight();
    peer.bestWork = new BigInteger(1, h.getTotalWork().toByteArray());
  }
}
