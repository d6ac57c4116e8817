package org.otp4j.examples.iot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/** Checks of telemetry messages against the contract. */
final class Telemetry {
  private static final Set<String> FAULTS = Set.of("sensor_error", "overheat", "low_signal");

  private Telemetry() {}

  static boolean isTelemetry(String topic) {
    return topic.startsWith("devices/") && topic.endsWith("/telemetry");
  }

  /** Whether {@code m} is a telemetry message as the contract defines it, from the device in its topic. */
  static boolean valid(Platform.Message m) {
    JsonNode n = m.json();
    if (n == null || !n.isObject()) {
      return false;
    }
    JsonNode fault = n.get("fault");
    return text(n, "device") && n.get("device").asString().equals(m.device())
        && text(n, "group") && n.get("group").asString().matches("g-\\d{2}")
        && integral(n, "seq") && n.get("seq").longValue() >= 1
        && integral(n, "ts") && Math.abs(n.get("ts").longValue() - System.currentTimeMillis()) < 600_000
        && number(n, "temperature") && n.get("temperature").doubleValue() > -40 && n.get("temperature").doubleValue() < 80
        && number(n, "battery") && n.get("battery").doubleValue() >= 0 && n.get("battery").doubleValue() <= 100
        && number(n, "lat") && Math.abs(n.get("lat").doubleValue()) <= 90
        && number(n, "lon") && Math.abs(n.get("lon").doubleValue()) <= 180
        && fault != null && (fault.isNull() || fault.isString() && FAULTS.contains(fault.asString()));
  }

  /** The valid telemetry messages, by device, in the order received. */
  static Map<String, List<Platform.Message>> byDevice(List<Platform.Message> messages) {
    Map<String, List<Platform.Message>> out = new TreeMap<>();
    for (Platform.Message m : messages) {
      if (isTelemetry(m.topic()) && valid(m)) {
        out.computeIfAbsent(m.device(), k -> new ArrayList<>()).add(m);
      }
    }
    return out;
  }

  static List<Long> seqs(List<Platform.Message> messages) {
    return messages.stream().map(m -> m.json().get("seq").longValue()).toList();
  }

  /** Asserts that the seqs are 1, 2, 3, ... with neither gap nor repeat. */
  static void assertConsecutiveFromOne(String device, List<Platform.Message> messages) {
    List<Long> seqs = seqs(messages);
    for (int i = 0; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).as("seq number %d of %s in %s", i + 1, device, seqs).isEqualTo(i + 1L);
    }
  }

  private static boolean text(JsonNode n, String field) {
    return n.get(field) != null && n.get(field).isString();
  }

  private static boolean integral(JsonNode n, String field) {
    return n.get(field) != null && n.get(field).isIntegralNumber();
  }

  private static boolean number(JsonNode n, String field) {
    return n.get(field) != null && n.get(field).isNumber();
  }
}
