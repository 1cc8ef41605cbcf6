package dev.cairn.p2p;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network in memory, for tests and simulations: {@link InMemoryTransport}s at addresses, linked
 * by connections whose messages arrive after the link's delay on the shared {@link Scheduler},
 * each direction in the order sent (like one TCP stream), so a run on a {@link VirtualScheduler}
 * is the same every time. Links can be cut: what is in flight on them is lost and their
 * connections end, as when a route fails. Not thread-safe: confined to the scheduler's thread.
 */
final class InMemoryNetwork {
  /** The one-way delay of a message from one host to another, in milliseconds. */
  @FunctionalInterface
  interface LinkDelay {
    long millis(String fromHost, String toHost);
  }

  private final Scheduler scheduler;
  private final LinkDelay delay;
  private final Map<HostPort, InMemoryTransport> listening = new HashMap<>();
  private final Set<String> cut = new HashSet<>();
  private final List<InMemoryTransport> transports = new ArrayList<>();
  private int nextEphemeralPort = 40_000;

  InMemoryNetwork(Scheduler scheduler, LinkDelay delay) {
    this.scheduler = scheduler;
    this.delay = delay;
  }

  /** A transport for a node whose peer port is {@code address}. */
  InMemoryTransport transport(HostPort address) {
    return new InMemoryTransport(this, address);
  }

  Scheduler scheduler() {
    return scheduler;
  }

  long delay(String fromHost, String toHost) {
    return Math.max(0, delay.millis(fromHost, toHost));
  }

  void register(InMemoryTransport transport) {
    transports.add(transport);
  }

  void listen(HostPort address, InMemoryTransport transport) {
    if (listening.putIfAbsent(address, transport) != null) {
      throw new IllegalStateException(address + " is in use");
    }
  }

  void unlisten(HostPort address, InMemoryTransport transport) {
    listening.remove(address, transport);
  }

  InMemoryTransport listener(HostPort address) {
    return listening.get(address);
  }

  /** The source address of a new outbound connection from {@code host}. */
  HostPort ephemeral(String host) {
    int port = nextEphemeralPort++;
    if (nextEphemeralPort > 65_000) {
      nextEphemeralPort = 40_000;
    }
    return new HostPort(host, port);
  }

  /** Cuts the link between two hosts (both ways): its connections end, new ones fail. */
  void cut(String hostA, String hostB) {
    cut.add(linkKey(hostA, hostB));
    for (InMemoryTransport t : transports) {
      if (t.address().host().equals(hostA)) {
        t.linkCut(hostB);
      } else if (t.address().host().equals(hostB)) {
        t.linkCut(hostA);
      }
    }
  }

  void heal(String hostA, String hostB) {
    cut.remove(linkKey(hostA, hostB));
  }

  boolean isCut(String hostA, String hostB) {
    return cut.contains(linkKey(hostA, hostB));
  }

  private static String linkKey(String a, String b) {
    return a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
  }
}
