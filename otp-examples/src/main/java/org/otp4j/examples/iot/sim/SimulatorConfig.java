package org.otp4j.examples.iot.sim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link Simulator} drives: how many devices, how often they publish, over how many
 * connections, and which faults it injects. Build one with {@link #of(String, int, int)} and the
 * {@code withX} methods, or from a command line with {@link #parse(String...)}.
 *
 * <p>Every value is checked when the record is built: an invalid one throws an
 * {@link IllegalArgumentException} naming the option, the accepted range and the value received.
 *
 * @param host the broker's host
 * @param port the broker's port
 * @param devices how many devices, 1 to 900,000
 * @param firstDevice the number of the first device ({@code d-000001} for 1); the devices are
 *     numbered consecutively from it and must end below {@value #FIRST_UNKNOWN_DEVICE}, the ids
 *     from there on being the never-simulated "unknown" devices
 * @param groups how many groups the devices are spread over ({@code g-00} to {@code g-99}), 1 to 100
 * @param interval the mean time between two telemetry messages of a device (a command can change it)
 * @param jitter how much each interval varies around its mean, 0 to 0.9 ({@code 0.1}: plus or minus 10 %)
 * @param qos the telemetry's MQTT QoS, 0 or 1 (status and acks are always QoS 1)
 * @param devicesPerConnection 1 for one MQTT connection per device; more for gateways that each
 *     carry that many devices over one connection (up to {@value #MAX_DEVICES_PER_CONNECTION})
 * @param faultRate the share of telemetry messages that start a device fault ({@code "fault"} set
 *     for a few messages), 0 to 1
 * @param malformedRate the share of messages replaced by a malformed payload on the telemetry topic
 * @param unknownDeviceRate the share of messages sent in the name of a device id that is never simulated
 * @param oversizedRate the share of messages made bigger than the broker's maximum packet size
 * @param floodDevice a device id that publishes as fast as it can instead of at its interval
 * @param summaryEvery how often a one-line summary is printed; zero for never
 * @param finalJson a file to write the final counts to, as JSON, when the simulator stops
 * @param seed the seed of the random numbers (the same seed gives the same telemetry values)
 * @param reconnectMaxDelay the longest wait between two reconnect attempts (the backoff's cap)
 */
public record SimulatorConfig(
    String host,
    int port,
    int devices,
    int firstDevice,
    int groups,
    Duration interval,
    double jitter,
    int qos,
    int devicesPerConnection,
    double faultRate,
    double malformedRate,
    double unknownDeviceRate,
    double oversizedRate,
    Optional<String> floodDevice,
    Duration summaryEvery,
    Optional<Path> finalJson,
    long seed,
    Duration reconnectMaxDelay) {

  /** The number of the first device id that is never simulated: ids from here on are "unknown". */
  public static final int FIRST_UNKNOWN_DEVICE = 900_000;

  /** The most devices one gateway connection carries (its will lists them all, within a packet). */
  public static final int MAX_DEVICES_PER_CONNECTION = 4_000;

  /** Validates every value; see the class documentation for the ranges. */
  public SimulatorConfig {
    require(host != null && !host.isBlank(), "--broker", "a host name", host);
    require(port > 0 && port < 65_536, "--broker", "a port from 1 to 65535", port);
    require(devices >= 1 && devices <= FIRST_UNKNOWN_DEVICE, "--devices", "1 to " + FIRST_UNKNOWN_DEVICE, devices);
    require(firstDevice >= 0 && (long) firstDevice + devices <= FIRST_UNKNOWN_DEVICE, "--first-device",
        "a number from 0 such that first + devices <= " + FIRST_UNKNOWN_DEVICE, firstDevice);
    require(groups >= 1 && groups <= 100, "--groups", "1 to 100", groups);
    require(interval != null && interval.toMillis() >= 1 && interval.toHours() < 24, "--interval-ms",
        "1 ms to 24 h", interval);
    require(jitter >= 0 && jitter <= 0.9, "--jitter", "0 to 0.9", jitter);
    require(qos == 0 || qos == 1, "--qos", "0 or 1", qos);
    require(devicesPerConnection >= 1 && devicesPerConnection <= MAX_DEVICES_PER_CONNECTION,
        "--devices-per-connection", "1 to " + MAX_DEVICES_PER_CONNECTION, devicesPerConnection);
    rate("--fault-rate", faultRate);
    rate("--malformed-rate", malformedRate);
    rate("--unknown-device-rate", unknownDeviceRate);
    rate("--oversized-rate", oversizedRate);
    require(malformedRate + unknownDeviceRate + oversizedRate <= 1.0, "--malformed-rate, --unknown-device-rate and --oversized-rate",
        "shares that add up to at most 1", malformedRate + unknownDeviceRate + oversizedRate);
    require(floodDevice != null, "--flood-device", "a device id or none", floodDevice);
    floodDevice.ifPresent(id -> {
      int n = Devices.number(id);
      require(n >= firstDevice && n < firstDevice + devices, "--flood-device",
          "one of the simulated ids " + Devices.id(firstDevice) + " to " + Devices.id(firstDevice + devices - 1), id);
    });
    require(summaryEvery != null && !summaryEvery.isNegative(), "--summary-seconds", "0 or more", summaryEvery);
    require(finalJson != null, "--final-json", "a file or none", finalJson);
    require(reconnectMaxDelay != null && reconnectMaxDelay.toMillis() >= 10, "--reconnect-max-ms", "10 ms or more",
        reconnectMaxDelay);
  }

  /**
   * The defaults for {@code devices} devices on the broker at {@code host:port}: devices from
   * {@code d-000001}, 10 groups, one message a second each (plus or minus 10 %), QoS 1, one
   * connection per device, one fault start in 1,000 messages, no injected bad input, a summary
   * every 5 seconds, reconnect attempts at most 5 seconds apart.
   *
   * @param host the broker's host
   * @param port the broker's port
   * @param devices how many devices
   * @return the configuration
   */
  public static SimulatorConfig of(String host, int port, int devices) {
    return new SimulatorConfig(host, port, devices, 1, 10, Duration.ofSeconds(1), 0.1, 1, 1, 0.001, 0, 0, 0,
        Optional.empty(), Duration.ofSeconds(5), Optional.empty(), System.nanoTime(), Duration.ofSeconds(5));
  }

  /**
   * This configuration with another interval.
   *
   * @param value the mean time between two telemetry messages of a device
   * @return the new configuration
   */
  public SimulatorConfig withInterval(Duration value) {
    return new SimulatorConfig(host, port, devices, firstDevice, groups, value, jitter, qos, devicesPerConnection,
        faultRate, malformedRate, unknownDeviceRate, oversizedRate, floodDevice, summaryEvery, finalJson, seed,
        reconnectMaxDelay);
  }

  /**
   * This configuration with another telemetry QoS.
   *
   * @param value 0 or 1
   * @return the new configuration
   */
  public SimulatorConfig withQos(int value) {
    return new SimulatorConfig(host, port, devices, firstDevice, groups, interval, jitter, value, devicesPerConnection,
        faultRate, malformedRate, unknownDeviceRate, oversizedRate, floodDevice, summaryEvery, finalJson, seed,
        reconnectMaxDelay);
  }

  /**
   * This configuration with gateways carrying {@code value} devices each.
   *
   * @param value devices per connection (1: one connection per device)
   * @return the new configuration
   */
  public SimulatorConfig withDevicesPerConnection(int value) {
    return new SimulatorConfig(host, port, devices, firstDevice, groups, interval, jitter, qos, value,
        faultRate, malformedRate, unknownDeviceRate, oversizedRate, floodDevice, summaryEvery, finalJson, seed,
        reconnectMaxDelay);
  }

  /**
   * This configuration with another share of device faults.
   *
   * @param value the share of messages that start a fault, 0 to 1
   * @return the new configuration
   */
  public SimulatorConfig withFaultRate(double value) {
    return new SimulatorConfig(host, port, devices, firstDevice, groups, interval, jitter, qos, devicesPerConnection,
        value, malformedRate, unknownDeviceRate, oversizedRate, floodDevice, summaryEvery, finalJson, seed,
        reconnectMaxDelay);
  }

  /**
   * This configuration with injected bad input.
   *
   * @param malformed the share of malformed payloads
   * @param unknownDevice the share of messages from unknown device ids
   * @param oversized the share of oversized payloads
   * @return the new configuration
   */
  public SimulatorConfig withBadInput(double malformed, double unknownDevice, double oversized) {
    return new SimulatorConfig(host, port, devices, firstDevice, groups, interval, jitter, qos, devicesPerConnection,
        faultRate, malformed, unknownDevice, oversized, floodDevice, summaryEvery, finalJson, seed, reconnectMaxDelay);
  }

  /**
   * This configuration with a flooding device.
   *
   * @param deviceId the id of the device that publishes as fast as it can
   * @return the new configuration
   */
  public SimulatorConfig withFloodDevice(String deviceId) {
    return new SimulatorConfig(host, port, devices, firstDevice, groups, interval, jitter, qos, devicesPerConnection,
        faultRate, malformedRate, unknownDeviceRate, oversizedRate, Optional.of(deviceId), summaryEvery, finalJson,
        seed, reconnectMaxDelay);
  }

  /**
   * This configuration with another summary period.
   *
   * @param value how often to print a summary line; zero for never
   * @return the new configuration
   */
  public SimulatorConfig withSummaryEvery(Duration value) {
    return new SimulatorConfig(host, port, devices, firstDevice, groups, interval, jitter, qos, devicesPerConnection,
        faultRate, malformedRate, unknownDeviceRate, oversizedRate, floodDevice, value, finalJson, seed,
        reconnectMaxDelay);
  }

  /**
   * This configuration with a file for the final counts.
   *
   * @param file where to write the final counts as JSON
   * @return the new configuration
   */
  public SimulatorConfig withFinalJson(Path file) {
    return new SimulatorConfig(host, port, devices, firstDevice, groups, interval, jitter, qos, devicesPerConnection,
        faultRate, malformedRate, unknownDeviceRate, oversizedRate, floodDevice, summaryEvery, Optional.of(file), seed,
        reconnectMaxDelay);
  }

  /**
   * This configuration with another random seed.
   *
   * @param value the seed
   * @return the new configuration
   */
  public SimulatorConfig withSeed(long value) {
    return new SimulatorConfig(host, port, devices, firstDevice, groups, interval, jitter, qos, devicesPerConnection,
        faultRate, malformedRate, unknownDeviceRate, oversizedRate, floodDevice, summaryEvery, finalJson, value,
        reconnectMaxDelay);
  }

  /** The options {@link #parse(String...)} accepts, for its error messages and the usage text. */
  static final List<String> OPTIONS = List.of("--broker HOST:PORT", "--devices N", "--first-device N", "--groups N",
      "--interval-ms MS", "--jitter F", "--qos 0|1", "--devices-per-connection K", "--fault-rate F",
      "--malformed-rate F", "--unknown-device-rate F", "--oversized-rate F", "--flood-device ID",
      "--summary-seconds S", "--final-json FILE", "--seed N", "--reconnect-max-ms MS", "--ignore-stdin");

  /**
   * Reads a command line such as {@code --broker 127.0.0.1:1883 --devices 2000 --qos 0}; options
   * not given keep the values of {@link #of(String, int, int)} ({@code --broker} defaults to
   * {@code 127.0.0.1:1883}, {@code --devices} to 100). {@code --ignore-stdin} is accepted and left
   * to {@link Simulator#main(String[])}.
   *
   * @param args the options
   * @return the configuration
   * @throws IllegalArgumentException naming the option, what it accepts and what it got, for an
   *     unknown option, a missing value or a value out of range
   */
  public static SimulatorConfig parse(String... args) {
    String host = "127.0.0.1";
    int port = 1883;
    SimulatorConfig base = of(host, port, 100);
    int devices = base.devices;
    int firstDevice = base.firstDevice;
    int groups = base.groups;
    Duration interval = base.interval;
    double jitter = base.jitter;
    int qos = base.qos;
    int perConnection = base.devicesPerConnection;
    double faultRate = base.faultRate;
    double malformed = 0;
    double unknown = 0;
    double oversized = 0;
    Optional<String> flood = Optional.empty();
    Duration summary = base.summaryEvery;
    Optional<Path> finalJson = Optional.empty();
    long seed = base.seed;
    Duration reconnectMax = base.reconnectMaxDelay;
    List<String> rest = new ArrayList<>(List.of(args));
    for (int i = 0; i < rest.size(); i++) {
      String option = rest.get(i);
      if (option.equals("--ignore-stdin")) {
        continue;
      }
      if (!option.startsWith("--") || OPTIONS.stream().noneMatch(o -> o.equals(option) || o.startsWith(option + " "))) {
        throw new IllegalArgumentException("unknown option " + option + ": expected one of " + String.join(", ", OPTIONS));
      }
      if (i + 1 >= rest.size()) {
        throw new IllegalArgumentException("option " + option + " needs a value: " + usageOf(option));
      }
      String value = rest.get(++i);
      switch (option) {
        case "--broker" -> {
          int colon = value.lastIndexOf(':');
          if (colon <= 0) {
            throw new IllegalArgumentException("option --broker expects HOST:PORT, got " + value);
          }
          host = value.substring(0, colon);
          port = integer(option, value.substring(colon + 1));
        }
        case "--devices" -> devices = integer(option, value);
        case "--first-device" -> firstDevice = integer(option, value);
        case "--groups" -> groups = integer(option, value);
        case "--interval-ms" -> interval = Duration.ofMillis(integer(option, value));
        case "--jitter" -> jitter = decimal(option, value);
        case "--qos" -> qos = integer(option, value);
        case "--devices-per-connection" -> perConnection = integer(option, value);
        case "--fault-rate" -> faultRate = decimal(option, value);
        case "--malformed-rate" -> malformed = decimal(option, value);
        case "--unknown-device-rate" -> unknown = decimal(option, value);
        case "--oversized-rate" -> oversized = decimal(option, value);
        case "--flood-device" -> flood = Optional.of(value);
        case "--summary-seconds" -> summary = Duration.ofMillis(Math.round(decimal(option, value) * 1000));
        case "--final-json" -> finalJson = Optional.of(Path.of(value));
        case "--seed" -> seed = integer(option, value);
        case "--reconnect-max-ms" -> reconnectMax = Duration.ofMillis(integer(option, value));
        default -> throw new IllegalStateException("option listed but not read: " + option);
      }
    }
    return new SimulatorConfig(host, port, devices, firstDevice, groups, interval, jitter, qos, perConnection, faultRate,
        malformed, unknown, oversized, flood, summary, finalJson, seed, reconnectMax);
  }

  private static String usageOf(String option) {
    return OPTIONS.stream().filter(o -> o.startsWith(option + " ")).findFirst().orElse(option);
  }

  private static int integer(String option, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + option + " expects an integer, got " + value, e);
    }
  }

  private static double decimal(String option, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + option + " expects a number, got " + value, e);
    }
  }

  private static void rate(String option, double value) {
    require(value >= 0 && value <= 1, option, "a share from 0 to 1", value);
  }

  private static void require(boolean ok, String option, String expected, Object got) {
    if (!ok) {
      throw new IllegalArgumentException("option " + option + " expects " + expected + ", got " + got);
    }
  }
}
