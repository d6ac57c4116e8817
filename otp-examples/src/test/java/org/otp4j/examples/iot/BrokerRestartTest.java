package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.iot.DeviceMessage.Telemetry;
import org.otp4j.examples.iot.IotStore.StoredCommand;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;

/**
 * The broker goes away under the running platform and simulated devices, and comes back on the
 * same port: the platform's client and the devices' reconnect by themselves, their subscriptions
 * are in place again, and telemetry flows end to end (new readings stored for every device) and
 * commands reach the devices and come back acknowledged. Twice: a graceful stop, after which the
 * broker still has the sessions; then a kill with the broker's saved state wiped, after which every
 * session is gone and each client must subscribe again.
 */
class BrokerRestartTest {
  static final int DEVICES = 3;

  @TempDir
  Path dir;

  @Test
  void thePlatformAndTheDevicesReconnectAndResubscribeAfterTheBrokerComesBack() throws Exception {
    try (IotServer s = IotServer.start(dir, Map.of("commandTimeout", Duration.ofSeconds(10)));
        Simulator sim = Simulator.start(SimulatorConfig.of(s.broker.host(), s.broker.port(), DEVICES)
            .withSummaryEvery(Duration.ZERO).withInterval(Duration.ofMillis(200)).withFaultRate(0))) {
      List<String> ids = sim.deviceIds();
      awaitFlowing(s, sim, ids, Map.of());
      awaitCommandDone(s, ids.getFirst(), 400);

      // a graceful stop: mosquitto saves its sessions, and has them again when it starts
      Map<String, Long> before = lastSeqs(s, ids);
      s.broker.close();
      assertThat(s.broker.isAlive()).isFalse();
      s.broker.restart();
      awaitFlowing(s, sim, ids, before);
      await().atMost(IotServer.WAIT).until(() -> sim.stats().reconnects() >= DEVICES);
      awaitCommandDone(s, ids.get(1), 450);

      // a crash that loses the broker's state: no session survives, every client subscribes again
      before = lastSeqs(s, ids);
      long reconnects = sim.stats().reconnects();
      s.broker.kill();
      Files.deleteIfExists(dir.resolve("broker").resolve("mosquitto.db"));
      s.broker.restart();
      awaitFlowing(s, sim, ids, before);
      await().atMost(IotServer.WAIT).until(() -> sim.stats().reconnects() >= reconnects + DEVICES);
      awaitCommandDone(s, ids.get(2), 500);
    }
  }

  /** The last stored reading's seq of each device. */
  private static Map<String, Long> lastSeqs(IotServer s, List<String> ids) {
    Map<String, Long> out = new TreeMap<>();
    for (String id : ids) {
      out.put(id, s.iot.db().history(id, 1).stream().mapToLong(Telemetry::seq).max().orElse(0));
    }
    return out;
  }

  /** Waits until every device has readings stored past {@code before}, and its process has the newest. */
  private static void awaitFlowing(IotServer s, Simulator sim, List<String> ids, Map<String, Long> before) {
    try {
      await().atMost(IotServer.WAIT).until(() -> ids.stream().allMatch(id -> s.iot.db().history(id, 3).size() == 3
          && s.iot.db().history(id, 3).getLast().seq() > before.getOrDefault(id, 0L)));
      await().atMost(IotServer.WAIT).until(() -> ids.stream().allMatch(id -> s.on(() -> DeviceServer.view(s.iot, id))
          .last().map(Telemetry::seq).orElse(0L) > before.getOrDefault(id, 0L)));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no readings past " + before + ": " + describe(s, sim, ids), e);
    }
  }

  /** What the platform, the simulator and the broker say, for a failure's message. */
  private static String describe(IotServer s, Simulator sim, List<String> ids) {
    String log;
    try {
      List<String> lines = Files.readAllLines(s.broker.log());
      log = String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (java.io.IOException e) {
      log = "(no log: " + e + ")";
    }
    return "now " + lastSeqs(s, ids) + ", platform " + s.metrics() + ", simulator " + sim.stats().toJson()
        + ", broker log:\n  " + log;
  }

  /** Sends a device a new interval and waits for its ack. */
  private static void awaitCommandDone(IotServer s, String device, long intervalMs) {
    String id = s.on(() -> CommandProcess.send(s.iot, device, new Command.SetConfig(intervalMs)));
    await().atMost(IotServer.WAIT).until(() -> s.iot.db().command(id).filter(c -> !c.state().equals("sent"))
        .isPresent());
    StoredCommand c = s.iot.db().command(id).orElseThrow();
    assertThat(c.state()).as("command %s", c).isEqualTo("done");
    assertThat(c.detail()).isEqualTo("interval_ms=" + intervalMs);
  }
}
