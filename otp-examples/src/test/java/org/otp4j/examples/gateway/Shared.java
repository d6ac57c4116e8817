package org.otp4j.examples.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One gateway and a few upstream processes shared by the test classes that need nothing special:
 * starting a JVM per upstream and Jetty per class would cost more than the tests. Each class
 * configures the routes and pools it needs (replacing the last class's) and finds the upstreams
 * running, without faults; all are stopped when the test JVM exits.
 */
final class Shared {
  private static GatewayServer gateway;
  private static final Map<String, UpstreamProcess> UPSTREAMS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      UPSTREAMS.values().forEach(UpstreamProcess::kill);
      synchronized (Shared.class) {
        if (gateway != null) {
          gateway.close();
        }
      }
    }, "shared-gateway-stop"));
  }

  private Shared() {}

  /** The shared gateway: free ports, no rate limit, default limits. */
  static synchronized GatewayServer gateway() {
    if (gateway == null) {
      gateway = GatewayServer.start(Map.of());
    }
    return gateway;
  }

  /** The upstream named {@code name}, running (started again if a test killed it) and without faults. */
  static UpstreamProcess upstream(String name) {
    UpstreamProcess up = UPSTREAMS.computeIfAbsent(name, UpstreamProcess::start);
    if (!up.isAlive()) {
      up.restart();
    }
    up.fault("latencyMs=0&errorRate=0&hang=false&healthy=true");
    return up;
  }
}
