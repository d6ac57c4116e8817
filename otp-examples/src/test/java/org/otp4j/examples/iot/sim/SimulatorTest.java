package org.otp4j.examples.iot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.iot.Broker;
import org.otp4j.examples.iot.TestBroker;
import tools.jackson.databind.JsonNode;

class SimulatorTest {
  private static final Duration WAIT = Platform.WAIT;

  @TempDir Path dir;

  private static SimulatorConfig config(Broker broker, int devices) {
    return SimulatorConfig.of(broker.host(), broker.port(), devices).withSummaryEvery(Duration.ZERO).withSeed(42);
  }

  private static void awaitConnected(Simulator sim) {
    await("every device connected").atMost(WAIT)
        .until(() -> sim.stats().connectedDevices() == sim.stats().devices());
  }

  /** Waits until every device said online: from then on it gets its commands. */
  private static void awaitOnline(Platform platform, Simulator sim) {
    platform.awaitMessages("every device online", ms -> ms.stream()
        .filter(m -> m.topic().startsWith("devices/") && m.topic().endsWith("/status")
            && m.json().get("online").booleanValue())
        .map(Platform.Message::device).distinct().count() == sim.deviceIds().size());
  }

  @Test
  void everyDevicePublishesValidTelemetryWithConsecutiveSeqAndARetainedOnlineStatus() throws Exception {
    try (Broker broker = TestBroker.start(dir);
         Platform platform = Platform.connect(broker, "platform", "devices/+/telemetry", "devices/+/status")) {
      Simulator sim = Simulator.start(config(broker, 30).withInterval(Duration.ofMillis(100)).withFaultRate(0.2));
      List<String> ids = sim.deviceIds();
      assertThat(ids).hasSize(30).startsWith("d-000001").endsWith("d-000030");
      platform.awaitMessages("5 telemetry messages from each of the 30 devices", ms -> {
        Map<String, List<Platform.Message>> by = Telemetry.byDevice(ms);
        return by.keySet().containsAll(ids) && by.values().stream().allMatch(l -> l.size() >= 5);
      });
      // a late subscriber gets each device's online status, retained
      try (Platform late = Platform.connect(broker, "late", "devices/+/status")) {
        late.awaitMessages("30 retained statuses", ms -> ms.size() >= 30);
        assertThat(late.messages()).allSatisfy(m -> {
          assertThat(m.retained()).isTrue();
          assertThat(m.json().get("online").booleanValue()).isTrue();
          assertThat(m.json().get("device").asString()).isEqualTo(m.device());
          assertThat(m.json().get("ts").isIntegralNumber()).isTrue();
        });
        assertThat(late.messages().stream().map(Platform.Message::device)).containsExactlyInAnyOrderElementsOf(ids);
      }
      SimulatorStats last = sim.stop();
      assertThat(last.published()).isEqualTo(last.confirmed()).isPositive();
      assertThat(last.failed()).isZero();
      assertThat(sim.stop()).as("a second stop returns the same counts").isEqualTo(last);
      // every message the simulator counted reached the subscriber, each valid, in order
      platform.awaitMessages("all " + last.published() + " telemetry messages",
          ms -> ms.stream().filter(m -> Telemetry.isTelemetry(m.topic())).count() == last.published());
      List<Platform.Message> telemetry = platform.on(Telemetry::isTelemetry);
      assertThat(telemetry).allMatch(Telemetry::valid);
      Telemetry.byDevice(telemetry).forEach(Telemetry::assertConsecutiveFromOne);
      assertThat(telemetry).as("some faults, at a fault rate of 0.2")
          .anyMatch(m -> !m.json().get("fault").isNull());
      // stopping disconnects with the will: each device says offline
      platform.awaitMessages("30 offline statuses", ms -> ms.stream()
          .filter(m -> m.topic().endsWith("/status") && !m.json().get("online").booleanValue()).count() == 30);
    }
  }

  @Test
  void qosZeroTelemetryFlowsToo() throws Exception {
    try (Broker broker = TestBroker.start(dir);
         Platform platform = Platform.connect(broker, "platform", "devices/+/telemetry");
         Simulator sim = Simulator.start(config(broker, 5).withQos(0).withInterval(Duration.ofMillis(100)))) {
      platform.awaitMessages("3 messages from each of 5 devices", ms -> {
        Map<String, List<Platform.Message>> by = Telemetry.byDevice(ms);
        return by.size() == 5 && by.values().stream().allMatch(l -> l.size() >= 3);
      });
      assertThat(platform.messages()).allMatch(Telemetry::valid);
      assertThat(sim.stats().confirmed()).isPositive();
    }
  }

  @Test
  void commandsAreAnsweredPerTheContract() throws Exception {
    try (Broker broker = TestBroker.start(dir);
         Platform platform = Platform.connect(broker, "platform", "devices/+/acks", "devices/+/status",
             "devices/+/telemetry");
         // one message a minute: a faster pace can only come from set_config
         Simulator sim = Simulator.start(config(broker, 3).withInterval(Duration.ofSeconds(60)))) {
      awaitOnline(platform, sim);

      platform.command("d-000001", "{\"command_id\":\"c-1\",\"type\":\"firmware\",\"args\":{\"version\":\"1.2.3\"}}");
      JsonNode firmware = awaitAck(platform, "c-1");
      assertThat(firmware.get("device").asString()).isEqualTo("d-000001");
      assertThat(firmware.get("status").asString()).isEqualTo("ok");
      assertThat(firmware.get("detail").asString()).isEqualTo("1.2.3");

      platform.command("d-000002", "{\"command_id\":\"c-2\",\"type\":\"set_config\",\"args\":{\"interval_ms\":50}}");
      assertThat(awaitAck(platform, "c-2").get("status").asString()).isEqualTo("ok");
      platform.awaitMessages("10 messages from d-000002 at its new interval",
          ms -> Telemetry.byDevice(ms).getOrDefault("d-000002", List.of()).size() >= 10);

      int before = platform.messages().size();
      long sent = System.nanoTime();
      platform.command("d-000003", "{\"command_id\":\"c-3\",\"type\":\"reboot\",\"args\":{}}");
      JsonNode reboot = awaitAck(platform, "c-3");
      long took = System.nanoTime() - sent;
      assertThat(reboot.get("status").asString()).isEqualTo("ok");
      assertThat(Duration.ofNanos(took)).as("a reboot takes about a second").isGreaterThanOrEqualTo(Duration.ofMillis(900));
      List<String> after = platform.messages().subList(before, platform.messages().size()).stream()
          .filter(m -> m.device().equals("d-000003") && !Telemetry.isTelemetry(m.topic()))
          .map(m -> m.topic().endsWith("/acks") ? "ack" : m.json().get("online").booleanValue() ? "online" : "offline")
          .toList();
      // The device publishes its online status and then, once the broker acknowledged it, the ack; but
      // the two are on different topics, and MQTT keeps the order of one topic only: a subscriber
      // may see them either way. The will, a second before both, comes first.
      assertThat(after).as("offline (its will), then online and the ack").hasSize(3).startsWith("offline")
          .containsExactlyInAnyOrder("offline", "online", "ack");
      assertThat(sim.stats().reconnects()).isEqualTo(1);

      platform.command("d-000001", "{\"command_id\":\"c-4\",\"type\":\"dance\",\"args\":{}}");
      JsonNode unknown = awaitAck(platform, "c-4");
      assertThat(unknown.get("status").asString()).isEqualTo("error");
      assertThat(unknown.get("detail").asString()).contains("unknown command type dance", "set_config, reboot or firmware");

      platform.command("d-000001", "{\"command_id\":\"c-5\",\"type\":\"set_config\",\"args\":{\"interval_ms\":\"fast\"}}");
      JsonNode badArgs = awaitAck(platform, "c-5");
      assertThat(badArgs.get("status").asString()).isEqualTo("error");
      assertThat(badArgs.get("detail").asString()).contains("interval_ms", "\"fast\"");

      platform.command("d-000001", "reboot now");
      platform.awaitMessages("the ack of a command that is not JSON", ms -> ms.stream()
          .anyMatch(m -> m.topic().endsWith("/acks") && m.json().get("detail").asString().contains("reboot now")));
      JsonNode notJson = platform.on(t -> t.endsWith("/acks")).getLast().json();
      assertThat(notJson.get("command_id").asString()).isEmpty();
      assertThat(notJson.get("status").asString()).isEqualTo("error");
      assertThat(notJson.get("detail").asString()).startsWith("a command must be a JSON object");

      await("6 commands counted, 6 acks confirmed").atMost(WAIT)
          .until(() -> sim.stats().commands() == 6 && sim.stats().acks() == 6);
    }
  }

  private static JsonNode awaitAck(Platform platform, String commandId) {
    platform.awaitMessages("the ack of " + commandId, ms -> ms.stream().anyMatch(m -> isAck(m, commandId)));
    return platform.messages().stream().filter(m -> isAck(m, commandId)).findFirst().orElseThrow().json();
  }

  private static boolean isAck(Platform.Message m, String commandId) {
    return m.topic().endsWith("/acks") && m.json() != null && commandId.equals(m.json().get("command_id").asString());
  }

  @Test
  void afterABrokerRestartEveryDeviceReconnectsKeepsPublishingAndGetsCommands() throws Exception {
    try (Broker broker = TestBroker.start(dir);
         Platform platform = Platform.connect(broker, "platform", "devices/+/telemetry", "devices/+/acks");
         Simulator sim = Simulator.start(config(broker, 20).withInterval(Duration.ofMillis(200)))) {
      List<String> ids = sim.deviceIds();
      platform.awaitMessages("2 messages from each device", ms -> {
        Map<String, List<Platform.Message>> by = Telemetry.byDevice(ms);
        return by.size() == 20 && by.values().stream().allMatch(l -> l.size() >= 2);
      });
      broker.restart(); // SIGKILL, then a new mosquitto on the same port
      int mark = platform.messages().size();
      Map<String, Long> before = new java.util.TreeMap<>();
      Telemetry.byDevice(platform.messages().subList(0, mark))
          .forEach((id, l) -> before.put(id, Telemetry.seqs(l).getLast()));
      platform.awaitMessages("a later seq from every device after the restart", ms -> {
        Map<String, List<Platform.Message>> by = Telemetry.byDevice(ms.subList(mark, ms.size()));
        return ids.stream().allMatch(id -> by.getOrDefault(id, List.of()).stream()
            .anyMatch(m -> m.json().get("seq").longValue() > before.get(id)));
      });
      await("every device reconnected").atMost(WAIT)
          .until(() -> sim.stats().reconnects() >= 20 && sim.stats().connectedDevices() == 20);
      for (String id : ids) {
        platform.command(id, "{\"command_id\":\"r-" + id + "\",\"type\":\"firmware\",\"args\":{\"version\":\"2.0.0\"}}");
      }
      platform.awaitMessages("an ack from every device", ms -> ids.stream().allMatch(id -> ms.stream()
          .anyMatch(m -> isAck(m, "r-" + id) && m.json().get("status").asString().equals("ok"))));
      // seq keeps rising across the reconnect, never repeating
      Telemetry.byDevice(platform.messages()).forEach((id, l) -> assertThat(Telemetry.seqs(l)).isSorted()
          .doesNotHaveDuplicates());
    }
  }

  @Test
  void gatewaysCarrySeveralDevicesOverOneConnection() throws Exception {
    try (Broker broker = TestBroker.start(dir);
         Platform platform = Platform.connect(broker, "platform", "devices/+/telemetry", "devices/+/status",
             "devices/+/acks", "gateways/+/status")) {
      Simulator sim = Simulator.start(config(broker, 12).withDevicesPerConnection(4).withInterval(Duration.ofMillis(100)));
      assertThat(sim.stats().connections()).isEqualTo(3);
      awaitConnected(sim);
      awaitOnline(platform, sim);
      platform.awaitMessages("3 messages from each of 12 devices, 3 gateways online", ms -> {
        Map<String, List<Platform.Message>> by = Telemetry.byDevice(ms);
        return by.size() == 12 && by.values().stream().allMatch(l -> l.size() >= 3)
            && ms.stream().filter(m -> m.topic().startsWith("gateways/")).count() == 3;
      });
      List<Platform.Message> gateways = platform.on(t -> t.startsWith("gateways/"));
      assertThat(gateways.stream().map(m -> m.topic()))
          .containsExactlyInAnyOrder("gateways/gw-000001/status", "gateways/gw-000005/status", "gateways/gw-000009/status");
      JsonNode second = gateways.stream().filter(m -> m.topic().contains("gw-000005")).findFirst().orElseThrow().json();
      assertThat(second.get("online").booleanValue()).isTrue();
      assertThat(second.get("devices").valueStream().map(JsonNode::asString).toList())
          .containsExactly("d-000005", "d-000006", "d-000007", "d-000008");
      assertThat(platform.on(t -> t.endsWith("/status") && t.startsWith("devices/")).stream().map(Platform.Message::device))
          .containsExactlyInAnyOrderElementsOf(sim.deviceIds());

      platform.command("d-000006", "{\"command_id\":\"g-1\",\"type\":\"reboot\",\"args\":{}}");
      JsonNode ack = awaitAck(platform, "g-1");
      assertThat(ack.get("status").asString()).isEqualTo("ok");
      assertThat(ack.get("device").asString()).isEqualTo("d-000006");
      List<Boolean> statuses = platform.on(t -> t.equals("devices/d-000006/status")).stream()
          .map(m -> m.json().get("online").booleanValue()).toList();
      assertThat(statuses).containsExactly(true, false, true);

      SimulatorStats last = sim.stop();
      assertThat(last.published()).isEqualTo(last.confirmed());
      platform.awaitMessages("every device and gateway offline", ms -> ms.stream()
          .filter(m -> m.topic().endsWith("/status") && !m.json().get("online").booleanValue()).count() == 12 + 1 + 3);
      JsonNode will = platform.on(t -> t.equals("gateways/gw-000009/status")).getLast().json();
      assertThat(will.get("online").booleanValue()).isFalse();
      assertThat(will.get("devices").valueStream().map(JsonNode::asString).toList())
          .containsExactly("d-000009", "d-000010", "d-000011", "d-000012");
      Telemetry.byDevice(platform.messages()).forEach(Telemetry::assertConsecutiveFromOne);
    }
  }

  @Test
  void aGatewayOfMoreDevicesThanOneSubscribeCarriesGetsEveryDevicesCommands() throws Exception {
    try (Broker broker = TestBroker.start(dir);
         Platform platform = Platform.connect(broker, "platform", "devices/+/acks", "devices/+/status");
         Simulator sim = Simulator.start(config(broker, 2_500).withDevicesPerConnection(2_500)
             .withInterval(Duration.ofSeconds(60)))) {
      awaitOnline(platform, sim);
      for (String id : List.of("d-000001", "d-001000", "d-001001", "d-002500")) {
        platform.command(id, "{\"command_id\":\"x-" + id + "\",\"type\":\"firmware\",\"args\":{\"version\":\"3\"}}");
        assertThat(awaitAck(platform, "x-" + id).get("device").asString()).isEqualTo(id);
      }
    }
  }

  @Test
  void malformedPayloadsAndUnknownDevicesArePublishedAsCounted() throws Exception {
    try (Broker broker = TestBroker.start(dir);
         Platform platform = Platform.connect(broker, "platform", "devices/+/telemetry")) {
      Simulator sim = Simulator.start(config(broker, 10).withInterval(Duration.ofMillis(50)).withBadInput(0.2, 0.2, 0));
      await("enough of each kind of bad input").atMost(WAIT).until(() -> {
        SimulatorStats s = sim.stats();
        return s.malformed() >= 15 && s.unknownDevice() >= 15 && s.published() >= 50;
      });
      SimulatorStats last = sim.stop();
      assertThat(last.failed()).isZero();
      long expected = last.published() + last.malformed() + last.unknownDevice();
      platform.awaitMessages("every message published", ms -> ms.size() >= expected);
      List<Platform.Message> all = platform.messages();
      assertThat(all).hasSize((int) expected);

      List<Platform.Message> unknown = all.stream().filter(m -> Devices.number(m.device()) >= 900_000).toList();
      assertThat(unknown).hasSize((int) last.unknownDevice()).allMatch(Telemetry::valid);

      List<Platform.Message> known = all.stream().filter(m -> Devices.number(m.device()) < 900_000).toList();
      List<Platform.Message> invalid = known.stream().filter(m -> !Telemetry.valid(m)).toList();
      assertThat(invalid).hasSize((int) last.malformed());
      assertThat(invalid).as("not JSON").anyMatch(m -> m.json() == null);
      assertThat(invalid).as("fields missing").anyMatch(m -> m.json() != null && m.json().get("seq") == null);
      assertThat(invalid).as("fields of the wrong type")
          .anyMatch(m -> m.json() != null && m.json().get("seq") != null && m.json().get("seq").isString());

      // the valid telemetry is untouched: every message counted, seq without gaps
      Map<String, List<Platform.Message>> valid = Telemetry.byDevice(known);
      assertThat(valid.values().stream().mapToInt(List::size).sum()).isEqualTo(last.published());
      valid.forEach(Telemetry::assertConsecutiveFromOne);
    }
  }

  @Test
  void oversizedPayloadsNeverGetThroughAndTheDevicesCarryOn() throws Exception {
    try (Broker broker = TestBroker.start(dir);
         Platform platform = Platform.connect(broker, "platform", "devices/+/telemetry")) {
      Simulator sim = Simulator.start(config(broker, 5).withInterval(Duration.ofMillis(50)).withBadInput(0, 0, 0.3));
      await("20 oversized payloads refused").atMost(WAIT).until(() -> sim.stats().oversizedRefused() >= 20);
      int mark = platform.messages().size();
      platform.awaitMessages("telemetry from every device after them", ms -> Telemetry.byDevice(ms.subList(mark, ms.size()))
          .size() == 5);
      SimulatorStats last = sim.stop();
      assertThat(last.oversizedRefused()).isEqualTo(last.oversized());
      assertThat(last.confirmed() + last.failed()).isEqualTo(last.published());
      platform.awaitMessages("the confirmed telemetry", ms -> ms.size() >= last.confirmed());
      assertThat(platform.messages()).as("nothing bigger than the broker's limit, all valid")
          .allMatch(m -> m.payload().length < Broker.MAX_PACKET_BYTES && Telemetry.valid(m));
      Telemetry.byDevice(platform.messages()).forEach((id, l) -> assertThat(Telemetry.seqs(l)).isSorted()
          .doesNotHaveDuplicates());
    }
  }

  @Test
  void aFloodingDevicePublishesAsFastAsItCan() throws Exception {
    try (Broker broker = TestBroker.start(dir);
         Platform platform = Platform.connect(broker, "platform", "devices/+/telemetry");
         Simulator sim = Simulator.start(config(broker, 4).withFloodDevice("d-000002"))) {
      platform.awaitMessages("3000 messages from the flooding device",
          ms -> ms.stream().filter(m -> m.device().equals("d-000002")).count() >= 3_000);
      List<Platform.Message> flood = platform.on(t -> t.equals("devices/d-000002/telemetry"));
      Telemetry.assertConsecutiveFromOne("d-000002", flood);
      // the others go on at their pace: one a second, far behind
      assertThat(IntStream.of(1, 3, 4).mapToLong(n -> platform.on(t -> t.equals("devices/" + Devices.id(n) + "/telemetry"))
          .size()).max().orElseThrow()).isLessThan(flood.size() / 10);
    }
  }
}
