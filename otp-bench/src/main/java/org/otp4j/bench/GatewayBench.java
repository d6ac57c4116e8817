package org.otp4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.otp4j.bench.gateway.GatewayMain;
import org.otp4j.examples.gateway.UpstreamProcess;

/**
 * The gateway example side by side with nginx and HAProxy as reverse proxies, and with the upstream
 * asked directly (the floor), in one run on this machine, in front of the same two upstream
 * processes ({@link UpstreamProcess}), with {@code wrk} as the load generator:
 *
 * <pre>{@code java -cp benchmarks.jar org.otp4j.bench.GatewayBench --root DIR [--duration S] [--rounds N]
 *     [--rate R] [--warmup S] [--out FILE] [--jfr]}</pre>
 *
 * <p>For each contender: a warm-up run, a saturated run ({@code wrk -t2 -c64}) and a paced run at
 * about {@code --rate} requests/s; then the gateway's fast failure: one upstream made to fail until
 * its breaker opens, and the latency of the 503s. Writes a markdown report (see
 * {@code otp-bench/README.md}). {@code gateway-bench.sh} installs nginx, HAProxy and wrk first.
 */
public final class GatewayBench {
  private static final int THREADS = 2;
  private static final int CONNECTIONS = 64;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).build();
  static final List<String> GATEWAY_JVM_FLAGS = List.of("-XX:+UseG1GC", "-Xms512m", "-Xmx512m",
      "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED");

  private GatewayBench() {}

  /** One wrk run's figures. */
  record Run(double rps, double p50Micros, double p99Micros, long requests, long non2xx, long errors) {}

  /** A contender: its name, the URL wrk asks, and how it is configured (markdown). */
  record Contender(String name, String url, String configuration) {}

  /**
   * Runs the benchmark.
   *
   * @param args see the class comment
   * @throws Exception if a contender cannot start or wrk fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--jfr")) {
        opt.put("jfr", "true");
      } else if (a.startsWith("--") && i + 1 < args.length) {
        opt.put(a.substring(2), args[++i]);
      } else {
        System.err.println("unknown argument '" + a + "'; expected --root DIR, --duration S, --rounds N, --rate R, "
            + "--warmup S, --out FILE or --jfr");
        System.exit(2);
      }
    }
    Path root = Path.of(opt.getOrDefault("root", ".")).toAbsolutePath();
    int duration = Integer.parseInt(opt.getOrDefault("duration", "10"));
    int rounds = Integer.parseInt(opt.getOrDefault("rounds", "1"));
    int rate = Integer.parseInt(opt.getOrDefault("rate", "6000"));
    int warmup = Integer.parseInt(opt.getOrDefault("warmup", "40"));
    Path out = Path.of(opt.getOrDefault("out", root.resolve("docs/benchmarks-gateway.md").toString()));
    boolean jfr = opt.containsKey("jfr");
    for (String tool : List.of("wrk", "nginx", "haproxy")) {
      if (!onPath(tool)) {
        throw new IllegalStateException(tool + " is not installed: run otp-bench/gateway-bench.sh, which installs it");
      }
    }
    long started = System.nanoTime();
    String when = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    Path dir = Files.createTempDirectory("otp4j-gateway-bench-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    List<Process> servers = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> servers.forEach(Process::destroyForcibly)));
    try (UpstreamProcess a = UpstreamProcess.start("a"); UpstreamProcess b = UpstreamProcess.start("b")) {
      String gatewayConfig = gatewayConfig(a, b);
      Files.writeString(dir.resolve("gateway.json"), gatewayConfig);
      List<String> gwCmd = new ArrayList<>();
      gwCmd.add(ProcessHandle.current().info().command().orElse("java"));
      gwCmd.addAll(GATEWAY_JVM_FLAGS);
      Files.writeString(dir.resolve("logback.xml"), LOGBACK);
      gwCmd.add("-Dlogback.configurationFile=" + dir.resolve("logback.xml"));
      if (jfr) {
        gwCmd.add("-XX:StartFlightRecording=filename=" + dir.resolve("gateway.jfr") + ",settings=profile");
      }
      gwCmd.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayMain.class.getName(),
          dir.resolve("gateway.json").toString()));
      Process gw = new ProcessBuilder(gwCmd).redirectError(dir.resolve("gateway.err").toFile()).start();
      servers.add(gw);
      int gwPort = readPort(gw, "GATEWAY-PORT ");

      int nginxPort = freePort();
      String nginxConf = nginxConfig(dir, nginxPort, a, b);
      Files.writeString(dir.resolve("nginx.conf"), nginxConf);
      Process nginx = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
          "-e", dir.resolve("nginx-error.log").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
      servers.add(nginx);

      int haproxyPort = freePort();
      String haproxyConf = haproxyConfig(haproxyPort, a, b);
      Files.writeString(dir.resolve("haproxy.cfg"), haproxyConf);
      Process haproxy = new ProcessBuilder("haproxy", "-db", "-f", dir.resolve("haproxy.cfg").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.out").toFile()).start();
      servers.add(haproxy);
      awaitListening(nginxPort, nginx, dir.resolve("nginx.out"));
      awaitListening(haproxyPort, haproxy, dir.resolve("haproxy.out"));

      List<Contender> contenders = List.of(
          new Contender("otp4j gateway", "http://127.0.0.1:" + gwPort + "/api/fixed",
              "The `otp-examples` gateway (`GatewayApp`) in a JVM of its own (`org.otp4j.bench.gateway.GatewayMain`, "
                  + "flags `" + String.join(" ", GATEWAY_JVM_FLAGS) + "`, JDK " + Runtime.version().feature()
                  + "), default node settings. Its access log (one line per request) is off, as nginx's and "
                  + "HAProxy's are; the per-client token bucket is on, set so high that it never refuses. "
                  + "Configuration (`/api/` to the two upstreams, round robin, a breaker and a health check "
                  + "each, one retry; `/fail/` is the breaker measurement's):\n\n```json\n" + gatewayConfig + "```"),
          new Contender("nginx " + version("nginx", "-v"), "http://127.0.0.1:" + nginxPort + "/api/fixed",
              "Debian's nginx, started with its own configuration (not the system service):\n\n```nginx\n"
                  + nginxConf + "```"),
          new Contender("HAProxy " + version("haproxy", "-v"), "http://127.0.0.1:" + haproxyPort + "/api/fixed",
              "Debian's HAProxy, started with its own configuration (not the system service), in the "
                  + "foreground (`haproxy -db -f haproxy.cfg`):\n\n```haproxy\n" + haproxyConf + "```"),
          new Contender("direct (floor)", a.url() + "/fixed",
              "wrk asks upstream `a` itself: no proxy, one upstream process (the others spread over two)."));
      for (Contender c : contenders) {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(c.url())).timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().contains("\"instance\"")) {
          throw new IllegalStateException(c.name() + " answered " + r.statusCode() + " " + r.body() + " at " + c.url());
        }
        System.out.println(c.name() + ": " + c.url() + " answers " + r.body().length() + " bytes");
      }
      Path paced = dir.resolve("paced.lua");
      double meanDelayMs = CONNECTIONS * 1000.0 / rate - 0.25;
      Files.writeString(paced, pacedScript(meanDelayMs));

      Map<String, List<Run>> saturated = new LinkedHashMap<>();
      Map<String, List<Run>> pacedRuns = new LinkedHashMap<>();
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < contenders.size(); k++) {
          Contender c = contenders.get((k + round) % contenders.size());
          System.out.println("round " + (round + 1) + "/" + rounds + ": " + c.name());
          // warm-up: long before a contender's first round, as a JVM's request path is compiled
          // under load for tens of seconds (a long-running proxy is measured, not its first minute)
          wrk(c.url(), round == 0 ? warmup : Math.max(3, duration / 2), null);
          saturated.computeIfAbsent(c.name(), x -> new ArrayList<>()).add(wrk(c.url(), duration, null));
          pacedRuns.computeIfAbsent(c.name(), x -> new ArrayList<>()).add(wrk(c.url(), duration, paced));
        }
      }

      // the fast failure: upstream b fails every request; the pool "fail" has only b, a breaker opening
      // after 3 failures and staying open for a minute, no retries and no health check
      b.fault("errorRate=1");
      URI fail = URI.create("http://127.0.0.1:" + gwPort + "/fail/fixed");
      String firstOpen = null;
      for (int i = 0; i < 50 && firstOpen == null; i++) {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(fail).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503 && r.body().contains("circuit_open")) {
          firstOpen = r.body();
        }
      }
      if (firstOpen == null) {
        throw new IllegalStateException("the breaker of upstream b did not open after 50 failing requests");
      }
      long upstreamBefore = b.stats().path("requests").asLong();
      Run openPaced = wrk(fail.toString(), duration, paced);
      Run openSaturated = wrk(fail.toString(), duration, null);
      long upstreamAfter = b.stats().path("requests").asLong();
      b.fault("errorRate=0");

      String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      String md = report(root, when, seconds, duration, rounds, rate, warmup, meanDelayMs, loadBefore, loadAfter, contenders,
          saturated, pacedRuns, openPaced, openSaturated, upstreamAfter - upstreamBefore, firstOpen, a, jfr ? dir : null);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, md);
      System.out.println("wrote " + out + (jfr ? "; the gateway's flight recording: " + dir.resolve("gateway.jfr") : ""));
      gw.getOutputStream().close(); // GatewayMain stops at the end of its input (and writes the recording)
      gw.waitFor(30, TimeUnit.SECONDS);
    } finally {
      for (Process p : servers) {
        p.destroy();
      }
      for (Process p : servers) {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static final String LOGBACK = """
      <configuration>
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n</pattern></encoder>
        </appender>
        <logger name="org.otp4j.behaviours.Reports" level="WARN"/>
        <logger name="org.otp4j.examples.gateway.access" level="OFF"/>
        <root level="WARN"><appender-ref ref="STDOUT"/></root>
      </configuration>
      """;

  static String gatewayConfig(UpstreamProcess a, UpstreamProcess b) {
    return """
        {"routes": [{"id": "api", "prefix": "/api/", "pool": "api", "rewrite": "/", "deadlineMs": 3000, "retries": 1},
                    {"id": "fail", "prefix": "/fail/", "pool": "fail", "rewrite": "/", "deadlineMs": 3000, "retries": 0}],
         "pools": [{"name": "api", "balancer": "round_robin", "instances": ["%s", "%s"],
                    "breaker": {"failures": 3, "failureRate": 0.5, "window": 20, "openMs": 5000, "probes": 1},
                    "health": {"path": "/_health", "intervalMs": 1000, "failures": 2}},
                   {"name": "fail", "balancer": "round_robin", "instances": ["%s"],
                    "breaker": {"failures": 3, "failureRate": 0.5, "window": 20, "openMs": 600000, "probes": 1}}]}
        """.formatted(a.url(), b.url(), b.url());
  }

  static String nginxConfig(Path dir, int port, UpstreamProcess a, UpstreamProcess b) {
    return """
        # one worker per core; the master stays in the foreground for the benchmark to stop it
        daemon off;
        master_process on;
        worker_processes 2;
        worker_rlimit_nofile 65536;
        pid %1$s/nginx.pid;
        error_log %1$s/nginx-error.log warn;
        events {
            worker_connections 4096;
            multi_accept on;
        }
        http {
            access_log off;
            client_body_temp_path %1$s/client_body;
            proxy_temp_path %1$s/proxy;
            fastcgi_temp_path %1$s/fastcgi;
            uwsgi_temp_path %1$s/uwsgi;
            scgi_temp_path %1$s/scgi;
            tcp_nodelay on;
            # wrk keeps its 64 connections for the whole run: never close them after N requests
            keepalive_timeout 65s;
            keepalive_requests 1000000;
            upstream api {
                server 127.0.0.1:%2$d;
                server 127.0.0.1:%3$d;
                # idle keep-alive connections each worker keeps to the upstreams
                keepalive 64;
                keepalive_requests 1000000;
                keepalive_timeout 60s;
            }
            server {
                listen 127.0.0.1:%4$d reuseport backlog=4096;
                location /api/ {
                    proxy_pass http://api/;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    # the same request headers the gateway adds
                    proxy_set_header X-Request-Id $request_id;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_next_upstream error timeout http_500 http_502 http_503 http_504;
                    proxy_next_upstream_tries 2;
                    proxy_connect_timeout 2s;
                    proxy_read_timeout 3s;
                }
            }
        }
        """.formatted(dir, a.port(), b.port(), port);
  }

  static String haproxyConfig(int port, UpstreamProcess a, UpstreamProcess b) {
    return """
        global
            nbthread 2
            maxconn 8000
            tune.bufsize 16384
        defaults
            mode http
            option http-keep-alive
            option forwardfor
            timeout connect 2s
            timeout client 30s
            timeout server 3s
            timeout http-keep-alive 60s
            retries 1
            option redispatch
            retry-on conn-failure empty-response response-timeout 500 502 503 504
        frontend api
            bind 127.0.0.1:%d
            http-request set-header X-Request-Id %%[uuid()]
            http-request set-header X-Forwarded-Proto http
            default_backend api
        backend api
            balance roundrobin
            # idle server connections are shared between client connections
            http-reuse always
            http-request replace-path ^/api(/.*) \\1
            server a 127.0.0.1:%d check inter 1s fall 2 rise 1
            server b 127.0.0.1:%d check inter 1s fall 2 rise 1
        """.formatted(port, a.port(), b.port());
  }

  /** A wrk script that waits before each request, so that 64 connections send about the rate asked for. */
  static String pacedScript(double meanDelayMs) {
    return """
        -- Paced load: each connection waits before each request, on average %1$.3f ms (wrk takes whole
        -- milliseconds: the floor or the ceiling, at random in the right proportion).
        local mean = %1$.6f
        local base = math.floor(mean)
        local frac = mean - base
        function delay()
          if math.random() < frac then
            return base + 1
          end
          return base
        end
        """.formatted(meanDelayMs);
  }

  private static final Pattern LATENCY = Pattern.compile("^\\s*(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
  private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  static Run wrk(String url, int seconds, Path script) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("wrk", "-t" + THREADS, "-c" + CONNECTIONS, "-d" + seconds + "s",
        "--timeout", "5s", "--latency"));
    if (script != null) {
      cmd.addAll(List.of("-s", script.toString()));
    }
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + text);
    }
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    Matcher m = LATENCY.matcher(text);
    while (m.find()) {
      double v = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
        case "us" -> 1;
        case "ms" -> 1_000;
        default -> 1_000_000;
      };
      if (m.group(1).equals("50")) {
        p50 = v;
      } else {
        p99 = v;
      }
    }
    Matcher r = RPS.matcher(text);
    Matcher t = TOTAL.matcher(text);
    if (!r.find() || !t.find() || Double.isNaN(p50) || Double.isNaN(p99)) {
      throw new IllegalStateException("cannot read wrk's output: " + text);
    }
    Matcher n = NON2XX.matcher(text);
    Matcher e = ERRORS.matcher(text);
    long errors = 0;
    if (e.find()) {
      for (int g = 1; g <= 4; g++) {
        errors += Long.parseLong(e.group(g));
      }
    }
    Run run = new Run(Double.parseDouble(r.group(1)), p50, p99, Long.parseLong(t.group(1)),
        n.find() ? Long.parseLong(n.group(1)) : 0, errors);
    System.out.printf(Locale.ROOT, "  %s%s: %.0f req/s, p50 %s, p99 %s%s%n", script == null ? "saturated" : "paced",
        "", run.rps(), micros(run.p50Micros()), micros(run.p99Micros()),
        run.non2xx() + run.errors() > 0 ? ", non-2xx " + run.non2xx() + ", socket errors " + run.errors() : "");
    return run;
  }

  private static Run median(List<Run> runs) {
    List<Run> byRps = runs.stream().sorted(Comparator.comparingDouble(Run::rps)).toList();
    List<Double> p50 = runs.stream().map(Run::p50Micros).sorted().toList();
    List<Double> p99 = runs.stream().map(Run::p99Micros).sorted().toList();
    int mid = runs.size() / 2;
    return new Run(byRps.get(mid).rps(), p50.get(mid), p99.get(mid), runs.stream().mapToLong(Run::requests).sum(),
        runs.stream().mapToLong(Run::non2xx).sum(), runs.stream().mapToLong(Run::errors).sum());
  }

  static String micros(double us) {
    if (us < 1000) {
      return String.format(Locale.ROOT, "%.0f µs", us);
    }
    if (us < 1_000_000) {
      return String.format(Locale.ROOT, "%.2f ms", us / 1000);
    }
    return String.format(Locale.ROOT, "%.2f s", us / 1_000_000);
  }

  private static String target(String what, double value, String op, double limit) {
    boolean met = op.equals(">=") ? value >= limit : value <= limit;
    return String.format(Locale.ROOT, "| %s | %.2f | %s %.2f | %s |%n", what, value, op.equals(">=") ? "≥" : "≤", limit,
        met ? "met" : "**missed**");
  }

  private static String report(Path root, String when, long seconds, int duration, int rounds, int rate, int warmup,
                               double delayMs,
                               String loadBefore, String loadAfter, List<Contender> contenders,
                               Map<String, List<Run>> saturated, Map<String, List<Run>> paced, Run openPaced,
                               Run openSaturated, long upstreamCalls, String firstOpen, UpstreamProcess a, Path jfr) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark: the gateway example beside nginx and HAProxy\n\n");
    md.append("<!-- Generated by org.otp4j.bench.GatewayBench; do not edit by hand: run `bash otp-bench/gateway-bench.sh` again. -->\n\n");
    md.append("Measured by `bash otp-bench/gateway-bench.sh")
        .append(duration == 10 && rounds == 1 && rate == 6000 ? "" : " --duration " + duration + " --rounds " + rounds
            + " --rate " + rate)
        .append(warmup == 40 ? "" : " --warmup " + warmup)
        .append("` on ").append(when).append(", in ").append(seconds / 60).append(" min ").append(seconds % 60)
        .append(" s, at commit ").append(Machine.commit(root)).append(". Machine: ").append(Machine.cpu()).append(", ")
        .append(Machine.cores()).append(" cores, ").append(Machine.memory()).append(", ").append(Machine.os())
        .append(". Load average before the run: `").append(loadBefore).append("`, after: `").append(loadAfter)
        .append("`.\n\n");
    md.append("**Indicative figures.** Everything runs on this one machine: the load generator, the contender and "
        + "the two upstreams share its ").append(Machine.cores()).append(" cores (and whatever else the machine "
        + "was running), so a contender's figure is also bounded by what wrk and the upstreams leave it. Compare "
        + "rows of one run, not runs of different machines.\n\n");
    md.append("## Method\n\n");
    md.append("- Two upstream processes (`org.otp4j.examples.gateway.Upstream`, each a JVM of its own, started by "
        + "`UpstreamProcess`) answer `GET /fixed` with the same JSON body of about 100 bytes. Every proxy sends "
        + "`/api/fixed` to both, round robin, over keep-alive connections, and adds the same request headers "
        + "(`X-Request-Id`, `X-Forwarded-For`, `X-Forwarded-Proto`).\n");
    md.append("- Load: Debian's `wrk` (").append(version("wrk", "-v")).append("), `wrk -t").append(THREADS)
        .append(" -c").append(CONNECTIONS).append(" -d").append(duration).append("s --latency`: ").append(THREADS)
        .append(" threads, ").append(CONNECTIONS).append(" keep-alive connections. Each contender gets a saturated "
        + "warm-up run of ").append(warmup).append(" s before its first round and of ").append(Math.max(3, duration / 2))
        .append(" s before each later one (not counted): the gateway's JVM compiles its request path under load for "
        + "tens of seconds, and what is measured is a proxy that has been running, as nginx and HAProxy are from "
        + "their first request.\n");
    md.append("- **Saturated**: each connection sends its next request as soon as the answer arrives.\n");
    md.append(String.format(Locale.ROOT, "- **Paced** at about %,d requests/s: wrk has no rate option and Debian has "
        + "no `wrk2`, so a wrk Lua script's `delay()` makes each connection wait %.2f ms on average before each "
        + "request (64 connections × one request per (delay + latency)). The achieved rate is shown. wrk times "
        + "each request from its sending: a slow answer delays that connection's next request instead of being "
        + "charged to it (no coordinated-omission correction as in wrk2), so paced tails are optimistic for "
        + "everyone alike.%n", rate, delayMs));
    md.append("- Rounds: ").append(rounds).append(rounds > 1 ? " (medians; the contender that starts rotates)" : "")
        .append(". p50 and p99 are wrk's latency distribution.\n\n");

    md.append("## Results\n\n");
    md.append("| contender | saturated req/s | saturated p50 | saturated p99 | paced req/s | paced p50 | paced p99 | non-2xx / socket errors |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    Map<String, Run[]> medians = new LinkedHashMap<>();
    for (Contender c : contenders) {
      Run s = median(saturated.get(c.name()));
      Run p = median(paced.get(c.name()));
      medians.put(c.name(), new Run[] {s, p});
      md.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s | %,.0f | %s | %s | %d / %d |%n", c.name(), s.rps(),
          micros(s.p50Micros()), micros(s.p99Micros()), p.rps(), micros(p.p50Micros()), micros(p.p99Micros()),
          s.non2xx() + p.non2xx(), s.errors() + p.errors()));
    }
    Run[] gw = medians.get(contenders.get(0).name());
    Run[] ng = medians.get(contenders.get(1).name());
    md.append("\n## Targets (gateway against nginx)\n\n| what | gateway ÷ nginx | target | |\n|---|---:|---|---|\n");
    md.append(target("saturated throughput", gw[0].rps() / ng[0].rps(), ">=", 0.75));
    md.append(target("saturated p99", gw[0].p99Micros() / ng[0].p99Micros(), "<=", 2.0));
    md.append(target("paced p50", gw[1].p50Micros() / ng[1].p50Micros(), "<=", 1.5));
    md.append(target("paced p99", gw[1].p99Micros() / ng[1].p99Micros(), "<=", 2.0));
    md.append(String.format(Locale.ROOT, "| open breaker's 503, paced p99 (ms) | %.3f | < 1 ms | %s |%n",
        openPaced.p99Micros() / 1000, openPaced.p99Micros() < 1000 ? "met" : "**missed**"));

    md.append("\n## An open breaker's fast failure\n\n");
    md.append("After the runs above, upstream `b` is made to fail every request (`/_admin/fault?errorRate=1`). "
        + "The gateway's route `/fail/` goes to a pool with `b` alone (no retries, no health check, a breaker "
        + "that opens after 3 failures in a row and stays open for 10 minutes). Requests are sent until the "
        + "answer is the breaker's own:\n\n```json\n").append(firstOpen.trim()).append("\n```\n\n");
    md.append(String.format(Locale.ROOT, "| load | req/s | p50 | p99 | 503s | upstream calls meanwhile |%n"
            + "|---|---:|---:|---:|---:|---:|%n| paced | %,.0f | %s | %s | %,d of %,d | %d |%n"
            + "| saturated | %,.0f | %s | %s | %,d of %,d | (same) |%n",
        openPaced.rps(), micros(openPaced.p50Micros()), micros(openPaced.p99Micros()), openPaced.non2xx(),
        openPaced.requests(), upstreamCalls, openSaturated.rps(), micros(openSaturated.p50Micros()),
        micros(openSaturated.p99Micros()), openSaturated.non2xx(), openSaturated.requests()));
    md.append(String.format(Locale.ROOT, "%nBeside the gateway's paced p99 for a proxied request (%s), the open "
        + "circuit's paced p99 is %s: the fast failure asks the balancer and the breaker's table row and never "
        + "the upstream (the upstream calls column counts only the breaker's probe attempts, if any).%n",
        micros(gw[1].p99Micros()), micros(openPaced.p99Micros())));

    md.append("\n## The contenders and how each is configured\n\n");
    for (Contender c : contenders) {
      md.append("### ").append(c.name()).append("\n\n").append(c.configuration()).append("\n\n");
    }
    md.append("The upstreams: `java -Xss512k -XX:TieredStopAtLevel=1 -cp … org.otp4j.examples.gateway.Upstream "
        + "--name a --port 0` (and `b`), the JDK's `HttpServer` on virtual threads. Upstream `a`: ")
        .append(a.url()).append(" during the run.\n\n");
    if (jfr != null) {
      md.append("The gateway ran with a flight recording: `").append(jfr.resolve("gateway.jfr")).append("`.\n\n");
    }
    md.append("## Reproduce\n\n```\nbash otp-bench/gateway-bench.sh                  # installs nginx, haproxy, wrk "
        + "if missing; rewrites docs/benchmarks-gateway.md\nbash otp-bench/gateway-bench.sh --rounds 3 --duration 20\n"
        + "bash otp-bench/gateway-bench.sh --jfr --out /tmp/gw.md   # with a flight recording of the gateway\n```\n");
    return md.toString();
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool));
  }

  private static String version(String tool, String flag) {
    try {
      Process p = new ProcessBuilder(tool, flag).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      Matcher m = Pattern.compile("(\\d+\\.\\d+(\\.\\d+)?)").matcher(text);
      return m.find() ? m.group(1) : "?";
    } catch (IOException | InterruptedException e) {
      return "?";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static int readPort(Process p, String prefix) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith(prefix)) {
        int port = Integer.parseInt(line.substring(prefix.length()).trim());
        Thread.ofVirtual().start(() -> {
          try {
            while (r.readLine() != null) {
              // drain
            }
          } catch (IOException e) {
            // ended
          }
        });
        return port;
      }
    }
    throw new IllegalStateException("the gateway ended before it listened; see its error output");
  }

  private static void awaitListening(int port, Process p, Path log) throws InterruptedException, IOException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < until) {
      if (!p.isAlive()) {
        throw new IllegalStateException("it exited before listening on " + port + ": " + Files.readString(log));
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(100); // polling a port another program opens: nothing to wait on instead
      }
    }
    throw new UncheckedIOException(new IOException("nothing listens on " + port + " after 20 s: " + Files.readString(log)));
  }
}
