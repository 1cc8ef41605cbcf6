package dev.cairn.wallet;

/** A node's client API endpoint, {@code HOST:PORT} or {@code [IPv6]:PORT}. */
record HostPort(String host, int port) {
  HostPort {
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port " + port + " is outside 1..65535");
    }
  }

  static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      // Without brackets "::1:9701" is ambiguous; RFC 3986 writes IPv6 hosts as [::1]:9701.
      throw new IllegalArgumentException("write an IPv6 host in brackets, e.g. [::1]:9701");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no numeric port");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
