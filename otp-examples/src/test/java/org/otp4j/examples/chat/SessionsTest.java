package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Sessions and logins under attack: logout ends a session on every socket; a flood of wrong
 * passwords is throttled by address and by account and never keeps a real login waiting behind
 * it; the hash queue is bounded; rooms per user and in all are bounded; user names ignore case.
 */
class SessionsTest {
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
  void logoutEndsTheSessionOnEverySocketThatUsesIt() {
    server = ChatServer.start(dir);
    try (TestClient first = TestClient.signedUp(server, "alice"); TestClient second = TestClient.connect(server)) {
      // a second tab (or a reconnect) on the same session, already open when the first logs out
      second.send("type", "auth", "token", first.token);
      second.take("authenticated");
      second.token = first.token;
      second.send("type", "join", "room", "lobby");
      second.take("joined");

      first.send("type", "logout");
      first.take("logged_out");
      second.take("logged_out");
      second.send("type", "rooms");
      assertThat(second.takeError("unauthenticated").path("message").asString()).contains("not valid");
      second.send("type", "send", "room", "lobby", "clientId", "c1", "text", "still here?");
      second.takeError("unauthenticated");
      assertThat(second.frames()).noneMatch(f -> f.path("type").asString().equals("ack"));
    }
  }

  @Test
  void aLoginFloodIsThrottledAndARealLoginIsAnsweredNotQueuedBehindIt() throws Exception {
    // hashes that take a while (a real server's take much longer), and small budgets
    server = ChatServer.start(dir, Map.of("passwordIterations", 200_000, "loginBurst", 5, "loginRate", 0.2,
        "accountBurst", 3, "accountRate", 0.01, "hashQueue", 8));
    TestClient.signedUp(server, "carol").close();
    TestClient.signedUp(server, "victim").close();
    long before = server.chat().passwords().computed();

    // 12 sockets from another address send 10 wrong passwords each, without waiting for answers,
    // at the victim's account and at made-up names
    int sockets = 12;
    int each = 10;
    List<TestClient> flood = new ArrayList<>();
    try {
      for (int i = 0; i < sockets; i++) {
        flood.add(TestClient.connectFrom(server, "127.0.0.2"));
      }
      CountDownLatch sent = new CountDownLatch(sockets);
      List<CompletableFuture<Void>> senders = new ArrayList<>();
      for (int i = 0; i < sockets; i++) {
        TestClient c = flood.get(i);
        int n = i;
        senders.add(CompletableFuture.runAsync(() -> {
          for (int k = 0; k < each; k++) {
            String user = k % 2 == 0 ? "victim" : "guess" + n + "x" + k;
            c.send("type", "login", "user", user, "password", "guess-" + k, "ref", "g" + k);
          }
          sent.countDown();
        }));
      }
      assertThat(sent.await(TestClient.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      // while the flood is being answered, carol logs in from her own address
      long start = System.nanoTime();
      try (TestClient carol = TestClient.connect(server)) {
        carol.send("type", "login", "user", "carol", "password", "secret-carol");
        JsonNode answer = carol.take(f -> f.path("type").asString().equals("authenticated")
            || f.path("type").asString().equals("error"), TestClient.WAIT, "login answer");
        assertThat(answer.path("type").asString()).as("carol's answer %s", answer).isEqualTo("authenticated");
      }
      Duration carolsLogin = Duration.ofNanos(System.nanoTime() - start);

      // every flood attempt is answered: most refused at once, without a hash
      int throttled = 0;
      for (TestClient c : flood) {
        for (int k = 0; k < each; k++) {
          String ref = "g" + k;
          JsonNode e = c.take("error", f -> ref.equals(f.path("ref").asString()));
          assertThat(e.path("code").asString()).isIn("invalid_credentials", "login_throttled", "busy");
          if (e.path("code").asString().equals("login_throttled")) {
            throttled++;
            assertThat(e.path("message").asString()).containsPattern("try again in \\d+ s");
          }
        }
      }
      long hashed = server.chat().passwords().computed() - before;
      // the address's budget (5, and 1 more per 5 s the flood lasted) and carol's own hash
      long seconds = (System.nanoTime() - start) / 1_000_000_000L + 1;
      assertThat(hashed).as("hashes computed during the flood of %d attempts", sockets * each)
          .isLessThanOrEqualTo(5 + seconds / 5 + 1 + 1);
      assertThat(throttled).isGreaterThanOrEqualTo(sockets * each - (int) hashed);
      assertThat(carolsLogin).as("carol's login, with the flood running").isLessThan(TestClient.WAIT);

      // the victim's account is throttled whatever the address: guessing it from elsewhere is slow too
      try (TestClient other = TestClient.connectFrom(server, "127.0.0.3")) {
        other.send("type", "login", "user", "victim", "password", "one-more-guess");
        assertThat(other.takeError("login_throttled").path("message").asString()).contains("this account");
      }
      CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();
    } finally {
      flood.forEach(TestClient::close);
    }
  }

  @Test
  void theHashQueueIsBoundedAndAHashBeyondItIsRefusedAtOnce() throws Exception {
    Passwords passwords = new Passwords(1, 2);
    List<CompletableFuture<String>> hashes = new ArrayList<>();
    // one slow hash runs, two wait; the fourth finds the queue full
    for (int i = 0; i < 3; i++) {
      hashes.add(CompletableFuture.supplyAsync(() -> passwords.hash("password", 3_000_000)));
    }
    org.awaitility.Awaitility.await().atMost(TestClient.WAIT).until(() -> passwords.queued() == 2);
    long start = System.nanoTime();
    try {
      passwords.hash("password", 1000);
      throw new AssertionError("a hash beyond the queue was accepted");
    } catch (Passwords.Busy e) {
      assertThat(e.getMessage()).contains("2 password checks are waiting");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused without waiting").isLessThan(Duration.ofSeconds(5));
    for (CompletableFuture<String> h : hashes) {
      assertThat(h.get(2, TimeUnit.MINUTES)).startsWith("pbkdf2-sha256$3000000$");
    }
  }

  @Test
  void roomCreationIsBoundedPerUserAndInAll() {
    // lobby, general and random exist: 5 in all leaves room for 2
    server = ChatServer.start(dir, Map.of("maxRooms", 5, "maxRoomsPerUser", 1));
    try (TestClient alice = TestClient.signedUp(server, "alice"); TestClient bob = TestClient.signedUp(server, "bob");
        TestClient carol = TestClient.signedUp(server, "carol")) {
      alice.send("type", "create_room", "room", "one");
      alice.take("room_created");
      alice.send("type", "create_room", "room", "two");
      assertThat(alice.takeError("room_limit").path("message").asString()).contains("1 rooms, the most one user");
      bob.send("type", "create_room", "room", "two");
      bob.take("room_created");
      carol.send("type", "create_room", "room", "three", "ref", "c3");
      JsonNode full = carol.takeError("room_limit");
      assertThat(full.path("message").asString()).contains("this server has 5 rooms");
      assertThat(full.path("ref").asString()).isEqualTo("c3");
      carol.send("type", "create_room", "room", "one");
      carol.takeError("room_exists");
    }
  }

  @Test
  void userNamesIgnoreCase() {
    server = ChatServer.start(dir);
    try (TestClient alice = TestClient.connect(server)) {
      alice.send("type", "signup", "user", "Alice", "password", "secret-alice");
      assertThat(alice.take("authenticated").path("user").asString()).isEqualTo("alice");
      try (TestClient again = TestClient.connect(server)) {
        again.send("type", "signup", "user", "ALICE", "password", "another-password");
        assertThat(again.takeError("user_exists").path("message").asString()).contains("'alice' is taken");
        again.send("type", "login", "user", "aLiCe", "password", "secret-alice");
        assertThat(again.take("authenticated").path("user").asString()).isEqualTo("alice");
      }
      try (TestClient bob = TestClient.signedUp(server, "bob")) {
        bob.send("type", "dm", "to", "ALICE", "text", "found you");
        bob.take("dm_sent");
        assertThat(alice.take("dm").path("text").asString()).isEqualTo("found you");
      }
    }
  }
}
