package org.otp4j.examples.iot.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A fleet of simulated IoT devices speaking MQTT 5 to a broker, as the IoT platform's contract
 * describes them: telemetry at an interval, a retained online status and an offline last will,
 * commands answered with acks. Run it as a program of its own, or start it in-process.
 *
 * <h2>As a program</h2>
 *
 * <pre>{@code
 * java -cp <class path> org.otp4j.examples.iot.sim.Simulator --broker 127.0.0.1:1883 --devices 2000
 * }</pre>
 *
 * <p>The options, each followed by its value, and their defaults:
 * <ul>
 *   <li>{@code --broker HOST:PORT} the broker ({@code 127.0.0.1:1883});
 *   <li>{@code --devices N} how many devices (100);
 *   <li>{@code --first-device N} the number of the first device id, so that several simulators
 *       can share a broker without sharing ids (1: {@code d-000001}); ids from
 *       {@code d-900000} on are never simulated;
 *   <li>{@code --groups N} how many groups the devices fall into, {@code g-00} upwards (10);
 *   <li>{@code --interval-ms MS} each device's mean time between two telemetry messages (1000);
 *   <li>{@code --jitter F} how much an interval varies, plus or minus that share (0.1);
 *   <li>{@code --qos 0|1} the telemetry's QoS (1);
 *   <li>{@code --devices-per-connection K} 1 for a connection per device; more for gateways
 *       that carry K devices each over one connection (1);
 *   <li>{@code --fault-rate F} the share of messages that start a device fault (0.001);
 *   <li>{@code --malformed-rate F}, {@code --unknown-device-rate F}, {@code --oversized-rate F}
 *       the shares of injected bad input (0 each);
 *   <li>{@code --flood-device ID} a device that publishes as fast as it can (none);
 *   <li>{@code --summary-seconds S} how often a summary line is printed, 0 for never (5);
 *   <li>{@code --final-json FILE} where to write the final counts, as JSON (nowhere);
 *   <li>{@code --seed N} the seed of the telemetry's random numbers (from the clock);
 *   <li>{@code --reconnect-max-ms MS} the cap of the reconnect backoff (5000);
 *   <li>{@code --ignore-stdin} (no value) keep running when standard input ends, for a
 *       simulator started in the background with no input.
 * </ul>
 *
 * <p>It prints a line when it has started, a summary line every few seconds (devices connected,
 * messages per second, published, confirmed, failed, acks, reconnects), and stops cleanly on
 * {@code SIGTERM} (a plain {@code kill}, Ctrl-C) or when its standard input ends: it waits for the
 * outstanding acknowledgements, disconnects every device with its will, prints the final counts
 * and writes them to the {@code --final-json} file. A bad option ends it with status 2 and one
 * line naming the option, what it accepts and what it got.
 *
 * <h2>In-process</h2>
 *
 * <pre>{@code
 * try (Simulator sim = Simulator.start(SimulatorConfig.of("127.0.0.1", port, 200).withQos(0))) {
 *   // ... wait until sim.stats().connectedDevices() == 200, run the load ...
 *   SimulatorStats last = sim.stop();
 * }
 * }</pre>
 *
 * @see SimulatorConfig the options in detail
 * @see SimulatorStats what the counts mean
 */
public final class Simulator implements AutoCloseable {
  private final Engine engine;

  private Simulator(Engine engine) {
    this.engine = engine;
  }

  /**
   * Starts the devices: their connections are made in the background (the call does not wait for
   * the broker, and a broker that is not there yet is retried with backoff), their telemetry
   * begins at a random point of their first interval. Prints nothing unless
   * {@link SimulatorConfig#summaryEvery()} is non-zero.
   *
   * @param config what to simulate
   * @return the running simulator
   */
  public static Simulator start(SimulatorConfig config) {
    return start(config, System.out);
  }

  static Simulator start(SimulatorConfig config, PrintStream out) {
    Engine engine = new Engine(config, out);
    engine.start();
    return new Simulator(engine);
  }

  /**
   * The configuration it runs.
   *
   * @return the configuration
   */
  public SimulatorConfig config() {
    return engine.config;
  }

  /**
   * The ids of the simulated devices, in order.
   *
   * @return the device ids
   */
  public List<String> deviceIds() {
    return engine.devices().stream().map(d -> d.id).toList();
  }

  /**
   * The counts now.
   *
   * @return a snapshot of the counters
   */
  public SimulatorStats stats() {
    return engine.stats();
  }

  /**
   * Stops the devices, waits up to 10 seconds for the broker to acknowledge what is outstanding,
   * disconnects every connection so that the broker publishes its will (the offline status), and
   * writes the final counts to {@link SimulatorConfig#finalJson()} if one is set. Calling it again
   * returns the same counts.
   *
   * @return the final counts
   * @throws java.io.UncheckedIOException if the final counts cannot be written to their file
   */
  public SimulatorStats stop() {
    return engine.stop();
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /**
   * Runs the simulator as a program; see the class documentation for the options.
   *
   * @param args the options
   */
  public static void main(String[] args) {
    SimulatorConfig config;
    try {
      config = SimulatorConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("iot-sim: " + e.getMessage());
      System.exit(2);
      return;
    }
    Simulator sim = start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sim.stop();
      stopped.countDown();
    }, "iot-sim-shutdown"));
    System.out.println("iot-sim started: " + config.devices() + " devices over " + sim.engine.connectionCount()
        + " connections to " + config.host() + ":" + config.port() + ", qos " + config.qos());
    if (!List.of(args).contains("--ignore-stdin")) {
      drain(System.in);
      System.exit(0); // the shutdown hook stops the simulator
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void drain(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // input is ignored: only its end matters
      }
    } catch (IOException e) {
      // an unreadable input counts as ended
    }
  }
}
