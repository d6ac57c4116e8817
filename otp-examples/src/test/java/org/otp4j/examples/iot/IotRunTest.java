package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.examples.ObserverLine;
import org.otp4j.examples.iot.sim.Simulator;

/**
 * The program as the README runs it ({@code mvn -Prun verify -Dexample=iot}: {@link IotRun}), in
 * this JVM: it starts a broker, the platform and the simulated devices; every device's telemetry
 * reaches the store; stopping the node stops the devices and the broker, and it returns 0.
 */
class IotRunTest {
  @TempDir
  Path dir;

  @Test
  void theSimulatedDevicesTelemetryReachesTheStore() throws Exception {
    TestBroker.start(dir.resolve("probe")).close(); // skips the test where mosquitto is missing
    Node node = Node.start(NodeConfig.defaults().withName("iot-run-test"));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    AtomicReference<Simulator> sim = new AtomicReference<>();
    CompletableFuture<Integer> status = new CompletableFuture<>();
    int devices = 20;
    Thread.ofPlatform().name("iot-run").start(() -> {
      try {
        status.complete(IotRun.serve(node, IotApp.descriptor().withEnv("dataDir", dir.resolve("data").toString())
            .withEnv("httpHost", "127.0.0.1").withEnv("httpPort", 0).withEnv("simDevices", devices)
            .withEnv("simInterval", Duration.ofMillis(200)),
            new PrintStream(printed, true, StandardCharsets.UTF_8), sim));
      } catch (Throwable t) {
        status.completeExceptionally(t);
      }
    });
    try {
      String text = await().atMost(IotServer.WAIT).until(() -> printed.toString(StandardCharsets.UTF_8),
          s -> s.contains("Ctrl-C stops it all") || status.isDone());
      assertThat(status).as("still running: %s", text).isNotDone();
      assertThat(text).contains("IoT platform running: MQTT broker tcp://127.0.0.1:").contains("simulated devices: 20");
      ObserverLine.assertServes(text, node.name());
      Iot iot = IotApp.on(node).orElseThrow();
      await().atMost(IotServer.WAIT).until(() -> sim.get().stats().connectedDevices() == devices);
      // every simulated device's readings are stored, several each
      await().atMost(IotServer.WAIT).until(() -> {
        for (int d = 1; d <= devices; d++) {
          if (iot.db().countReadings(String.format("d-%06d", d)) < 3) {
            return false;
          }
        }
        return true;
      });
      assertThat(iot.db().history("d-000001", 1).getFirst().group()).matches("g-[0-9]{2}");
      assertThat(iot.metrics().snapshot().rejectedTotal()).isZero();
    } finally {
      node.stop();
    }
    assertThat(status.get(IotServer.WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    assertThat(sim.get().stats().connectedDevices()).as("the devices were stopped").isZero();
  }
}
