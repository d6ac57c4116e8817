package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Everyone in one room: a join costs each member one small presence frame (who came, and the
 * count), not the whole member list, so the bytes per join grow with the room, not with its square.
 * A client fetches the list when it shows it.
 */
class BigRoomTest {
  static final int CLIENTS = 50;
  /** A presence frame: type, room, event, user and count; far less than a list of 50 names. */
  static final int PRESENCE_BYTES = 120;

  @TempDir
  Path dir;

  @Test
  void aJoinCostsEachMemberOneSmallPresenceFrame() {
    List<TestClient> clients = new ArrayList<>();
    try (ChatServer server = ChatServer.start(dir, Map.of("loginBurst", 1000))) {
      for (int i = 0; i < CLIENTS; i++) {
        TestClient c = TestClient.signedUp(server, "user" + i);
        clients.add(c);
        c.send("type", "join", "room", "lobby");
        JsonNode joined = c.take("joined");
        assertThat(joined.path("online").asInt()).isEqualTo(i + 1);
        assertThat(joined.has("members")).isFalse();
        // everyone who was in the room hears of this join (the joiner may too, or the room it started
        // adopts it silently)
        for (TestClient member : clients.subList(0, i)) {
          String user = "user" + i;
          member.take("presence", p -> user.equals(p.path("user").asString()));
        }
      }

      long presenceFrames = 0;
      long presenceBytes = 0;
      for (TestClient c : clients) {
        for (JsonNode f : c.frames()) {
          if (f.path("type").asString().equals("presence")) {
            presenceFrames++;
            presenceBytes += f.toString().length();
            assertThat(f.toString().length()).as("presence frame %s", f).isLessThan(PRESENCE_BYTES);
            assertThat(f.has("members")).isFalse();
          }
        }
      }
      // the k-th join reaches the k - 1 members who were in the room, and perhaps the joiner
      assertThat(presenceFrames).isBetween((long) CLIENTS * (CLIENTS - 1) / 2, (long) CLIENTS * (CLIENTS + 1) / 2);
      assertThat(presenceBytes / CLIENTS).as("presence bytes per join").isLessThan((long) CLIENTS * PRESENCE_BYTES);

      // the list, on demand
      TestClient last = clients.getLast();
      last.send("type", "members", "room", "lobby", "ref", "who");
      JsonNode members = last.take("members");
      assertThat(members.path("ref").asString()).isEqualTo("who");
      assertThat(members.path("members")).hasSize(CLIENTS);
      last.send("type", "members", "room", "general");
      last.takeError("not_joined");

      // leaving is a diff too
      clients.getFirst().close();
      JsonNode left = last.take("presence", p -> p.path("event").asString().equals("leave"));
      assertThat(left.path("user").asString()).isEqualTo("user0");
      assertThat(left.path("online").asInt()).isEqualTo(CLIENTS - 1);
    } finally {
      clients.forEach(TestClient::close);
    }
  }
}
