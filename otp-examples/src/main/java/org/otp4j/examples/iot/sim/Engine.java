package org.otp4j.examples.iot.sim;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.otp4j.examples.iot.Broker;

/**
 * The simulator's engine behind {@link Simulator}: devices, connections, the ticker that paces
 * the devices, the flood pump, the summary and the stop.
 *
 * <p>Implementation notes. One scheduled pool (two platform threads) paces every device: each
 * device's tick publishes one message and schedules the next at the device's interval, jittered;
 * a tick whose {@link Device#generation} is stale (a command changed the interval and started a
 * new loop) ends its loop. Publishing is asynchronous: a tick never waits for the broker. The MQTT
 * clients share one Netty event loop (one {@link MqttClientExecutorConfig} for all of them), so
 * thousands of connections cost a few threads. Initial connects go out at most
 * {@value #CONNECTS_IN_FLIGHT} at a time, so that a large simulator does not time out its own
 * handshakes.
 */
final class Engine {
  private static final int CONNECTS_IN_FLIGHT = 200;
  private static final int FLOOD_WINDOW = 256;

  /** The simulator's counters, updated from any thread. */
  static final class Counters {
    final LongAdder connectedDevices = new LongAdder();
    final LongAdder published = new LongAdder();
    final LongAdder confirmed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder unknownDevice = new LongAdder();
    final LongAdder oversized = new LongAdder();
    final LongAdder oversizedRefused = new LongAdder();
    final LongAdder commands = new LongAdder();
    final LongAdder acks = new LongAdder();
    final LongAdder reconnects = new LongAdder();
  }

  final SimulatorConfig config;
  final Counters counters = new Counters();
  private final List<Device> devices = new ArrayList<>();
  private final List<Connection> connections = new ArrayList<>();
  private final Map<String, Connection> connectionOf = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor ticker;
  private final PrintStream out;
  private final AtomicLong inFlight = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition drained = lock.newCondition();
  private final AtomicInteger floodOutstanding = new AtomicInteger();
  private final Device flood;
  private volatile boolean running = true;
  private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<SimulatorStats>> stopped =
      new java.util.concurrent.atomic.AtomicReference<>();
  private long lastPublished;
  private long lastSummaryNanos = System.nanoTime();
  private int malformedTurn;

  Engine(SimulatorConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
    AtomicInteger threads = new AtomicInteger();
    this.ticker = new ScheduledThreadPoolExecutor(2, r -> {
      Thread t = new Thread(r, "iot-sim-ticker-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    ticker.setRemoveOnCancelPolicy(true);
    for (int i = 0; i < config.devices(); i++) {
      devices.add(new Device(config.firstDevice() + i, config.groups(), config.interval().toMillis(),
          config.faultRate(), config.seed()));
    }
    this.flood = config.floodDevice().map(id -> devices.get(Devices.number(id) - config.firstDevice())).orElse(null);
    // One executor configuration for every client: they share its Netty event loop (the client's
    // default size, twice the cores, which other clients of this JVM share too).
    MqttClientExecutorConfig executors = MqttClientExecutorConfig.builder().build();
    int k = config.devicesPerConnection();
    for (int from = 0; from < devices.size(); from += k) {
      List<Device> members = devices.subList(from, Math.min(devices.size(), from + k));
      Connection c = k == 1
          ? new Connection(this, members.get(0).id, false, members, executors)
          : new Connection(this, Devices.gateway(config.firstDevice() + from), true, members, executors);
      connections.add(c);
      members.forEach(d -> connectionOf.put(d.id, c));
    }
  }

  void start() {
    Thread.ofVirtual().name("iot-sim-connector").start(this::connectAll);
    for (Device d : devices) {
      if (d != flood) {
        schedule(d, d.generation, (long) (d.draw() * d.intervalMillis));
      }
    }
    if (!config.summaryEvery().isZero()) {
      long every = config.summaryEvery().toMillis();
      ticker.scheduleAtFixedRate(() -> out.println(summary()), every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void connectAll() {
    Semaphore permits = new Semaphore(CONNECTS_IN_FLIGHT);
    for (Connection c : connections) {
      try {
        permits.acquire();
      } catch (InterruptedException e) {
        return;
      }
      if (!running) {
        return;
      }
      c.connect().whenComplete((ignored, e) -> permits.release());
    }
  }

  boolean running() {
    return running;
  }

  List<Device> devices() {
    return devices;
  }

  int connectionCount() {
    return connections.size();
  }

  /** Runs {@code task} on the ticker after {@code millis}, unless the simulator stopped. */
  void later(long millis, Runnable task) {
    if (running) {
      try {
        ticker.schedule(task, millis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the simulator stopped in between: nothing more to do
      }
    }
  }

  /** A command changed the device's interval: start a new tick loop at the new pace. */
  void rescheduled(Device d) {
    if (d == flood) {
      return;
    }
    int generation = ++d.generation;
    schedule(d, generation, (long) (d.draw() * d.intervalMillis));
  }

  /** A connection came up (again): restart the flood pump if it carries the flooding device. */
  void connected(Connection c) {
    if (flood != null && connectionOf.get(flood.id) == c) {
      later(0, this::pumpFlood);
    }
  }

  private void schedule(Device d, int generation, long delayMillis) {
    later(delayMillis, () -> tick(d, generation));
  }

  private void tick(Device d, int generation) {
    if (!running || generation != d.generation) {
      return;
    }
    try {
      Connection c = connectionOf.get(d.id);
      if (c.isConnected() && !d.rebooting) {
        publishOne(c, d);
      }
    } finally {
      double jitter = config.jitter() * (2 * d.draw() - 1);
      schedule(d, generation, Math.max(1, Math.round(d.intervalMillis * (1 + jitter))));
    }
  }

  private void publishOne(Connection c, Device d) {
    long now = System.currentTimeMillis();
    double r = d.draw();
    double malformedUpTo = config.malformedRate();
    double unknownUpTo = malformedUpTo + config.unknownDeviceRate();
    double oversizedUpTo = unknownUpTo + config.oversizedRate();
    if (r < malformedUpTo) {
      int kind;
      synchronized (this) {
        kind = malformedTurn++;
      }
      counters.malformed.increment();
      track(c.publish(Devices.telemetryTopic(d.id), d.malformed(kind, now)), null);
    } else if (r < unknownUpTo) {
      String unknown = Devices.id(SimulatorConfig.FIRST_UNKNOWN_DEVICE
          + (int) (d.draw() * (999_999 - SimulatorConfig.FIRST_UNKNOWN_DEVICE)));
      counters.unknownDevice.increment();
      track(c.publish(Devices.telemetryTopic(unknown), d.telemetryAs(unknown, now)), null);
    } else if (r < oversizedUpTo) {
      counters.oversized.increment();
      track(c.publish(Devices.telemetryTopic(d.id), d.oversized(now, Broker.MAX_PACKET_BYTES)),
          ok -> {
            if (!ok) {
              counters.oversizedRefused.increment();
            }
          });
    } else {
      publishTelemetry(c, d, now);
    }
  }

  private CompletableFuture<Mqtt5PublishResult> publishTelemetry(Connection c, Device d, long now) {
    counters.published.increment();
    CompletableFuture<Mqtt5PublishResult> sent;
    // NOTE: the seq is taken and the message handed to the client under the device's monitor, so
    // that two threads publishing for one device (the flood pump) cannot swap two messages. The
    // client only queues the message: nothing blocks under the monitor.
    synchronized (d) {
      sent = c.publish(Devices.telemetryTopic(d.id), d.nextTelemetry(now));
    }
    track(sent, ok -> (ok ? counters.confirmed : counters.failed).increment());
    return sent;
  }

  /** Counts a publish in flight until it completes, then tells {@code outcome} whether it succeeded. */
  private void track(CompletableFuture<Mqtt5PublishResult> sent, java.util.function.Consumer<Boolean> outcome) {
    inFlight.incrementAndGet();
    sent.whenComplete((result, e) -> {
      if (outcome != null) {
        outcome.accept(e == null && result.getError().isEmpty());
      }
      if (inFlight.decrementAndGet() == 0) {
        lock.lock();
        try {
          drained.signalAll();
        } finally {
          lock.unlock();
        }
      }
    });
  }

  /**
   * Keeps up to {@value #FLOOD_WINDOW} telemetry messages of the flooding device outstanding:
   * each completion sends the next, so it publishes as fast as the connection and broker take.
   */
  private void pumpFlood() {
    Connection c = connectionOf.get(flood.id);
    while (running && c.isConnected() && floodOutstanding.get() < FLOOD_WINDOW) {
      floodOutstanding.incrementAndGet();
      publishTelemetry(c, flood, System.currentTimeMillis()).whenComplete((result, e) -> {
        floodOutstanding.decrementAndGet();
        later(0, this::pumpFlood);
      });
    }
  }

  SimulatorStats stats() {
    Counters n = counters;
    return new SimulatorStats(devices.size(), (int) n.connectedDevices.sum(), connections.size(), n.published.sum(),
        n.confirmed.sum(), n.failed.sum(), n.malformed.sum(), n.unknownDevice.sum(), n.oversized.sum(),
        n.oversizedRefused.sum(), n.commands.sum(), n.acks.sum(), n.reconnects.sum());
  }

  private synchronized String summary() {
    SimulatorStats s = stats();
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - lastSummaryNanos) / 1e9);
    double rate = (s.published() - lastPublished) / seconds;
    lastPublished = s.published();
    lastSummaryNanos = now;
    return String.format("iot-sim: %d/%d devices connected, %.0f msg/s, published %d, confirmed %d, failed %d, "
            + "acks %d, reconnects %d", s.connectedDevices(), s.devices(), rate, s.published(), s.confirmed(),
        s.failed(), s.acks(), s.reconnects());
  }

  /**
   * Stops the devices, waits (up to {@code 10 s}) for the outstanding acknowledgements, disconnects
   * every connection with its will, and returns the final counts; the second call returns the
   * first's counts.
   */
  SimulatorStats stop() {
    CompletableFuture<SimulatorStats> mine = new CompletableFuture<>();
    CompletableFuture<SimulatorStats> first = stopped.compareAndExchange(null, mine);
    if (first != null) {
      return first.join();
    }
    try {
      SimulatorStats stats = stopOnce();
      mine.complete(stats);
      return stats;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private SimulatorStats stopOnce() {
    lock.lock();
    try {
      running = false;
      ticker.shutdown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        drained.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    CompletableFuture<?>[] goodbyes = connections.stream().map(Connection::disconnect).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(goodbyes).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      // a connection that does not say goodbye in time is dropped: its will covers it
    }
    SimulatorStats stats = stats();
    if (!config.summaryEvery().isZero()) {
      out.println("iot-sim stopped: published " + stats.published() + ", confirmed " + stats.confirmed() + ", failed "
          + stats.failed() + " (" + stats.devices() + " devices, qos " + config.qos() + ")");
    }
    config.finalJson().ifPresent(file -> write(file, stats.toJson()));
    return stats;
  }

  private static void write(Path file, String json) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, json + "\n");
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the final counts to " + file, e);
    }
  }
}
