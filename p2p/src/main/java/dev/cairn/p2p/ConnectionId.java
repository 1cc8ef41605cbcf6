package dev.cairn.p2p;

/** A connection, named by the transport that carries it; unique for that transport's life. Immutable. */
record ConnectionId(long value) implements Comparable<ConnectionId> {
  @Override
  public int compareTo(ConnectionId other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
