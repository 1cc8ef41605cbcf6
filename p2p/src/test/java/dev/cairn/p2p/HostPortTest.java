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
  @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.0.1", "::1", "fe80::1", "0.0.0.0"})
  void loopbackPrivateAndLinkLocalAddressesAreLocal(String host) {
    assertThat(new HostPort(host, 9700).isLocal()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "203.0.113.7", "172.32.0.1", "2001:db8::1"})
  void otherAddressesAreRoutable(String host) {
    assertThat(new HostPort(host, 9700).isLocal()).isFalse();
  }
}
