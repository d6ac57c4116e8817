package org.otp4j.examples.iot.sim;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated device: its sensors' state and the payloads it publishes.
 *
 * <p>Implementation notes. The sensor state is touched only under the device's monitor, by
 * {@link #nextTelemetry(long)}: ticks of one device never overlap, but a flooding device's
 * publishes complete on the client's threads. The fields commands change ({@link #intervalMillis},
 * {@link #firmware}) are volatile, written by the thread that received the command and read by the
 * ticker.
 */
final class Device {
  /** Where the devices of a group start: one city per group, modulo the list. */
  private static final List<double[]> CITIES = List.of(new double[] {48.8566, 2.3522}, new double[] {52.5200, 13.4050},
      new double[] {51.5074, -0.1278}, new double[] {40.4168, -3.7038}, new double[] {41.9028, 12.4964},
      new double[] {59.3293, 18.0686}, new double[] {52.3676, 4.9041}, new double[] {50.8503, 4.3517},
      new double[] {48.2082, 16.3738}, new double[] {45.4642, 9.1900});
  private static final String[] FAULTS = {"sensor_error", "overheat", "low_signal"};

  final int number;
  final String id;
  final String group;
  volatile long intervalMillis;
  volatile String firmware = "1.0.0";
  /** Set while the device reboots: it publishes nothing. */
  volatile boolean rebooting;
  /** Which tick loop is current: a command that changes the interval starts a new one. */
  volatile int generation;

  private final SplittableRandom random;
  private final double faultRate;
  private final double baseTemperature;
  private double walk;
  private double battery;
  private boolean charging;
  private double lat;
  private double lon;
  private double heading;
  private String fault;
  private int faultLeft;
  private long seq;

  Device(int number, int groups, long intervalMillis, double faultRate, long seed) {
    this.number = number;
    this.id = Devices.id(number);
    this.group = Devices.group(number % groups);
    this.intervalMillis = intervalMillis;
    this.faultRate = faultRate;
    this.random = new SplittableRandom(seed * 1_000_003L + number);
    double[] city = CITIES.get((number % groups) % CITIES.size());
    this.baseTemperature = 18 + random.nextDouble() * 6;
    this.battery = 30 + random.nextDouble() * 70;
    this.lat = city[0] + (random.nextDouble() - 0.5) * 0.1;
    this.lon = city[1] + (random.nextDouble() - 0.5) * 0.1;
    this.heading = random.nextDouble() * 2 * Math.PI;
  }

  /** A random number from 0 (inclusive) to 1, from this device's own generator. */
  synchronized double draw() {
    return random.nextDouble();
  }

  /** The last sequence number used, 0 before the first message. */
  synchronized long seq() {
    return seq;
  }

  /** Moves the sensors one step on and returns the next telemetry message, with the next seq. */
  synchronized String nextTelemetry(long now) {
    step(now);
    seq++;
    return telemetry(id, group, seq, now, temperature(now), battery, lat, lon, fault);
  }

  /** A valid telemetry message in the name of another device id, leaving this device's seq alone. */
  synchronized String telemetryAs(String otherId, long now) {
    return telemetry(otherId, group, 1 + random.nextInt(1_000), now, temperature(now), battery, lat, lon, null);
  }

  /** A telemetry message bigger than {@code bytes}, padded with a string field; seq left alone. */
  synchronized String oversized(long now, int bytes) {
    String base = telemetry(id, group, seq, now, temperature(now), battery, lat, lon, fault);
    return base.substring(0, base.length() - 1) + ",\"padding\":\"" + "x".repeat(bytes) + "\"}";
  }

  /** The three kinds of malformed payload, taken in turn by {@link #malformed(int, long)}. */
  static final int MALFORMED_KINDS = 3;

  /**
   * A malformed payload of kind {@code kind % 3}: 0 is not JSON at all, 1 is JSON missing
   * required fields, 2 has every field of the wrong type.
   */
  String malformed(int kind, long now) {
    return switch (kind % MALFORMED_KINDS) {
      case 0 -> "temperature=21.5;battery=80 (" + id + ")";
      case 1 -> "{\"device\":\"" + id + "\",\"temperature\":21.5}";
      default -> "{\"device\":\"" + id + "\",\"group\":7,\"seq\":\"next\",\"ts\":\"" + Instant.ofEpochMilli(now)
          + "\",\"temperature\":\"warm\",\"battery\":true,\"lat\":\"north\",\"lon\":[],\"fault\":42}";
    };
  }

  String online(long now) {
    return "{\"device\":\"" + id + "\",\"online\":true,\"ts\":" + now + "}";
  }

  String offline(long now) {
    return "{\"device\":\"" + id + "\",\"online\":false,\"ts\":" + now + "}";
  }

  /** The last will: no time stamp, since it is fixed when the connection is made. */
  String will() {
    return "{\"device\":\"" + id + "\",\"online\":false}";
  }

  static String ack(String device, String commandId, boolean ok, String detail) {
    return "{\"device\":\"" + device + "\",\"command_id\":\"" + escape(commandId) + "\",\"status\":\""
        + (ok ? "ok" : "error") + "\",\"detail\":\"" + escape(detail) + "\"}";
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  private void step(long now) {
    // temperature: a mean-reverting random walk around the device's base, plus the day's drift
    walk = walk * 0.98 + random.nextGaussian() * 0.08;
    // battery: drains slowly, then charges back from 15 % to 95 %
    if (charging) {
      battery = Math.min(100, battery + 0.5 + random.nextDouble() * 0.5);
      charging = battery < 95;
    } else {
      battery = Math.max(0, battery - 0.01 - random.nextDouble() * 0.03);
      charging = battery < 15;
    }
    // position: a slow stroll, the heading turning a little at each step (about a metre a step)
    heading += random.nextGaussian() * 0.2;
    lat += Math.cos(heading) * 0.00001;
    lon += Math.sin(heading) * 0.00001;
    // faults: now and then one starts and lasts a few messages
    if (faultLeft > 0) {
      faultLeft--;
      if (faultLeft == 0) {
        fault = null;
      }
    } else if (random.nextDouble() < faultRate) {
      fault = FAULTS[random.nextInt(FAULTS.length)];
      faultLeft = 3 + random.nextInt(8);
    }
  }

  private double temperature(long now) {
    double hours = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay() / 3600.0;
    // warmest at 15:00, coolest at 03:00
    double daily = 3 * Math.cos((hours - 15) / 24 * 2 * Math.PI);
    double t = baseTemperature + daily + walk;
    return "overheat".equals(fault) ? t + 25 : t;
  }

  private static String telemetry(String id, String group, long seq, long ts, double temperature, double battery,
      double lat, double lon, String fault) {
    return "{\"device\":\"" + id + "\",\"group\":\"" + group + "\",\"seq\":" + seq + ",\"ts\":" + ts
        + ",\"temperature\":" + round(temperature, 100) + ",\"battery\":" + round(battery, 100)
        + ",\"lat\":" + round(lat, 1_000_000) + ",\"lon\":" + round(lon, 1_000_000)
        + ",\"fault\":" + (fault == null ? "null" : "\"" + fault + "\"") + "}";
  }

  private static double round(double v, double scale) {
    return Math.round(v * scale) / scale;
  }
}
