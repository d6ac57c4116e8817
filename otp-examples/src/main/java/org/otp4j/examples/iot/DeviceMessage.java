package org.otp4j.examples.iot;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A message a device sent, parsed and checked against the MQTT contract: a reading on
 * {@code devices/{id}/telemetry}, a status on {@code devices/{id}/status}, or an acknowledgement of
 * a command on {@code devices/{id}/acks}. {@link #parse} is the one place input is checked; anything
 * it refuses is a {@link BadMessage} naming what was wrong.
 */
public sealed interface DeviceMessage {
  /** The device that sent it ({@code d-} and six digits). */
  String device();

  /**
   * A reading.
   *
   * @param device the device id
   * @param group its group id ({@code g-} and two digits)
   * @param seq its sequence number (1, 2, 3... from each start of the device)
   * @param ts when it was taken, epoch milliseconds
   * @param temperature °C
   * @param battery 0..100 (%)
   * @param lat latitude
   * @param lon longitude
   * @param fault null, or the device's fault ({@code sensor_error}, {@code overheat}, {@code low_signal})
   */
  record Telemetry(String device, String group, long seq, long ts, double temperature, double battery, double lat,
      double lon, String fault) implements DeviceMessage {}

  /**
   * The device came online or went offline (its last will).
   *
   * @param device the device id
   * @param online whether it is online
   * @param ts when, epoch milliseconds (the time it was parsed if the message carries none, as a last will may not)
   */
  record Status(String device, boolean online, long ts) implements DeviceMessage {}

  /**
   * A device's answer to a command.
   *
   * @param device the device id
   * @param commandId the command's id
   * @param ok whether the device carried it out ({@code "status":"ok"})
   * @param detail what the device said about it (may be empty)
   */
  record Ack(String device, String commandId, boolean ok, String detail) implements DeviceMessage {}

  /** Device ids: {@code d-} and six digits. */
  Pattern DEVICE_ID = Pattern.compile("d-[0-9]{6}");
  /** Group ids: {@code g-} and two digits. */
  Pattern GROUP_ID = Pattern.compile("g-[0-9]{2}");

  /**
   * Parses a message that arrived on {@code topic}.
   *
   * @param topic the MQTT topic
   * @param payload the message's bytes
   * @param maxBytes larger payloads are refused before they are parsed
   * @return the message
   * @throws BadMessage what was wrong: the topic, the size, the JSON, a field missing or of the wrong
   *     type, an id of the wrong format, or a device id that differs from the topic's
   */
  static DeviceMessage parse(String topic, byte[] payload, int maxBytes) {
    String[] parts = topic.split("/", -1);
    if (parts.length != 3 || !parts[0].equals("devices")) {
      throw new BadMessage(BadMessage.Reason.UNKNOWN_TOPIC, "topic '" + topic + "' is not devices/{id}/{kind}");
    }
    String id = parts[1];
    if (!DEVICE_ID.matcher(id).matches()) {
      throw new BadMessage(BadMessage.Reason.UNKNOWN_ID, "device id '" + id + "' in the topic is not d- and six digits");
    }
    if (payload.length > maxBytes) {
      throw new BadMessage(BadMessage.Reason.OVERSIZED, "a message of " + payload.length + " bytes from " + id
          + " exceeds the limit of " + maxBytes);
    }
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(payload);
    } catch (JacksonException e) {
      throw new BadMessage(BadMessage.Reason.MALFORMED_JSON, "the message from " + id + " is not JSON: "
          + e.getOriginalMessage());
    }
    if (json == null || !json.isObject()) {
      throw new BadMessage(BadMessage.Reason.MALFORMED_JSON, "the message from " + id + " is not a JSON object: "
          + new String(payload, 0, Math.min(payload.length, 60), StandardCharsets.UTF_8));
    }
    String device = text(json, "device", id);
    if (!DEVICE_ID.matcher(device).matches()) {
      throw new BadMessage(BadMessage.Reason.UNKNOWN_ID, "\"device\" '" + device + "' is not d- and six digits");
    }
    if (!device.equals(id)) {
      throw new BadMessage(BadMessage.Reason.UNKNOWN_ID, "\"device\" '" + device + "' differs from the topic's '" + id + "'");
    }
    return switch (parts[2]) {
      case "telemetry" -> {
        String group = text(json, "group", id);
        if (!GROUP_ID.matcher(group).matches()) {
          throw new BadMessage(BadMessage.Reason.UNKNOWN_ID, "\"group\" '" + group + "' of " + id
              + " is not g- and two digits");
        }
        long seq = integer(json, "seq", id);
        if (seq < 1) {
          throw new BadMessage(BadMessage.Reason.WRONG_TYPE, "\"seq\" of " + id + " must be at least 1; got " + seq);
        }
        double battery = number(json, "battery", id);
        if (battery < 0 || battery > 100) {
          throw new BadMessage(BadMessage.Reason.WRONG_TYPE, "\"battery\" of " + id + " must be 0..100; got " + battery);
        }
        JsonNode fault = json.get("fault");
        if (fault != null && !fault.isNull() && !fault.isString()) {
          throw new BadMessage(BadMessage.Reason.WRONG_TYPE, "\"fault\" of " + id + " must be null or a string; got "
              + fault);
        }
        yield new Telemetry(id, group, seq, integer(json, "ts", id), number(json, "temperature", id), battery,
            number(json, "lat", id), number(json, "lon", id), fault == null || fault.isNull() ? null : fault.asString());
      }
      case "status" -> {
        JsonNode online = json.get("online");
        if (online == null || !online.isBoolean()) {
          throw new BadMessage(online == null ? BadMessage.Reason.MISSING_FIELD : BadMessage.Reason.WRONG_TYPE,
              "\"online\" of " + id + " must be true or false; got " + online);
        }
        JsonNode ts = json.get("ts");
        yield new Status(id, online.asBoolean(), ts == null || ts.isNull() ? System.currentTimeMillis() : integer(json, "ts", id));
      }
      case "acks" -> {
        String status = text(json, "status", id);
        if (!status.equals("ok") && !status.equals("error")) {
          throw new BadMessage(BadMessage.Reason.WRONG_TYPE, "\"status\" of " + id + " must be ok or error; got '"
              + status + "'");
        }
        JsonNode detail = json.get("detail");
        yield new Ack(id, text(json, "command_id", id), status.equals("ok"),
            detail == null || detail.isNull() ? "" : detail.asString());
      }
      default -> throw new BadMessage(BadMessage.Reason.UNKNOWN_TOPIC, "topic '" + topic
          + "' is none of devices/{id}/telemetry, status, acks");
    };
  }

  private static JsonNode field(JsonNode json, String name, String id) {
    JsonNode v = json.get(name);
    if (v == null || v.isNull()) {
      throw new BadMessage(BadMessage.Reason.MISSING_FIELD, "the message from " + id + " has no \"" + name + "\"");
    }
    return v;
  }

  private static String text(JsonNode json, String name, String id) {
    JsonNode v = field(json, name, id);
    if (!v.isString()) {
      throw new BadMessage(BadMessage.Reason.WRONG_TYPE, "\"" + name + "\" of " + id + " must be a string; got " + v);
    }
    return v.asString();
  }

  private static long integer(JsonNode json, String name, String id) {
    JsonNode v = field(json, name, id);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new BadMessage(BadMessage.Reason.WRONG_TYPE, "\"" + name + "\" of " + id + " must be an integer; got " + v);
    }
    return v.longValue();
  }

  private static double number(JsonNode json, String name, String id) {
    JsonNode v = field(json, name, id);
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw new BadMessage(BadMessage.Reason.WRONG_TYPE, "\"" + name + "\" of " + id + " must be a number; got " + v);
    }
    return v.doubleValue();
  }

  /** The JSON mapper the platform shares. */
  final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {}
  }
}
