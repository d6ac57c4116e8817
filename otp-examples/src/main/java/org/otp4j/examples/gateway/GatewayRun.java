package org.otp4j.examples.gateway;

import org.otp4j.examples.Observed;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;

/**
 * The gateway as a program: starts three upstream servers as OS processes of their own, writes a
 * configuration file that routes {@code /api/} to them, starts the gateway application watching
 * that file, prints the URLs and what to try, and runs until Ctrl-C. Exit status: 0 after Ctrl-C,
 * 2 if it could not start (one line says why).
 */
public final class GatewayRun {
  private GatewayRun() {}

  /** Runs the demo until Ctrl-C; returns the exit status. */
  public static int run() throws InterruptedException {
    return run(System.out);
  }

  static int run(PrintStream out) throws InterruptedException {
    Node node = Node.start(Observed.nodeConfig("gateway"));
    List<UpstreamProcess> upstreams = new CopyOnWriteArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      upstreams.forEach(UpstreamProcess::kill);
      if (!node.isStopped()) {
        out.println("stopping the gateway...");
        node.stop();
        node.awaitTermination(Duration.ofSeconds(10));
      }
    }, "gateway-shutdown"));
    return serve(node, GatewayApp.descriptor(), out, upstreams);
  }

  /**
   * Starts three upstreams (adding each to {@code upstreams} as it starts, for whoever must kill
   * them on Ctrl-C), writes their configuration file, starts the gateway ({@code app}: its
   * descriptor) on {@code node}, prints where everything is, and waits until the node stops; then
   * kills the upstreams. Returns 0, or 2 (with one line saying why) if it did not start.
   */
  static int serve(Node node, AppDescriptor app, PrintStream out, List<UpstreamProcess> upstreams)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    node.addStopHook(stopped::countDown);
    int[] ports = new int[2];
    Path file;
    try {
      for (String name : List.of("a", "b", "c")) {
        upstreams.add(UpstreamProcess.start(name));
      }
      file = Files.createTempFile("otp4j-gateway-", ".json");
      Files.writeString(file, demoConfig(upstreams).toJson());
      node.run(() -> {
        Application.load(app);
        String host = Application.getEnv(GatewayApp.NAME, "host", "localhost");
        for (String key : List.of("port", "adminPort")) {
          int port = Application.getEnv(GatewayApp.NAME, key, 0);
          taken(host, port).ifPresent(why -> {
            throw new IllegalStateException("the gateway cannot listen on " + host + ":" + port + " (" + why
                + "); choose another port with -Dotp.gateway." + key + "=9000, or 0 for any free port");
          });
        }
        Application.setEnv(GatewayApp.NAME, "configFile", file.toString());
        Application.ensureAllStarted(GatewayApp.NAME, Application.Type.PERMANENT);
        int[] p = GatewayApp.ports();
        ports[0] = p[0];
        ports[1] = p[1];
      });
    } catch (IOException | RuntimeException e) {
      out.println("the gateway did not start: " + e.getMessage());
      upstreams.forEach(UpstreamProcess::kill);
      node.stop();
      return 2;
    }
    String gw = "http://localhost:" + ports[0];
    String admin = "http://localhost:" + ports[1];
    out.println("gateway running: " + gw + "/api/hello (routed to upstreams a, b, c round robin)");
    out.println("  admin page: " + admin + "/   metrics: " + admin + "/metrics   config (watched): " + file);
    Observed.serve(node, out);
    for (UpstreamProcess u : upstreams) {
      out.println("  upstream " + u.name() + ": " + u.url() + "  (faults: curl '" + u.url()
          + "/_admin/fault?latencyMs=500&errorRate=0.5')");
    }
    out.println("try: curl -i " + gw + "/api/hello ; kill an upstream: curl " + upstreams.getFirst().url()
        + "/_admin/crash ; Ctrl-C stops it all.");
    try {
      stopped.await();
    } finally {
      upstreams.forEach(UpstreamProcess::kill);
    }
    return 0;
  }

  /** Routes {@code /api/} to the three upstreams, with health checks and a breaker each. */
  static GatewayConfig demoConfig(List<UpstreamProcess> upstreams) {
    return GatewayConfig.parse("""
        {"routes": [{"id": "api", "prefix": "/api/", "pool": "api", "rewrite": "/", "deadlineMs": 3000, "retries": 1,
                     "setHeaders": {"X-Gateway": "otp4j"}}],
         "pools": [{"name": "api", "balancer": "round_robin", "instances": [%s],
                    "breaker": {"failures": 3, "failureRate": 0.5, "window": 20, "openMs": 5000, "probes": 1},
                    "health": {"path": "/_health", "intervalMs": 1000, "failures": 2}}]}
        """.formatted(String.join(", ", upstreams.stream().map(u -> "\"" + u.url() + "\"").toList())));
  }

  private static Optional<String> taken(String host, int port) {
    if (port == 0) {
      return Optional.empty();
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(host, port));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.getMessage());
    }
  }
}
