package org.otp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away PostgreSQL cluster for one test, made with the server binaries of Debian's
 * {@code postgresql} package (on loopback, trust authentication, user {@code postgres}). Where they
 * are not installed, {@link #start} skips the test.
 */
public final class PostgresCluster implements AutoCloseable {
  private final Path dir;
  private final Path bin;
  private final Path pgData;
  private final List<String> asPostgres;
  private final int port;

  private PostgresCluster(Path dir, Path bin, List<String> asPostgres, int port) {
    this.dir = dir;
    this.bin = bin;
    this.pgData = dir.resolve("pg");
    this.asPostgres = asPostgres;
    this.port = port;
  }

  /** The JDBC URL of its {@code postgres} database (user {@code postgres}, no password). */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /**
   * Makes a cluster in {@code dir} and starts it; skips the calling test (a JUnit assumption) if
   * PostgreSQL's server binaries are not installed, except under CI (the {@code CI} environment
   * variable set), where their absence fails the test.
   */
  public static PostgresCluster start(Path dir) throws Exception {
    Optional<Path> found = findBin();
    if (found.isEmpty() && System.getenv("CI") != null) {
      throw new AssertionError("PostgreSQL's server binaries are missing under CI; .ci/run should have run: "
          + "apt-get install -y postgresql");
    }
    Assumptions.assumeTrue(found.isPresent(),
        "PostgreSQL's server binaries are not installed (apt-get install -y postgresql); skipping");
    List<String> asPostgres = List.of();
    if (System.getProperty("user.name").equals("root")) {
      // initdb and postgres refuse to run as root: run them as the package's postgres user
      Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")), "runuser is needed to run PostgreSQL");
      asPostgres = List.of("/usr/sbin/runuser", "-u", "postgres", "--");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    Path bin = found.get();
    Path pgData = dir.resolve("pg");
    run(dir, asPostgres, bin.resolve("initdb").toString(), "-D", pgData.toString(), "-A", "trust", "-U", "postgres",
        "--no-sync");
    // A port found free may be taken by someone else before PostgreSQL binds it: then try another.
    for (int attempt = 1; ; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path log = dir.resolve("pg-" + attempt + ".log");
      int exit = exitValue(dir, asPostgres, bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-l",
          log.toString(), "-w", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
          "start");
      if (exit == 0) {
        return new PostgresCluster(dir, bin, asPostgres, port);
      }
      String why = Files.exists(log) ? Files.readString(log) : "(no server log)";
      boolean portTaken = why.contains("could not bind") || why.contains("already in use");
      assertThat(portTaken && attempt < 5).as("PostgreSQL did not start on port %d:%n%s%n%s", port, why,
          Files.readString(dir.resolve("command.log"))).isTrue();
      if (Files.exists(pgData.resolve("postmaster.pid"))) {
        run(dir, asPostgres, bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-m", "immediate", "-w", "stop");
      }
    }
  }

  /** Stops the cluster at once. */
  @Override
  public void close() throws Exception {
    if (Files.exists(pgData.resolve("postmaster.pid"))) {
      run(dir, asPostgres, bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-m", "immediate", "-w", "stop");
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

  private static void run(Path dir, List<String> asPostgres, String... command) throws Exception {
    assertThat(exitValue(dir, asPostgres, command)).as("%s failed:%n%s", List.of(command),
        Files.readString(dir.resolve("command.log"))).isZero();
  }

  /** Runs a command (as the postgres user when the test runs as root); its exit value. */
  private static int exitValue(Path dir, List<String> asPostgres, String... command) throws Exception {
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
