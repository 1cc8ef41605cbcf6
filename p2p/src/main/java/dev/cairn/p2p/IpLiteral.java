package dev.cairn.p2p;

import java.util.Optional;

/**
 * An IP address written as a literal ({@code 203.0.113.7}, {@code 2001:db8::1}, {@code
 * ::ffff:10.0.0.1}, with an optional IPv6 zone), read without any name lookup: the peer layer
 * never resolves a name on its thread. Stateless.
 */
final class IpLiteral {
  private IpLiteral() {}

  /** The address's bytes (4 or 16), or empty if {@code text} is not an IP literal (a host name). */
  static Optional<byte[]> parse(String text) {
    if (text.indexOf(':') >= 0) {
      return ipv6(text);
    }
    return ipv4(text);
  }

  private static Optional<byte[]> ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Optional.empty();
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        return Optional.empty();
      }
      out[i] = (byte) v;
    }
    return Optional.of(out);
  }

  private static Optional<byte[]> ipv6(String text) {
    int zone = text.indexOf('%');
    String s = zone >= 0 ? text.substring(0, zone) : text;
    if (zone >= 0 && zone == text.length() - 1) {
      return Optional.empty();
    }
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return Optional.empty();
    }
    String head = gap >= 0 ? s.substring(0, gap) : s;
    String tail = gap >= 0 ? s.substring(gap + 2) : "";
    byte[] headBytes = new byte[16];
    byte[] tailBytes = new byte[16];
    int headLen = groups(head, headBytes, gap < 0 || tail.isEmpty());
    int tailLen = gap >= 0 ? groups(tail, tailBytes, true) : 0;
    if (headLen < 0 || tailLen < 0) {
      return Optional.empty();
    }
    if (gap < 0 ? headLen != 16 : headLen + tailLen > 14) {
      return Optional.empty();
    }
    byte[] out = new byte[16];
    System.arraycopy(headBytes, 0, out, 0, headLen);
    System.arraycopy(tailBytes, 0, out, 16 - tailLen, tailLen);
    return Optional.of(out);
  }

  /**
   * Reads colon-separated groups of 1-4 hex digits into {@code into}; the last may be an IPv4
   * address if {@code lastMayBeIpv4}. Returns the bytes read, or -1 if malformed.
   */
  private static int groups(String part, byte[] into, boolean lastMayBeIpv4) {
    if (part.isEmpty()) {
      return 0;
    }
    String[] gs = part.split(":", -1);
    int n = 0;
    for (int i = 0; i < gs.length; i++) {
      String g = gs[i];
      if (i == gs.length - 1 && lastMayBeIpv4 && g.indexOf('.') >= 0) {
        Optional<byte[]> v4 = ipv4(g);
        if (v4.isEmpty() || n + 4 > 16) {
          return -1;
        }
        System.arraycopy(v4.get(), 0, into, n, 4);
        n += 4;
        continue;
      }
      if (g.isEmpty() || g.length() > 4 || n + 2 > 16) {
        return -1;
      }
      int v = 0;
      for (int j = 0; j < g.length(); j++) {
        int d = Character.digit(g.charAt(j), 16);
        if (d < 0) {
          return -1;
        }
        v = (v << 4) | d;
      }
      into[n++] = (byte) (v >> 8);
      into[n++] = (byte) v;
    }
    return n;
  }
}
