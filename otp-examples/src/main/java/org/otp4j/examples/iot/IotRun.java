package org.otp4j.examples.iot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;

/**
 * The IoT platform as a program: starts a local broker ({@link Broker}, in {@code data/broker}),
 * then the application on a node of its own, prints where things are, and runs until Ctrl-C (exit
 * status 0) or until the application stops on its own (1); 2 if it did not start.
 *
 * <p>Devices: {@link #devices} is the one place a device simulator is started from, once the
 * platform is up; it is handed the running broker. Until one is set, the platform waits for devices
 * to connect to the printed broker address.
 */
public final class IotRun {
  private IotRun() {}

  private static volatile Consumer<Broker> devices = broker -> System.out.println(
      "no device simulator is wired in: publish to " + broker.uri() + " as the contract says (devices/{id}/telemetry)");

  /**
   * Sets what starts the devices once the platform runs (a simulator, given the broker to connect to).
   *
   * @param starter called once, on the main thread, after the platform has started
   */
  public static void devices(Consumer<Broker> starter) {
    devices = java.util.Objects.requireNonNull(starter, "starter");
  }

  /**
   * Runs the platform until Ctrl-C; returns the exit status for {@code System.exit}.
   *
   * @return 0 after Ctrl-C, 1 if the application failed, 2 if it did not start
   * @throws InterruptedException if interrupted while it runs
   */
  public static int run() throws InterruptedException {
    String dataDir = System.getProperty("otp.iot.dataDir", "data");
    Broker broker;
    try {
      broker = Broker.start(Path.of(dataDir, "broker"));
    } catch (RuntimeException e) {
      System.out.println("the MQTT broker did not start: " + e.getMessage());
      return 2;
    }
    // The broker's port is picked at start: the application reads it from its environment.
    System.setProperty("otp.iot.mqttPort", Integer.toString(broker.port()));
    Node node = Node.start(NodeConfig.defaults().withName("iot"));
    AtomicBoolean requested = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!node.isStopped()) {
        requested.set(true);
        System.out.println("stopping the IoT platform...");
        node.stop();
        node.awaitTermination(Duration.ofSeconds(10));
      }
      broker.close();
      System.out.println("IoT platform stopped");
    }, "iot-shutdown"));
    CountDownLatch stopped = new CountDownLatch(1);
    node.addStopHook(stopped::countDown);
    try {
      node.run(() -> {
        Application.load(IotApp.descriptor());
        Application.ensureAllStarted(IotApp.NAME, Application.Type.PERMANENT);
      });
    } catch (RuntimeException e) {
      System.out.println("the IoT platform did not start: " + e.getMessage());
      node.stop();
      broker.close();
      return 2;
    }
    Iot iot = IotApp.on(node).orElseThrow();
    System.out.println("IoT platform running: MQTT broker " + broker.uri() + ", database "
        + iot.config().effectiveJdbcUrl() + ". Ctrl-C stops it.");
    devices.accept(broker);
    stopped.await();
    if (requested.get()) {
      return 0;
    }
    System.out.println("the IoT application stopped on its own (the report above says why); exit status 1");
    return 1;
  }
}
