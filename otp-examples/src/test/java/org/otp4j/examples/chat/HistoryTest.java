package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** History: pages since and before a seq, and what survives a room restart and an application restart. */
class HistoryTest {
  @TempDir
  Path dir;

  static List<Long> seqs(JsonNode frame) {
    return StreamSupport.stream(frame.path("messages").spliterator(), false).map(m -> m.path("seq").asLong()).toList();
  }

  static void sendNumbered(TestClient c, String room, int from, int to) {
    for (int i = from; i <= to; i++) {
      c.send("type", "send", "room", room, "clientId", c.user + "-" + i, "text", "message " + i);
      assertThat(c.take("ack").path("seq").asLong()).isEqualTo(i);
    }
  }

  @Test
  void pagesSinceAndBeforeASeq() {
    try (ChatServer server = ChatServer.start(dir, Map.of("historyPage", 10));
        TestClient alice = TestClient.signedUp(server, "alice");
        TestClient bob = TestClient.signedUp(server, "bob")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      sendNumbered(alice, "lobby", 1, 30);

      bob.send("type", "join", "room", "lobby", "since", 25);
      JsonNode joined = bob.take("joined");
      assertThat(joined.path("lastSeq").asLong()).isEqualTo(30);
      assertThat(seqs(joined)).containsExactly(26L, 27L, 28L, 29L, 30L);
      assertThat(joined.path("more").asBoolean()).isFalse();

      bob.send("type", "history", "room", "lobby", "before", 10, "limit", 5);
      JsonNode older = bob.take("history");
      assertThat(seqs(older)).containsExactly(5L, 6L, 7L, 8L, 9L);
      assertThat(older.path("more").asBoolean()).isTrue();

      bob.send("type", "history", "room", "lobby", "since", 0);
      JsonNode page = bob.take("history");
      assertThat(seqs(page)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      assertThat(page.path("more").asBoolean()).isTrue();
      assertThat(page.path("messages").get(0).path("text").asString()).isEqualTo("message 1");

      try (TestClient carol = TestClient.signedUp(server, "carol")) {
        carol.send("type", "join", "room", "lobby"); // no since: the latest page
        assertThat(seqs(carol.take("joined"))).containsExactly(21L, 22L, 23L, 24L, 25L, 26L, 27L, 28L, 29L, 30L);
      }
    }
  }

  @Test
  void aRoomKilledAndRestartedKeepsItsHistoryAndItsSequence() {
    try (ChatServer server = ChatServer.start(dir, Map.of("admins", "alice"));
        CrashReports reports = CrashReports.capture(server);
        TestClient alice = TestClient.signedUp(server, "alice")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      sendNumbered(alice, "lobby", 1, 3);

      alice.send("type", "kill_room", "room", "lobby");
      String killed = alice.take("room_killed").path("pid").asString();
      reports.awaitKilled(server.chat().roomSupervisorName("lobby"), killed);
      // the restarted room says where it stands
      JsonNode state = alice.take("room_state", s -> s.path("lastSeq").asLong() == 3);
      assertThat(state.path("lastSeq").asLong()).isEqualTo(3);
      assertThat(state.path("online").asInt()).isEqualTo(1);

      sendNumbered(alice, "lobby", 4, 4);
      String now = server.on(() -> ChatApp.chatOn(server.node).orElseThrow().rooms().whereisName("lobby")
          .orElseThrow().toString());
      assertThat(now).isNotEqualTo(killed);
      try (TestClient bob = TestClient.signedUp(server, "bob")) {
        bob.send("type", "join", "room", "lobby", "since", 0);
        assertThat(seqs(bob.take("joined"))).containsExactly(1L, 2L, 3L, 4L);
      }
      assertThat(reports.unclaimed()).as("nothing else crashed").isEmpty();
    }
  }

  @Test
  void historyAccountsAndTokensSurviveARestartOfTheWholeApplication() {
    String token;
    try (ChatServer first = ChatServer.start(dir);
        TestClient alice = TestClient.signedUp(first, "alice")) {
      alice.send("type", "create_room", "room", "kept");
      alice.take("room_created");
      alice.send("type", "join", "room", "kept");
      alice.take("joined");
      sendNumbered(alice, "kept", 1, 3);
      token = alice.token;
    }
    try (ChatServer second = ChatServer.start(dir)) {
      try (TestClient resumed = TestClient.connect(second)) {
        resumed.send("type", "auth", "token", token);
        assertThat(resumed.take("authenticated").path("user").asString()).isEqualTo("alice");
      }
      try (TestClient alice = TestClient.loggedIn(second, "alice")) {
        alice.send("type", "join", "room", "kept", "since", 1);
        JsonNode joined = alice.take("joined");
        assertThat(joined.path("lastSeq").asLong()).isEqualTo(3);
        assertThat(seqs(joined)).containsExactly(2L, 3L);
        sendNumbered(alice, "kept", 4, 4);
        // the old client ids are still known: a retry of message 2 is not stored again
        alice.send("type", "send", "room", "kept", "clientId", "alice-2", "text", "message 2");
        JsonNode ack = alice.take("ack");
        assertThat(ack.path("seq").asLong()).isEqualTo(2);
        assertThat(ack.path("duplicate").asBoolean()).isTrue();
      }
    }
  }
}
