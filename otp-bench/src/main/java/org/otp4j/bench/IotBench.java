package org.otp4j.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.otp4j.examples.iot.IotCluster;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;
import org.otp4j.examples.iot.sim.SimulatorStats;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The IoT case study ({@code org.otp4j.examples.iot}) on three platform nodes, each a JVM of its own,
 * beside the ceiling the same broker and simulator set without it: one MQTT client that only counts
 * what a shared subscription gives it. One run, one machine:
 * <ol>
 *   <li><b>The ceiling</b>, QoS 0 then QoS 1: the simulator ({@link Simulator}, in this JVM) publishes
 *       telemetry as fast as {@code --ceiling-devices} devices at {@code --interval-ms} make it, and a
 *       plain client subscribed to {@code $share/bench/devices/+/telemetry} counts what arrives,
 *       each on a fresh broker.
 *   <li><b>The platform</b>, on a fresh broker: three node JVMs ({@code org.otp4j.examples.Main
 *       iot-node}) sharing one SQLite file. At QoS 1 the simulator offers 0.8 times the QoS 1
 *       ceiling and at QoS 0 0.5 times the QoS 0 ceiling (the targets' rates: enough devices at the
 *       same interval); processed is the readings stored per second in the measured window. At QoS
 *       1 the readings stored are then counted against the publishes the broker acknowledged. The
 *       alerts of every node's dashboard stream ({@code /api/alerts/stream}) are timed from the
 *       reading's own time (set by the device as it publishes) to their arrival here.
 *   <li><b>Device processes held</b>: {@code --hold} devices more, carried by gateways of 4,000
 *       devices each over a few connections; each says online on connect, which starts its
 *       process on its owner node. The processes of each node and its resident memory are read.
 *   <li><b>Failover</b>: under that and a QoS 1 load, the node that owns the most of the load's
 *       devices is killed with {@code SIGKILL}; the time until each of its devices has a reading
 *       newer than the kill, read through a survivor's API, and then every acknowledged reading
 *       counted in the store.
 * </ol>
 *
 * <p>Options: {@code --ceiling-devices N} (4000), {@code --interval-ms MS} (100),
 * {@code --per-connection K} (100: devices per simulated gateway connection in the load phases),
 * {@code --warmup S} (5), {@code --duration S} (10), {@code --hold N} (100000),
 * {@code --hold-timeout S} (360), {@code --drain-timeout S} (120), {@code --out FILE}
 * (docs/benchmarks-iot.md), {@code --root DIR}, {@code --smoke} (a small run, written to
 * otp-bench/target/benchmarks-iot-smoke.md).
 */
public final class IotBench {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .version(HttpClient.Version.HTTP_1_1).build();
  static final Pattern DASHBOARD = Pattern.compile("dashboard: http://[^:]+:(\\d+)/");
  static final Pattern METRICS = Pattern.compile("metrics \\(Prometheus\\): (http://\\S+/metrics)");
  static final Pattern PROCESSES = Pattern.compile("(?m)^otp_processes\\{[^}]*\\} (\\d+)$");

  /**
   * mosquitto's queue per client for QoS 1 messages in the ceiling's runs. Its subscriber
   * acknowledges each message as it arrives, so a packet identifier the broker reuses (beyond 65,535
   * messages queued) is never one still unacknowledged, and it needs no bound of the platform's; at
   * the platform's own bound (60,000) the broker dropped most of that subscriber's messages.
   */
  static final int CEILING_MAX_QUEUED = 2_000_000;

  // device id ranges, one per phase, so that each phase's readings and alerts are its own
  static final int QOS1_FIRST = 1;
  static final int QOS0_FIRST = 100_001;
  static final int FAILOVER_FIRST = 200_001;
  static final int FAILOVER_DEVICES = 300;
  static final int HOLD_FIRST = 300_001;
  static final int WARMUP_FIRST = 800_001;

  private IotBench() {}

  /** The settings of a run. */
  static final class Options {
    int ceilingDevices = 4000;
    int intervalMs = 100;
    int perConnection = 100;
    int warmup = 3;
    int duration = 8;
    int platformWarmup = 20;
    int hold = 100_000;
    int holdTimeout = 360;
    int drainTimeout = 60;
    Path root = Path.of(".");
    Path out;
    boolean smoke;
    /** Where the three nodes store: one SQLite file they share (the platform's default), or PostgreSQL. */
    String database = "sqlite";
    /**
     * The nodes' {@code iot.sessions}: several, so that an overload's backlog at the broker is split
     * (see {@code MqttSessions}); across three nodes a device's messages arrive out of order anyway.
     */
    int sessions = 4;
    /** The nodes' {@code iot.inFlight}, or 0 for the platform's default. */
    int inFlight;
    String commandLine = "bash otp-bench/iot-bench.sh";
  }

  /**
   * Runs the benchmark.
   *
   * @param args the options of the class comment
   * @throws Exception if a phase could not run
   */
  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    Results r = run(o);
    Files.createDirectories(o.out.toAbsolutePath().getParent());
    Files.writeString(o.out, IotReport.markdown(o, r));
    System.out.println("wrote " + o.out);
    System.exit(0);
  }

  static Options parse(String... args) {
    Options o = new Options();
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.equals("--root")) {
        shown.add(a);
      }
      switch (a) {
        case "--smoke" -> {
          o.smoke = true;
          continue;
        }
        case "--ceiling-devices", "--interval-ms", "--per-connection", "--warmup", "--duration", "--platform-warmup",
            "--hold",
            "--hold-timeout", "--drain-timeout", "--out", "--root", "--database", "--in-flight" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("option " + a + " needs a value");
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + a + " (see IotBench's Javadoc: "
            + "--ceiling-devices, --interval-ms, --per-connection, --warmup, --duration, --platform-warmup, --hold, "
            + "--hold-timeout, "
            + "--drain-timeout, --database, --in-flight, --out, --root, --smoke)");
      }
      String v = args[++i];
      if (!a.equals("--root")) {
        shown.add(v);
      }
      switch (a) {
        case "--ceiling-devices" -> o.ceilingDevices = positive(a, v);
        case "--interval-ms" -> o.intervalMs = positive(a, v);
        case "--per-connection" -> o.perConnection = positive(a, v);
        case "--warmup" -> o.warmup = positive(a, v);
        case "--duration" -> o.duration = positive(a, v);
        case "--platform-warmup" -> o.platformWarmup = positive(a, v);
        case "--hold" -> o.hold = positive(a, v);
        case "--hold-timeout" -> o.holdTimeout = positive(a, v);
        case "--drain-timeout" -> o.drainTimeout = positive(a, v);
        case "--out" -> o.out = Path.of(v);
        case "--root" -> o.root = Path.of(v);
        case "--in-flight" -> o.inFlight = positive(a, v);
        case "--sessions" -> o.sessions = positive(a, v);
        case "--database" -> {
          if (!v.equals("sqlite") && !v.equals("postgres")) {
            throw new IllegalArgumentException("--database must be sqlite or postgres; got " + v);
          }
          o.database = v;
        }
        default -> throw new IllegalStateException(a);
      }
    }
    if (o.intervalMs < 60) {
      // the platform refuses more than 20 readings a second from one device (ratePerSecond)
      throw new IllegalArgumentException("--interval-ms must be at least 60 (the platform's limit is 20 readings/s "
          + "per device); got " + o.intervalMs);
    }
    if (o.perConnection > SimulatorConfig.MAX_DEVICES_PER_CONNECTION) {
      throw new IllegalArgumentException("--per-connection must be at most " + SimulatorConfig.MAX_DEVICES_PER_CONNECTION
          + "; got " + o.perConnection);
    }
    if (o.hold > 500_000) {
      throw new IllegalArgumentException("--hold must be at most 500000 (the simulator's ids end at d-899999); got "
          + o.hold);
    }
    if (o.smoke) {
      o.ceilingDevices = Math.min(o.ceilingDevices, 1000);
      o.warmup = Math.min(o.warmup, 3);
      o.duration = Math.min(o.duration, 4);
      o.platformWarmup = Math.min(o.platformWarmup, 5);
      o.hold = Math.min(o.hold, 5000);
    }
    if (o.out == null) {
      o.out = o.root.resolve(o.smoke ? "otp-bench/target/benchmarks-iot-smoke.md" : "docs/benchmarks-iot.md");
    }
    o.commandLine = String.join(" ", List.of("bash otp-bench/iot-bench.sh", String.join(" ", shown))).trim();
    return o;
  }

  private static int positive(String option, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n < 1) {
        throw new IllegalArgumentException("option " + option + " expects a positive integer; got " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + option + " expects a positive integer; got " + value, e);
    }
  }

  // =====================================================================================
  // the results

  /** The ceiling at one QoS: what the counting subscriber received, and what the simulator offered. */
  record Ceiling(int qos, double received, double offered, long lost) {}

  /** A platform run at one QoS. */
  record Load(int qos, int devices, double offered, double processed, long confirmed, long stored, boolean drained,
      double drainSeconds, Latency alerts) {}

  /** The alerts' latencies of one phase, in milliseconds. */
  record Latency(long count, long p50, long p99, long max) {}

  /** The device processes held. */
  record Held(int simulated, int connections, long before, long total, Map<String, Long> perNode, Map<String, Long> rssBefore,
      Map<String, Long> rssAfter, double seconds, boolean complete, Map<String, Long> dashboard,
      double dashboardSeconds) {}

  /** The failover. */
  record Failover(String victim, int moved, long millis, boolean served, long confirmed, long stored, boolean drained) {}

  /** Everything one run measured. */
  record Results(String when, String loadBefore, String loadAfter, Duration took, String mosquitto, String database,
      List<Ceiling> ceilings, List<Load> loads, Load warmup, Held held, Failover failover, double tempRate) {}

  // =====================================================================================
  // the run

  static Results run(Options o) throws Exception {
    long started = System.nanoTime();
    String when = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    Path work = Files.createTempDirectory("otp4j-iot-bench");
    Path logs = o.root.resolve("otp-bench/target/iot-bench");
    Files.createDirectories(logs);
    System.out.println("IoT benchmark: files in " + work + ", logs in " + logs);

    // 1. the ceiling, each QoS on a fresh broker
    List<Ceiling> ceilings = new ArrayList<>();
    for (int qos : List.of(0, 1)) {
      try (BenchBroker broker = BenchBroker.start(work.resolve("ceiling" + qos), CEILING_MAX_QUEUED)) {
        ceilings.add(ceiling(o, broker, qos));
      }
    }
    String mosquitto = BenchBroker.version();

    // 2. the platform
    double tempRate = 10.0 * 1000 / o.intervalMs;
    List<Load> loads = new ArrayList<>();
    Load warm;
    Held held;
    Failover failover;
    List<String> names = List.of("a@127.0.0.1", "b@127.0.0.1", "c@127.0.0.1");
    Path data = work.resolve("data");
    ThrowawayPostgres pg = o.database.equals("postgres") ? ThrowawayPostgres.start() : null;
    String url = pg != null ? pg.freshDatabase("iot") : "jdbc:sqlite:" + data.resolve("iot.db").toAbsolutePath();
    String database = pg != null ? "PostgreSQL " + pg.version() + " (a throw-away cluster on loopback, durable "
        + "defaults), shared by the three nodes" : "SQLite (one file in WAL mode, shared by the three nodes)";
    try (pg; BenchBroker broker = BenchBroker.start(work.resolve("platform"),
        org.otp4j.examples.iot.Broker.MAX_QUEUED);
        Cluster cluster = Cluster.start(names, broker, data, pg != null ? url : null, o.inFlight, o.sessions, logs,
            tempRate)) {
      warm = warmUp(o, cluster, broker, url);
      Ceiling c1 = ceilings.get(1);
      Ceiling c0 = ceilings.get(0);
      loads.add(load(o, cluster, broker, url, 1, QOS1_FIRST, devicesFor(0.8 * c1.received(), o.intervalMs)));
      loads.add(load(o, cluster, broker, url, 0, QOS0_FIRST, devicesFor(0.5 * c0.received(), o.intervalMs)));
      Simulator[] holding = new Simulator[1];
      try {
        held = hold(o, cluster, broker, holding);
        failover = failover(o, cluster, broker, url);
      } finally {
        cluster.close(); // the nodes first: the devices' offline statuses then stay in the broker
        if (holding[0] != null) {
          holding[0].stop();
        }
      }
    }
    String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
    return new Results(when, loadBefore, loadAfter, Duration.ofNanos(System.nanoTime() - started), mosquitto, database,
        ceilings,
        loads, warm, held, failover, tempRate);
  }

  /** How many devices publishing every {@code intervalMs} offer {@code rate} messages a second. */
  static int devicesFor(double rate, int intervalMs) {
    return Math.max(1, (int) Math.round(rate * intervalMs / 1000.0));
  }

  private static SimulatorConfig simConfig(BenchBroker broker, int devices, int first, int intervalMs, int qos,
      int perConnection) {
    return SimulatorConfig.parse("--broker", broker.host() + ":" + broker.port(), "--devices", Integer.toString(devices),
        "--first-device", Integer.toString(first), "--interval-ms", Integer.toString(intervalMs), "--qos",
        Integer.toString(qos), "--devices-per-connection", Integer.toString(Math.min(perConnection, devices)),
        "--summary-seconds", "0", "--fault-rate", "0.001");
  }

  private static Ceiling ceiling(Options o, BenchBroker broker, int qos) throws Exception {
    System.out.printf(Locale.ROOT, "ceiling, QoS %d: %d devices every %d ms, one counting subscriber...%n", qos,
        o.ceilingDevices, o.intervalMs);
    LongAdder received = new LongAdder();
    Mqtt5AsyncClient sub = Mqtt5Client.builder().identifier("bench-counter").serverHost(broker.host())
        .serverPort(broker.port()).buildAsync();
    sub.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
    sub.subscribeWith().topicFilter("$share/bench/devices/+/telemetry").qos(MqttQos.AT_LEAST_ONCE)
        .callback(p -> received.increment()).send().get(30, TimeUnit.SECONDS);
    Simulator sim = Simulator.start(simConfig(broker, o.ceilingDevices, QOS1_FIRST, o.intervalMs, qos, o.perConnection));
    try {
      waitUntil(Duration.ofSeconds(60), () -> sim.stats().connectedDevices() == o.ceilingDevices, "the simulator's "
          + o.ceilingDevices + " devices connected");
      Thread.sleep(o.warmup * 1000L);
      long r0 = received.sum();
      long p0 = sim.stats().published();
      long t0 = System.nanoTime();
      Thread.sleep(o.duration * 1000L);
      long r1 = received.sum();
      long p1 = sim.stats().published();
      double s = (System.nanoTime() - t0) / 1e9;
      SimulatorStats last = sim.stop();
      // what the subscriber has not received once everything confirmed has had the time to arrive
      long before = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.sum() != before && received.sum() < last.confirmed() && System.nanoTime() < deadline) {
        before = received.sum();
        Thread.sleep(1000);
      }
      Ceiling c = new Ceiling(qos, (r1 - r0) / s, (p1 - p0) / s, last.confirmed() - received.sum());
      System.out.printf(Locale.ROOT, "  received %,.0f/s (offered %,.0f/s); %,d confirmed, %,d not received%n",
          c.received(), c.offered(), last.confirmed(), c.lost());
      return c;
    } finally {
      sim.stop();
      sub.disconnect().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A modest load (1,000 readings/s, QoS 1) on the fresh nodes, so that what is measured runs
   * compiled; its second half is measured as the other loads are, a load below the targets'.
   */
  private static Load warmUp(Options o, Cluster cluster, BenchBroker broker, String url) throws Exception {
    int devices = devicesFor(1000, o.intervalMs);
    System.out.printf(Locale.ROOT, "platform warm-up: %d s of %d devices every %d ms...%n", o.platformWarmup, devices,
        o.intervalMs);
    String from = id(WARMUP_FIRST);
    String to = id(WARMUP_FIRST + devices - 1);
    cluster.alerts.open(WARMUP_FIRST, WARMUP_FIRST + devices - 1);
    Simulator sim = Simulator.start(simConfig(broker, devices, WARMUP_FIRST, o.intervalMs, 1, o.perConnection));
    try {
      Thread.sleep(o.platformWarmup * 500L);
      Window w = measure(url, from, to, o.platformWarmup * 500L);
      SimulatorStats last = sim.stop();
      long stopped = System.nanoTime();
      long deadline = stopped + TimeUnit.SECONDS.toNanos(o.drainTimeout);
      long stored = count(url, from, to);
      while (stored < last.confirmed() && System.nanoTime() < deadline) {
        Thread.sleep(250);
        stored = count(url, from, to);
      }
      Latency lat = cluster.alerts.close(w.fromMillis(), w.toMillis());
      Load l = new Load(1, devices, devices * 1000.0 / o.intervalMs, w.rate(), last.confirmed(), stored,
          stored == last.confirmed(), (System.nanoTime() - stopped) / 1e9, lat);
      System.out.printf(Locale.ROOT, "  processed %,.0f/s; alerts %d, p50 %d ms, p99 %d ms%n", l.processed(),
          lat.count(), lat.p50(), lat.p99());
      return l;
    } finally {
      sim.stop();
    }
  }

  /** A measured window: readings stored per second over it, and when it began and ended (epoch ms). */
  record Window(double rate, long fromMillis, long toMillis) {}

  /** Counts the readings of devices {@code from} to {@code to} stored over the next {@code millis}. */
  private static Window measure(String url, String from, String to, long millis) throws Exception {
    long s0 = count(url, from, to);
    long w0 = System.currentTimeMillis();
    long t0 = System.nanoTime();
    Thread.sleep(millis);
    long s1 = count(url, from, to);
    double s = (System.nanoTime() - t0) / 1e9;
    return new Window((s1 - s0) / s, w0, System.currentTimeMillis());
  }

  private static Load load(Options o, Cluster cluster, BenchBroker broker, String url, int qos, int first, int devices)
      throws Exception {
    double offered = devices * 1000.0 / o.intervalMs;
    System.out.printf(Locale.ROOT, "platform, QoS %d: %d devices every %d ms (%,.0f/s offered)...%n", qos, devices,
        o.intervalMs, offered);
    String from = id(first);
    String to = id(first + devices - 1);
    cluster.alerts.open(first, first + devices - 1);
    Simulator sim = Simulator.start(simConfig(broker, devices, first, o.intervalMs, qos, o.perConnection));
    try {
      waitUntil(Duration.ofSeconds(60), () -> sim.stats().connectedDevices() == devices,
          "the simulator's " + devices + " devices connected");
      Thread.sleep(o.warmup * 1000L);
      Window w = measure(url, from, to, o.duration * 1000L);
      SimulatorStats last = sim.stop();
      // drain: at QoS 1 until every acknowledged reading is stored; at QoS 0 until no more arrive
      long stopped = System.nanoTime();
      long deadline = stopped + TimeUnit.SECONDS.toNanos(o.drainTimeout);
      long stored = count(url, from, to);
      long seen = -1;
      long lastRise = stopped;
      while (System.nanoTime() < deadline) {
        if (qos == 1 && stored >= last.confirmed()) {
          break;
        }
        if (stored != seen) {
          seen = stored;
          lastRise = System.nanoTime();
        } else if (System.nanoTime() - lastRise > TimeUnit.SECONDS.toNanos(qos == 1 ? 20 : 3)) {
          break;
        }
        Thread.sleep(250);
        stored = count(url, from, to);
      }
      double drainSeconds = (lastRise - stopped) / 1e9;
      boolean drained = qos == 0 || stored == last.confirmed();
      // the alerts of the readings published in the measured window, however late they came
      Latency lat = cluster.alerts.close(w.fromMillis(), w.toMillis());
      Load l = new Load(qos, devices, offered, w.rate(), last.confirmed(), stored, drained, drainSeconds, lat);
      System.out.printf(Locale.ROOT, "  processed %,.0f/s; %,d published and acknowledged, %,d stored (the last %.0f s "
          + "after the load stopped); alerts %d, p50 %d ms, p99 %d ms%n", l.processed(), l.confirmed(), l.stored(),
          drainSeconds, lat.count(), lat.p50(), lat.p99());
      return l;
    } finally {
      sim.stop();
    }
  }

  private static Held hold(Options o, Cluster cluster, BenchBroker broker, Simulator[] holding) throws Exception {
    Map<String, Long> before = cluster.rss();
    Map<String, Long> devicesBefore = cluster.processes();
    Map<String, Long> processesBefore = cluster.allProcesses();
    long already = devicesBefore.values().stream().mapToLong(Long::longValue).sum();
    // an hour between readings: the devices say online on connect and then stay all but quiet
    Simulator sim = Simulator.start(simConfig(broker, o.hold, HOLD_FIRST, 3_600_000, 1,
        SimulatorConfig.MAX_DEVICES_PER_CONNECTION));
    holding[0] = sim;
    System.out.printf(Locale.ROOT, "device processes: %,d there, %,d more devices over %d gateway connections...%n",
        already, o.hold, sim.stats().connections());
    long t0 = System.nanoTime();
    long deadline = t0 + TimeUnit.SECONDS.toNanos(o.holdTimeout);
    long total = 0;
    long lastChange = System.nanoTime();
    Map<String, Long> perNode = Map.of();
    long target = o.hold + already;
    while (System.nanoTime() < deadline) {
      // a node's device processes: those it had, plus how many processes it has gained since (the
      // dashboard's summary asks the owner of every device where its process is: too slow here)
      Map<String, Long> now = cluster.allProcesses();
      if (now.containsValue(-1L)) {
        Thread.sleep(2000);
        continue;
      }
      Map<String, Long> counted = new LinkedHashMap<>();
      for (String n : now.keySet()) {
        counted.put(n, devicesBefore.get(n) + now.get(n) - processesBefore.get(n));
      }
      perNode = counted;
      long t = perNode.values().stream().mapToLong(Long::longValue).sum();
      if (t > total + 10) { // other processes come and go: progress is a real rise
        lastChange = System.nanoTime();
        System.out.printf(Locale.ROOT, "  %,d device processes %s%n", t, perNode);
      }
      total = t;
      if (total >= target || System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(60)) {
        break;
      }
      Thread.sleep(2000);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Long> rssAfter = cluster.rss();
    // the dashboards' own count, once, with all the time it takes
    Map<String, Long> dashboard = new LinkedHashMap<>();
    long d0 = System.nanoTime();
    for (Node n : cluster.nodes) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(n.base + "/api/summary"))
            .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        dashboard.put(n.name, JSON.readTree(r.body()).path("nodes").path(n.name).asLong(-1));
      } catch (Exception e) {
        dashboard.put(n.name, -1L);
      }
    }
    double dashboardSeconds = (System.nanoTime() - d0) / 1e9;
    System.out.printf(Locale.ROOT, "  the dashboards count %s (in %.1f s)%n", dashboard, dashboardSeconds);
    return new Held(o.hold, sim.stats().connections(), already, total, perNode, before, rssAfter, seconds,
        total >= target, dashboard, dashboardSeconds);
  }

  private static Failover failover(Options o, Cluster cluster, BenchBroker broker, String url) throws Exception {
    System.out.printf(Locale.ROOT, "failover: %d devices every 200 ms at QoS 1, then kill -9 of a node...%n",
        FAILOVER_DEVICES);
    Simulator sim = Simulator.start(simConfig(broker, FAILOVER_DEVICES, FAILOVER_FIRST, 200, 1, 50));
    try {
      List<String> ids = sim.deviceIds();
      String from = ids.getFirst();
      String to = ids.getLast();
      waitUntil(Duration.ofSeconds(60), () -> sim.stats().connectedDevices() == FAILOVER_DEVICES, "devices connected");
      waitUntil(Duration.ofSeconds(120), () -> distinctDevices(url, from, to) == FAILOVER_DEVICES,
          "a reading of every failover device stored");
      Map<String, List<String>> byOwner = new LinkedHashMap<>();
      for (String id : ids) {
        byOwner.computeIfAbsent(IotCluster.owner(id, cluster.names), k -> new ArrayList<>()).add(id);
      }
      String victim = cluster.names.stream().max((x, y) -> Integer.compare(byOwner.getOrDefault(x, List.of()).size(),
          byOwner.getOrDefault(y, List.of()).size())).orElseThrow();
      List<String> moved = byOwner.get(victim);
      Node survivor = cluster.nodes.stream().filter(n -> !n.name.equals(victim)).findFirst().orElseThrow();
      long killedAt = System.currentTimeMillis();
      long t0 = System.nanoTime();
      cluster.kill(victim);
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      List<String> waiting = new ArrayList<>(moved);
      while (!waiting.isEmpty() && System.nanoTime() < deadline) {
        waiting.removeIf(id -> {
          try {
            return get(survivor.base + "/api/devices/" + id).path("last").path("ts").asLong() > killedAt;
          } catch (Exception e) {
            return false;
          }
        });
        if (!waiting.isEmpty()) {
          Thread.sleep(20);
        }
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      System.out.printf(Locale.ROOT, "  the %d devices of %s served again from the survivors in %d ms%s%n", moved.size(),
          victim, millis, waiting.isEmpty() ? "" : " (" + waiting.size() + " did not within 60 s)");
      Thread.sleep(3000); // load on the survivors after the kill
      SimulatorStats last = sim.stop();
      long stored = count(url, from, to);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.drainTimeout);
      while (stored < last.confirmed() && System.nanoTime() < end) {
        Thread.sleep(250);
        stored = count(url, from, to);
      }
      System.out.printf(Locale.ROOT, "  %,d readings acknowledged by the broker, %,d stored%n", last.confirmed(), stored);
      return new Failover(victim, moved.size(), millis, waiting.isEmpty(), last.confirmed(), stored,
          stored == last.confirmed());
    } finally {
      sim.stop();
    }
  }

  static String id(int n) {
    return String.format(Locale.ROOT, "d-%06d", n);
  }

  static long count(String url, String from, String to) throws SQLException {
    return query(url, "SELECT COUNT(*) FROM readings WHERE device >= '" + from + "' AND device <= '" + to + "'");
  }

  static long distinctDevices(String url, String from, String to) {
    try {
      return query(url, "SELECT COUNT(DISTINCT device) FROM readings WHERE device >= '" + from + "' AND device <= '"
          + to + "'");
    } catch (SQLException e) {
      return -1;
    }
  }

  private static long query(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      if (url.startsWith("jdbc:sqlite:")) {
        st.execute("PRAGMA busy_timeout = 10000");
      }
      try (ResultSet rs = st.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static JsonNode get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  static void waitUntil(Duration atMost, BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within " + atMost.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // =====================================================================================
  // the broker

  /**
   * Debian's mosquitto on a free loopback port with the benchmark's configuration: the platform's
   * ({@code org.otp4j.examples.iot.Broker}) except for no persistence file (nothing here restarts the
   * broker, and the file's periodic save would take CPU from whichever phase it falls in) and, for
   * the ceiling, a deeper QoS 1 queue per client.
   */
  static final class BenchBroker implements AutoCloseable {
    final int port;
    final Process process;

    private BenchBroker(int port, Process process) {
      this.port = port;
      this.process = process;
    }

    static String config(int port, Path dir, int maxQueued) {
      return String.join("\n", "listener " + port + " 127.0.0.1", "allow_anonymous true", "persistence false",
          "user " + System.getProperty("user.name"), "max_queued_messages " + maxQueued,
          "max_inflight_messages " + org.otp4j.examples.iot.Broker.MAX_INFLIGHT,
          "max_packet_size " + org.otp4j.examples.iot.Broker.MAX_PACKET_BYTES,
          "log_dest file " + dir.resolve("mosquitto.log").toAbsolutePath(), "log_type error", "log_type warning", "");
    }

    /** A broker queueing at most {@code maxQueued} QoS 1 messages per client. */
    static BenchBroker start(Path dir, int maxQueued) throws IOException, InterruptedException {
      Path exe = org.otp4j.examples.iot.Broker.find().orElseThrow(() -> new IllegalStateException(
          "mosquitto is not installed: apt-get install -y mosquitto"));
      Files.createDirectories(dir);
      int port = freePort();
      Path conf = dir.resolve("mosquitto.conf");
      Files.writeString(conf, config(port, dir, maxQueued));
      Process p = new ProcessBuilder(exe.toString(), "-c", conf.toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.out")));
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return new BenchBroker(port, p);
        } catch (IOException e) {
          Thread.sleep(20);
        }
      }
      p.destroyForcibly();
      throw new IllegalStateException("mosquitto did not listen on " + port);
    }

    static String version() {
      try {
        Process p = new ProcessBuilder(org.otp4j.examples.iot.Broker.find().orElseThrow().toString(), "-h")
            .redirectErrorStream(true).start();
        String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        p.waitFor(5, TimeUnit.SECONDS);
        return first.replaceAll("^mosquitto version ", "").trim();
      } catch (IOException | InterruptedException | RuntimeException e) {
        return "unknown";
      }
    }

    String host() {
      return "127.0.0.1";
    }

    int port() {
      return port;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  // =====================================================================================
  // the platform's nodes

  /** A platform node in a JVM of its own. */
  static final class Node {
    final String name;
    final Process process;
    final CompletableFuture<Integer> port = new CompletableFuture<>();
    final StringBuffer output = new StringBuffer();
    final CompletableFuture<String> metrics = new CompletableFuture<>();
    String base;

    Node(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      Thread.ofPlatform().daemon().name("node-" + name).start(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter w = new PrintWriter(Files.newBufferedWriter(log), true)) {
          String line;
          while ((line = r.readLine()) != null) {
            w.println(line);
            if (output.length() < 1_000_000) {
              output.append(line).append('\n');
            }
            Matcher m = DASHBOARD.matcher(line);
            if (m.find()) {
              port.complete(Integer.parseInt(m.group(1)));
            }
            Matcher x = METRICS.matcher(line);
            if (x.find()) {
              metrics.complete(x.group(1));
            }
          }
        } catch (IOException e) {
          // killed
        }
        port.complete(-1);
        metrics.complete("");
      });
    }

    /** How many processes the node runs, from its observer's metrics; -1 if it does not answer. */
    long processCount() {
      try {
        String url = metrics.get(30, TimeUnit.SECONDS);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = PROCESSES.matcher(r.body());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
      } catch (Exception e) {
        return -1;
      }
    }

    void awaitStarted() throws Exception {
      int p = port.get(120, TimeUnit.SECONDS);
      if (p < 0) {
        throw new IllegalStateException("node " + name + " did not start; its output:\n" + output);
      }
      base = "http://127.0.0.1:" + p;
    }

    long rssKb() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException | RuntimeException e) {
        // gone
      }
      return -1;
    }

    void stop() throws InterruptedException {
      if (process.isAlive()) {
        try {
          process.getOutputStream().close(); // it stops when its input closes
        } catch (IOException e) {
          // gone already
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Three platform nodes, and the readers of their alert streams. */
  static final class Cluster implements AutoCloseable {
    final List<String> names;
    final List<Node> nodes = new ArrayList<>();
    final Alerts alerts = new Alerts();

    private Cluster(List<String> names) {
      this.names = names;
    }

    /** Starts the nodes, storing in {@code jdbcUrl} (PostgreSQL), or in SQLite under {@code data} if it is null. */
    static Cluster start(List<String> names, BenchBroker broker, Path data, String jdbcUrl, int inFlight, int sessions,
        Path logs, double tempRate) throws Exception {
      Cluster c = new Cluster(names);
      try {
        Path logback = logs.resolve("logback-nodes.xml");
        Files.writeString(logback, """
            <configuration>
              <statusListener class="ch.qos.logback.core.status.NopStatusListener"/>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n</pattern></encoder>
              </appender>
              <logger name="org.otp4j.examples.iot" level="INFO"/>
              <logger name="org.otp4j.examples.iot.AlertLog" level="WARN"/>
              <root level="WARN"><appender-ref ref="OUT"/></root>
            </configuration>
            """);
        List<Integer> ports = names.stream().map(n -> freePort()).toList();
        String seeds = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
        System.out.println("starting three platform nodes...");
        for (int i = 0; i < names.size(); i++) {
          c.nodes.add(startNode(names.get(i), ports.get(i), seeds, broker, data, jdbcUrl, inFlight, sessions, logs, logback,
              tempRate));
          if (i == 0) {
            c.nodes.getFirst().awaitStarted(); // the first node creates the database the others open
          }
        }
        for (Node n : c.nodes) {
          n.awaitStarted();
        }
        String all = "platform nodes: [" + String.join(", ", names) + "]";
        waitUntil(Duration.ofSeconds(120), () -> c.nodes.stream().allMatch(n -> n.output.indexOf(all) >= 0),
            "every node sees the three");
        for (Node n : c.nodes) {
          c.alerts.follow(n);
        }
        return c;
      } catch (Exception | Error e) {
        c.close();
        throw e;
      }
    }

    private static Node startNode(String name, int port, String seeds, BenchBroker broker, Path data, String jdbcUrl,
        int inFlight, int sessions, Path logs, Path logback, double tempRate) throws IOException {
      String exe = ProcessHandle.current().info().command().orElse("java");
      String cp = String.join(File.pathSeparator, Arrays.stream(System.getProperty("java.class.path")
          .split(File.pathSeparator)).map(p -> Path.of(p).toAbsolutePath().toString()).toList());
      List<String> command = new ArrayList<>(List.of(exe, "-cp", cp, "-Xmx2g",
          "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
          "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true",
          "-Dlogback.configurationFile=" + logback, "-Diot.node=" + name, "-Diot.clusterPort=" + port,
          "-Diot.seeds=" + seeds, "-Diot.broker=" + broker.host() + ":" + broker.port(), "-Diot.stdin=true",
          "-Dotp.iot.dataDir=" + data, "-Dotp.iot.httpPort=0", "-Dotp.iot.httpHost=127.0.0.1",
          "-Dotp.iot.tempRate=" + tempRate, "-Dotp.iot.sessions=" + sessions));
      if (jdbcUrl != null) {
        command.add("-Dotp.iot.jdbcUrl=" + jdbcUrl);
      }
      if (inFlight > 0) {
        command.add("-Dotp.iot.inFlight=" + inFlight);
      }
      command.addAll(List.of("org.otp4j.examples.Main", "iot-node"));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      return new Node(name, p, logs.resolve("node-" + name.substring(0, name.indexOf('@')) + ".log"));
    }

    /** Each node's own processes, all of them, as its observer's metrics count them ({@code otp_processes}). */
    Map<String, Long> allProcesses() {
      Map<String, Long> out = new LinkedHashMap<>();
      for (Node n : nodes) {
        out.put(n.name, n.processCount());
      }
      return out;
    }

    /** Each node's own device processes, as its dashboard's summary counts them. */
    Map<String, Long> processes() {
      Map<String, Long> out = new LinkedHashMap<>();
      for (Node n : nodes) {
        if (!n.process.isAlive()) {
          continue;
        }
        try {
          out.put(n.name, get(n.base + "/api/summary").path("nodes").path(n.name).asLong());
        } catch (Exception e) {
          out.put(n.name, -1L);
        }
      }
      return out;
    }

    Map<String, Long> rss() {
      Map<String, Long> out = new LinkedHashMap<>();
      for (Node n : nodes) {
        out.put(n.name, n.rssKb());
      }
      return out;
    }

    void kill(String name) throws InterruptedException {
      Node n = nodes.stream().filter(x -> x.name.equals(name)).findFirst().orElseThrow();
      n.process.destroyForcibly();
      n.process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
      alerts.stop();
      for (Node n : nodes) {
        n.stop();
      }
    }
  }

  /** The readers of the nodes' alert streams: the latency of each alert, from its reading's time. */
  static final class Alerts {
    private final List<Thread> readers = new ArrayList<>();
    private final List<long[]> seen = new ArrayList<>(); // {reading's time, latency}, both ms
    private volatile boolean closed;
    private int devicesFrom = Integer.MAX_VALUE;
    private int devicesTo = Integer.MIN_VALUE;

    void follow(Node n) throws Exception {
      HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(HttpRequest.newBuilder(
          URI.create(n.base + "/api/alerts/stream")).build(), HttpResponse.BodyHandlers.ofLines());
      readers.add(Thread.ofVirtual().name("alerts-" + n.name).start(() -> {
        try (var lines = r.body()) {
          lines.takeWhile(l -> !closed).forEach(this::line);
        } catch (RuntimeException e) {
          // the node stopped or was killed
        }
      }));
    }

    /** One line of a stream: {@code data: {alert}} lines are timed. */
    void line(String l) {
      long now = System.currentTimeMillis();
      if (!l.startsWith("data:")) {
        return;
      }
      JsonNode a = JSON.readTree(l.substring(5).trim());
      if (a.path("kind").asString().equals("OFFLINE")) {
        return; // timed from a status, not from a reading
      }
      record(a.path("device").asString(), a.path("ts").asLong(), now);
    }

    synchronized void record(String device, long ts, long arrived) {
      int n = Integer.parseInt(device.substring(2));
      if (n >= devicesFrom && n <= devicesTo) {
        seen.add(new long[] {ts, arrived - ts});
      }
    }

    /** From now on, keeps the alerts of devices {@code from} to {@code to} (their numbers). */
    synchronized void open(int from, int to) {
      seen.clear();
      devicesFrom = from;
      devicesTo = to;
    }

    /**
     * Stops keeping alerts; the latencies of those kept whose reading was published from
     * {@code fromMillis} to {@code toMillis}.
     */
    synchronized Latency close(long fromMillis, long toMillis) {
      devicesFrom = Integer.MAX_VALUE;
      devicesTo = Integer.MIN_VALUE;
      return latency(seen.stream().filter(x -> x[0] >= fromMillis && x[0] <= toMillis).mapToLong(x -> x[1]).toArray());
    }

    void stop() {
      closed = true;
      readers.forEach(Thread::interrupt);
    }
  }

  /** The median, 99th percentile and maximum of {@code millis} (nearest rank); zeros if empty. */
  static Latency latency(long[] millis) {
    if (millis.length == 0) {
      return new Latency(0, 0, 0, 0);
    }
    long[] s = millis.clone();
    Arrays.sort(s);
    return new Latency(s.length, rank(s, 50), rank(s, 99), s[s.length - 1]);
  }

  /** The nearest-rank percentile {@code p} of sorted {@code s}. */
  static long rank(long[] s, double p) {
    int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
    return s[Math.max(0, Math.min(s.length - 1, i))];
  }
}
