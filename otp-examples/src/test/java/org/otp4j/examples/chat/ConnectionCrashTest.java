package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Registry;

/** A connection process that dies takes its socket and its presence with it, and nothing else. */
class ConnectionCrashTest {
  @TempDir
  Path dir;

  @Test
  void aKilledConnectionClosesItsSocketAndLeavesItsRoomsOnly() {
    try (ChatServer server = ChatServer.start(dir);
        CrashReports reports = CrashReports.capture(server);
        TestClient alice = TestClient.signedUp(server, "alice");
        TestClient bob = TestClient.signedUp(server, "bob")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      bob.send("type", "join", "room", "lobby");
      bob.take("joined");

      Chat chat = ChatApp.chatOn(server.node).orElseThrow();
      Pid bobsConnection = chat.users().lookup("bob").stream().map(Registry.Entry::pid).findFirst().orElseThrow();
      Proc.exit(bobsConnection, ExitReason.KILL);

      assertThat(bob.awaitClose()).isEqualTo(Map.entry(1011, "the connection process ended"));
      // the connections supervisor reports the kill (and does not restart it: a socket is gone for good)
      reports.awaitKilled(Chat.CONNECTIONS, bobsConnection);
      assertThat(alice.take("presence", p -> p.path("event").asString().equals("leave")).path("user").asString())
          .isEqualTo("bob");
      await().atMost(TestClient.WAIT).until(() -> chat.users().lookup("bob").isEmpty());

      alice.send("type", "send", "room", "lobby", "clientId", "a1", "text", "still working");
      assertThat(alice.take("message").path("text").asString()).isEqualTo("still working");
      try (TestClient bobAgain = TestClient.loggedIn(server, "bob")) {
        bobAgain.send("type", "join", "room", "lobby", "since", 0);
        assertThat(bobAgain.take("joined").path("messages").get(0).path("text").asString()).isEqualTo("still working");
      }
      assertThat(reports.unclaimed()).as("nothing else crashed").isEmpty();
    }
  }
}
