package dev.cairn.p2p;

/** A connected peer as the status APIs show it. Immutable. */
public record PeerStatus(
    long id,
    String address,
    boolean inbound,
    long height,
    String agent,
    long connectedSince,
    long bytesIn,
    long bytesOut,
    String listenAddress) {}
