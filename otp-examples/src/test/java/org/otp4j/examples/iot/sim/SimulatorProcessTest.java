package org.otp4j.examples.iot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.iot.Broker;
import org.otp4j.examples.iot.TestBroker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The simulator as its own OS process: killed, terminated, or left without input. */
class SimulatorProcessTest {
  @TempDir Path dir;

  private static String[] args(Broker broker, String... more) {
    List<String> all = new java.util.ArrayList<>(List.of("--broker", broker.host() + ":" + broker.port(),
        "--devices", "10", "--interval-ms", "100", "--summary-seconds", "1"));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static long online(List<Platform.Message> ms, boolean online) {
    return ms.stream().filter(m -> m.topic().endsWith("/status") && m.json().get("online").booleanValue() == online)
        .map(Platform.Message::device).distinct().count();
  }

  @Test
  void whenTheProcessIsKilledTheBrokerPublishesEachDevicesWill() throws Exception {
    try (Broker broker = TestBroker.start(dir.resolve("broker"));
         Platform platform = Platform.connect(broker, "platform", "devices/+/status");
         SimulatorProcess sim = SimulatorProcess.launch(dir.resolve("sim.log"), args(broker))) {
      sim.awaitStarted();
      platform.awaitMessages("10 devices online", ms -> online(ms, true) == 10);
      sim.kill9();
      assertThat(sim.awaitExit()).as("died of SIGKILL").isEqualTo(137);
      platform.awaitMessages("10 devices offline, from their wills", ms -> online(ms, false) == 10);
      assertThat(platform.on(t -> t.endsWith("/status")).stream().filter(m -> !m.json().get("online").booleanValue()))
          .allSatisfy(m -> assertThat(m.json().get("device").asString()).isEqualTo(m.device()));
      assertThat(sim.output()).doesNotContain("iot-sim stopped");
      try (Platform late = Platform.connect(broker, "late", "devices/+/status")) {
        late.awaitMessages("10 retained statuses", ms -> ms.size() == 10);
        assertThat(late.messages()).allMatch(m -> m.retained() && !m.json().get("online").booleanValue());
      }
    }
  }

  @Test
  void sigtermStopsCleanlyAndWritesTheFinalCountsAsJson() throws Exception {
    Path counts = dir.resolve("out/final.json");
    try (Broker broker = TestBroker.start(dir.resolve("broker"));
         Platform platform = Platform.connect(broker, "platform", "devices/+/telemetry");
         SimulatorProcess sim = SimulatorProcess.launch(dir.resolve("sim.log"),
             args(broker, "--final-json", counts.toString(), "--ignore-stdin"))) {
      sim.awaitStarted();
      platform.awaitMessages("3 messages from each device", ms -> {
        Map<String, List<Platform.Message>> by = Telemetry.byDevice(ms);
        return by.size() == 10 && by.values().stream().allMatch(l -> l.size() >= 3);
      });
      // Its summary comes every second of its own: on a busy machine, after the messages above.
      await("a summary line").atMost(Platform.WAIT)
          .until(() -> sim.output().matches("(?s).*iot-sim: \\d+/10 devices connected, \\d+ msg/s.*"));
      sim.terminate();
      assertThat(sim.awaitExit()).as("ended by SIGTERM").isEqualTo(143);
      JsonNode last = JsonMapper.builder().build().readTree(Files.readString(counts));
      long published = last.get("published").longValue();
      assertThat(last.get("confirmed").longValue()).isEqualTo(published);
      assertThat(last.get("devices").intValue()).isEqualTo(10);
      assertThat(sim.output()).contains("iot-sim stopped: published " + published + ", confirmed " + published)
          .containsPattern("iot-sim: \\d+/10 devices connected, \\d+ msg/s");
      platform.awaitMessages("as many messages as the simulator counted", ms -> ms.size() == published);
      Telemetry.byDevice(platform.messages()).forEach(Telemetry::assertConsecutiveFromOne);
    }
  }

  @Test
  void theEndOfItsInputStopsIt() throws Exception {
    try (Broker broker = TestBroker.start(dir.resolve("broker"));
         Platform platform = Platform.connect(broker, "platform", "devices/+/status");
         SimulatorProcess sim = SimulatorProcess.launch(dir.resolve("sim.log"), args(broker))) {
      sim.awaitStarted();
      platform.awaitMessages("10 devices online", ms -> online(ms, true) == 10);
      sim.closeInput();
      assertThat(sim.awaitExit()).isZero();
      assertThat(sim.output()).contains("iot-sim stopped: published ");
      platform.awaitMessages("10 devices offline", ms -> online(ms, false) == 10);
    }
  }

  @Test
  void aBadOptionEndsItWithStatusTwoAndSaysWhy() throws Exception {
    try (SimulatorProcess sim = SimulatorProcess.launch(dir.resolve("sim.log"), "--devices", "lots")) {
      assertThat(sim.awaitExit()).isEqualTo(2);
      assertThat(sim.output()).contains("iot-sim: option --devices expects an integer, got lots");
    }
  }
}
