package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.QuietReports;

/**
 * A process per device: started by its first message, found through the directory, and, when
 * killed, started again by its supervisor with its state rebuilt from the store.
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
}
