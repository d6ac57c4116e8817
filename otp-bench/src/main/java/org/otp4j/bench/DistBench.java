package org.otp4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.otp4j.bench.dist.DistWork;
import org.otp4j.bench.dist.JGroupsPair;
import org.otp4j.bench.dist.OtpPair;
import org.otp4j.bench.dist.PekkoPair;
import org.otp4j.bench.dist.TcpPair;

/**
 * Distribution side by side: two OS processes on loopback per runtime, a responder and a driver
 * (see {@code org.otp4j.bench.dist}): otp4j's otp-dist (direct connections, and JGroups alone),
 * Erlang distribution, Pekko Artery, and raw JGroups and raw TCP as floors. Every round starts a fresh
 * pair per contender, the contenders taking turns (the first one rotating from round to round);
 * the driver warms every workload up once and measures it once, then the harness kills the
 * responder with SIGKILL and the driver says when it saw it go. A cell is the median over the
 * rounds, with the minimum and maximum. Writes docs/benchmarks-dist.md.
 *
 * <p>Options: {@code --root DIR}, {@code --rounds N} (default 3), {@code --only id,id},
 * {@code --out FILE}.
 */
public final class DistBench {
  private DistBench() {}

  /** Flags of every JVM of the run: the side-by-side harness's. */
  static final List<String> JVM_FLAGS = SideBySide.JVM_FLAGS;
  static final String COOKIE = "distbench";
  static final long SETUP_SECONDS = 120;
  static final long DRIVER_SECONDS = 900;
  static final long DOWN_SECONDS = 60;

  /**
   * A contender: how its two sides start, given the responder's and the driver's ports.
   *
   * @param id its id ({@code --only})
   * @param name the report's column head
   * @param responder the responder's command
   * @param driver the driver's command
   * @param setup how it is configured (markdown)
   */
  record Contender(String id, String name, BiFunction<int[], String, List<String>> responder,
                   BiFunction<int[], String, List<String>> driver, String setup) {}

  /** One round of one contender: per workload its rate, and the detection time in ms (NaN if none). */
  record Round(Map<String, Double> rates, double downMillis) {}

  /**
   * Runs the benchmark.
   *
   * @param args see the class comment
   * @throws Exception if a contender cannot start or its driver fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unknown argument '" + args[i] + "'; expected --root DIR, --rounds N, "
            + "--only id,id or --out FILE");
      }
      opt.put(args[i].substring(2), args[i + 1]);
    }
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("option '" + args[args.length - 1] + "' has no value");
    }
    Path root = Path.of(opt.getOrDefault("root", ".")).toAbsolutePath();
    int rounds = Integer.parseInt(opt.getOrDefault("rounds", "3"));
    Path out = Path.of(opt.getOrDefault("out", root.resolve("docs/benchmarks-dist.md").toString()));
    Path work = root.resolve("otp-bench/target/dist-bench");
    Files.createDirectories(work);
    Beam beam = Beam.prepare(work);
    List<Contender> contenders = contenders(beam);
    if (opt.containsKey("only")) {
      List<String> only = Arrays.asList(opt.get("only").split(","));
      contenders = contenders.stream().filter(c -> only.contains(c.id())).toList();
      if (contenders.isEmpty()) {
        throw new IllegalArgumentException("--only " + opt.get("only") + " names no contender");
      }
    }
    String when = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    long started = System.nanoTime();
    Map<String, List<Round>> results = new LinkedHashMap<>();
    contenders.forEach(c -> results.put(c.id(), new ArrayList<>()));
    try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(work.resolve("forks.log")), true)) {
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < contenders.size(); k++) {
          Contender c = contenders.get((k + r) % contenders.size());
          System.out.printf("round %d/%d: %s%n", r + 1, rounds, c.name());
          Round round = runPair(c, log);
          System.out.printf("  %s, down seen after %.1f ms%n", round.rates(), round.downMillis());
          results.get(c.id()).add(round);
        }
      }
    }
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
    String md = report(root, when, seconds, rounds, opt.containsKey("only") ? opt.get("only") : null, loadBefore,
        loadAfter, contenders, results, beam);
    Files.writeString(out, md);
    System.out.println("wrote " + out);
    System.exit(0);
  }

  static List<Contender> contenders(Beam beam) {
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    BiFunction<String, List<String>, List<String>> jvm = (main, extra) -> {
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      cmd.addAll(JVM_FLAGS);
      cmd.add("-Djava.net.preferIPv4Stack=true");
      cmd.addAll(List.of("-cp", cp, main));
      cmd.addAll(extra);
      return cmd;
    };
    List<String> erl = List.of("erl", "-setcookie", COOKIE, "-noshell", "-pa", beam.ebin().toString());
    List<String> erlTuned = concat(erl, List.of("+zdbbl", "32768"));
    String erlSetup = "Two nodes, `erl -name ...@127.0.0.1 -setcookie ... -noshell`: the default schedulers (one per "
        + "core); senders use the remote pids (looked up once with `rpc:call(Node, erlang, whereis, [Name])`). "
        + "The module is `otp-bench/src/main/erlang/dist_bench.erl`.";
    return List.of(
        new Contender("otp4j", "otp4j (otp-dist)",
            (p, cluster) -> jvm.apply(OtpPair.class.getName(), List.of("responder", str(p[0]), str(p[1]), cluster)),
            (p, cluster) -> jvm.apply(OtpPair.class.getName(), List.of("driver", str(p[1]), str(p[0]), cluster)),
            "otp-dist as its guide sets up two nodes: `Cluster.tcp` with a secret and a codec allowing the one "
                + "message record; JGroups keeps membership and failure detection, process traffic goes on the "
                + "direct per-node-pair connection (decision 0016). Default node settings."),
        new Contender("otp4j-jgroups", "otp4j, JGroups only",
            (p, cluster) -> jvm.apply(OtpPair.class.getName(), List.of("responder", str(p[0]), str(p[1]), cluster, "jgroups")),
            (p, cluster) -> jvm.apply(OtpPair.class.getName(), List.of("driver", str(p[1]), str(p[0]), cluster, "jgroups")),
            "The same two nodes with `withoutDirectConnections()`: every signal a JGroups message on otp-dist's "
                + "JGroups stack (what an encrypted cluster uses)."),
        new Contender("erlang", "Erlang/OTP",
            (p, cluster) -> concat(erl, List.of("-name", "resp@127.0.0.1", "-run", "dist_bench", "responder")),
            (p, cluster) -> concat(erl, List.of("-name", "drv@127.0.0.1", "-run", "dist_bench", "driver", "resp@127.0.0.1")),
            erlSetup + " Erlang's defaults: the distribution buffer busy limit is 1 MB."),
        new Contender("erlang-zdbbl", "Erlang/OTP, +zdbbl 32768",
            (p, cluster) -> concat(erlTuned, List.of("-name", "resp@127.0.0.1", "-run", "dist_bench", "responder")),
            (p, cluster) -> concat(erlTuned, List.of("-name", "drv@127.0.0.1", "-run", "dist_bench", "driver", "resp@127.0.0.1")),
            erlSetup + " The distribution buffer busy limit raised to 32 MB (`+zdbbl 32768`), as a throughput-minded "
                + "deployment does."),
        new Contender("pekko", "Pekko Artery",
            (p, cluster) -> jvm.apply(PekkoPair.class.getName(), List.of("responder", str(p[0]), str(p[1]))),
            (p, cluster) -> jvm.apply(PekkoPair.class.getName(), List.of("driver", str(p[1]), str(p[0]))),
            "Pekko " + Machine.pekkoVersion() + ", typed actors, `provider = remote`, Artery over TCP, a hand-written "
                + "serializer for the one message class, request-response with the sender's own `ActorRef`, "
                + "dispatchers sized for the machine (" + Machine.pekkoDispatcher() + "). Artery drops messages "
                + "when its outbound queue is full, so its one-way senders keep a window of at most 10,000 messages "
                + "or 4 MiB in flight, acknowledged by the receiver every quarter window, and the outbound queue "
                + "holds 100,000; remote death watch with a 3 s acceptable heartbeat pause (default 10 s)."),
        new Contender("jgroups", "raw JGroups",
            (p, cluster) -> concat(jvm.apply(JGroupsPair.class.getName(), List.of("responder", str(p[0]), str(p[1]), cluster)),
                List.of()),
            (p, cluster) -> jvm.apply(JGroupsPair.class.getName(), List.of("driver", str(p[1]), str(p[0]), cluster)),
            "JGroups " + org.jgroups.Version.printVersion() + " used directly: its stock `tcp.xml` with `tcp-nodelay=true`, "
                + "bound to loopback, the two addresses as TCPPING's hosts; unicast `BytesMessage`s, requests "
                + "answered from the receiver callback. A floor for what one JGroups message per process message "
                + "costs."),
        new Contender("tcp", "raw TCP",
            (p, cluster) -> jvm.apply(TcpPair.class.getName(), List.of("responder", str(p[0]))),
            (p, cluster) -> jvm.apply(TcpPair.class.getName(), List.of("driver", str(p[0]))),
            "Plain sockets with `TCP_NODELAY`, a virtual thread per connection, a connection per client or "
                + "sender (no multiplexing), 64 KiB buffered streams: the floor of the machine's loopback."),
        new Contender("tcp-platform", "raw TCP, platform threads",
            (p, cluster) -> jvm.apply(TcpPair.class.getName(), List.of("responder", str(p[0]), "platform")),
            (p, cluster) -> jvm.apply(TcpPair.class.getName(), List.of("driver", str(p[0]), "platform")),
            "The same sockets, frames and connections with a platform thread per connection (the classic "
                + "blocking server): the kernel wakes the thread that reads, with no scheduler between."));
  }

  private static String str(int i) {
    return Integer.toString(i);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Starts the responder, then the driver; kills the responder when the driver is armed. */
  static Round runPair(Contender c, PrintWriter log) throws Exception {
    int[] ports = {freePort(), freePort()};
    String cluster = "distbench-" + UUID.randomUUID();
    Process responder = start(c.responder().apply(ports, cluster), log, c.id() + " responder");
    Process driver = null;
    try {
      BufferedReader rin = reader(responder);
      CompletableFuture<String> ready = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> pump(rin, log, c.id() + " responder", line -> {
        if (line.startsWith("READY")) {
          ready.complete(line);
        }
      }, ready));
      ready.get(SETUP_SECONDS, TimeUnit.SECONDS);
      driver = start(c.driver().apply(ports, cluster), log, c.id() + " driver");
      BufferedReader din = reader(driver);
      Map<String, Double> rates = new LinkedHashMap<>();
      long killedAt = -1;
      double downMillis = Double.NaN;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRIVER_SECONDS);
      String line;
      while ((line = din.readLine()) != null) {
        log.println("[" + c.id() + " driver] " + line);
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(c.name() + ": the driver ran longer than " + DRIVER_SECONDS + " s");
        }
        String[] f = line.trim().split(" ");
        switch (f[0]) {
          case "RESULT" -> rates.put(f[1], Double.parseDouble(f[2]));
          case "ARMED" -> {
            killedAt = DistWork.nowMicros();
            responder.destroyForcibly();
            Process d = driver;
            Thread.ofVirtual().start(() -> {
              try {
                if (!d.waitFor(DOWN_SECONDS, TimeUnit.SECONDS)) {
                  log.println("[" + c.id() + "] the driver did not see the responder die within " + DOWN_SECONDS + " s");
                  d.destroyForcibly();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
          }
          case "DOWN" -> downMillis = (Long.parseLong(f[1]) - killedAt) / 1000.0;
          default -> { }
        }
      }
      if (rates.size() != DistWork.ids().size()) {
        throw new IllegalStateException(c.name() + ": the driver ended with results for " + rates.keySet()
            + " only; see otp-bench/target/dist-bench/forks.log");
      }
      return new Round(rates, downMillis);
    } finally {
      responder.destroyForcibly();
      if (driver != null) {
        driver.destroyForcibly();
        driver.waitFor(10, TimeUnit.SECONDS);
      }
      responder.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Process start(List<String> cmd, PrintWriter log, String what) throws IOException {
    log.println("[" + what + "] " + String.join(" ", cmd));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  private static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  private static void pump(BufferedReader in, PrintWriter log, String what, java.util.function.Consumer<String> each,
                           CompletableFuture<String> ready) {
    try {
      String line;
      while ((line = in.readLine()) != null) {
        log.println("[" + what + "] " + line);
        each.accept(line);
      }
    } catch (IOException e) {
      // the process ended
    }
    ready.completeExceptionally(new IllegalStateException(what + " ended before it was ready; "
        + "see otp-bench/target/dist-bench/forks.log"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  static String report(Path root, String when, long seconds, int rounds, String only, String loadBefore,
                       String loadAfter, List<Contender> contenders, Map<String, List<Round>> results, Beam beam) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark: distribution, two OS processes on loopback\n\n");
    md.append("<!-- Generated by org.otp4j.bench.DistBench; do not edit by hand: run `bash otp-bench/dist-bench.sh` again. -->\n\n");
    md.append("Measured by `bash otp-bench/dist-bench.sh")
        .append(rounds == 3 ? "" : " --rounds " + rounds).append(only == null ? "" : " --only " + only)
        .append("` on ").append(when).append(", in ").append(seconds / 60).append(" min ").append(seconds % 60)
        .append(" s, at commit ").append(Machine.commit(root)).append(". Machine: ").append(Machine.cpu()).append(", ")
        .append(Machine.cores()).append(" cores, ").append(Machine.memory()).append(", ").append(Machine.os())
        .append(". Load average before the run: `").append(loadBefore).append("`, after: `").append(loadAfter)
        .append("`.\n\n");
    md.append("**Indicative figures.** Both processes of a pair share the machine's ").append(Machine.cores())
        .append(" cores (and whatever else it was running). Compare the columns of one run.\n\n");
    md.append("## Results\n\nMedian over ").append(rounds).append(" rounds, [minimum – maximum]; higher is better "
        + "except for the detection time.\n\n");
    md.append("| workload |");
    contenders.forEach(c -> md.append(' ').append(c.name()).append(" |"));
    boolean ratio = results.containsKey("otp4j") && results.containsKey("erlang");
    if (ratio) {
      md.append(" otp4j ÷ Erlang |");
    }
    md.append("\n|---|");
    contenders.forEach(c -> md.append("---:|"));
    if (ratio) {
      md.append("---:|");
    }
    md.append('\n');
    for (DistWork.Spec s : DistWork.SPECS) {
      md.append("| ").append(s.title()).append(" (").append(s.unit()).append(") |");
      for (Contender c : contenders) {
        md.append(' ').append(cell(results.get(c.id()).stream().mapToDouble(r -> r.rates().get(s.id())).toArray(), false))
            .append(" |");
      }
      if (ratio) {
        md.append(String.format(Locale.ROOT, " %.2f× |", median(rates(results, "otp4j", s.id()))
            / median(rates(results, "erlang", s.id()))));
      }
      md.append('\n');
    }
    md.append("| a `kill -9`ed peer seen down (ms, ↓) |");
    for (Contender c : contenders) {
      md.append(' ').append(cell(results.get(c.id()).stream().mapToDouble(Round::downMillis).toArray(), true)).append(" |");
    }
    if (ratio) {
      md.append(String.format(Locale.ROOT, " %.2f× |", median(downs(results, "otp4j")) / median(downs(results, "erlang"))));
    }
    if (ratio) {
      md.append("\n\n## Targets (otp4j against Erlang's defaults, same run)\n\n| what | otp4j ÷ Erlang | target | |\n"
          + "|---|---:|---|---|\n");
      for (String id : List.of("pingpong", "oneway", "oneway8", "call100")) {
        double r = median(rates(results, "otp4j", id)) / median(rates(results, "erlang", id));
        md.append(String.format(Locale.ROOT, "| %s | %.2f | ≥ 1.00 | %s |%n", id, r, r >= 1 ? "met" : "**missed**"));
      }
      double down = median(downs(results, "otp4j"));
      md.append(String.format(Locale.ROOT, "| a killed JVM seen down | %s | ≤ 100 ms | %s |%n", ms(down),
          down <= 100 ? "met" : "**missed**"));
    }
    md.append("\n\n## Method\n\n");
    md.append("- A contender is two processes: a responder (an echo that answers each request, and eight sinks that "
        + "count one-way messages until asked for their count) and a driver, which runs each workload once to warm "
        + "up and once measured. Workloads and sizes (`org.otp4j.bench.dist.DistWork`):\n");
    for (DistWork.Spec s : DistWork.SPECS) {
      md.append("  - **").append(s.title()).append("**: ").append(s.oneWay()
          ? String.format(Locale.ROOT, "%,d sender(s), %,d messages each%s; the time runs until every sink's count "
              + "is back, so the receiving side's drain is included", s.parallel(), s.each(),
              s.bytes() == 0 ? "" : String.format(Locale.ROOT, " of %,d bytes", s.bytes()))
          : String.format(Locale.ROOT, "%,d client(s), %,d round trips each, one request in flight per client",
              s.parallel(), s.each())).append(".\n");
    }
    md.append("- Detection: when its measurements are done the driver starts watching the responder's node (otp4j "
        + "`Proc.monitorNode`, Erlang `monitor_node/2`, Pekko death watch on the remote echo actor, JGroups a view "
        + "without it, TCP the end of an open connection) and says so; the harness then sends the responder SIGKILL "
        + "and reports the time from just before the kill to the driver's notice (wall clock, the same machine).\n");
    md.append("- Every round starts every contender's pair afresh; contenders take turns, the first one rotating. "
        + "Output of every process: `otp-bench/target/dist-bench/forks.log`.\n\n");
    md.append("## The contenders\n\n");
    for (Contender c : contenders) {
      md.append("- **").append(c.name()).append("**: ").append(c.setup()).append('\n');
    }
    md.append("\nJVMs: ").append(Machine.jvm()).append(", flags `").append(String.join(" ", JVM_FLAGS))
        .append(" -Djava.net.preferIPv4Stack=true`. Erlang: ").append(beam.version()).append(".\n");
    return md.toString();
  }

  private static double[] rates(Map<String, List<Round>> results, String id, String spec) {
    return results.get(id).stream().mapToDouble(r -> r.rates().get(spec)).toArray();
  }

  private static double[] downs(Map<String, List<Round>> results, String id) {
    return results.get(id).stream().mapToDouble(Round::downMillis).toArray();
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String cell(double[] xs, boolean millis) {
    if (Arrays.stream(xs).anyMatch(Double::isNaN)) {
      return "not seen in " + DOWN_SECONDS + " s";
    }
    double[] s = xs.clone();
    Arrays.sort(s);
    String m = millis ? ms(median(s)) : amount(median(s));
    if (s.length == 1) {
      return "**" + m + "**";
    }
    return "**" + m + "**<br><sub>[" + (millis ? ms(s[0]) : amount(s[0])) + " – "
        + (millis ? ms(s[s.length - 1]) : amount(s[s.length - 1])) + "]</sub>";
  }

  private static String ms(double v) {
    return v < 10 ? String.format(Locale.ROOT, "%.1f ms", v) : String.format(Locale.ROOT, "%,.0f ms", v);
  }

  private static String amount(double v) {
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.2f M/s", v / 1e6);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.1f k/s", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f /s", v);
  }
}
