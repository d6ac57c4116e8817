package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.PostgresCluster;
import tools.jackson.databind.JsonNode;

/**
 * The same chat, with its history in PostgreSQL instead of SQLite: only the JDBC URL changes. The
 * test makes a throw-away cluster ({@link PostgresCluster}) and is skipped where PostgreSQL's server
 * binaries are not installed.
 */
class PostgresStoreTest {
  @TempDir
  Path dir;
  PostgresCluster postgres;

  @BeforeEach
  void startPostgres() throws Exception {
    postgres = PostgresCluster.start(dir);
  }

  @AfterEach
  void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void historySurvivesARoomKillAndAnApplicationRestart() {
    Map<String, Object> env = Map.of("jdbcUrl", postgres.jdbcUrl(),
        "jdbcUser", "postgres", "admins", "alice");
    try (ChatServer server = ChatServer.start(dir.resolve("unused"), env);
        CrashReports reports = CrashReports.capture(server);
        TestClient alice = TestClient.signedUp(server, "alice")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      HistoryTest.sendNumbered(alice, "lobby", 1, 3);
      alice.send("type", "kill_room", "room", "lobby");
      reports.awaitKilled(server.chat().roomSupervisorName("lobby"), alice.take("room_killed").path("pid").asString());
      alice.take("room_state", s -> s.path("lastSeq").asLong() == 3);
      HistoryTest.sendNumbered(alice, "lobby", 4, 5);
    }
    assertThat(dir.resolve("unused")).doesNotExist(); // no SQLite file was made
    try (ChatServer again = ChatServer.start(dir.resolve("unused"), env);
        TestClient alice = TestClient.loggedIn(again, "alice")) {
      alice.send("type", "join", "room", "lobby", "since", 0);
      JsonNode joined = alice.take("joined");
      assertThat(HistoryTest.seqs(joined)).containsExactly(1L, 2L, 3L, 4L, 5L);
      alice.send("type", "send", "room", "lobby", "clientId", "alice-4", "text", "message 4");
      JsonNode ack = alice.take("ack");
      assertThat(ack.path("seq").asLong()).isEqualTo(4);
      assertThat(ack.path("duplicate").asBoolean()).isTrue();
    }
  }
}
