package org.otp4j.examples.iot;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.examples.Observed;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;

/**
 * The IoT platform as a program, all in one JVM: a local broker ({@link Broker}, its files in
 * {@code DATADIR/broker}), the platform on a node of its own, and a fleet of simulated devices
 * ({@link Simulator}, {@code iot.simDevices} of them, 300 by default, one reading every
 * {@code iot.simInterval}); it prints where things are and runs until Ctrl-C (exit status 0), or
 * ends with 2 and one line saying why if it did not start.
 */
public final class IotRun {
  private IotRun() {}

  /**
   * Runs it all until Ctrl-C; returns the exit status for {@code System.exit}.
   *
   * @return 0 after Ctrl-C, 2 if it did not start
   * @throws InterruptedException if interrupted while it runs
   */
  public static int run() throws InterruptedException {
    Node node = Node.start(Observed.nodeConfig("iot"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!node.isStopped()) {
        System.out.println("stopping the IoT platform...");
        node.stop();
        node.awaitTermination(Duration.ofSeconds(10));
      }
    }, "iot-shutdown"));
    return serve(node, IotApp.descriptor(), System.out, new AtomicReference<>());
  }

  /**
   * Starts a broker, the platform ({@code app}: its descriptor) on {@code node} and the simulated
   * devices (put in {@code simulator} once started), prints where everything is, and waits until
   * the node stops; then stops the devices and the broker. Returns 0, or 2 (with one line saying
   * why) if it did not start.
   */
  static int serve(Node node, AppDescriptor app, PrintStream out, AtomicReference<Simulator> simulator)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    node.addStopHook(stopped::countDown);
    Path dataDir = Path.of(String.valueOf(app.env().getOrDefault("dataDir", "data")));
    dataDir = Path.of(System.getProperty("otp.iot.dataDir", dataDir.toString()));
    Broker broker;
    try {
      broker = Broker.start(dataDir.resolve("broker"));
    } catch (RuntimeException e) {
      out.println("the MQTT broker did not start: " + e.getMessage());
      node.stop();
      return 2;
    }
    AtomicReference<Map<String, Object>> env = new AtomicReference<>();
    try {
      // The broker's port is picked at its start; a dashboard port in use is a clear error, not a trace.
      node.run(() -> {
        Application.load(app.withEnv("mqttPort", broker.port()));
        Application.ensureAllStarted(IotApp.NAME, Application.Type.PERMANENT);
        env.set(Application.getAllEnv(IotApp.NAME));
      });
    } catch (RuntimeException e) {
      out.println("the IoT platform did not start: " + e.getMessage());
      node.stop();
      broker.close();
      return 2;
    }
    Iot iot = IotApp.on(node).orElseThrow();
    int devices = (Integer) env.get().get("simDevices");
    Duration interval = (Duration) env.get().get("simInterval");
    Simulator sim = null;
    try {
      if (devices > 0) {
        sim = Simulator.start(SimulatorConfig.of(broker.host(), broker.port(), devices).withInterval(interval)
            .withSummaryEvery(Duration.ZERO));
        simulator.set(sim);
      }
      out.println("IoT platform running: MQTT broker " + broker.uri() + ", database " + iot.config().effectiveJdbcUrl());
      out.println("  dashboard: http://" + iot.config().httpHost() + ":" + node.call(Dashboard::port) + "/");
      out.println("  simulated devices: " + devices + " (d-000001..), one reading every " + interval.toMillis()
          + " ms; set -Dotp.iot.simDevices=N, 0 for none");
      Observed.serve(node, out);
      out.println("  Ctrl-C stops it all.");
      stopped.await();
    } finally {
      if (sim != null) {
        sim.stop();
      }
      broker.close();
    }
    return 0;
  }
}
