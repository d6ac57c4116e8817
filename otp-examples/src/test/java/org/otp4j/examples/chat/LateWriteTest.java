package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A killed room's last write may land in the store after its successor has loaded: the
 * successor must neither store the retried message twice nor reuse the seq. These tests make the
 * late write happen on purpose, by writing to the store behind the room's back.
 */
class LateWriteTest {
  @TempDir
  Path dir;

  @Test
  void aRetryOfAMessageStoredBehindTheRoomsBackIsAnsweredWithItsSeqAndAnnounced() {
    try (ChatServer server = ChatServer.start(dir);
        TestClient alice = TestClient.signedUp(server, "alice");
        TestClient bob = TestClient.signedUp(server, "bob")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      bob.send("type", "join", "room", "lobby");
      bob.take("joined");
      HistoryTest.sendNumbered(alice, "lobby", 1, 2);

      // what a killed incarnation did: stored #3, died before answering or broadcasting it
      Store store = ChatApp.chatOn(server.node).orElseThrow().store();
      store.append(new ChatMessage("lobby", 3, "alice", "stored late", System.currentTimeMillis(), "alice-3"));

      alice.send("type", "send", "room", "lobby", "clientId", "alice-3", "text", "stored late");
      JsonNode ack = alice.take("ack");
      assertThat(ack.path("seq").asLong()).isEqualTo(3);
      assertThat(ack.path("duplicate").asBoolean()).isTrue();
      // the room tells its members it is at #3; bob, who never saw #3, fetches it
      assertThat(bob.take("room_state", s -> s.path("lastSeq").asLong() == 3)).isNotNull();
      bob.send("type", "history", "room", "lobby", "since", 2);
      assertThat(HistoryTest.seqs(bob.take("history"))).containsExactly(3L);

      HistoryTest.sendNumbered(alice, "lobby", 4, 4); // numbering carries on after it
    }
  }

  @Test
  void aSeqTakenBehindTheRoomsBackIsSkippedAndAnnounced() {
    try (ChatServer server = ChatServer.start(dir);
        TestClient alice = TestClient.signedUp(server, "alice")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      HistoryTest.sendNumbered(alice, "lobby", 1, 1);

      Store store = ChatApp.chatOn(server.node).orElseThrow().store();
      store.append(new ChatMessage("lobby", 2, "ghost", "from a dead incarnation", System.currentTimeMillis(), "g-1"));

      alice.send("type", "send", "room", "lobby", "clientId", "alice-next", "text", "after the ghost");
      assertThat(alice.take("ack").path("seq").asLong()).isEqualTo(3);
      assertThat(alice.take("room_state", s -> s.path("lastSeq").asLong() == 2)).isNotNull();
      alice.send("type", "history", "room", "lobby", "since", 0);
      JsonNode all = alice.take("history");
      assertThat(HistoryTest.seqs(all)).containsExactly(1L, 2L, 3L);
      assertThat(all.path("messages").get(1).path("from").asString()).isEqualTo("ghost");
    }
  }
}
