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
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.behaviours.DynamicSupervisor;
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
    final TestClient client;
    final String room;
    final List<JsonNode> log = new ArrayList<>();
    final TreeMap<Long, JsonNode> early = new TreeMap<>();
    long last;
    long known;
    boolean asking;
    int duplicates;

    RoomLog(TestClient client, String room) {
      this.client = client;
      this.room = room;
    }

    synchronized void onFrame(JsonNode f) {
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
        client.sendLater("type", "history", "room", room, "since", last);
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

    synchronized long last() {
      return last;
    }

    synchronized List<JsonNode> log() {
      return List.copyOf(log);
    }
  }

  @RepeatedTest(3)
  void everyClientGetsEveryMessageOnceAndInOrderWhileTheRoomIsKilled() throws Exception {
    // the clients send as fast as they can: no rate limit here (BadInputTest covers it)
    try (ChatServer server = ChatServer.start(dir, Map.of("rateBurst", 100_000, "rateLimit", 100_000.0))) {
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
            c.send("type", "send", "room", "lobby", "clientId", id, "text", c.user + " #" + n);
            JsonNode ack = c.take("ack", a -> a.path("clientId").asString().equals(id));
            ackedSeq.put(id, ack.path("seq").asLong());
            acks.incrementAndGet();
          }
        }));
      }

      Set<Pid> killed = new HashSet<>();
      for (int threshold : new int[] {20, 50, 80}) {
        await().atMost(Duration.ofSeconds(20)).until(() -> acks.get() >= threshold);
        Pid room = server.on(() -> roomPid(killed));
        Proc.exit(room, ExitReason.KILL);
        killed.add(room);
        bystander.send("type", "send", "room", "general", "clientId", "b" + threshold, "text", "unaffected");
        bystander.take("ack");
      }
      CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(acks.get()).isEqualTo(TOTAL);
      assertThat(new HashSet<>(ackedSeq.values())).as("every message got its own seq").hasSize(TOTAL);

      for (RoomLog log : logs) {
        await().atMost(Duration.ofSeconds(20)).until(() -> log.last() == TOTAL);
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
      for (TestClient c : clients) { // each client was told of each restart
        assertThat(c.frames().stream().filter(f -> f.path("type").asString().equals("room_state")).count())
            .isGreaterThanOrEqualTo(3);
      }
      clients.forEach(TestClient::close);
      bystander.close();
    }
  }

  /** The lobby's current process (the only room child running that was not killed already). */
  private static Pid roomPid(Set<Pid> killed) {
    List<Pid> running = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).pollInSameThread().until(() -> {
      running.clear();
      for (Supervisor.Child child : DynamicSupervisor.whichChildren(Chat.ROOMS)) {
        if (child.pid() != null && !killed.contains(child.pid()) && Proc.isAlive(child.pid())) {
          running.add(child.pid());
        }
      }
      return !running.isEmpty();
    });
    return running.stream().filter(p -> !p.equals(generalPid())).findFirst().orElseThrow();
  }

  private static Pid generalPid() {
    return Proc.whereis(ChatApp.chatOn(org.otp4j.core.Node.current()).orElseThrow().roomName("general")).orElse(null);
  }
}
