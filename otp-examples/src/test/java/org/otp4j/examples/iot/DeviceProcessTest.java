package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.QuietReports;
import org.otp4j.examples.iot.sim.Simulator;
import org.otp4j.examples.iot.sim.SimulatorConfig;
import org.otp4j.examples.iot.sim.SimulatorStats;

/**
 * A process per device: started by its first message, found through the directory, and, when
 * killed, started again by its supervisor with its state rebuilt from the store; killed at random
 * while simulated devices send, each comes back with its state and serves again, and no reading
 * is lost or stored twice.
 */
class DeviceProcessTest {
  @TempDir
  Path dir;

  @Test
  void aKilledDeviceProcessIsRestartedWithItsState() {
    try (IotServer s = IotServer.start(dir, Map.of()); Devices devices = new Devices(s.broker, "sim")) {
      long t0 = 1_796_655_600_000L;
      devices.status("d-000042", true, t0);
      for (int i = 1; i <= 20; i++) {
        devices.reading("d-000042", "g-07", i, t0 + i * 1000L, 20 + i, 80);
      }
      devices.flush();
      await().atMost(IotServer.WAIT).until(() -> s.metrics().stored() == 20 && s.metrics().statuses() == 1);
      DeviceServer.DeviceView before = s.on(() -> DeviceServer.view(s.iot, "d-000042"));
      assertThat(before.last()).map(DeviceMessage.Telemetry::seq).contains(20L);
      assertThat(before.online()).isTrue();
      assertThat(before.group()).contains("g-07");
      assertThat(s.iot.directory().devices()).containsExactly("d-000042");

      Pid old = before.pid();
      try (QuietReports reports = new QuietReports()) {
        reports.expectKill(old);
        s.on(() -> {
          Proc.exit(old, ExitReason.KILL);
          return null;
        });
        await().atMost(IotServer.WAIT).until(() -> s.iot.directory().whereis("d-000042").filter(p -> !p.equals(old))
            .isPresent());
        await().atMost(IotServer.WAIT).until(() -> reports.killed(old));
      }
      DeviceServer.DeviceView after = s.on(() -> DeviceServer.view(s.iot, "d-000042"));
      assertThat(after.pid()).isNotEqualTo(old);
      assertThat(after.last()).isEqualTo(before.last());
      assertThat(after.online()).isTrue();
      assertThat(after.group()).contains("g-07");

      // the restarted process carries on: a new reading is accepted, an old one is a duplicate
      devices.reading("d-000042", "g-07", 21, t0 + 21_000L, 41, 80);
      devices.reading("d-000042", "g-07", 5, t0 + 5_000L, 25, 80);
      devices.flush();
      await().atMost(IotServer.WAIT).until(() -> s.metrics().stored() == 21
          && s.metrics().rejected(BadMessage.Reason.DUPLICATE) == 1);
      assertThat(s.on(() -> DeviceServer.view(s.iot, "d-000042")).last()).map(DeviceMessage.Telemetry::seq)
          .isEqualTo(Optional.of(21L));
    }
  }

  @Test
  void deviceProcessesKilledAtRandomUnderTelemetryServeAgainWithTheirState() {
    int devices = 8;
    try (IotServer s = IotServer.start(dir, Map.of());
        Simulator sim = Simulator.start(SimulatorConfig.of(s.broker.host(), s.broker.port(), devices)
            .withSummaryEvery(Duration.ZERO).withInterval(Duration.ofMillis(100)).withFaultRate(0).withSeed(7));
        QuietReports reports = new QuietReports()) {
      List<String> ids = sim.deviceIds();
      await().atMost(IotServer.WAIT).until(() -> ids.stream().allMatch(id -> s.iot.db().history(id, 3).size() == 3));
      Random random = new Random(42);
      for (int round = 0; round < 3; round++) {
        List<String> victims = new ArrayList<>(ids);
        Collections.shuffle(victims, random);
        victims = victims.subList(0, 3);
        Map<String, DeviceServer.DeviceView> before = new TreeMap<>();
        Map<String, Long> storedBefore = new TreeMap<>();
        for (String id : victims) {
          before.put(id, s.on(() -> DeviceServer.view(s.iot, id)));
          storedBefore.put(id, maxStoredSeq(s, id));
        }
        s.on(() -> {
          before.values().forEach(v -> {
            reports.expectKill(v.pid());
            Proc.exit(v.pid(), ExitReason.KILL);
          });
          return null;
        });
        for (String id : victims) {
          Pid old = before.get(id).pid();
          await().atMost(IotServer.WAIT).until(() -> reports.killed(old));
          await().atMost(IotServer.WAIT).until(() -> s.iot.directory().whereis(id).filter(p -> !p.equals(old))
              .isPresent());
          // started again from the store: what was stored before the kill at least, its group, online
          DeviceServer.DeviceView after = s.on(() -> DeviceServer.view(s.iot, id));
          assertThat(after.pid()).isNotEqualTo(old);
          assertThat(after.last()).map(DeviceMessage.Telemetry::seq).hasValueSatisfying(seq ->
              assertThat(seq).isGreaterThanOrEqualTo(storedBefore.get(id)));
          assertThat(after.group()).isEqualTo(before.get(id).group());
          assertThat(after.online()).isTrue();
          // and it serves again: newer readings than it had when it was killed
          long lastBefore = before.get(id).last().orElseThrow().seq();
          await().atMost(IotServer.WAIT).until(() -> s.on(() -> DeviceServer.view(s.iot, id)).last().orElseThrow()
              .seq() > lastBefore);
        }
      }
      assertThat(reports.unexpected()).as("reports other than the kills").isEmpty();

      // every reading the broker took is stored once, in order, and each process holds its device's last
      SimulatorStats stats = sim.stop();
      assertThat(stats.failed()).isZero();
      await().atMost(IotServer.WAIT).until(() -> ids.stream().mapToLong(id -> maxStoredSeq(s, id)).sum()
          == stats.confirmed());
      for (String id : ids) {
        List<Long> seqs = s.iot.db().history(id, 100_000).stream().map(DeviceMessage.Telemetry::seq).toList();
        assertThat(seqs).as(id).doesNotHaveDuplicates().hasSize((int) maxStoredSeq(s, id));
        assertThat(s.on(() -> DeviceServer.view(s.iot, id)).last()).map(DeviceMessage.Telemetry::seq)
            .contains(maxStoredSeq(s, id));
      }
    }
  }

  private static long maxStoredSeq(IotServer s, String id) {
    return s.iot.db().history(id, 1).stream().mapToLong(DeviceMessage.Telemetry::seq).max().orElse(0);
  }
}
