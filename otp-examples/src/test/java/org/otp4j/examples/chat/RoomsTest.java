package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.core.Pid;
import tools.jackson.databind.JsonNode;

/** Rooms: list, create, join, leave, broadcast, presence, and the errors around them. */
class RoomsTest {
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
  void listCreateJoinAndLeave() {
    try (TestClient alice = TestClient.signedUp(server, "alice")) {
      alice.send("type", "create_room", "room", "java");
      assertThat(alice.take("room_created").path("room").asString()).isEqualTo("java");
      alice.send("type", "create_room", "room", "java");
      alice.takeError("room_exists");
      alice.send("type", "create_room", "room", "Not A Name");
      alice.takeError("invalid_room");

      alice.send("type", "join", "room", "java");
      JsonNode joined = alice.take("joined");
      assertThat(joined.path("online").asInt()).isEqualTo(1);
      alice.send("type", "members", "room", "java");
      assertThat(alice.take("members").path("members").toString()).isEqualTo("[\"alice\"]");
      assertThat(joined.path("lastSeq").asLong()).isZero();

      alice.send("type", "rooms");
      JsonNode rooms = alice.take("rooms");
      assertThat(rooms.toString()).contains("{\"name\":\"java\",\"online\":1}", "{\"name\":\"lobby\",\"online\":0}");

      alice.send("type", "leave", "room", "java", "ref", "bye");
      assertThat(alice.take("left").path("ref").asString()).isEqualTo("bye");
      alice.send("type", "send", "room", "java", "clientId", "m1", "text", "anyone?");
      assertThat(alice.takeError("not_joined").path("message").asString()).contains("join it first");
    }
  }

  @Test
  void anUnknownRoomIsAClearError() {
    try (TestClient alice = TestClient.signedUp(server, "alice")) {
      alice.send("type", "join", "room", "nowhere");
      assertThat(alice.takeError("unknown_room").path("message").asString())
          .contains("there is no room 'nowhere'", "create_room");
      alice.send("type", "history", "room", "nowhere", "since", 0);
      alice.takeError("not_joined");
      alice.send("type", "ping"); // still connected
      alice.take("pong");
    }
  }

  @Test
  void messagesReachEveryMemberInOrderWithAckAndSeq() {
    try (TestClient alice = TestClient.signedUp(server, "alice");
        TestClient bob = TestClient.signedUp(server, "bob");
        TestClient carol = TestClient.signedUp(server, "carol")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      bob.send("type", "join", "room", "lobby");
      bob.take("joined");
      JsonNode bobCame = alice.take("presence", p -> p.path("user").asString().equals("bob"));
      assertThat(bobCame.path("event").asString()).isEqualTo("join");
      assertThat(bobCame.path("online").asInt()).isEqualTo(2);
      alice.send("type", "members", "room", "lobby");
      assertThat(alice.take("members").path("members").toString()).isEqualTo("[\"alice\",\"bob\"]");

      for (int i = 1; i <= 5; i++) {
        alice.send("type", "send", "room", "lobby", "clientId", "a" + i, "text", "hello " + i);
        JsonNode ack = alice.take("ack");
        assertThat(ack.path("seq").asLong()).isEqualTo(i);
        assertThat(ack.path("duplicate").asBoolean()).isFalse();
      }
      for (int i = 1; i <= 5; i++) {
        JsonNode m = bob.take("message");
        assertThat(m.path("seq").asLong()).isEqualTo(i);
        assertThat(m.path("from").asString()).isEqualTo("alice");
        assertThat(m.path("text").asString()).isEqualTo("hello " + i);
        assertThat(alice.take("message").path("seq").asLong()).isEqualTo(i);
      }
      // carol is not in the room: she got none of it
      carol.send("type", "ping");
      carol.take("pong");
      assertThat(carol.frames()).noneMatch(f -> f.path("type").asString().equals("message"));

      // a retried send (same clientId) is not stored twice
      alice.send("type", "send", "room", "lobby", "clientId", "a3", "text", "hello 3");
      JsonNode again = alice.take("ack");
      assertThat(again.path("seq").asLong()).isEqualTo(3);
      assertThat(again.path("duplicate").asBoolean()).isTrue();
    }
  }

  @Test
  void aClientThatDisconnectsLeavesEveryRoomItWasIn() {
    try (TestClient alice = TestClient.signedUp(server, "alice")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      alice.send("type", "join", "room", "general");
      alice.take("joined");
      TestClient bob = TestClient.signedUp(server, "bob");
      bob.send("type", "join", "room", "lobby");
      bob.take("joined");
      bob.send("type", "join", "room", "general");
      bob.take("joined");
      alice.take("presence", p -> p.path("room").asString().equals("general") && p.path("event").asString().equals("join"));

      bob.close();

      for (String room : new String[] {"lobby", "general"}) {
        JsonNode left = alice.take("presence", p -> p.path("room").asString().equals(room)
            && p.path("event").asString().equals("leave"));
        assertThat(left.path("user").asString()).isEqualTo("bob");
        assertThat(left.path("online").asInt()).isEqualTo(1);
      }
    }
  }

  @Test
  void aUserWithTwoTabsStaysPresentUntilTheLastOneCloses() {
    try (TestClient alice = TestClient.signedUp(server, "alice")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      TestClient bob1 = TestClient.signedUp(server, "bob");
      TestClient bob2 = TestClient.loggedIn(server, "bob");
      bob1.send("type", "join", "room", "lobby");
      bob1.take("joined");
      bob2.send("type", "join", "room", "lobby");
      bob2.take("joined");

      Pid bob1Connection = server.connections("bob").getFirst();
      bob1.close();
      // Once bob1's connection has ended, the room has its DOWN before bob2's message: a wrong
      // "leave" would reach alice before the message.
      ChatServer.awaitExit(bob1Connection);
      assertThat(server.connections("bob")).hasSize(1);
      bob2.send("type", "send", "room", "lobby", "clientId", "b1", "text", "still here");
      JsonNode m = alice.take("message");
      assertThat(m.path("text").asString()).isEqualTo("still here");
      assertThat(alice.frames()).noneMatch(f -> f.path("event").asString().equals("leave"));

      bob2.close();
      assertThat(alice.take("presence", p -> p.path("event").asString().equals("leave")).path("user").asString())
          .isEqualTo("bob");
    }
  }
}
