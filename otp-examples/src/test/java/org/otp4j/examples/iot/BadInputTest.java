package org.otp4j.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.examples.iot.BadMessage.Reason;
import org.slf4j.LoggerFactory;

/**
 * Bad input: every kind of malformed message is refused, counted by reason, logged and
 * acknowledged, while the good messages around it are stored as if nothing happened; a flooding
 * device is rate-limited without slowing the others.
 */
class BadInputTest {
  @TempDir
  Path dir;

  @Test
  void parseNamesWhatIsWrong() {
    assertThatThrownBy(() -> DeviceMessage.parse("devices/d-000001/telemetry", "{".getBytes(StandardCharsets.UTF_8), 4096))
        .isInstanceOf(BadMessage.class).hasMessageStartingWith("malformed_json: the message from d-000001 is not JSON");
    assertThatThrownBy(() -> DeviceMessage.parse("devices/d-000001/telemetry",
        Devices.telemetry("d-000001", "g-01", 1, 5, 20, 50).replace("\"seq\":1", "\"seq\":\"one\"")
            .getBytes(StandardCharsets.UTF_8), 4096))
        .isInstanceOf(BadMessage.class).hasMessage("wrong_type: \"seq\" of d-000001 must be an integer; got \"one\"");
    assertThatThrownBy(() -> DeviceMessage.parse("devices/dev-1/telemetry", "{}".getBytes(StandardCharsets.UTF_8), 4096))
        .isInstanceOf(BadMessage.class).extracting(e -> ((BadMessage) e).reason()).isEqualTo(Reason.UNKNOWN_ID);
    assertThatThrownBy(() -> DeviceMessage.parse("devices/d-000001/telemetry", new byte[5000], 4096))
        .isInstanceOf(BadMessage.class).hasMessage("oversized: a message of 5000 bytes from d-000001 exceeds the limit of 4096");
    assertThatThrownBy(() -> DeviceMessage.parse("devices/d-000001/status", "{\"device\":\"d-000001\"}"
        .getBytes(StandardCharsets.UTF_8), 4096))
        .isInstanceOf(BadMessage.class).hasMessage("missing_field: \"online\" of d-000001 must be true or false; got null");
  }

  @Test
  void badMessagesAreCountedAndTheGoodOnesStored() {
    Logger log = (Logger) LoggerFactory.getLogger(Parse.class);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    log.addAppender(captured);
    log.setAdditive(false);
    try (IotServer s = IotServer.start(dir, Map.of()); Devices devices = new Devices(s.broker, "sim")) {
      long t0 = 1_796_655_600_000L;
      String good = Devices.telemetry("d-000001", "g-01", 1, t0, 20, 50);
      List<String[]> bad = List.of(
          new String[] {"devices/d-000001/telemetry", "{not json"},
          new String[] {"devices/d-000001/telemetry", "[1,2,3]"},
          new String[] {"devices/d-000001/telemetry", good.replace(",\"temperature\":20.00", "")},
          new String[] {"devices/d-000001/telemetry", good.replace("\"battery\":50.0", "\"battery\":\"full\"")},
          new String[] {"devices/d-000001/telemetry", good.replace("\"battery\":50.0", "\"battery\":150")},
          new String[] {"devices/d-000001/telemetry", good.replace("g-01", "group-1")},
          new String[] {"devices/device-1/telemetry", good},
          new String[] {"devices/d-000002/telemetry", good},
          new String[] {"devices/d-000001/config", good},
          new String[] {"devices/d-000001/acks", "{\"device\":\"d-000001\",\"command_id\":\"c-1\",\"status\":\"maybe\"}"});
      int goodCount = 0;
      for (int i = 0; i < 3; i++) {
        for (String[] b : bad) {
          devices.publish(b[0], b[1]);
        }
        devices.publish("devices/d-000003/telemetry", new byte[5_000]); // larger than maxPayloadBytes
        goodCount++;
        devices.reading("d-000001", "g-01", goodCount, t0 + goodCount * 1000L, 20, 50);
      }
      devices.flush();
      await().atMost(IotServer.WAIT).until(() -> s.metrics().stored() == 3 && s.metrics().rejectedTotal() == 30);
      IotMetrics.Snapshot m = s.metrics();
      // devices/d-000001/config matches no subscription: the broker never delivers it
      assertThat(m.rejected(Reason.MALFORMED_JSON)).isEqualTo(6);
      assertThat(m.rejected(Reason.MISSING_FIELD)).isEqualTo(3);
      assertThat(m.rejected(Reason.WRONG_TYPE)).isEqualTo(9);
      assertThat(m.rejected(Reason.UNKNOWN_ID)).isEqualTo(9);
      assertThat(m.rejected(Reason.OVERSIZED)).isEqualTo(3);
      assertThat(m.rejected(Reason.UNKNOWN_TOPIC)).isZero();
      assertThat(m.rejected(Reason.WRONG_TYPE) + m.rejected(Reason.MALFORMED_JSON) + m.rejected(Reason.MISSING_FIELD)
          + m.rejected(Reason.UNKNOWN_ID) + m.rejected(Reason.OVERSIZED)).isEqualTo(30);
      assertThat(s.iot.db().countReadings("d-000001")).isEqualTo(3);
      assertThat(s.iot.db().countReadings()).isEqualTo(3);
      await().atMost(IotServer.WAIT).until(() -> s.metrics().inFlight() == 0);
      // the device process of the good readings only: refused messages start nothing
      assertThat(s.iot.directory().devices()).containsExactly("d-000001");
      // the log names the first refusal of each reason, then holds the rest back
      assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage)
          .anyMatch(line -> line.contains("malformed_json: the message from d-000001 is not JSON"))
          .anyMatch(line -> line.contains("oversized: a message of 5000 bytes from d-000003"))
          .hasSizeLessThanOrEqualTo(Reason.values().length);
    } finally {
      log.detachAppender(captured);
      log.setAdditive(true);
    }
  }

  @Test
  void aFloodingDeviceIsRateLimitedAndTheOthersAreNot() {
    try (IotServer s = IotServer.start(dir, Map.of("ratePerSecond", 0.001, "rateBurst", 10));
        Devices devices = new Devices(s.broker, "sim")) {
      long t0 = 1_796_655_600_000L;
      for (int i = 1; i <= 100; i++) {
        devices.reading("d-000666", "g-06", i, t0 + i, 20, 50);
        if (i % 10 == 0) {
          devices.reading("d-000001", "g-01", i / 10, t0 + i, 20, 50);
        }
      }
      devices.flush();
      await().atMost(IotServer.WAIT).until(() -> s.metrics().stored() + s.metrics().rejectedTotal() == 110);
      assertThat(s.metrics().rejected(Reason.RATE_LIMITED)).isEqualTo(90);
      assertThat(s.iot.db().countReadings("d-000666")).isEqualTo(10);
      assertThat(s.iot.db().countReadings("d-000001")).isEqualTo(10);
    }
  }
}
