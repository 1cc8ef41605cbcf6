package dev.cairn.p2p;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Which network an address belongs to, as far as one operator is likely to control it: the /16 of
 * an IPv4 address, the /32 of an IPv6 one. Loopback, private and link-local addresses share one
 * group ("local"), unless {@code loopbackRoutable} (a test flag): then 127.a.b.c is a routable
 * address of group a.b, so tests can play many networks from one machine. A host name is its own
 * group. Stateless.
 */
final class NetworkGroup {
  static final String LOCAL = "local";

  private NetworkGroup() {}

  static String of(HostPort address, boolean loopbackRoutable) {
    Optional<byte[]> ip = IpLiteral.parse(address.host());
    if (ip.isEmpty()) {
      return address.host().equalsIgnoreCase("localhost") ? LOCAL : "name:" + address.host().toLowerCase(Locale.ROOT);
    }
    byte[] b = ipv4Mapped(ip.get());
    if (b.length == 4) {
      if (loopbackRoutable && (b[0] & 0xFF) == 127) {
        return "ipv4:" + (b[1] & 0xFF) + "." + (b[2] & 0xFF);
      }
      return address.isLocal() ? LOCAL : "ipv4:" + (b[0] & 0xFF) + "." + (b[1] & 0xFF);
    }
    return address.isLocal() ? LOCAL : "ipv6:" + HexFormat.of().formatHex(b, 0, 4);
  }

  /** Whether {@code address} counts as local (discouraged per connection, not per host). */
  static boolean isLocal(HostPort address, boolean loopbackRoutable) {
    if (loopbackRoutable) {
      Optional<byte[]> ip = IpLiteral.parse(address.host());
      if (ip.isPresent() && ipv4Mapped(ip.get()).length == 4 && (ipv4Mapped(ip.get())[0] & 0xFF) == 127) {
        return false;
      }
    }
    return address.isLocal();
  }

  private static byte[] ipv4Mapped(byte[] ip) {
    if (ip.length == 16) {
      for (int i = 0; i < 10; i++) {
        if (ip[i] != 0) {
          return ip;
        }
      }
      if ((ip[10] & 0xFF) == 0xFF && (ip[11] & 0xFF) == 0xFF) {
        return new byte[] {ip[12], ip[13], ip[14], ip[15]};
      }
    }
    return ip;
  }
}
