package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import tools.jackson.databind.JsonNode;

/**
 * The room is killed, several times, while clients send into it: every client still ends up with
 * every message exactly once, in sequence order, with no gap (after filling gaps from history), and
 * no message was stored twice.
 */
class RoomCrashTest {
  @TempDir
  Path dir;

  static final int CLIENTS = 3;
  static final int MESSAGES = 40;
  static final int TOTAL = CLIENTS * MESSAGES;

  /**
   * What a careful client does with one room's stream: applies messages in seq order, keeps those
   * that arrive early, and asks for history since its last seq when it sees a gap or when the
   * room says (after a restart) that it is further along.
   */
  static final class RoomLog {
    static final String GAP = "gap";
    final TestClient client;
    final String room;
    final List<JsonNode> log = new ArrayList<>();
    final TreeMap<Long, JsonNode> early = new TreeMap<>();
    long last;
    long known;
    boolean asking;
    int duplicates;
    /** Anything else the server refused: the test fails with it. */
    final List<JsonNode> refused = new ArrayList<>();

    RoomLog(TestClient client, String room) {
      this.client = client;
      this.room = room;
    }

    synchronized void onFrame(JsonNode f) {
      if (f.path("type").asString().equals("error") && GAP.equals(f.path("ref").asString())) {
        if (f.path("code").asString().equals("unavailable")) { // the server asks to try again
          client.sendLater("type", "history", "room", room, "since", last, "ref", GAP);
        } else {
          refused.add(f);
        }
        return;
      }
      if (!room.equals(f.path("room").asString())) {
        return;
      }
      switch (f.path("type").asString()) {
        case "joined" -> {
          known = Math.max(known, f.path("lastSeq").asLong());
          f.path("messages").forEach(this::apply);
        }
        case "message" -> apply(f);
        case "room_state" -> known = Math.max(known, f.path("lastSeq").asLong());
        case "history" -> {
          asking = false;
          f.path("messages").forEach(this::apply);
        }
        default -> {}
      }
      if (!asking && known > last) {
        asking = true;
        client.sendLater("type", "history", "room", room, "since", last, "ref", GAP);
      }
    }

    private void apply(JsonNode m) {
      long seq = m.path("seq").asLong();
      known = Math.max(known, seq);
      if (seq <= last || early.containsKey(seq)) {
        duplicates++;
        return;
      }
      early.put(seq, m);
      while (!early.isEmpty() && early.firstKey() == last + 1) {
        log.add(early.pollFirstEntry().getValue());
        last++;
      }
    }

    /** How far the log is complete; fails if the server refused a history request for good. */
    synchronized long last() {
      assertThat(refused).as("history requests refused").isEmpty();
      return last;
    }

    synchronized List<JsonNode> log() {
      return List.copyOf(log);
    }
  }

  @RepeatedTest(3)
  void everyClientGetsEveryMessageOnceAndInOrderWhileTheRoomIsKilled() throws Exception {
    // the clients send as fast as they can: no rate limit here (BadInputTest covers it)
    try (ChatServer server = ChatServer.start(dir, Map.of("rateBurst", 100_000, "rateLimit", 100_000.0));
        CrashReports reports = CrashReports.capture(server)) {
      List<TestClient> clients = new ArrayList<>();
      List<RoomLog> logs = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        TestClient c = TestClient.signedUp(server, "user" + i);
        RoomLog log = new RoomLog(c, "lobby");
        c.observe(log::onFrame);
        c.send("type", "join", "room", "lobby");
        c.take("joined");
        clients.add(c);
        logs.add(log);
      }
      // A bystander in another room: a crash of one room must not touch it.
      TestClient bystander = TestClient.signedUp(server, "bystander");
      bystander.send("type", "join", "room", "general");
      bystander.take("joined");

      AtomicInteger acks = new AtomicInteger();
      Map<String, Long> ackedSeq = new java.util.concurrent.ConcurrentHashMap<>();
      List<CompletableFuture<Void>> senders = new ArrayList<>();
      for (TestClient c : clients) {
        senders.add(CompletableFuture.runAsync(() -> {
          for (int n = 1; n <= MESSAGES; n++) {
            String id = c.user + "-" + n;
            JsonNode ack = sendUntilAcked(c, id, c.user + " #" + n);
            ackedSeq.put(id, ack.path("seq").asLong());
            acks.incrementAndGet();
          }
        }));
      }

      Set<Pid> killed = new HashSet<>();
      for (int threshold : new int[] {20, 50, 80}) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          senders.stream().filter(CompletableFuture::isCompletedExceptionally).forEach(CompletableFuture::join);
          return acks.get() >= threshold;
        });
        Pid room = lobbyPid(server, killed);
        Proc.exit(room, ExitReason.KILL);
        killed.add(room);
        reports.awaitKilled(server.chat().roomSupervisorName("lobby"), room);
        bystander.send("type", "send", "room", "general", "clientId", "b" + threshold, "text", "unaffected");
        bystander.take("ack");
      }
      CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(120, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(acks.get()).isEqualTo(TOTAL);
      assertThat(new HashSet<>(ackedSeq.values())).as("every message got its own seq").hasSize(TOTAL);

      for (RoomLog log : logs) {
        await().atMost(Duration.ofSeconds(60)).until(() -> log.last() == TOTAL);
        List<JsonNode> got = log.log();
        assertThat(got).hasSize(TOTAL);
        Set<String> ids = new HashSet<>();
        Map<String, Integer> lastNumberBySender = new java.util.HashMap<>();
        for (int i = 0; i < TOTAL; i++) {
          JsonNode m = got.get(i);
          assertThat(m.path("seq").asLong()).isEqualTo(i + 1);
          String id = m.path("clientId").asString();
          assertThat(ids.add(id)).as("%s received once", id).isTrue();
          assertThat(ackedSeq.get(id)).as("the ack of %s names its seq", id).isEqualTo(i + 1);
          int n = Integer.parseInt(id.substring(id.indexOf('-') + 1));
          String sender = m.path("from").asString();
          assertThat(n).as("%s's messages in the order sent", sender).isGreaterThan(lastNumberBySender.getOrDefault(sender, 0));
          lastNumberBySender.put(sender, n);
        }
      }
      assertThat(killed).hasSize(3);
      for (TestClient c : clients) {
        // each client is told of each restart; the last news may come after the last message
        // (which a history answer can bring first), so wait for it
        await().atMost(TestClient.WAIT).untilAsserted(() -> assertThat(c.frames().stream()
            .filter(f -> f.path("type").asString().equals("room_state")).count()).isGreaterThanOrEqualTo(3));
      }
      assertThat(reports.unclaimed()).as("nothing crashed but the rooms killed").isEmpty();
      clients.forEach(TestClient::close);
      bystander.close();
    }
  }

  /**
   * Sends a message and waits for its ack. A room that is killed again and again may make the
   * server answer "unavailable" (its retries ran out, or a call timed out): the message may or may
   * not have been stored, and the server asks the client to send it again with the same client id,
   * as a careful client does. Any other answer fails the test.
   */
  private static JsonNode sendUntilAcked(TestClient c, String id, String text) {
    for (int attempt = 1; ; attempt++) {
      c.send("type", "send", "room", "lobby", "clientId", id, "text", text, "ref", id);
      JsonNode answer = c.take(f -> id.equals(f.path("ref").asString())
          && (f.path("type").asString().equals("ack") || f.path("type").asString().equals("error")),
          TestClient.WAIT, "ack of " + id);
      if (answer.path("type").asString().equals("ack")) {
        assertThat(answer.path("clientId").asString()).isEqualTo(id);
        return answer;
      }
      assertThat(answer.path("code").asString()).as("answer to %s", id).isEqualTo("unavailable");
      assertThat(attempt).as("attempts to send %s; last answer %s", id, answer).isLessThan(10);
    }
  }

  /**
   * The lobby's current process: the one registered under its name that was not killed already
   * (a killed one may still be found for a moment), and is a child of its own supervisor.
   */
  private static Pid lobbyPid(ChatServer server, Set<Pid> killed) {
    Chat chat = server.chat();
    AtomicReference<Pid> found = new AtomicReference<>();
    await().atMost(TestClient.WAIT).until(() -> {
      Pid p = chat.rooms().whereisName("lobby").orElse(null);
      if (p == null || killed.contains(p) || !Proc.isAlive(p)) {
        return false;
      }
      boolean supervised = server.on(() -> Supervisor.whichChildren(chat.roomSupervisorName("lobby")).stream()
          .anyMatch(child -> p.equals(child.pid())));
      found.set(p);
      return supervised;
    });
    return found.get();
  }
}
