package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import tools.jackson.databind.JsonNode;

/**
 * Three users looping join and kill once stopped the whole server. Now killing a room takes an
 * admin, and even an admin's storm of kills stays inside each room's own supervisor: the
 * application, its top supervisor and the rooms supervisor never notice.
 */
class KillStormTest {
  static final int KILLS = 40;
  /** Frames as fast as the test sends them: the storm is not held back by the rate limit. */
  static final Map<String, Object> UNTHROTTLED = Map.of("rateBurst", 100_000, "rateLimit", 100_000.0);

  @TempDir
  Path dir;
  ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void byDefaultNobodyIsAnAdminSoUsersLoopingJoinAndKillAreRefused() throws Exception {
    server = ChatServer.start(dir, UNTHROTTLED);
    Pid top = topSupervisor();
    List<TestClient> users = new ArrayList<>();
    try {
      for (String name : List.of("ann", "ben", "cid")) {
        TestClient c = TestClient.signedUp(server, name);
        c.send("type", "join", "room", "lobby");
        c.take("joined");
        users.add(c);
      }
      Pid lobby = server.chat().rooms().whereisName("lobby").orElseThrow();
      for (TestClient c : users) {
        for (int i = 0; i < KILLS; i++) {
          c.send("type", "join", "room", "lobby", "ref", "j" + i);
          c.send("type", "kill_room", "room", "lobby", "ref", "k" + i);
        }
      }
      for (TestClient c : users) {
        for (int i = 0; i < KILLS; i++) {
          String ref = "k" + i;
          JsonNode refused = c.take("error", e -> ref.equals(e.path("ref").asString()));
          assertThat(refused.path("code").asString()).isEqualTo("forbidden");
          assertThat(refused.path("message").asString()).contains("only an admin", "otp.chat.admins");
        }
      }
      assertThat(server.chat().rooms().whereisName("lobby")).contains(lobby);
      assertThat(topSupervisor()).isEqualTo(top);

      // the observer's kill needs an admin's token too: coming from this machine proves nothing
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(server.http("/observer/kill-room?room=lobby"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.body()).contains("Authorization: Bearer TOKEN");
      HttpResponse<String> user = http.send(HttpRequest.newBuilder(server.http("/observer/kill-room?room=lobby"))
          .header("Authorization", "Bearer " + users.getFirst().token)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(user.statusCode()).isEqualTo(403);
      assertThat(user.body()).contains("'ann' is not an admin");
      assertThat(server.chat().rooms().whereisName("lobby")).contains(lobby);
    } finally {
      users.forEach(TestClient::close);
    }
  }

  @Test
  void anAdminsKillStormStaysInsideEachRoomsOwnSupervisor() throws Exception {
    server = ChatServer.start(dir, withAdmins("root"));
    try (CrashReports reports = CrashReports.capture(server);
        TestClient carol = TestClient.signedUp(server, "carol");
        TestClient root1 = TestClient.signedUp(server, "root");
        TestClient root2 = TestClient.loggedIn(server, "root");
        TestClient root3 = TestClient.loggedIn(server, "root")) {
      carol.send("type", "join", "room", "lobby");
      carol.take("joined");
      Pid top = topSupervisor();
      Pid rooms = server.on(() -> Proc.whereis(Chat.ROOMS)).orElseThrow();
      List<TestClient> admins = List.of(root1, root2, root3);

      // three admin sockets loop join + kill as fast as frames go, on two rooms
      for (TestClient c : admins) {
        for (int i = 0; i < KILLS; i++) {
          String room = i % 2 == 0 ? "lobby" : "general";
          c.send("type", "join", "room", room, "ref", "j" + i);
          c.send("type", "kill_room", "room", room, "ref", "k" + i);
        }
      }
      int killed = 0;
      Set<String> killedPids = new HashSet<>();
      for (TestClient c : admins) {
        for (int i = 0; i < KILLS; i++) {
          String ref = "k" + i;
          // killed, or found not running (its supervisor gave up, or is restarting it)
          JsonNode answer = c.take(f -> ref.equals(f.path("ref").asString()), TestClient.WAIT, "kill answer " + ref);
          if (answer.path("type").asString().equals("room_killed")) {
            killed++;
            killedPids.add(answer.path("pid").asString());
          } else {
            assertThat(answer.path("code").asString()).as("answer %s", answer).isIn("unknown_room", "unavailable");
          }
        }
      }
      assertThat(killed).as("rooms killed").isGreaterThan(2 * 5);

      // carol's room still works: her next message starts it again if its supervisor gave up
      carol.send("type", "send", "room", "lobby", "clientId", "after-the-storm", "text", "still here?");
      JsonNode ack = carol.take("ack", a -> a.path("clientId").asString().equals("after-the-storm"));
      assertThat(ack.path("seq").asLong()).isEqualTo(1);

      assertThat(topSupervisor()).as("the application's top supervisor").isEqualTo(top);
      assertThat(server.on(() -> Proc.whereis(Chat.ROOMS))).as("the rooms supervisor").contains(rooms);
      assertThat(server.on(() -> Application.running().stream().map(Application.Info::name).toList()))
          .contains(ChatApp.NAME);

      // What the log says: rooms killed, and a room's own supervisor giving up on it; nothing else.
      // A supervisor writes its report when it handles the exit, which may come after the answer.
      // A kill is sent to the pid the room's name had: two admins may both kill one pid, and a kill
      // may reach a room that its supervisor, giving up, is already shutting down (no report: the
      // room did not die of the kill). So each killed pid is reported at most once, and some are.
      Predicate<Map<String, Object>> killReport = kv -> "supervisor_report".equals(kv.get("label"))
          // killed while it ran (child_terminated), or while its supervisor was restarting it (start_error)
          && List.of("child_terminated", "start_error").contains(String.valueOf(kv.get("errorContext")))
          && String.valueOf(kv.get("reason")).contains("killed") && "room".equals(String.valueOf(kv.get("childId")));
      Predicate<Map<String, Object>> gaveUpReport = kv -> "supervisor_report".equals(kv.get("label"))
          && "shutdown".equals(kv.get("errorContext"))
          && "reached_max_restart_intensity".equals(String.valueOf(kv.get("reason")));
      int[] kills = {0};
      int[] gaveUp = {0};
      await().atMost(TestClient.WAIT).until(() -> {
        kills[0] += reports.claimAll(killReport);
        gaveUp[0] += reports.claimAll(gaveUpReport);
        return kills[0] > 0 && gaveUp[0] > 0;
      });
      kills[0] += reports.claimAll(killReport);
      assertThat(kills[0]).as("kill reports, for %s distinct pids killed", killedPids.size())
          .isLessThanOrEqualTo(killedPids.size());
      assertThat(reports.unclaimedExcept(killReport.or(gaveUpReport))).as("nothing else crashed").isEmpty();
    }
  }

  static Map<String, Object> withAdmins(String admins) {
    Map<String, Object> env = new java.util.HashMap<>(UNTHROTTLED);
    env.put("admins", admins);
    return env;
  }

  private Pid topSupervisor() {
    return server.on(() -> Application.topSupervisor(ChatApp.NAME)).orElseThrow();
  }
}
