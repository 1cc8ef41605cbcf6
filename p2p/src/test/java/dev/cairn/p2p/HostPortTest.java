package dev.cairn.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and printing peer addresses, and which ones count as local. */
class HostPortTest {
  @Test
  void parsesHostsAndBracketedIpv6() {
    assertThat(HostPort.parse("127.0.0.1:9700")).isEqualTo(new HostPort("127.0.0.1", 9700));
    assertThat(HostPort.parse(" seed.example.org:1 ")).isEqualTo(new HostPort("seed.example.org", 1));
    assertThat(HostPort.parse("[::1]:65535")).isEqualTo(new HostPort("::1", 65_535));
  }

  @Test
  void printsWhatItParses() {
    for (String s : new String[] {"127.0.0.1:9700", "[::1]:9700", "[2001:db8::1]:1", "node.example:80"}) {
      assertThat(HostPort.parse(s).toString()).isEqualTo(s);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "9700", ":9700", "host:", "host:x", "host:0", "host:65536", "host:-1", "[::1]"})
  void refusesWhatIsNotHostColonPort(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesHostsThatAreEmptyOrTooLong() {
    assertThatThrownBy(() -> new HostPort("", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HostPort("a".repeat(256), 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.0.1", "::1", "fe80::1", "fe80::1%eth0",
      "0.0.0.0", "::", "fd12:3456::1", "fc00::7", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "localhost", "LOCALHOST"})
  void loopbackPrivateAndLinkLocalAddressesAreLocal(String host) {
    assertThat(new HostPort(host, 9700).isLocal()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "8.8.8.8", "203.0.113.7", "172.32.0.1", "2001:db8::1", "2001:db8:0:0:0:0:0:1", "::ffff:8.8.8.8",
      "seed.example.org", "localhost.example", "evil.example", "1.2.3", "999.1.1.1", "1.2.3.4.5", "::1::2", "12345::1",
      "1:2:3:4:5:6:7:8:9"})
  void otherAddressesAndHostNamesAreRoutable(String host) {
    // Names (and things that are not valid literals) are never looked up: they count as routable.
    assertThat(new HostPort(host, 9700).isLocal()).isFalse();
  }

  @Test
  void ipLiteralsAreReadWithoutALookup() {
    assertThat(IpLiteral.parse("203.0.113.7")).hasValueSatisfying(b -> assertThat(b).containsExactly(203, 0, 113, 7));
    assertThat(IpLiteral.parse("2001:db8::1")).hasValueSatisfying(
        b -> assertThat(b).containsExactly(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
    assertThat(IpLiteral.parse("::ffff:1.2.3.4")).hasValueSatisfying(
        b -> assertThat(b).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4));
    assertThat(IpLiteral.parse("1:2:3:4:5:6:7:8")).hasValueSatisfying(b -> assertThat(b).hasSize(16));
    assertThat(IpLiteral.parse("::")).hasValueSatisfying(b -> assertThat(b).containsOnly(0));
    for (String bad : new String[] {"", "1.2.3", "256.1.1.1", "1.2.3.4.", "01234.1.1.1", "a.b.c.d", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9",
        "12345::", "g::1", "1:2:3:4:5:6:7::8:9", "::1.2.3.4.5", "fe80::1%", "host.example"}) {
      assertThat(IpLiteral.parse(bad)).as("'%s'", bad).isEmpty();
    }
  }
}
