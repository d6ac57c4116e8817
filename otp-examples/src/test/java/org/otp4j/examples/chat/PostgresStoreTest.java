package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The same chat, with its history in PostgreSQL instead of SQLite: only the JDBC URL changes. The
 * test makes a throw-away cluster with the server binaries of Debian's {@code postgresql} package
 * (on loopback, trust authentication) and is skipped where they are not installed.
 */
class PostgresStoreTest {
  @TempDir
  Path dir;
  Path pgData;
  int port;
  List<String> asPostgres = List.of();
  Path bin;

  @BeforeEach
  void startPostgres() throws Exception {
    Optional<Path> found = findBin();
    Assumptions.assumeTrue(found.isPresent(),
        "PostgreSQL's server binaries are not installed (apt-get install -y postgresql); skipping");
    bin = found.get();
    if (System.getProperty("user.name").equals("root")) {
      // initdb and postgres refuse to run as root: run them as the package's postgres user
      Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")), "runuser is needed to run PostgreSQL");
      asPostgres = List.of("/usr/sbin/runuser", "-u", "postgres", "--");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    pgData = dir.resolve("pg");
    run(bin.resolve("initdb").toString(), "-D", pgData.toString(), "-A", "trust", "-U", "postgres", "--no-sync");
    // A port found free may be taken by someone else before PostgreSQL binds it: then try another.
    for (int attempt = 1; ; attempt++) {
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path log = dir.resolve("pg-" + attempt + ".log");
      int exit = exitValue(bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-l", log.toString(), "-w",
          "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
      if (exit == 0) {
        return;
      }
      String why = Files.exists(log) ? Files.readString(log) : "(no server log)";
      boolean portTaken = why.contains("could not bind") || why.contains("already in use");
      assertThat(portTaken && attempt < 5).as("PostgreSQL did not start on port %d:%n%s%n%s", port, why,
          Files.readString(dir.resolve("command.log"))).isTrue();
      if (Files.exists(pgData.resolve("postmaster.pid"))) {
        run(bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-m", "immediate", "-w", "stop");
      }
    }
  }

  @AfterEach
  void stopPostgres() throws Exception {
    if (pgData != null && Files.exists(pgData.resolve("postmaster.pid"))) {
      run(bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-m", "immediate", "-w", "stop");
    }
  }

  @Test
  void historySurvivesARoomKillAndAnApplicationRestart() {
    Map<String, Object> env = Map.of("jdbcUrl", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
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

  private static Optional<Path> findBin() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
    }
  }

  private void run(String... command) throws Exception {
    assertThat(exitValue(command)).as("%s failed:%n%s", List.of(command), Files.readString(dir.resolve("command.log")))
        .isZero();
  }

  /** Runs a command (as the postgres user when the test runs as root); its exit value. */
  private int exitValue(String... command) throws Exception {
    List<String> cmd = new ArrayList<>(asPostgres);
    cmd.addAll(List.of(command));
    Path log = dir.resolve("command.log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) { // pg_ctl -w gives up after 60 s itself
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return p.exitValue();
  }
}
