package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back-pressure: with a deliberately slow database, the platform holds at most {@code inFlight}
 * messages; the rest wait at the broker, and every one is stored in the end.
 */
class BackPressureTest {
  @TempDir
  Path dir;

  @Test
  void aSlowDatabaseSlowsIngestionInsteadOfFillingMemory() {
    int inFlight = 40;
    int total = 600;
    try (IotServer s = IotServer.start(dir, Map.of("inFlight", inFlight, "writeDelay", Duration.ofMillis(50)));
        Devices devices = new Devices(s.broker, "sim")) {
      long t0 = 1_796_655_600_000L;
      for (int i = 1; i <= total; i++) {
        devices.reading("d-0000" + String.format("%02d", i % 10), "g-01", i, t0 + i, 20, 50);
      }
      // while the database is slow, the platform holds no more than inFlight messages: the broker
      // queues the rest
      await().atMost(Duration.ofMinutes(3)).until(() -> s.metrics().stored() == total);
      devices.flush();
      IotMetrics.Snapshot m = s.metrics();
      assertThat(m.maxInFlight()).isLessThanOrEqualTo(inFlight).isPositive();
      assertThat(m.received()).isEqualTo(total);
      // a storage transaction takes what arrived while the last one was written: few and large
      assertThat(m.batches()).isLessThan(total / 4);
      assertThat(s.iot.db().countReadings()).isEqualTo(total);
    }
  }
}
