package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.iot.IotStore.Window;

/**
 * Telemetry end to end: devices publish at QoS 1, the platform stores every reading exactly once,
 * computes the per-minute windows of devices and groups, and acknowledges every message.
 */
class TelemetryTest {
  @TempDir
  Path dir;

  @Test
  void everyReadingIsStoredOnceWithItsWindows() {
    try (IotServer s = IotServer.start(dir, Map.of())) {
      long t0 = 1_796_655_600_000L; // the start of a minute
      int perDevice = 150;
      try (Devices devices = new Devices(s.broker, "sim")) {
        for (int i = 1; i <= perDevice; i++) {
          for (int d = 1; d <= 3; d++) {
            // two minutes of readings: seq i at t0 + i * 800 ms
            devices.reading("d-00000" + d, d == 3 ? "g-02" : "g-01", i, t0 + i * 800L, 20 + d + (i % 10) / 10.0, 90);
          }
        }
        devices.flush();
        await().atMost(IotServer.WAIT).until(() -> s.metrics().stored() == 3L * perDevice);
        IotStore db = s.iot.db();
        assertThat(db.countReadings()).isEqualTo(3L * perDevice);
        for (int d = 1; d <= 3; d++) {
          assertThat(db.countReadings("d-00000" + d)).isEqualTo(perDevice);
        }
        // device windows: minute 0 holds i = 1..74 (i * 800 < 60000), minute 1 i = 75..149, minute 2 i = 150
        List<Window> w1 = db.windows("device", "d-000001");
        assertThat(w1).extracting(Window::n).containsExactly(74L, 75L, 1L);
        assertThat(w1.getFirst().min()).isEqualTo(21.0);
        assertThat(w1.getFirst().max()).isEqualTo(21.9);
        List<Window> g1 = db.windows("group", "g-01");
        assertThat(g1).extracting(Window::n).containsExactly(148L, 150L, 2L);
        assertThat(g1.stream().mapToDouble(Window::sum).sum())
            .isCloseTo(db.history("d-000001", 1000).stream().mapToDouble(DeviceMessage.Telemetry::temperature).sum()
                + db.history("d-000002", 1000).stream().mapToDouble(DeviceMessage.Telemetry::temperature).sum(),
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(db.windows("group", "g-02")).extracting(Window::n).containsExactly(74L, 75L, 1L);

        // the same message again (a redelivery) is refused as a duplicate, and nothing changes
        devices.reading("d-000001", "g-01", perDevice, t0 + perDevice * 800L, 99, 90);
        devices.flush();
        await().atMost(IotServer.WAIT).until(() -> s.metrics().rejected(BadMessage.Reason.DUPLICATE) == 1);
        assertThat(db.countReadings("d-000001")).isEqualTo(perDevice);
        assertThat(db.windows("device", "d-000001")).extracting(Window::n).containsExactly(74L, 75L, 1L);
      }
      await().atMost(IotServer.WAIT).until(() -> s.metrics().inFlight() == 0);
      IotMetrics.Snapshot m = s.metrics();
      assertThat(m.received()).isEqualTo(3L * perDevice + 1);
      assertThat(m.acknowledged()).isEqualTo(m.received());
      assertThat(m.rejectedTotal()).isEqualTo(1);
    }
  }

  @Test
  void aReadingItsDeviceProcessSawButNoNodeStoredIsStoredWhenTheBrokerDeliversItAgain() {
    try (IotServer s = IotServer.start(dir, Map.of())) {
      long t0 = 1_796_655_600_000L;
      try (Devices devices = new Devices(s.broker, "sim")) {
        devices.reading("d-000001", "g-01", 1, t0, 20.5, 90);
        devices.flush();
        await().atMost(IotServer.WAIT).until(() -> s.metrics().stored() == 1);

        // Reading 2 reached the device's process through a node that died before writing it: the
        // process holds it as its last reading, the store does not have it.
        DeviceMessage.Telemetry second = new DeviceMessage.Telemetry("d-000001", "g-01", 2, t0 + 1_000L, 21.5, 90,
            48.8566, 2.3522, null);
        assertThat(s.on(() -> DeviceServer.record(s.iot, second)))
            .isInstanceOf(DeviceServer.Recorded.Accepted.class);
        assertThat(s.iot.db().countReadings("d-000001")).isEqualTo(1);

        // The broker gives it again (to a survivor, here the same node): it is stored, once, and counted
        devices.reading("d-000001", "g-01", 2, t0 + 1_000L, 21.5, 90);
        devices.flush();
        await().atMost(IotServer.WAIT).until(() -> s.metrics().stored() == 2);
        assertThat(s.iot.db().countReadings("d-000001")).isEqualTo(2);
        assertThat(s.iot.db().windows("device", "d-000001")).extracting(Window::n).containsExactly(2L);
        assertThat(s.metrics().rejected(BadMessage.Reason.DUPLICATE)).isZero();
      }
    }
  }
}
