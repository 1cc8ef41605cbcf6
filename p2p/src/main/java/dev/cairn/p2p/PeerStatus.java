package dev.cairn.p2p;

/**
 * A connected peer as the status APIs show it. Immutable.
 *
 * @param blocksReceived block bodies this peer delivered that the node had asked it for
 */
public record PeerStatus(
    long id,
    String address,
    boolean inbound,
    long height,
    String agent,
    long connectedSince,
    long bytesIn,
    long bytesOut,
    String listenAddress,
    long blocksReceived) {}
