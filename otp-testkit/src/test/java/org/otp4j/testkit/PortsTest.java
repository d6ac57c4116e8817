package org.otp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Ports: a free loopback port outside the range of outgoing connections")
class PortsTest {
  @Test
  @DisplayName("the port is free, below the kernel's ephemeral range, and can be bound")
  void free() throws Exception {
    for (int i = 0; i < 20; i++) {
      int port = Ports.free();
      assertThat(port).isGreaterThanOrEqualTo(10_000).isLessThan(Math.max(10_001, Ports.ephemeralRange()[0]));
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        assertThat(s.getLocalPort()).isEqualTo(port);
      }
    }
  }
}
