package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Direct messages go to every connection of the recipient, and to the sender's other tabs. */
class DirectMessageTest {
  @TempDir
  Path dir;
  ChatServer server;

  @BeforeEach
  void start() {
    server = ChatServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aDirectMessageReachesAllOfTheRecipientsConnections() {
    try (TestClient alice = TestClient.signedUp(server, "alice");
        TestClient aliceTab2 = TestClient.loggedIn(server, "alice");
        TestClient bob = TestClient.signedUp(server, "bob");
        TestClient bobTab2 = TestClient.loggedIn(server, "bob")) {
      alice.send("type", "dm", "to", "bob", "clientId", "d1", "text", "psst");
      assertThat(alice.take("dm_sent").path("to").asString()).isEqualTo("bob");
      for (TestClient c : new TestClient[] {bob, bobTab2, aliceTab2}) {
        JsonNode dm = c.take("dm");
        assertThat(dm.path("from").asString()).isEqualTo("alice");
        assertThat(dm.path("to").asString()).isEqualTo("bob");
        assertThat(dm.path("text").asString()).isEqualTo("psst");
      }
    }
  }

  @Test
  void unknownAndOfflineRecipientsAreClearErrors() {
    TestClient.signedUp(server, "bob").close();
    server.awaitOffline("bob"); // the close reaches bob's connection process a moment later
    try (TestClient alice = TestClient.signedUp(server, "alice")) {
      alice.send("type", "dm", "to", "nobody", "text", "hi");
      assertThat(alice.takeError("unknown_user").path("message").asString()).contains("no user 'nobody'");
      alice.send("type", "dm", "to", "bob", "text", "hi");
      assertThat(alice.takeError("user_offline").path("message").asString()).contains("'bob' is not online");
    }
  }
}
