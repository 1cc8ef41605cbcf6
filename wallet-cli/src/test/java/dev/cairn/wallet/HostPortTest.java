package dev.cairn.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
  @Test
  void parsesHostsAndBracketedIpv6() {
    assertThat(HostPort.parse("127.0.0.1:9701")).isEqualTo(new HostPort("127.0.0.1", 9701));
    assertThat(HostPort.parse("node.example:1")).isEqualTo(new HostPort("node.example", 1));
    assertThat(HostPort.parse("[::1]:9701")).isEqualTo(new HostPort("::1", 9701));
    assertThat(HostPort.parse("[::1]:9701").toString()).isEqualTo("[::1]:9701");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "::1:9701", ":9701", "host:", "host:0", "host:65536", "host:x"})
  void refusesMalformedEndpoints(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
