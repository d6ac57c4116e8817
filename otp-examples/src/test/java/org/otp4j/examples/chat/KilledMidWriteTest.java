package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.ProcessStatus;
import org.otp4j.core.Proc;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A room killed while it waits for the database: the kill is reported as a kill, and nothing
 * claims the store failed (no "could not be stored" warning, no crash report with the interrupt).
 */
class KilledMidWriteTest {
  @TempDir
  Path dir;

  @Test
  void aRoomKilledDuringAWriteIsReportedAsKilledAndNotAsAStoreFailure() throws Exception {
    Logger roomLog = (Logger) LoggerFactory.getLogger(Room.class);
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    roomLog.addAppender(warnings);
    try (ChatServer server = ChatServer.start(dir);
        CrashReports reports = CrashReports.capture(server);
        TestClient alice = TestClient.signedUp(server, "alice")) {
      alice.send("type", "join", "room", "lobby");
      alice.take("joined");
      HistoryTest.sendNumbered(alice, "lobby", 1, 1);
      Pid room = server.chat().rooms().whereisName("lobby").orElseThrow();

      // another program holds the database's write lock: the room's next write waits for it
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("chat.db"));
          Statement st = other.createStatement()) {
        st.execute("BEGIN EXCLUSIVE");
        alice.send("type", "send", "room", "lobby", "clientId", "alice-2", "text", "during the write");
        await().atMost(TestClient.WAIT).until(() -> Proc.info(room).map(i -> i.status() == ProcessStatus.BLOCKED)
            .orElse(false));
        server.on(() -> {
          Proc.exit(room, ExitReason.KILL);
          return null;
        });
        reports.awaitKilled(server.chat().roomSupervisorName("lobby"), room);
        st.execute("ROLLBACK");
      }
      // the connection sends it again to the restarted room: stored once, acknowledged
      JsonNode ack = alice.take("ack", a -> a.path("clientId").asString().equals("alice-2"));
      assertThat(ack.path("seq").asLong()).isEqualTo(2);
      assertThat(reports.unclaimed()).as("no crash report but the kill's").isEmpty();
      assertThat(warnings.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .as("the room's warnings").isEmpty();
    } finally {
      roomLog.detachAppender(warnings);
    }
  }
}
