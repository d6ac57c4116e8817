package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
  record Ping(Pid from, int n) {}

  @Test
  void pingPong() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid echo = node.spawn(() -> {
        while (true) {
          if (Proc.receive() instanceof Ping(Pid from, int n)) {
            Proc.send(from, n + 1);
          }
        }
      });
      for (int i = 0; i < 1000; i++) {
        inbox.send(echo, new Ping(inbox.pid(), i));
        assertThat(inbox.receive(Duration.ofSeconds(5))).contains(i + 1);
      }
      Proc.exit(echo, ExitReason.KILL);
      assertThat(Proc.awaitExit(echo, Duration.ofSeconds(5))).contains(ExitReason.KILLED);
    }
  }
}
