package org.otp4j.examples.iot;

import java.util.Map;
import java.util.Objects;

/**
 * A command the platform sends a device on {@code devices/{id}/commands}, as the MQTT contract
 * lists them. Each kind checks its arguments when it is built.
 */
public sealed interface Command {
  /** Its type on the wire: {@code set_config}, {@code reboot} or {@code firmware}. */
  String type();

  /** Its arguments, the {@code args} object sent to the device. */
  Map<String, Object> args();

  /**
   * A new reporting interval.
   *
   * @param intervalMs the interval between two readings, in milliseconds (1..86,400,000)
   */
  record SetConfig(long intervalMs) implements Command {
    /**
     * Checks the interval.
     *
     * @throws IllegalArgumentException if it is not 1..86,400,000 ms
     */
    public SetConfig {
      if (intervalMs < 1 || intervalMs > 86_400_000L) {
        throw new IllegalArgumentException("set_config's interval_ms must be 1..86400000; got " + intervalMs);
      }
    }

    @Override
    public String type() {
      return "set_config";
    }

    @Override
    public Map<String, Object> args() {
      return Map.of("interval_ms", intervalMs);
    }
  }

  /** Restart the device: it disconnects, connects again about a second later, then acknowledges. */
  record Reboot() implements Command {
    @Override
    public String type() {
      return "reboot";
    }

    @Override
    public Map<String, Object> args() {
      return Map.of();
    }
  }

  /**
   * Install a firmware version.
   *
   * @param version the version, such as {@code 1.2.3} (1 to 32 characters of letters, digits, {@code .-_})
   */
  record Firmware(String version) implements Command {
    /**
     * Checks the version.
     *
     * @throws IllegalArgumentException if it is missing or not 1 to 32 letters, digits, dots, dashes or underscores
     */
    public Firmware {
      Objects.requireNonNull(version, "firmware's version");
      if (!version.matches("[A-Za-z0-9._-]{1,32}")) {
        throw new IllegalArgumentException("firmware's version must be 1 to 32 letters, digits, '.', '-' or '_'; got '"
            + version + "'");
      }
    }

    @Override
    public String type() {
      return "firmware";
    }

    @Override
    public Map<String, Object> args() {
      return Map.of("version", version);
    }
  }

  /**
   * A command from its wire type and arguments (the dashboard's form).
   *
   * @param type {@code set_config}, {@code reboot} or {@code firmware}
   * @param args its arguments: {@code interval_ms} (a number) for set_config, {@code version} for firmware
   * @return the command
   * @throws IllegalArgumentException naming the unknown type, or the missing or invalid argument
   */
  static Command of(String type, Map<String, ?> args) {
    return switch (String.valueOf(type)) {
      case "set_config" -> {
        Object ms = args.get("interval_ms");
        if (!(ms instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
          throw new IllegalArgumentException("set_config needs interval_ms, a whole number of milliseconds; got " + ms);
        }
        yield new SetConfig(n.longValue());
      }
      case "reboot" -> new Reboot();
      case "firmware" -> {
        Object v = args.get("version");
        if (!(v instanceof String s)) {
          throw new IllegalArgumentException("firmware needs version, a string; got " + v);
        }
        yield new Firmware(s);
      }
      default -> throw new IllegalArgumentException("unknown command type '" + type
          + "'; the types are set_config, reboot, firmware");
    };
  }
}
