package org.otp4j.examples.iot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A local MQTT broker for the IoT platform: Debian's {@code mosquitto} run as a child process on
 * loopback, with its own configuration, persistence and log in a directory of its own.
 *
 * <p>The configuration is the one the platform needs rather than mosquitto's defaults: anonymous
 * clients on {@code 127.0.0.1} only, persistence on (retained messages and persistent sessions
 * survive {@link #restart()}), up to {@value #MAX_QUEUED} QoS 1 messages queued per client instead
 * of the default 1,000 (beyond which mosquitto silently drops them), and a maximum packet size, so
 * an oversized publish is refused by the broker itself.
 *
 * <p>{@link #kill()} is a real {@code SIGKILL} and {@link #restart()} starts a new process on the
 * same port, so tests of broker failure exercise real reconnects.
 */
public final class Broker implements AutoCloseable {
  /** The largest MQTT packet the broker accepts, in bytes: a telemetry message is far smaller. */
  public static final int MAX_PACKET_BYTES = 64 * 1024;
  /**
   * QoS 1 messages the broker may have sent a client and not yet seen acknowledged, as configured
   * (mosquitto's {@code max_inflight_messages}; 0 would be no bound). Debian's mosquitto 2.0.11 does
   * not keep to it: an acknowledgement of the oldest message in flight moves up to this many queued
   * messages into flight (fixed upstream in 2.0.13). What bounds a platform node is its own
   * {@code iot.inFlight}: it stops reading its socket when that many messages are unacknowledged.
   */
  public static final int MAX_INFLIGHT = 4_000;
  /**
   * QoS 1 messages the broker queues for a client beyond those in flight (mosquitto's
   * {@code max_queued_messages}); past that it drops them. Together with {@link #MAX_INFLIGHT} it stays
   * below 65,535: mosquitto 2.0.11 gives a queued message its packet identifier as it queues it, without
   * skipping the identifiers still unacknowledged, so a larger backlog for one client would reuse one in
   * flight, which the client refuses as a protocol error (and the session is cut, then delivered again).
   * A platform node spreads its share over several sessions ({@code iot.sessions}), each with this room.
   */
  public static final int MAX_QUEUED = 60_000;

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
  private static final List<Path> KNOWN_PLACES = List.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/bin/mosquitto"));

  private final Path executable;
  private final Path dir;
  private final int port;
  private Process process;
  private int starts;

  private Broker(Path executable, Path dir, int port) {
    this.executable = executable;
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts a broker on a free loopback port, keeping its files in {@code dir} (created if missing).
   *
   * @throws BrokerException if mosquitto is not installed (the message says how to install it) or
   *     does not start listening within 15 seconds (the message carries the end of its log)
   */
  public static Broker start(Path dir) {
    Path executable = prepare(dir);
    // A port found free may be taken before mosquitto binds it: then try another.
    BrokerException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Broker broker = new Broker(executable, dir, freePort());
      try {
        broker.launch();
        return broker;
      } catch (BrokerException e) {
        last = e;
      }
    }
    throw last;
  }

  /** mosquitto's executable, once {@code dir} exists. */
  private static Path prepare(Path dir) {
    Path executable = find().orElseThrow(() -> new BrokerException(
        "mosquitto is not installed: install Debian's package with `apt-get install -y mosquitto`"));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's directory " + dir, e);
    }
    return executable;
  }

  /**
   * Starts a broker on loopback port {@code port}, keeping its files in {@code dir} (created if
   * missing): for a broker that platform nodes of other JVMs are told the address of.
   *
   * @throws BrokerException if mosquitto is not installed, or does not start listening on that
   *     port within 15 seconds (taken, say: the message carries the end of its log)
   * @throws IllegalArgumentException if {@code port} is not a port number
   */
  public static Broker start(Path dir, int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("a broker's port must be 1..65535; got " + port);
    }
    Path executable = prepare(dir);
    Broker broker = new Broker(executable, dir, port);
    broker.launch();
    return broker;
  }

  /** Where mosquitto is installed, if it is. */
  public static Optional<Path> find() {
    Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .filter(s -> !s.isEmpty())
        .map(s -> Path.of(s, "mosquitto"));
    return Stream.concat(onPath, KNOWN_PLACES.stream()).filter(Files::isExecutable).findFirst();
  }

  /** The loopback host the broker listens on. */
  public String host() {
    return "127.0.0.1";
  }

  /** The port the broker listens on; the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /** The broker's address as an MQTT URI, {@code tcp://127.0.0.1:PORT}. */
  public String uri() {
    return "tcp://" + host() + ":" + port;
  }

  /** Whether the broker's process is running. */
  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The broker's process id (it changes on {@link #restart()}). */
  public synchronized long pid() {
    return process.pid();
  }

  /** Kills the broker with {@code SIGKILL}, as a crash would, and waits for it to be gone. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitFor(process);
    }
  }

  /**
   * Starts the broker again on the same port, after {@link #kill()} or {@link #close()} (or kills
   * it first if it is still running). Persistent sessions and retained messages are kept.
   */
  public synchronized void restart() {
    kill();
    // The old socket may linger for a moment: mosquitto sets SO_REUSEADDR, so a few tries suffice.
    BrokerException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        launch();
        return;
      } catch (BrokerException e) {
        last = e;
      }
    }
    throw last;
  }

  /** Stops the broker gracefully ({@code SIGTERM}: it saves its persistence file first). */
  @Override
  public synchronized void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          waitFor(process);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The broker's log file. */
  public Path log() {
    return dir.resolve("mosquitto.log");
  }

  private synchronized void launch() {
    starts++;
    Path config = dir.resolve("mosquitto.conf");
    String text = String.join("\n",
        "listener " + port + " 127.0.0.1",
        "allow_anonymous true",
        "persistence true",
        "persistence_location " + dir.toAbsolutePath() + "/",
        "autosave_interval 5",
        // As root, mosquitto would switch to its own user, who cannot write this directory.
        "user " + System.getProperty("user.name"),
        "max_queued_messages " + MAX_QUEUED,
        "max_inflight_messages " + MAX_INFLIGHT,
        "max_packet_size " + MAX_PACKET_BYTES,
        "log_dest file " + log().toAbsolutePath(),
        "log_type error",
        "log_type warning",
        "log_type notice",
        "");
    try {
      Files.writeString(config, text);
      process = new ProcessBuilder(executable.toString(), "-c", config.toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.out").toFile()))
          .start();
    } catch (IOException e) {
      throw new BrokerException("cannot start " + executable + ": " + e.getMessage());
    }
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new BrokerException("mosquitto exited with status " + process.exitValue() + " (start " + starts
            + " on port " + port + "): " + tail());
      }
      if (accepts()) {
        return;
      }
      try {
        process.waitFor(20, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new BrokerException("interrupted while waiting for mosquitto to listen");
      }
    }
    process.destroyForcibly();
    throw new BrokerException("mosquitto did not listen on port " + port + " within " + READY_TIMEOUT.toSeconds()
        + " s: " + tail());
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String tail() {
    StringBuilder out = new StringBuilder();
    for (Path p : List.of(log(), dir.resolve("mosquitto.out"))) {
      try {
        if (Files.exists(p)) {
          List<String> lines = Files.readAllLines(p);
          out.append(String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()))).append(' ');
        }
      } catch (IOException e) {
        out.append("(cannot read ").append(p).append(") ");
      }
    }
    return out.isEmpty() ? "(no log)" : out.toString().trim();
  }

  private static void waitFor(Process p) {
    boolean interrupted = false;
    while (true) {
      try {
        p.waitFor();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** The broker could not be started: not installed, refused its configuration, or did not listen. */
  public static final class BrokerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BrokerException(String message) {
      super(message);
    }
  }
}
