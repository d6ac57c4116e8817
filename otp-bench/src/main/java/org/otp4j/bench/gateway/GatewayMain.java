package org.otp4j.bench.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.examples.gateway.GatewayApp;

/**
 * The gateway example as the benchmark's contender, in a JVM of its own (the load generator and
 * the other contenders are separate processes): its routes and pools from a JSON file, the proxy
 * on a free loopback port, the per-client token bucket on but set so high that it never refuses
 * (every request of the load generator comes from one address; the bucket's cost is measured, its
 * refusals are not).
 *
 * <pre>{@code java -cp benchmarks.jar org.otp4j.bench.gateway.GatewayMain CONFIG_FILE}</pre>
 *
 * <p>Prints {@code GATEWAY-PORT <port>} once the proxy accepts connections, and runs until its
 * standard input ends (the benchmark closes it, or dies), then stops the node.
 */
public final class GatewayMain {
  private GatewayMain() {}

  /**
   * Runs the gateway until standard input ends.
   *
   * @param args the configuration file
   * @throws IOException if standard input fails
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: GatewayMain CONFIG_FILE");
      System.exit(2);
    }
    Node node = Node.start(NodeConfig.defaults().withName("gateway-bench"));
    int[] port = new int[1];
    node.run(() -> {
      AppDescriptor d = GatewayApp.descriptor()
          .withEnv("host", "127.0.0.1")
          .withEnv("port", 0)
          .withEnv("adminPort", 0)
          .withEnv("configFile", args[0])
          .withEnv("rateLimit", 1_000_000_000.0)
          .withEnv("rateBurst", 1_000_000_000);
      Application.load(d);
      Application.ensureAllStarted(GatewayApp.NAME, Application.Type.PERMANENT);
      port[0] = GatewayApp.ports()[0];
    });
    System.out.println("GATEWAY-PORT " + port[0]);
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // the benchmark never writes: wait for the end of the stream
    }
    node.stop();
    node.awaitTermination(Duration.ofSeconds(10));
    // halt runs no shutdown hook, and so not the one that writes a flight recording: write it here
    if (FlightRecorder.isInitialized()) {
      for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
        if (r.getDestination() != null) {
          r.stop(); // a recording with a destination writes it when stopped
        }
      }
    }
    Runtime.getRuntime().halt(0);
  }
}
