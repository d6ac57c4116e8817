package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.iot.IotStore.StoredCommand;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;

/**
 * Commands to devices over a real broker: acknowledged by simulated devices (set_config, firmware,
 * reboot after the device reconnected), sent again and then expired when a device never answers,
 * failed when it answers with an error; each outcome in the store and in the device's pending list.
 */
class CommandTest {
  @TempDir
  Path dir;

  /** Waits until command {@code id} has ended, and returns it. */
  private static StoredCommand ended(IotServer s, String id) {
    await().atMost(IotServer.WAIT).until(() -> s.iot.db().command(id).filter(c -> !c.state().equals("sent")).isPresent());
    return s.iot.db().command(id).orElseThrow();
  }

  private static void awaitOnline(IotServer s, String device) {
    await().atMost(IotServer.WAIT).until(() -> s.on(() -> DeviceServer.view(s.iot, device)).online());
  }

  @Test
  void simulatedDevicesAcknowledgeTheirCommands() {
    try (IotServer s = IotServer.start(dir, Map.of("commandTimeout", Duration.ofSeconds(10)));
        Simulator sim = Simulator.start(SimulatorConfig.of(s.broker.host(), s.broker.port(), 2)
            .withSummaryEvery(Duration.ZERO).withInterval(Duration.ofMillis(500)))) {
      awaitOnline(s, "d-000001");
      awaitOnline(s, "d-000002");

      String config = s.on(() -> CommandProcess.send(s.iot, "d-000001", new Command.SetConfig(250)));
      String firmware = s.on(() -> CommandProcess.send(s.iot, "d-000002", new Command.Firmware("2.0.1")));
      StoredCommand c = ended(s, config);
      assertThat(c.state()).isEqualTo("done");
      assertThat(c.attempts()).isEqualTo(1);
      assertThat(c.type()).isEqualTo("set_config");
      assertThat(c.args()).isEqualTo("{\"interval_ms\":250}");
      assertThat(c.detail()).isEqualTo("interval_ms=250");
      StoredCommand f = ended(s, firmware);
      assertThat(f.state()).isEqualTo("done");
      assertThat(f.detail()).isEqualTo("2.0.1");

      // the device's process knows its new configuration and has nothing pending; so does the store
      await().atMost(IotServer.WAIT).until(() -> s.on(() -> DeviceServer.view(s.iot, "d-000001")).intervalMs()
          .equals(java.util.Optional.of(250L)));
      DeviceServer.DeviceView d1 = s.on(() -> DeviceServer.view(s.iot, "d-000001"));
      assertThat(d1.pending()).isEmpty();
      assertThat(s.iot.db().device("d-000001").intervalMs()).contains(250L);
      assertThat(s.iot.db().device("d-000002").firmware()).contains("2.0.1");
      assertThat(s.iot.db().pendingCommands("d-000001")).isEmpty();
      assertThat(s.iot.db().commands("d-000001", 10)).extracting(StoredCommand::id).containsExactly(config);
    }
  }

  @Test
  void aRebootIsAcknowledgedAfterTheDeviceReconnected() {
    try (IotServer s = IotServer.start(dir, Map.of("commandTimeout", Duration.ofSeconds(10)));
        Devices watcher = new Devices(s.broker, "watcher");
        Simulator sim = Simulator.start(SimulatorConfig.of(s.broker.host(), s.broker.port(), 1)
            .withSummaryEvery(Duration.ZERO))) {
      List<String> statuses = new CopyOnWriteArrayList<>();
      watcher.client.publishes(MqttGlobalPublishFilter.ALL,
          p -> statuses.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
      join(watcher.client.subscribeWith().topicFilter("devices/d-000001/status").qos(MqttQos.AT_LEAST_ONCE).send());
      awaitOnline(s, "d-000001");
      await().atMost(IotServer.WAIT).until(() -> !statuses.isEmpty());
      int before = statuses.size();

      String reboot = s.on(() -> CommandProcess.send(s.iot, "d-000001", new Command.Reboot()));
      StoredCommand c = ended(s, reboot);
      assertThat(c.state()).isEqualTo("done");
      assertThat(c.detail()).isEqualTo("rebooted");
      assertThat(c.attempts()).isEqualTo(1);
      // the device went offline (its will) and came back online before it acknowledged
      await().atMost(IotServer.WAIT).until(() -> statuses.size() >= before + 2);
      assertThat(statuses.subList(before, before + 2)).satisfiesExactly(
          off -> assertThat(off).contains("\"online\":false"),
          on -> assertThat(on).contains("\"online\":true"));
    }
  }

  @Test
  void aSilentDeviceIsAskedAgainThenTheCommandExpires() {
    try (IotServer s = IotServer.start(dir, Map.of("commandTimeout", Duration.ofMillis(300), "commandAttempts", 3));
        Devices device = new Devices(s.broker, "silent")) {
      List<String> received = new CopyOnWriteArrayList<>();
      device.client.publishes(MqttGlobalPublishFilter.ALL,
          p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
      join(device.client.subscribeWith().topicFilter("devices/d-000777/commands").qos(MqttQos.AT_LEAST_ONCE).send());

      String id = s.on(() -> CommandProcess.send(s.iot, "d-000777", new Command.SetConfig(2000)));
      await().atMost(IotServer.WAIT).until(() -> s.on(() -> DeviceServer.view(s.iot, "d-000777")).pending()
          .contains(id));
      StoredCommand c = ended(s, id);
      assertThat(c.state()).isEqualTo("expired");
      assertThat(c.attempts()).isEqualTo(3);
      assertThat(c.detail()).contains("no ack after 3 attempts");
      await().atMost(IotServer.WAIT).until(() -> received.size() == 3);
      assertThat(received).allSatisfy(m -> assertThat(m).isEqualTo(
          "{\"command_id\":\"" + id + "\",\"type\":\"set_config\",\"args\":{\"interval_ms\":2000}}"));
      await().atMost(IotServer.WAIT).until(() -> s.on(() -> DeviceServer.view(s.iot, "d-000777")).pending().isEmpty());
      assertThat(s.iot.db().device("d-000777").intervalMs()).isEmpty();

      // a device that answers with an error: the command failed, with the device's words
      String firmware = s.on(() -> CommandProcess.send(s.iot, "d-000777", new Command.Firmware("9.9.9")));
      await().atMost(IotServer.WAIT).until(() -> received.size() == 4);
      device.publish("devices/d-000777/acks", "{\"device\":\"d-000777\",\"command_id\":\"" + firmware
          + "\",\"status\":\"error\",\"detail\":\"no space left\"}");
      device.flush();
      StoredCommand f = ended(s, firmware);
      assertThat(f.state()).isEqualTo("failed");
      assertThat(f.detail()).isEqualTo("no space left");
      assertThat(s.iot.db().device("d-000777").firmware()).isEmpty();
    }
  }

  @Test
  void badCommandsAreRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> Command.of("format_disk", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown command type 'format_disk'");
    assertThatThrownBy(() -> Command.of("set_config", Map.of("interval_ms", "fast")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval_ms");
    assertThatThrownBy(() -> new Command.SetConfig(0)).hasMessageContaining("1..86400000; got 0");
    assertThatThrownBy(() -> new Command.Firmware("1.0; rm")).hasMessageContaining("firmware's version");
    assertThat(Command.of("set_config", Map.of("interval_ms", 500))).isEqualTo(new Command.SetConfig(500));
    assertThat(Command.of("firmware", Map.of("version", "1.2.3"))).isEqualTo(new Command.Firmware("1.2.3"));
    assertThatThrownBy(() -> CommandProcess.send(null, "device-1", new Command.Reboot()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device id 'device-1'");
  }

  private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
