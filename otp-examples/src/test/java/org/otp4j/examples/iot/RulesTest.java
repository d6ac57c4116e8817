package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules: each raises its alert once when its limit is crossed, and the alerts reach the alert
 * log through the pubsub.
 */
class RulesTest {
  @TempDir
  Path dir;

  @Test
  void eachRuleRaisesItsAlertWhenItsLimitIsCrossed() {
    try (IotServer s = IotServer.start(dir, Map.of()); Devices devices = new Devices(s.broker, "sim")) {
      long t0 = 1_796_655_600_000L;
      devices.status("d-000007", true, t0);
      devices.reading("d-000007", "g-01", 1, t0, 20, 50);
      devices.reading("d-000007", "g-01", 2, t0 + 60_000, 25, 50);  // +5 °C per minute: under 10
      devices.reading("d-000007", "g-01", 3, t0 + 66_000, 40, 50);  // +150 °C per minute
      devices.reading("d-000007", "g-01", 4, t0 + 126_000, 65, 50); // above 60 °C, +25 °C per minute
      devices.reading("d-000007", "g-01", 5, t0 + 186_000, 66, 12); // still hot: no new alert; battery low
      devices.reading("d-000007", "g-01", 6, t0 + 246_000, 66, 11); // battery still low: no new alert
      devices.status("d-000007", false, t0 + 300_000);              // what the last will says
      devices.flush();
      await().atMost(IotServer.WAIT).until(() -> s.on(() -> AlertLog.latest(100)).size() == 5);
      List<Alert> alerts = s.on(() -> AlertLog.latest(100)).reversed();
      assertThat(alerts.getFirst().kind()).isEqualTo(Alert.Kind.RATE_OF_CHANGE);
      // reading 4 crosses two limits: the handlers of one event run in no promised order
      assertThat(alerts.subList(1, 3)).extracting(Alert::kind)
          .containsExactlyInAnyOrder(Alert.Kind.TEMPERATURE_HIGH, Alert.Kind.RATE_OF_CHANGE);
      assertThat(alerts.subList(3, 5)).extracting(Alert::kind).containsExactly(Alert.Kind.BATTERY_LOW, Alert.Kind.OFFLINE);
      assertThat(alerts).allMatch(a -> a.device().equals("d-000007"));
      assertThat(alerts).filteredOn(a -> a.kind() == Alert.Kind.TEMPERATURE_HIGH).extracting(Alert::message)
          .containsExactly("d-000007 is at 65.0 °C, above 60.0 °C");
      assertThat(alerts.get(4).ts()).isEqualTo(t0 + 300_000);
      assertThat(s.on(() -> DeviceServer.view(s.iot, "d-000007")).online()).isFalse();
    }
  }
}
