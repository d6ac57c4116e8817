package org.otp4j.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.otp4j.core.dist.TransportFactory;

/**
 * Settings of a {@link Node}. Immutable; start from {@link #defaults()}.
 *
 * @param name the node's name: in logs and thread names, and for a distributed node its cluster-wide
 *     name (Erlang's {@code name@host}), which must be unique in its cluster
 * @param runawayThreshold how long a process may run without waiting in the runtime (a receive or a
 *     call returning counts; a send does not, since it never waits) while its thread is runnable,
 *     before it is reported as a runaway: on the JVM a process that computes holds its carrier
 *     thread, and there are only as many carriers as cores
 * @param onFatalError called after the node has been stopped because a process hit a
 *     {@link VirtualMachineError} other than {@link StackOverflowError} (an {@link OutOfMemoryError},
 *     say), which the JVM does not confine to one thread. The default does nothing more than the
 *     stop and its error log; an application may choose to halt the JVM here
 * @param scheduler which scheduler runs the node's processes: {@link Scheduler#local()} (the node's
 *     own carrier threads, with locality) unless the system property {@value Scheduler#PROPERTY}
 *     says {@code jdk}; see {@link Scheduler} for what the local one needs from the JVM and what a
 *     node does when it does not have it
 * @param transport the distribution engine that connects the node to others (see
 *     {@link #withTransport}); empty for a node on its own
 * @param reportHandler where the reports about the node's processes go instead of the logger (see
 *     {@link #withReportHandler}); empty to log them through SLF4J
 * @param clock the manual clock the node's timers and its processes' timeouts run on (see
 *     {@link #withClock}); empty for real time
 */
public record NodeConfig(String name, Duration runawayThreshold, Consumer<Throwable> onFatalError,
    Scheduler scheduler, Optional<TransportFactory> transport, Optional<Consumer<NodeReport>> reportHandler,
    Optional<ManualClock> clock) {

  public NodeConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(runawayThreshold, "runawayThreshold");
    Objects.requireNonNull(onFatalError, "onFatalError");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(transport, "transport: use Optional.empty() for a node on its own");
    Objects.requireNonNull(reportHandler, "reportHandler: use Optional.empty() to log reports");
    Objects.requireNonNull(clock, "clock: use Optional.empty() for real time");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a node name cannot be blank: give a name such as \"billing@host\"");
    }
    if (runawayThreshold.isNegative() || runawayThreshold.isZero()) {
      throw new IllegalArgumentException("runawayThreshold must be positive, got " + runawayThreshold);
    }
  }

  /**
   * Name "node", runaway threshold 1 second, no extra fatal-error action, and the scheduler that
   * the system property {@value Scheduler#PROPERTY} names ({@link Scheduler#local()} if unset).
   *
   * @throws IllegalArgumentException if that property holds something else than {@code local} or
   *     {@code jdk}
   */
  public static NodeConfig defaults() {
    return new NodeConfig("node", Duration.ofSeconds(1), error -> {}, Scheduler.fromSystemProperty(), Optional.empty(),
        Optional.empty(), Optional.empty());
  }

  /** The same settings under another name. */
  public NodeConfig withName(String newName) {
    return new NodeConfig(newName, runawayThreshold, onFatalError, scheduler, transport, reportHandler, clock);
  }

  /** The same settings with another runaway threshold. */
  public NodeConfig withRunawayThreshold(Duration threshold) {
    return new NodeConfig(name, threshold, onFatalError, scheduler, transport, reportHandler, clock);
  }

  /** The same settings with another fatal-error action. */
  public NodeConfig withOnFatalError(Consumer<Throwable> handler) {
    return new NodeConfig(name, runawayThreshold, handler, scheduler, transport, reportHandler, clock);
  }

  /**
   * The same settings for a distributed node: {@code factory} (a distribution engine, such as
   * otp-dist's) opens the node's transport when it starts, and the node then reaches the processes of
   * the other nodes of its cluster.
   */
  public NodeConfig withTransport(TransportFactory factory) {
    return new NodeConfig(name, runawayThreshold, onFatalError, scheduler,
        Optional.of(Objects.requireNonNull(factory, "factory")), reportHandler, clock);
  }

  /** The same settings on another scheduler ({@link Scheduler#local()} or {@link Scheduler#jdk()}). */
  public NodeConfig withScheduler(Scheduler newScheduler) {
    return new NodeConfig(name, runawayThreshold, onFatalError, newScheduler, transport, reportHandler, clock);
  }

  /**
   * The same settings with the node's reports handed to {@code handler} instead of the logger: the
   * crash of a process, the behaviours' reports (a server or state machine terminating, a supervisor
   * report, a progress report), the watchdog's warnings. A report is handed over on the thread of the
   * process it is about (or that writes it), so the handler must be thread-safe and quick; a handler
   * that throws loses that report. A test kit uses this to capture each node's reports apart.
   *
   * <p>Only reports written by a process of this node go to the handler; what a plain thread or the
   * node's own service threads log still goes to the logger.
   */
  public NodeConfig withReportHandler(Consumer<NodeReport> handler) {
    return new NodeConfig(name, runawayThreshold, onFatalError, scheduler, transport,
        Optional.of(Objects.requireNonNull(handler, "handler")), clock);
  }

  /**
   * The same settings with the node's timers and its processes' timeouts on {@code manualClock}, which
   * moves only when a test {@link ManualClock#advance advances} it; see {@link ManualClock} for what
   * runs on it and what stays in real time.
   */
  public NodeConfig withClock(ManualClock manualClock) {
    return new NodeConfig(name, runawayThreshold, onFatalError, scheduler, transport, reportHandler,
        Optional.of(Objects.requireNonNull(manualClock, "manualClock")));
  }
}
