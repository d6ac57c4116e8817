package org.otp4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.otp4j.bench.Results.Case;
import org.otp4j.bench.Workload.Mode;

/**
 * Measures otp4j side by side with Erlang/OTP, Apache Pekko and raw JDK virtual threads, in one run
 * on one machine, and writes the report ({@code docs/benchmarks.md}) and its chart.
 *
 * <pre>
 *   bash otp-bench/bench.sh            # full run, writes docs/benchmarks.md and docs/benchmarks.svg
 *   bash otp-bench/bench.sh --quick    # smoke run (about 5 minutes), writes otp-bench/target/benchmarks-quick.md
 * </pre>
 *
 * <h2>Method</h2>
 * Every measurement runs in a fresh process: a JVM fork ({@link Fork}) with pinned flags
 * ({@link #JVM_FLAGS}), or a fresh {@code erl}. Inside it the workload runs its warm-up rounds and
 * then one measured round. The harness runs {@code rounds} rounds; within a round it goes through the
 * cases, and for each case through the runtimes round-robin, the starting runtime rotating from one
 * case and round to the next, so that no runtime always runs first or last. A report cell is the
 * median over the rounds, with the minimum and maximum. Forks never run concurrently.
 *
 * <p>Options: {@code --quick}, {@code --rounds N}, {@code --out FILE}, {@code --only id,id},
 * {@code --runtimes otp4j,beam,pekko,vt}, {@code --scheduler local|jdk} (otp4j's scheduler in its
 * forks; default: the node's default, local), {@code --root DIR} (the repository root; default: the
 * current directory).
 */
public final class SideBySide {

  /** The flags of every JVM fork, whatever the runtime measured in it. */
  static final List<String> JVM_FLAGS = List.of(
      "-Xms4g", "-Xmx4g", "-XX:+UseG1GC",
      // Scala and Pekko use sun.misc.Unsafe; JDK 24+ warns about it on every start.
      "--sun-misc-unsafe-memory-access=allow",
      // Stopwatch reads the process's CPU time with clock_gettime, a native call.
      "--enable-native-access=ALL-UNNAMED",
      // otp4j's nodes run their own scheduler (org.otp4j.core.Scheduler); the fork runs from the
      // class path. Without it they fall back to the JDK's, and say so.
      "--add-opens", "java.base/java.lang=ALL-UNNAMED");

  private final Options options;
  private final Path logDir;
  private final PrintWriter log;
  private Beam beam;
  private double waitedSeconds; // in awaitQuiet, over the whole run
  /** Warning lines that forks logged, by runtime, and the most frequent kind of each. */
  private final java.util.Map<Contender, java.util.Map<String, Integer>> warnings = new java.util.EnumMap<>(Contender.class);
  private Contender forking;

  private SideBySide(Options options) throws IOException {
    this.options = options;
    Path work = options.root.resolve("otp-bench/target/side-by-side");
    this.logDir = work;
    Files.createDirectories(work);
    this.log = new PrintWriter(Files.newBufferedWriter(work.resolve("forks.log"), StandardCharsets.UTF_8), true);
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    new SideBySide(options).run();
  }

  private void run() throws Exception {
    long started = System.nanoTime();
    ZonedDateTime when = ZonedDateTime.now();
    String commit = Machine.commit(options.root); // now: the tree may move on during the run
    if (options.contenders.contains(Contender.BEAM)) {
      beam = Beam.prepare(logDir);
      System.out.println("BEAM: " + beam.version());
    }
    List<Case> cases = new ArrayList<>();
    for (Workload w : options.workloads) {
      for (int n : w.sizes(options.mode)) {
        cases.add(new Case(w, n, w.rounds(options.mode, n, options.rounds)));
      }
    }
    List<Contender> contenders = new ArrayList<>(options.contenders);
    System.out.printf(Locale.ROOT, "%s run: %d cases x %d runtimes x %d rounds; fork output in %s%n",
        options.mode == Mode.QUICK ? "Quick" : "Full", cases.size(), contenders.size(), options.rounds,
        logDir.resolve("forks.log"));
    Results results = new Results();
    int turn = 0;
    for (int round = 1; round <= options.rounds; round++) {
      for (Case c : cases) {
        if (round > c.rounds()) {
          continue;
        }
        for (int i = 0; i < contenders.size(); i++) {
          Contender who = contenders.get((turn + i) % contenders.size());
          measure(round, c, who, results);
        }
        turn++;
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.out.println();
    for (Case c : cases) {
      for (Contender who : contenders) {
        log.printf("%s %s %s: %s%n", c.workload().id(), c.label(), who.label(), results.valuesText(c, who));
      }
    }
    Report report = new Report(options, cases, contenders, results, when, took,
        beam == null ? "not measured" : beam.version(), commit, warnings);
    Path out = options.out;
    Files.createDirectories(out.toAbsolutePath().getParent());
    Path svg = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".svg");
    Files.writeString(svg, new Chart(cases, contenders, results).svg(), StandardCharsets.UTF_8);
    Files.writeString(out, report.markdown(svg.getFileName().toString()), StandardCharsets.UTF_8);
    System.out.print(report.table());
    System.out.printf(Locale.ROOT, "%nWrote %s and %s in %d min %d s%n", out, svg, took.toMinutes(), took.toSecondsPart());
  }

  private void measure(int round, Case c, Contender who, Results results) throws IOException, InterruptedException {
    Workload w = c.workload();
    if (w.notApplicable(who) != null) {
      return; // no implementation for this runtime: the report says why
    }
    int full = w.fullSize(options.mode, c.n()); // the quick run warms up as the full run does
    int warmups = w.warmups(Mode.FULL, full);
    int warmupSize = w.warmupSize(full);
    List<String> cmd = who == Contender.BEAM ? beam.command(w, c.n(), warmups, warmupSize)
        : jvmCommand(w, who, c.n(), warmups, warmupSize);
    String what = String.format(Locale.ROOT, "[round %d/%d] %-10s %-24s %-10s", round, options.rounds, w.id(),
        c.label(), who.label());
    double bestValue = 0;
    double bestForeign = Double.MAX_VALUE;
    Raw bestRaw = null;
    for (int attempt = 1; ; attempt++) {
      double waited = awaitQuiet();
      System.out.print(what);
      System.out.flush();
      log.println("=== " + what.trim() + (attempt > 1 ? " (attempt " + attempt + ")" : "") + "\n$ " + String.join(" ", cmd));
      forking = who;
      Outcome o = fork(cmd);
      String note = (waited > 0 ? String.format(Locale.ROOT, ", waited %.0f s for quiet", waited) : "")
          + (o.foreignCores >= 0.05 ? String.format(Locale.ROOT, ", others used %.2f cores", o.foreignCores) : "");
      if (o.raw == null || o.exit != 0) {
        String why = o.seconds >= options.forkTimeoutSeconds ? "timed out after " + options.forkTimeoutSeconds + " s"
            : "exit " + o.exit + ": " + o.lastLine;
        System.out.printf(Locale.ROOT, " FAILED (%s)%n", why);
        if (bestForeign == Double.MAX_VALUE) {
          results.fail(c, who, why);
        } else {
          keep(c, who, results, bestValue, bestForeign, bestRaw);
        }
        return;
      }
      double value = w.metric().value(o.raw);
      if (o.foreignCores < bestForeign) {
        bestValue = value;
        bestForeign = o.foreignCores;
        bestRaw = o.raw;
      }
      boolean disturbed = o.foreignCores > options.maxForeignCores;
      // Repeat a disturbed measurement only if the others have gone quiet: under a steady load a
      // repeat would be disturbed as much, and only lengthen the run. Of the attempts, the least
      // disturbed one is kept.
      if (disturbed && attempt < options.attempts && results.retries() < options.maxRetries
          && CpuLoad.busyCoresOver(300) <= options.maxForeignCores) {
        results.retried();
        System.out.printf(Locale.ROOT, " %12s%s   (%.1f s%s): disturbed, measuring again%n", w.metric().format(value),
            cpuNote(o.raw), o.seconds, note);
        continue;
      }
      System.out.printf(Locale.ROOT, " %12s%s   (%.1f s%s)%s%n", w.metric().format(value), cpuNote(o.raw), o.seconds, note,
          disturbed ? " [disturbed]" : "");
      keep(c, who, results, bestValue, bestForeign, bestRaw);
      return;
    }
  }

  /** The CPU cost of a measurement for the console, or nothing. */
  private static String cpuNote(Raw raw) {
    return raw.hasCpu() ? "  " + Report.cpuText(raw.cpuPerOp(), raw.cores()) : "";
  }

  private void keep(Case c, Contender who, Results results, double value, double foreign, Raw raw) {
    boolean disturbed = foreign > options.maxForeignCores;
    results.add(c, who, value, new Results.Load(foreign, disturbed));
    if (!raw.details().isEmpty()) {
      results.addDetails(c, who, raw.details());
    }
    if (raw.hasCpu()) {
      results.addCpu(c, who, raw.cpuPerOp(), raw.cores());
    }
    log.printf(Locale.ROOT, "--- kept %s (others used %.2f cores)%n", c.workload().metric().format(value), foreign);
  }

  /** What a fork printed (its result, with the details it printed) and how it ran. */
  private record Outcome(Raw raw, int exit, String lastLine, double seconds, double foreignCores) {}

  /**
   * Runs one fork to its end. The CPU that other programs used meanwhile is the machine's busy time
   * minus this harness's own and its reaped children's ({@code /proc/self/stat}), which include
   * the fork and anything it started.
   */
  private Outcome fork(List<String> cmd) throws IOException, InterruptedException {
    long selfPid = ProcessHandle.current().pid();
    CpuLoad.Sample before = CpuLoad.sample();
    long ownBefore = CpuLoad.processJiffiesWithChildren(selfPid);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Raw raw = null;
    String lastLine = "";
    java.util.Map<String, Double> details = new java.util.LinkedHashMap<>();
    Thread timer = Thread.ofPlatform().daemon().start(() -> {
      try {
        if (!p.waitFor(options.forkTimeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly(); // only the fork this harness started
        }
      } catch (InterruptedException e) {
        // the fork ended
      }
    });
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        log.println(line);
        if (line.contains(" WARN ") || line.startsWith("WARN") || line.contains("[WARN]")) {
          // the kind of warning: its text without timestamps, thread names and numbers
          String text = line.substring(Math.max(0, line.indexOf(" - ") + 3)).replaceAll("[0-9.<>]+", "#");
          warnings.computeIfAbsent(forking, k -> new java.util.HashMap<>())
              .merge(text.length() > 110 ? text.substring(0, 110) + "…" : text, 1, Integer::sum);
        }
        if (line.startsWith("RESULT ")) {
          raw = Raw.parse(line);
        } else if (line.startsWith("DETAIL ")) {
          Raw.parseDetail(line, details);
        } else if (!line.isBlank()) {
          lastLine = line;
        }
      }
    }
    int exit = p.waitFor(); // reaped: its CPU time is now in our children's time
    timer.interrupt();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long own = CpuLoad.processJiffiesWithChildren(selfPid) - ownBefore;
    double foreign = CpuLoad.foreignCores(before, CpuLoad.sample(), own);
    log.printf(Locale.ROOT, "--- %.1f s, other programs used %.2f cores on average%n", seconds, foreign);
    Raw withDetails = raw == null ? null
        : new Raw(raw.amount(), raw.ops(), details, raw.cpuPerOp(), raw.cores());
    return new Outcome(withDetails, exit, lastLine, seconds, foreign);
  }

  /**
   * Waits until the cores are idle (less than {@link Options#maxForeignCores} busy over half a
   * second), at most {@link Options#maxQuietWaitSeconds}; returns the seconds waited.
   */
  private double awaitQuiet() throws InterruptedException {
    if (waitedSeconds >= options.waitBudgetSeconds) {
      return 0;
    }
    long t0 = System.nanoTime();
    long limit = TimeUnit.SECONDS.toNanos(Math.min(options.maxQuietWaitSeconds,
        (long) (options.waitBudgetSeconds - waitedSeconds)));
    while (CpuLoad.busyCoresOver(500) > options.maxForeignCores && System.nanoTime() - t0 < limit) {
      Thread.sleep(500);
    }
    double waited = (System.nanoTime() - t0) / 1e9;
    waitedSeconds += waited;
    return waited < 1.5 ? 0 : waited;
  }

  private List<String> jvmCommand(Workload w, Contender who, int n, int warmups, int warmupSize) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_FLAGS);
    if (who == Contender.OTP4J && options.scheduler != null) {
      cmd.add("-Dotp4j.scheduler=" + options.scheduler);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Fork.class.getName(), w.id(),
        who == Contender.VIRTUAL_THREADS ? "vt" : who.name().toLowerCase(Locale.ROOT),
        Integer.toString(n), Integer.toString(warmups), Integer.toString(warmupSize)));
    return cmd;
  }

  /** Command-line options. */
  static final class Options {
    Mode mode = Mode.FULL;
    int rounds = -1;
    Path out;
    Path root = Path.of("").toAbsolutePath();
    List<Workload> workloads = Workloads.ALL;
    Set<Contender> contenders = EnumSet.allOf(Contender.class);
    long forkTimeoutSeconds;
    /** Average cores used by other programs above which a measurement counts as disturbed. */
    double maxForeignCores = 0.3;
    /** Measurements of a disturbed case/runtime before the last one is kept anyway. */
    int attempts;
    /** How long to wait for idle cores before each measurement, and over the whole run. */
    long maxQuietWaitSeconds;
    long waitBudgetSeconds;
    /** Repeated measurements over the whole run, at most. */
    int maxRetries;
    /** otp4j's scheduler in the forks ({@code local} or {@code jdk}), or null for the default. */
    String scheduler;
    String commandLine;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> o.mode = Mode.QUICK;
          case "--full" -> o.mode = Mode.FULL;
          case "--rounds" -> o.rounds = Integer.parseInt(value(args, ++i, a));
          case "--out" -> o.out = Path.of(value(args, ++i, a));
          case "--root" -> o.root = Path.of(value(args, ++i, a)).toAbsolutePath();
          case "--only" -> o.workloads = Arrays.stream(value(args, ++i, a).split(",")).map(Workloads::byId).toList();
          case "--runtimes" -> {
            Set<Contender> set = EnumSet.noneOf(Contender.class);
            for (String s : value(args, ++i, a).split(",")) {
              set.add(Contender.parse(s));
            }
            o.contenders = set;
          }
          case "--scheduler" -> {
            o.scheduler = value(args, ++i, a);
            if (!o.scheduler.equals("local") && !o.scheduler.equals("jdk")) {
              throw new IllegalArgumentException("--scheduler must be local or jdk, got '" + o.scheduler + "'");
            }
          }
          default -> throw new IllegalArgumentException("unknown option '" + a + "'; expected --quick, --rounds N, "
              + "--out FILE, --only id,id, --runtimes otp4j,beam,pekko,vt, --scheduler local|jdk, --root DIR");
        }
      }
      if (o.rounds < 0) {
        o.rounds = o.mode == Mode.QUICK ? 1 : 5;
      }
      if (o.out == null) {
        o.out = o.root.resolve(o.mode == Mode.QUICK ? "otp-bench/target/benchmarks-quick.md" : "docs/benchmarks.md");
      } else if (!o.out.isAbsolute()) {
        o.out = o.root.resolve(o.out);
      }
      o.forkTimeoutSeconds = o.mode == Mode.QUICK ? 90 : 240;
      // Bounds that keep a full run under about 25 minutes however busy the machine is, and a quick
      // run about 5: the quick run never waits and never repeats.
      o.attempts = o.mode == Mode.QUICK ? 1 : 3;
      o.maxRetries = o.mode == Mode.QUICK ? 0 : 40;
      o.maxQuietWaitSeconds = o.mode == Mode.QUICK ? 0 : 10;
      o.waitBudgetSeconds = o.mode == Mode.QUICK ? 0 : 120;
      List<String> shown = new ArrayList<>(Arrays.asList(args));
      int r = shown.indexOf("--root"); // bench.sh adds it; not something a reader types
      if (r >= 0) {
        shown.subList(r, Math.min(r + 2, shown.size())).clear();
      }
      o.commandLine = "bash otp-bench/bench.sh" + (shown.isEmpty() ? "" : " " + String.join(" ", shown));
      return o;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }
}
