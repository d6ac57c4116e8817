package org.otp4j.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster that a benchmark (the ledger's, the IoT platform's) makes, starts and throws away: the server binaries
 * of Debian's {@code postgresql} package, on loopback, trust authentication, with PostgreSQL's
 * durable defaults ({@code fsync=on}, {@code synchronous_commit=on}): a commit returns once its WAL is
 * flushed. Run as the {@code postgres} user when the benchmark runs as root (initdb refuses root).
 */
final class ThrowawayPostgres implements AutoCloseable {
  private final Path dir;
  private final Path bin;
  private final List<String> asPostgres;
  private final int port;
  private final String version;

  private ThrowawayPostgres(Path dir, Path bin, List<String> asPostgres, int port) {
    this.dir = dir;
    this.bin = bin;
    this.asPostgres = asPostgres;
    this.port = port;
    this.version = bin.getParent().getFileName().toString();
  }

  /**
   * Makes and starts a cluster in a new temporary folder.
   *
   * @throws IllegalStateException if PostgreSQL's server binaries are not installed, or it did not start
   */
  static ThrowawayPostgres start() throws IOException, InterruptedException {
    Path bin = findBin();
    Path dir = Files.createTempDirectory("otp4j-bench-pg");
    List<String> asPostgres = List.of();
    if (System.getProperty("user.name").equals("root")) {
      asPostgres = List.of("/usr/sbin/runuser", "-u", "postgres", "--");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    Path data = dir.resolve("pg");
    run(dir, asPostgres, bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    run(dir, asPostgres, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("pg.log").toString(),
        "-w", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=200", "start");
    return new ThrowawayPostgres(dir, bin, asPostgres, port);
  }

  /** PostgreSQL's major version, as its folder names it. */
  String version() {
    return version;
  }

  /** Creates an empty database and returns its JDBC URL (user postgres). */
  String freshDatabase(String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(url("postgres")); Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name);
      st.execute("CREATE DATABASE " + name);
    }
    return url(name);
  }

  private String url(String db) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + db + "?user=postgres";
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run(dir, asPostgres, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("pg").toString(), "-m", "fast", "-w",
        "stop");
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static Path findBin() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        var found = versions.map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
            .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    throw new IllegalStateException("PostgreSQL's server binaries are not installed under /usr/lib/postgresql "
        + "(apt-get install -y postgresql), or leave PostgreSQL out: --dbs sqlite");
  }

  private static void run(Path dir, List<String> asPostgres, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(asPostgres);
    cmd.addAll(List.of(command));
    Path log = dir.resolve("command.log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(cmd + " failed (exit " + p.exitValue() + "):\n" + Files.readString(log));
    }
  }
}
