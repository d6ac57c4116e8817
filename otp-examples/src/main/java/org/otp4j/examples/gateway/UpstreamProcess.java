package org.otp4j.examples.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@link Upstream} running as a separate OS process, started with this JVM's {@code java} and
 * class path: what the demo puts behind the gateway and what the tests kill. {@link #kill()} is a
 * real kill (SIGKILL), {@link #restart()} starts it again on the same port.
 */
public final class UpstreamProcess implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final String name;
  private final List<String> extra;
  private volatile int port;
  private volatile Process process;

  private UpstreamProcess(String name, List<String> extra) {
    this.name = name;
    this.extra = extra;
  }

  /**
   * Starts an upstream named {@code name} on a free port and waits until it listens.
   *
   * @param name its name, echoed in every answer
   * @param args further arguments ({@code --latency-ms 100}, {@code --error-rate 0.1})
   * @return the running upstream
   */
  public static UpstreamProcess start(String name, String... args) {
    UpstreamProcess up = new UpstreamProcess(name, List.of(args));
    up.launch(0);
    return up;
  }

  private void launch(int onPort) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
    command.addAll(List.of("-Xss512k", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        Upstream.class.getName(), "--name", name, "--port", Integer.toString(onPort)));
    command.addAll(extra);
    try {
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, r -> Thread.ofPlatform().daemon().name("upstream-" + name + "-start").start(r));
      String first = line.get(START.toSeconds(), TimeUnit.SECONDS);
      if (first == null || !first.contains(" listening on ")) {
        p.destroyForcibly();
        throw new IllegalStateException("upstream " + name + " did not start on port " + onPort + ": it printed "
            + first + " (exit status " + (p.isAlive() ? "none yet" : p.exitValue()) + ")");
      }
      port = Integer.parseInt(first.substring(first.lastIndexOf(' ') + 1).trim());
      process = p;
      // Keep draining its output, so it never blocks on a full pipe. A platform thread: a read of a
      // pipe holds the thread that makes it, and a virtual thread would hold one of the few carriers
      // of the JDK's scheduler for as long as the upstream runs, starving every other virtual thread.
      Thread.ofPlatform().daemon().name("upstream-" + name + "-out").start(() -> {
        try {
          while (out.readLine() != null) {
            // nothing to do with it
          }
        } catch (IOException e) {
          // it ended
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start upstream " + name, e);
    } catch (Exception e) {
      throw new IllegalStateException("upstream " + name + " did not start within " + START, e);
    }
  }

  /** Its name. */
  public String name() {
    return name;
  }

  /** The port it listens on (the same after a restart). */
  public int port() {
    return port;
  }

  /** Its base URL, {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Whether its OS process runs. */
  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Kills its OS process (SIGKILL) and waits until it is gone. */
  public void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(START.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts it again, on the port it had; kills it first if it still runs. */
  public void restart() {
    kill();
    int again = port;
    RuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) { // the port may take a moment to be free again
      try {
        launch(again);
        return;
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  /** Sets faults: {@code fault("latencyMs=200&errorRate=0.5")}; see {@link Upstream}. */
  public JsonNode fault(String query) {
    return get("/_admin/fault?" + query);
  }

  /** Its counters ({@code requests}, {@code inflight}, {@code aborted}, {@code lastPath}, ...). */
  public JsonNode stats() {
    return get("/_admin/stats");
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("upstream " + name + " did not answer " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Kills it. */
  @Override
  public void close() {
    kill();
  }
}
