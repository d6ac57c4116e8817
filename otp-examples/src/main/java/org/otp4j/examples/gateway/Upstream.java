package org.otp4j.examples.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small upstream HTTP server, run as an OS process of its own behind the gateway (by the demo and
 * the tests), with faults that can be injected while it runs:
 *
 * <pre>
 * java -cp CLASSPATH org.otp4j.examples.gateway.Upstream --name a --port 0 [--latency-ms N] [--error-rate R]
 * </pre>
 *
 * It prints {@code upstream NAME listening on PORT} once it listens, then answers:
 * <ul>
 *   <li>{@code GET /_health}: 200, or 503 after {@code healthy=false};</li>
 *   <li>{@code /_admin/fault?latencyMs=N&errorRate=R&hang=true&healthy=false}: changes the faults
 *       (keys left out stay as they are); {@code /_admin/reset} clears them;</li>
 *   <li>{@code /_admin/crash}: the process exits at once with status 3, mid-request for anyone
 *       waiting on it;</li>
 *   <li>{@code /_admin/stats}: JSON counters: requests, in flight, aborted (a client that went
 *       away while it was answered), the last request's path and headers;</li>
 *   <li>anything else: after the latency, a 500 with probability errorRate, a response that never
 *       ends if {@code hang} (200, then a byte every 50 ms until the client goes away), or 200 with a
 *       JSON echo of the request: instance, method, path, query, headers, body length; for the path
 *       {@code /fixed}, instead of the echo, the same JSON answer of about 100 bytes every time (what a
 *       benchmark asks for: its size does not depend on the request's headers).</li>
 * </ul>
 */
public final class Upstream {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final String name;
  private volatile long latencyMs;
  private volatile double errorRate;
  private volatile boolean hang;
  private volatile boolean healthy = true;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong inflight = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private volatile String lastPath = "";
  private volatile Map<String, String> lastHeaders = Map.of();
  private final byte[] fixed;

  private Upstream(String name) {
    this.name = name;
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("instance", name);
    answer.put("status", "ok");
    answer.put("items", java.util.List.of(1, 2, 3));
    answer.put("note", "the same answer of about one hundred bytes");
    this.fixed = JSON.writeValueAsBytes(answer);
  }

  /**
   * Starts the server; see the class comment for the arguments.
   *
   * @param args {@code --name NAME --port PORT [--latency-ms N] [--error-rate R]}
   * @throws IOException if it cannot listen
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        System.err.println("upstream: expected --name, --port, --latency-ms or --error-rate, got '" + args[i] + "'");
        System.exit(2);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    Upstream upstream = new Upstream(options.getOrDefault("name", "upstream"));
    upstream.latencyMs = Long.parseLong(options.getOrDefault("latency-ms", "0"));
    upstream.errorRate = Double.parseDouble(options.getOrDefault("error-rate", "0"));
    int port = Integer.parseInt(options.getOrDefault("port", "0"));
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", upstream::handle);
    server.start();
    System.out.println("upstream " + upstream.name + " listening on " + server.getAddress().getPort());
    System.out.flush();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      String path = uri.getPath();
      switch (path) {
        case "/_health" -> send(exchange, healthy ? 200 : 503, Map.of("instance", name, "healthy", healthy));
        case "/_admin/crash" -> Runtime.getRuntime().halt(3);
        case "/_admin/reset" -> {
          latencyMs = 0;
          errorRate = 0;
          hang = false;
          healthy = true;
          send(exchange, 200, faults());
        }
        case "/_admin/fault" -> {
          Map<String, String> q = query(uri.getRawQuery());
          try {
            if (q.containsKey("latencyMs")) {
              latencyMs = Long.parseLong(q.get("latencyMs"));
            }
            if (q.containsKey("errorRate")) {
              errorRate = Double.parseDouble(q.get("errorRate"));
            }
            if (q.containsKey("hang")) {
              hang = Boolean.parseBoolean(q.get("hang"));
            }
            if (q.containsKey("healthy")) {
              healthy = Boolean.parseBoolean(q.get("healthy"));
            }
            send(exchange, 200, faults());
          } catch (NumberFormatException e) {
            send(exchange, 400, Map.of("error", "latencyMs is a whole number of milliseconds and errorRate a "
                + "number from 0 to 1; got " + q));
          }
        }
        case "/_admin/stats" -> {
          Map<String, Object> stats = new LinkedHashMap<>(faults());
          stats.put("requests", requests.get());
          stats.put("inflight", inflight.get());
          stats.put("aborted", aborted.get());
          stats.put("lastPath", lastPath);
          stats.put("lastHeaders", lastHeaders);
          send(exchange, 200, stats);
        }
        default -> serve(exchange, uri);
      }
    }
  }

  private void serve(HttpExchange exchange, URI uri) throws IOException {
    requests.incrementAndGet();
    inflight.incrementAndGet();
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
      lastPath = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      lastHeaders = headers;
      if (latencyMs > 0) {
        Thread.sleep(Duration.ofMillis(latencyMs));
      }
      if (hang) {
        trickle(exchange);
        return;
      }
      if (errorRate > 0 && ThreadLocalRandom.current().nextDouble() < errorRate) {
        send(exchange, 500, Map.of("instance", name, "error", "injected failure"));
        return;
      }
      if (uri.getRawPath().equals("/fixed")) {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, fixed.length);
        exchange.getResponseBody().write(fixed);
        return;
      }
      Map<String, Object> echo = new LinkedHashMap<>();
      echo.put("instance", name);
      echo.put("method", exchange.getRequestMethod());
      echo.put("path", uri.getRawPath());
      echo.put("query", uri.getRawQuery() == null ? "" : uri.getRawQuery());
      echo.put("headers", headers);
      echo.put("body", body.length);
      send(exchange, 200, echo);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      inflight.decrementAndGet();
    }
  }

  /** A response that never ends: a byte every 50 ms until writing fails (the client went away). */
  private void trickle(HttpExchange exchange) throws InterruptedException {
    try {
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      while (hang) {
        out.write('.');
        out.flush();
        Thread.sleep(Duration.ofMillis(50));
      }
    } catch (IOException e) {
      aborted.incrementAndGet();
    }
  }

  private Map<String, Object> faults() {
    return Map.of("instance", name, "latencyMs", latencyMs, "errorRate", errorRate, "hang", hang, "healthy", healthy);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
