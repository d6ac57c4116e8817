package org.otp4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.examples.ledger.LedgerApp;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ledger case study ({@code org.otp4j.examples.ledger}) against the plain way of writing the
 * same service ({@link PlainLedger}: Jetty, HikariCP, one transaction per transfer), on SQLite and on
 * PostgreSQL, driven over HTTP by one load generator: closed-loop clients, each sending a transfer of
 * 1 to 100 between two distinct random accounts and the next one when the answer comes. A transfer
 * counts once it is answered 200, which both services send only after its commit is durable.
 *
 * <p>Every measurement is a fresh JVM (the flags of {@link SideBySide#JVM_FLAGS}) with a fresh
 * database: a new SQLite file, or a new database in a PostgreSQL cluster that this program makes and
 * throws away. Inside, the service starts, its accounts are opened and funded over its own API, the
 * clients run a warm-up and then the measured window, the service stops, and the books are checked:
 * the customers' balances add up to what was deposited, the journal adds up to zero, every balance
 * equals its account's entries, and every transfer a client saw succeed is in the journal. A run
 * that fails the check fails the whole benchmark.
 *
 * <p>Options: {@code --clients N} (32), {@code --accounts N} (10000), {@code --warmup S} (5),
 * {@code --duration S} (12), {@code --dbs sqlite,postgres}, {@code --contenders ledger,plain},
 * {@code --pool N} (the plain service's PostgreSQL pool, 10), {@code --out FILE}
 * (docs/benchmarks-ledger.md), {@code --root DIR}, {@code --smoke} (a tiny run that also proves the
 * books check catches a broken book; writes otp-bench/target/benchmarks-ledger-smoke.md).
 */
public final class LedgerBench {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final long INITIAL = 1_000_000;
  private static final String MARK = "LEDGERBENCH ";
  private static final String VIOLATED = "CONSERVATION VIOLATED";

  private LedgerBench() {}

  /** The settings of a run. */
  private static final class Options {
    int clients = 32;
    int accounts = 10_000;
    int warmup = 5;
    int duration = 12;
    int pool = 10;
    List<String> dbs = List.of("sqlite", "postgres");
    List<String> contenders = List.of("ledger", "plain");
    Path root = Path.of(".");
    Path out;
    boolean smoke;
  }

  /**
   * Runs the benchmark (or, with {@code --one}, one measurement in this JVM).
   *
   * @param args the options of the class comment
   * @throws Exception if a run failed or the books did not balance
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--one")) {
      one(args);
      System.exit(0);
    }
    Options o = new Options();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--clients" -> o.clients = Integer.parseInt(args[++i]);
        case "--accounts" -> o.accounts = Integer.parseInt(args[++i]);
        case "--warmup" -> o.warmup = Integer.parseInt(args[++i]);
        case "--duration" -> o.duration = Integer.parseInt(args[++i]);
        case "--pool" -> o.pool = Integer.parseInt(args[++i]);
        case "--dbs" -> o.dbs = List.of(args[++i].split(","));
        case "--contenders" -> o.contenders = List.of(args[++i].split(","));
        case "--out" -> o.out = Path.of(args[++i]);
        case "--root" -> o.root = Path.of(args[++i]);
        case "--smoke" -> o.smoke = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see LedgerBench's Javadoc: "
            + "--clients, --accounts, --warmup, --duration, --dbs, --contenders, --pool, --out, --root, --smoke)");
      }
    }
    for (String d : o.dbs) {
      if (!d.equals("sqlite") && !d.equals("postgres")) {
        throw new IllegalArgumentException("--dbs takes sqlite and postgres; got " + d);
      }
    }
    for (String c : o.contenders) {
      if (!c.equals("ledger") && !c.equals("plain")) {
        throw new IllegalArgumentException("--contenders takes ledger and plain; got " + c);
      }
    }
    if (o.smoke) {
      o.clients = Math.min(o.clients, 8);
      o.accounts = Math.min(o.accounts, 200);
      o.warmup = 1;
      o.duration = 2;
    }
    if (o.out == null) {
      o.out = o.root.resolve(o.smoke ? "otp-bench/target/benchmarks-ledger-smoke.md" : "docs/benchmarks-ledger.md");
    }
    run(o);
  }

  /** One measured contender on one database. */
  private record Row(String db, String contender, JsonNode result) {}

  private static void run(Options o) throws Exception {
    long started = System.nanoTime();
    String when = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    double loadAtStart = loadAverage();
    Path work = Files.createTempDirectory("otp4j-ledger-bench");
    long[] fsync = fsyncProbe(work);
    System.out.printf(Locale.ROOT, "fsync of a 4 KiB append in %s: p50 %s, p99 %s%n", work, micros(fsync[0]),
        micros(fsync[1]));
    List<Row> rows = new ArrayList<>();
    String pgVersion = null;
    int n = 0;
    for (String db : o.dbs) {
      ThrowawayPostgres pg = db.equals("postgres") ? ThrowawayPostgres.start() : null;
      try {
        if (pg != null) {
          pgVersion = pg.version();
        }
        for (String contender : o.contenders) {
          n++;
          String url = pg != null ? pg.freshDatabase("bench" + n) : "jdbc:sqlite:" + work.resolve("run" + n)
              .resolve("ledger.db").toAbsolutePath();
          Path dir = work.resolve("run" + n);
          Files.createDirectories(dir);
          System.out.printf(Locale.ROOT, "%s on %s: %d clients, %d accounts, %d s warm-up, %d s measured...%n",
              contender, db, o.clients, o.accounts, o.warmup, o.duration);
          JsonNode r = fork(o, contender, db, url, dir, false);
          System.out.printf(Locale.ROOT, "  %,.0f transfers/s, p50 %s, p99 %s, %d errors; books balance%n",
              r.get("tps").asDouble(), micros(r.get("p50us").asLong()), micros(r.get("p99us").asLong()),
              r.get("errors").asLong());
          rows.add(new Row(db, contender, r));
        }
        if (o.smoke) {
          // the check must be able to fail: a book with one balance changed behind the service's back
          n++;
          String url = pg != null ? pg.freshDatabase("bench" + n) : "jdbc:sqlite:" + work.resolve("run" + n)
              .resolve("ledger.db").toAbsolutePath();
          Path dir = work.resolve("run" + n);
          Files.createDirectories(dir);
          try {
            fork(o, o.contenders.getFirst(), db, url, dir, true);
            throw new IllegalStateException("the books check passed a tampered book on " + db);
          } catch (ConservationError expected) {
            System.out.println("  tampered book on " + db + " caught: " + expected.getMessage());
          }
        }
      } finally {
        if (pg != null) {
          pg.close();
        }
      }
    }
    Files.createDirectories(o.out.toAbsolutePath().getParent());
    Files.writeString(o.out, report(o, rows, when, pgVersion, fsync, loadAtStart, Duration.ofNanos(System.nanoTime() - started)));
    System.out.println("wrote " + o.out);
  }

  /** The books did not balance. */
  private static final class ConservationError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConservationError(String message) {
      super(message);
    }
  }

  private static JsonNode fork(Options o, String contender, String db, String url, Path dir, boolean tamper)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(SideBySide.JVM_FLAGS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LedgerBench.class.getName(), "--one", contender,
        url, dir.toString(), Integer.toString(o.clients), Integer.toString(o.accounts), Integer.toString(o.warmup),
        Integer.toString(o.duration), Integer.toString(o.pool), Boolean.toString(tamper)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    JsonNode result = null;
    StringBuilder violation = new StringBuilder();
    Path log = o.root.resolve("otp-bench/target/ledger-bench-forks.log");
    Files.createDirectories(log.getParent());
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND)) {
      w.write("=== " + contender + " on " + db + (tamper ? " (tampered)" : "") + "\n");
      String line;
      while ((line = in.readLine()) != null) {
        w.write(line + "\n");
        if (line.startsWith(MARK)) {
          result = JSON.readTree(line.substring(MARK.length()));
        } else if (line.contains(VIOLATED)) {
          violation.append(line).append('\n');
        }
      }
    }
    int exit = p.waitFor();
    if (!violation.isEmpty()) {
      throw new ConservationError(violation.toString().trim());
    }
    if (exit != 0 || result == null) {
      throw new IllegalStateException(contender + " on " + db + " failed (exit " + exit + "); see " + log);
    }
    return result;
  }

  // =====================================================================================
  // one measurement, in its own JVM

  private static void one(String[] a) throws Exception {
    String contender = a[1];
    String url = a[2];
    Path dir = Path.of(a[3]);
    int clients = Integer.parseInt(a[4]);
    int accounts = Integer.parseInt(a[5]);
    int warmup = Integer.parseInt(a[6]);
    int duration = Integer.parseInt(a[7]);
    int poolSize = Integer.parseInt(a[8]);
    boolean tamper = Boolean.parseBoolean(a[9]);
    boolean sqlite = url.startsWith("jdbc:sqlite:");

    Service service = contender.equals("ledger") ? Service.ledger(url, dir, sqlite) : Service.plain(url, poolSize);
    ObjectNode out = JSON.createObjectNode();
    out.put("config", service.describe());
    try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
      int port = service.port();
      seed(port, clients, accounts);
      Load load = load(port, vts, clients, accounts, warmup, duration);
      out.put("tps", load.ok / (double) duration);
      out.put("measured", load.ok);
      out.put("p50us", load.latency.getValueAtPercentile(50) / 1000);
      out.put("p99us", load.latency.getValueAtPercentile(99) / 1000);
      out.put("p999us", load.latency.getValueAtPercentile(99.9) / 1000);
      out.put("maxus", load.latency.getMaxValue() / 1000);
      out.put("errors", load.errors);
      out.put("firstError", load.firstError);
      out.put("acknowledged", load.totalOk);
      out.put("cpuUsPerTransfer", load.ok == 0 ? 0 : load.cpuNanos / 1000.0 / load.ok);
      out.put("cores", load.cpuNanos / 1e9 / duration);
      service.close();
      if (tamper) {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
          st.executeUpdate("UPDATE accounts SET balance = balance + 1 WHERE id = '" + account(0) + "'");
        }
      }
      out.put("journaled", check(url, accounts, load.totalOk, load.errors));
    }
    System.out.println(MARK + JSON.writeValueAsString(out));
    System.out.flush();
  }

  /**
   * The median and 99th percentile, in microseconds, of an fsync of a 4 KiB append to a file in
   * {@code dir}: the least a durable commit waits on this disk.
   */
  static long[] fsyncProbe(Path dir) throws IOException {
    Path f = Files.createTempFile(dir, "fsync-probe", ".bin");
    Histogram h = new Histogram(Duration.ofSeconds(10).toNanos(), 3);
    try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE,
        java.nio.file.StandardOpenOption.APPEND)) {
      java.nio.ByteBuffer page = java.nio.ByteBuffer.allocate(4096);
      for (int i = 0; i < 300; i++) {
        page.clear();
        ch.write(page);
        long t0 = System.nanoTime();
        ch.force(false);
        h.recordValue(Math.min(System.nanoTime() - t0, h.getHighestTrackableValue()));
      }
    } finally {
      Files.deleteIfExists(f);
    }
    return new long[] {h.getValueAtPercentile(50) / 1000, h.getValueAtPercentile(99) / 1000};
  }

  /** The one-minute load average, or 0 where /proc/loadavg cannot be read. */
  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static String account(int i) {
    return String.format(Locale.ROOT, "acct%05d", i);
  }

  /** Opens and funds the accounts over the service's API (32 requests at a time). */
  private static void seed(int port, int clients, int accounts) throws Exception {
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService seeders = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(seeders.submit(() -> {
          try (Client http = new Client(port)) {
            for (int i = next.getAndIncrement(); i < accounts; i = next.getAndIncrement()) {
              String id = account(i);
              expect(http, http.post("/accounts", null, "{\"id\":\"" + id + "\",\"currency\":\"EUR\"}"), 201,
                  "open " + id);
              expect(http, http.post("/accounts/" + id + "/deposit", "seed-" + id, "{\"amount\":" + INITIAL + "}"),
                  200, "fund " + id);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
  }

  private static void expect(Client http, int status, int expected, String what) {
    if (status != expected) {
      throw new IllegalStateException(what + ": HTTP " + status + " " + http.body());
    }
  }

  /**
   * A minimal HTTP/1.1 client on one keep-alive connection, as load generators such as wrk have:
   * it writes a request and reads the answer's status line, headers and {@code Content-Length}
   * body. Cheap on CPU, which both services share with it.
   */
  static final class Client implements AutoCloseable {
    private final java.net.Socket socket;
    private final java.io.OutputStream out;
    private final java.io.BufferedInputStream in;
    private final String host;
    private byte[] body = new byte[0];

    Client(int port) throws IOException {
      socket = new java.net.Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(60_000);
      out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1024);
      in = new java.io.BufferedInputStream(socket.getInputStream(), 4096);
      host = "127.0.0.1:" + port;
    }

    /** POSTs a JSON body; returns the status (the answer's body is then {@link #body()}). */
    int post(String path, String key, String json) throws IOException {
      byte[] b = json.getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder(160).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
          .append(host).append("\r\nContent-Type: application/json\r\nContent-Length: ").append(b.length);
      if (key != null) {
        head.append("\r\nIdempotency-Key: ").append(key);
      }
      out.write(head.append("\r\n\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
      String status = line();
      if (status == null || !status.startsWith("HTTP/1.1 ")) {
        throw new IOException("no HTTP answer: " + status);
      }
      int length = -1;
      boolean chunked = false;
      for (String h = line(); h != null && !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          length = Integer.parseInt(h.substring(colon + 1).trim());
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          chunked = true;
        }
      }
      if (chunked) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
          all.write(in.readNBytes(n));
          line();
        }
        line();
        body = all.toByteArray();
      } else {
        body = in.readNBytes(Math.max(length, 0));
      }
      return Integer.parseInt(status.substring(9, 12));
    }

    /** The body of the last answer. */
    String body() {
      return new String(body, StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder(64);
      for (int c = in.read(); c != -1; c = in.read()) {
        if (c == '\n') {
          int len = sb.length();
          return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
        }
        sb.append((char) c);
      }
      return sb.isEmpty() ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** What the clients saw. */
  private record Load(long ok, Histogram latency, long errors, String firstError, long totalOk, long cpuNanos) {}

  private static Load load(int port, ExecutorService vts, int clients, int accounts, int warmup, int duration)
      throws Exception {
    long start = System.nanoTime();
    long from = start + Duration.ofSeconds(warmup).toNanos();
    long until = from + Duration.ofSeconds(duration).toNanos();
    AtomicLong errors = new AtomicLong();
    AtomicLong totalOk = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>("");
    // the process's CPU time over the measured window (service and load generator: one JVM)
    long[] cpu = new long[2];
    Thread cpuMeter = Thread.ofPlatform().daemon(true).start(() -> {
      java.util.concurrent.locks.LockSupport.parkNanos(from - System.nanoTime());
      cpu[0] = Stopwatch.processCpuNanos();
      java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
      cpu[1] = Stopwatch.processCpuNanos();
    });
    List<Future<Histogram>> done = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      done.add(vts.submit(() -> {
        Histogram h = new Histogram(Duration.ofSeconds(60).toNanos(), 3);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long seq = 0;
        Client http = new Client(port);
        while (true) {
          long t0 = System.nanoTime();
          if (t0 >= until) {
            http.close();
            return h;
          }
          int x = rnd.nextInt(accounts);
          int y = rnd.nextInt(accounts - 1);
          if (y >= x) {
            y++; // distinct accounts
          }
          String body = "{\"from\":\"" + account(x) + "\",\"to\":\"" + account(y) + "\",\"amount\":"
              + (1 + rnd.nextInt(100)) + "}";
          int status;
          String answer;
          try {
            status = http.post("/transfers", "t" + client + "-" + seq++, body);
            answer = status == 200 ? "" : http.body();
          } catch (IOException e) {
            status = -1;
            answer = e.toString();
            http.close();
            http = new Client(port); // a new connection for the next request
          }
          long t1 = System.nanoTime();
          if (status == 200) {
            totalOk.incrementAndGet();
            if (t0 >= from && t1 <= until) {
              h.recordValue(Math.min(t1 - t0, h.getHighestTrackableValue()));
            }
          } else {
            errors.incrementAndGet();
            firstError.compareAndSet("", "HTTP " + status + " " + answer);
          }
        }
      }));
    }
    Histogram all = new Histogram(Duration.ofSeconds(60).toNanos(), 3);
    for (Future<Histogram> f : done) {
      all.add(f.get());
    }
    cpuMeter.join();
    return new Load(all.getTotalCount(), all, errors.get(), firstError.get(), totalOk.get(), cpu[1] - cpu[0]);
  }

  /**
   * Checks the books once the service has stopped; prints the violation and exits 3 if they do not
   * balance. Returns the number of transfers journaled.
   */
  private static long check(String url, int accounts, long acknowledged, long errors) throws SQLException {
    List<String> violations = new ArrayList<>();
    long journaled;
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      long[] customers = longs(st, "SELECT COUNT(*), COALESCE(SUM(balance), 0) FROM accounts WHERE kind = 'customer'");
      if (customers[0] != accounts || customers[1] != accounts * INITIAL) {
        violations.add(customers[0] + " customer accounts hold " + customers[1] + "; " + accounts + " were funded with "
            + accounts * INITIAL);
      }
      long journal = longs(st, "SELECT COALESCE(SUM(amount), 0) FROM entries")[0];
      if (journal != 0) {
        violations.add("the journal adds up to " + journal + ", not 0");
      }
      long off = longs(st, "SELECT COUNT(*) FROM accounts a WHERE a.balance <> (SELECT COALESCE(SUM(e.amount), 0) "
          + "FROM entries e WHERE e.account_id = a.id)")[0];
      if (off != 0) {
        violations.add(off + " accounts have a balance other than the sum of their entries");
      }
      journaled = longs(st, "SELECT COUNT(*) FROM entries WHERE kind = 'transfer'")[0] / 2;
      if (journaled < acknowledged || (errors == 0 && journaled != acknowledged)) {
        violations.add(journaled + " transfers are journaled; the clients were answered 200 for " + acknowledged
            + " (and saw " + errors + " errors)");
      }
    }
    if (!violations.isEmpty()) {
      for (String v : violations) {
        System.out.println(VIOLATED + ": " + v);
      }
      System.out.flush();
      System.exit(3);
    }
    return journaled;
  }

  private static long[] longs(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      long[] out = new long[rs.getMetaData().getColumnCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = rs.getLong(i + 1);
      }
      return out;
    }
  }

  /** A running service under test. */
  private interface Service extends AutoCloseable {
    int port();

    String describe();

    @Override
    void close() throws Exception;

    static Service plain(String url, int poolSize) throws Exception {
      PlainLedger p = new PlainLedger(url, poolSize);
      return new Service() {
        @Override
        public int port() {
          return p.port();
        }

        @Override
        public String describe() {
          return "Jetty 12 (64 threads) + JDBC: " + p.describe();
        }

        @Override
        public void close() throws Exception {
          p.close();
        }
      };
    }

    static Service ledger(String url, Path dir, boolean sqlite) {
      System.setProperty("otp.ledger.host", "127.0.0.1");
      System.setProperty("otp.ledger.port", "0");
      System.setProperty("otp.ledger.dataDir", dir.toString());
      System.setProperty("otp.ledger.jdbcUrl", sqlite ? "" : url);
      Node node = Node.start(NodeConfig.defaults().withName("ledger-bench"));
      AtomicInteger port = new AtomicInteger();
      AtomicReference<String> env = new AtomicReference<>();
      node.run(() -> {
        Application.load(LedgerApp.descriptor());
        Application.ensureAllStarted(LedgerApp.NAME, Application.Type.PERMANENT);
        port.set(LedgerApp.port());
        Map<String, Object> e = new LinkedHashMap<>(Application.getAllEnv(LedgerApp.NAME));
        e.keySet().retainAll(List.of("synchronous", "readThreads", "batchWindow", "batchSize", "auditInterval"));
        env.set(e.toString());
      });
      return new Service() {
        @Override
        public int port() {
          return port.get();
        }

        @Override
        public String describe() {
          return "the ledger application, default settings " + env.get() + (sqlite ? ": SQLite WAL" : "")
              + "; its Jetty endpoint (64 threads)";
        }

        @Override
        public void close() {
          node.stop();
          node.awaitTermination(Duration.ofSeconds(30));
        }
      };
    }
  }

  // =====================================================================================
  // the report

  private static String micros(long us) {
    return us >= 10_000 ? String.format(Locale.ROOT, "%.0f ms", us / 1000.0)
        : us >= 1000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000.0) : us + " µs";
  }

  private static String report(Options o, List<Row> rows, String when, String pgVersion, long[] fsync,
      double loadAtStart, Duration took) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark: the ledger case study against a plain JDBC service\n\n");
    md.append("<!-- Generated by org.otp4j.bench.LedgerBench; do not edit by hand: run `bash otp-bench/ledger-bench.sh` "
        + "again. -->\n\n");
    md.append(String.format(Locale.ROOT, "Measured by `bash otp-bench/ledger-bench.sh%s` on %s, in %d min %d s, at "
        + "commit %s, on %s, %d cores, %s RAM, %s; %s.%s%n%n", o.smoke ? " --smoke" : "", when, took.toMinutes(),
        took.toSecondsPart(), Machine.commit(o.root), Machine.cpu(), Machine.cores(), Machine.memory(), Machine.os(),
        Machine.jvm(), pgVersion == null ? "" : " PostgreSQL " + pgVersion + "."));
    if (o.smoke) {
      md.append("**A smoke run at a tiny size: not a measurement; do not quote.**\n\n");
    }
    if (loadAtStart > Machine.cores()) {
      md.append(String.format(Locale.ROOT, "**The machine was shared**: its load average was %.1f on %d cores when the "
          + "run started. Other programs took CPU from both services alike, but a service that hands each request "
          + "through more threads waits longer for them: read these figures for their order, not as final.%n%n",
          loadAtStart, Machine.cores()));
    }
    md.append(String.format(Locale.ROOT, "Durable transfers per second and their latency, %d closed-loop clients, "
        + "%,d accounts, transfers of 1 to 100 between two distinct random accounts, %d s warm-up then %d s measured. "
        + "Latency is a client's, from sending the request to reading the answer, over HTTP/1.1 keep-alive "
        + "connections on loopback.%n%n", o.clients, o.accounts, o.warmup, o.duration));
    md.append("| Database | Service | transfers/s | p50 | p99 | p99.9 | CPU per transfer | cores busy | errors | books |\n"
        + "|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Row r : rows) {
      JsonNode j = r.result();
      md.append(String.format(Locale.ROOT, "| %s | %s | **%,.0f** | %s | %s | %s | %s | %.2f | %d | balance "
          + "(%,d transfers journaled) |%n", r.db().equals("sqlite") ? "SQLite" : "PostgreSQL",
          r.contender().equals("ledger") ? "otp4j ledger" : "plain JDBC", j.get("tps").asDouble(),
          micros(j.get("p50us").asLong()), micros(j.get("p99us").asLong()), micros(j.get("p999us").asLong()),
          micros(Math.round(j.get("cpuUsPerTransfer").asDouble())), j.get("cores").asDouble(), j.get("errors").asLong(),
          j.get("journaled").asLong()));
    }
    md.append(String.format(Locale.ROOT, "%nCPU per transfer is the measuring JVM's CPU time over the measured window "
        + "(all its threads: the service, the load generator, garbage collection, the compiler) divided by the "
        + "transfers; cores busy is that CPU time over the window. The disk: an fsync of a 4 KiB append to a file in "
        + "the benchmark's folder takes %s (median), %s (p99), measured by the harness before the runs.%n",
        micros(fsync[0]), micros(fsync[1])));
    md.append("\n## Targets\n\n");
    double bound = o.clients / (fsync[0] / 1e6);
    md.append(String.format(Locale.ROOT, "A bound first (Little's law): %d closed-loop clients that each wait for a "
        + "durable commit cannot complete more than %d transfers per commit time, whatever the service: with one "
        + "fsync of %s per commit, at most %,.0f transfers/s even if every transfer needed a single commit and every "
        + "commit carried all %d. 30,000/s at %d clients asks for a mean latency of %s.%n%n", o.clients, o.clients,
        micros(fsync[0]), bound, o.clients, o.clients, micros(Math.round(o.clients * 1e6 / 30_000))));
    JsonNode sl = find(rows, "sqlite", "ledger");
    if (sl != null) {
      boolean met = sl.get("tps").asDouble() >= 30_000 && sl.get("p99us").asLong() <= 10_000;
      md.append(String.format(Locale.ROOT, "- SQLite, the ledger: at least 30,000 transfers/s with p99 at most 10 ms "
          + "at %d clients: **%s** (%,.0f/s, p99 %s).%n", o.clients, met ? "met" : "not met", sl.get("tps").asDouble(),
          micros(sl.get("p99us").asLong())));
    }
    JsonNode pl = find(rows, "postgres", "ledger");
    JsonNode pp = find(rows, "postgres", "plain");
    if (pl != null && pp != null) {
      double ratio = pl.get("tps").asDouble() / pp.get("tps").asDouble();
      md.append(String.format(Locale.ROOT, "- PostgreSQL, the ledger at least 3× the plain JDBC service: **%s** "
          + "(%.2f×).%n", ratio >= 3 ? "met" : "not met", ratio));
    }
    md.append("\n## The contenders\n\n");
    for (Row r : rows) {
      md.append("- ").append(r.db().equals("sqlite") ? "SQLite" : "PostgreSQL").append(", ")
          .append(r.contender().equals("ledger") ? "otp4j ledger" : "plain JDBC").append(": ")
          .append(r.result().get("config").asString()).append(".\n");
    }
    md.append("""

        Both services answer the same requests (`POST /accounts`, `POST /accounts/ID/deposit`, `POST /transfers` \
        with an `Idempotency-Key` header) over Jetty, and answer a transfer 200 only once it is durable: \
        committed with SQLite's `synchronous=FULL` in WAL mode (a fresh file per run), or by PostgreSQL with \
        `fsync=on` and `synchronous_commit=on` (a fresh database per run, in a cluster the benchmark makes with \
        `initdb` and `pg_ctl` and removes afterwards).

        - **otp4j ledger**: `org.otp4j.examples.ledger`, its real application and HTTP endpoint with its default \
        settings. A transfer the source can fund takes one durable commit: it is one request to the one \
        writer process, which checks it against what it knows of both accounts (it is their only writer) and \
        journals and applies its whole workflow in the batch's transaction: the transfer with its idempotency \
        key, its steps (validate, reserve, post, complete), its hold (consumed), two journal entries and both \
        balances. A transfer the source cannot fund at once goes on through its own workflow process (reserve, \
        then compensate or post), a commit each. The writer keeps one transaction in flight on one connection \
        and collects the next batch meanwhile (group commit); a batch's rows go in one batched statement per \
        table and one batched balance update, each account once. Its auditor checks the whole books every \
        second while the load runs.
        - **plain JDBC**: `org.otp4j.bench.PlainLedger`, what a Java team would write: a Jetty handler and a \
        HikariCP pool, one transaction per transfer: the transfer row with its idempotency key (unique), both \
        account rows locked in id order (`SELECT ... FOR UPDATE` on PostgreSQL at READ COMMITTED, so no \
        deadlock), the funds checked, both balances and the two journal entries written, commit. On SQLite the \
        pool has the one connection its single writer allows and each transaction is `BEGIN IMMEDIATE`. On \
        PostgreSQL the pool size is set by `--pool` (default 10: HikariCP's rule of thumb, cores × 2 + 1, is 5 \
        for 2 cores, but each transaction spends most of its time waiting for the WAL flush rather than \
        on a core, and more concurrent commits share one flush).

        The load generator runs in the service's JVM (the same for both: a fresh JVM per measurement with the \
        flags of the side-by-side harness), on virtual threads, each client with a minimal HTTP/1.1 client on \
        one keep-alive connection (as wrk has: it costs little CPU); its CPU is part \
        of what both services share on this machine. After each run the service stops and the books are \
        checked in the database: the customers' balances add up to what was deposited, the journal adds up \
        to zero, each balance equals the sum of its account's entries, and every transfer a client saw \
        answered 200 is journaled. A run that fails the check fails the benchmark; `--smoke` also checks a \
        book changed behind the service's back and requires the check to catch it.

        ## Reproduce

        ```
        bash otp-bench/ledger-bench.sh            # this report: docs/benchmarks-ledger.md
        bash otp-bench/ledger-bench.sh --smoke    # about a minute: otp-bench/target/benchmarks-ledger-smoke.md
        ```
        """);
    return md.toString();
  }

  private static JsonNode find(List<Row> rows, String db, String contender) {
    for (Row r : rows) {
      if (r.db().equals(db) && r.contender().equals(contender)) {
        return r.result();
      }
    }
    return null;
  }
}
