package org.otp4j.examples.iot;

import static org.otp4j.examples.NodeSettings.address;
import static org.otp4j.examples.NodeSettings.setting;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.examples.NodeSettings;
import org.otp4j.examples.Observed;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;

/**
 * The IoT platform on several JVMs: {@link #node} runs one platform node of a cluster against a
 * broker that runs elsewhere, {@link #devices} runs that broker and the simulated devices. Their
 * settings are system properties (the platform's own, {@code otp.iot.*}, apply as well):
 * <table>
 *   <caption>The settings of a platform node</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>iot.node</td><td>(required)</td><td>the node's name, {@code a@127.0.0.1}: the host part is the
 *       address it listens on for the cluster</td></tr>
 *   <tr><td>iot.clusterPort</td><td>7800</td><td>the port it listens on for the cluster</td></tr>
 *   <tr><td>iot.seeds</td><td>its own address</td><td>{@code host:port,...} of some nodes of the cluster</td></tr>
 *   <tr><td>iot.cluster, iot.secret</td><td>iot, iot-secret</td><td>the cluster's name and secret (set your own)</td></tr>
 *   <tr><td>iot.broker</td><td>127.0.0.1:1883</td><td>the MQTT broker</td></tr>
 * </table>
 * Each node's MQTT client id is {@code platform-} and the node's short name, unless
 * {@code otp.iot.clientId} says otherwise; every node must have its own. It names the node's MQTT
 * session, or its sessions ({@code platform-a-0}, {@code platform-a-1}, ... with
 * {@code -Dotp.iot.sessions=N}), whose count must be the same on every node.
 */
public final class IotNodeRun {
  private IotNodeRun() {}

  /**
   * Runs one platform node until Ctrl-C (or, with {@code -Diot.stdin=true}, until its standard
   * input closes); returns the exit status.
   *
   * @return 0 once stopped, 2 (with one line saying why) if it did not start
   * @throws InterruptedException if interrupted while it runs
   */
  public static int node() throws InterruptedException {
    PrintStream out = System.out;
    String name = setting("iot.node", "");
    if (!name.contains("@")) {
      out.println("set -Diot.node=NAME@HOST (e.g. a@127.0.0.1): the node's name, and the address it listens on");
      return 2;
    }
    Node node;
    try {
      node = NodeSettings.startNode("iot", name, 7800, IotCluster.codec());
    } catch (UnknownHostException | IllegalArgumentException | SecurityException e) {
      out.println("the node did not start: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    node.addStopHook(stopped::countDown);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!node.isStopped()) {
        node.stop();
        node.awaitTermination(Duration.ofSeconds(10));
      }
    }, "iot-shutdown"));
    InetSocketAddress broker;
    try {
      broker = address(setting("iot.broker", "127.0.0.1:1883"), "iot.broker");
      IotCluster.start(node);
      String clientId = System.getProperty("otp.iot.clientId", "platform-" + name.substring(0, name.indexOf('@')));
      node.run(() -> {
        Application.load(IotApp.descriptor().withEnv("mqttHost", broker.getHostString())
            .withEnv("mqttPort", broker.getPort()).withEnv("clientId", clientId));
        Application.ensureAllStarted(IotApp.NAME, Application.Type.PERMANENT);
      });
    } catch (RuntimeException e) {
      out.println("the IoT platform did not start on node " + name + ": " + e.getMessage());
      node.stop();
      return 2;
    }
    Iot iot = IotApp.on(node).orElseThrow();
    out.println("IoT platform node " + name + " running: MQTT broker " + broker.getHostString() + ":"
        + broker.getPort() + " (client id " + iot.config().clientId() + "), database " + iot.config().effectiveJdbcUrl());
    out.println("  dashboard: http://" + iot.config().httpHost() + ":" + node.call(Dashboard::port) + "/");
    Observed.serve(node, out);
    out.flush();
    if (Boolean.parseBoolean(setting("iot.stdin", "false"))) {
      Thread.ofPlatform().daemon().start(() -> {
        try {
          while (System.in.read() >= 0) {
            // until the parent closes it
          }
        } catch (java.io.IOException e) {
          // closed
        }
        node.stop();
      });
    }
    stopped.await();
    return 0;
  }

  /**
   * Runs the MQTT broker on {@code iot.broker}'s port (files in {@code otp.iot.dataDir}/broker) and
   * {@code otp.iot.simDevices} simulated devices (300) until Ctrl-C.
   *
   * @return 0 once stopped, 2 (with one line saying why) if it did not start
   * @throws InterruptedException if interrupted while it runs
   */
  public static int devices() throws InterruptedException {
    PrintStream out = System.out;
    Broker broker;
    try {
      InetSocketAddress at = address(setting("iot.broker", "127.0.0.1:1883"), "iot.broker");
      broker = Broker.start(Path.of(System.getProperty("otp.iot.dataDir", "data"), "broker"), at.getPort());
    } catch (RuntimeException e) {
      out.println("the MQTT broker did not start: " + e.getMessage());
      return 2;
    }
    int devices = Integer.parseInt(System.getProperty("otp.iot.simDevices", "300"));
    Simulator sim = devices > 0 ? Simulator.start(SimulatorConfig.of(broker.host(), broker.port(), devices)
        .withSummaryEvery(Duration.ofSeconds(10))) : null;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (sim != null) {
        sim.stop();
      }
      broker.close();
      stopped.countDown();
    }, "iot-devices-shutdown"));
    out.println("MQTT broker " + broker.uri() + " running, with " + devices + " simulated devices; Ctrl-C stops it");
    out.flush();
    stopped.await();
    return 0;
  }
}
