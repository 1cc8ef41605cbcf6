package dev.cairn.p2p;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** A peer's address as people write it: {@code host:port} or {@code [v6]:port}. Immutable. */
public record HostPort(String host, int port) {
  public HostPort {
    if (host.isEmpty() || host.length() > 255) {
      throw new IllegalArgumentException("host must be 1-255 characters");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be 1-65535, got " + port);
    }
  }

  public static HostPort parse(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + text + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in '" + text + "'");
    }
    return new HostPort(host, port);
  }

  /**
   * Whether the host is loopback, private (including IPv6 unique-local) or link-local: such peers
   * are discouraged per connection, not per address, so honest nodes sharing a host are not banned
   * together. Read from the literal, never by a name lookup; a host name counts as routable, except
   * {@code localhost}.
   */
  public boolean isLocal() {
    Optional<byte[]> ip = IpLiteral.parse(host);
    if (ip.isEmpty()) {
      return host.equalsIgnoreCase("localhost");
    }
    byte[] b = ip.get();
    InetAddress a;
    try {
      a = InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      return false; // not 4 or 16 bytes: cannot happen for a parsed literal
    }
    boolean uniqueLocal = b.length == 16 && (b[0] & 0xFE) == 0xFC;
    return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress() || uniqueLocal;
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
