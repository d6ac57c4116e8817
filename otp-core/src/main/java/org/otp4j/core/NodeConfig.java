package org.otp4j.core;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of a {@link Node}. Immutable; start from {@link #defaults()}.
 *
 * @param name a name for logs and thread names
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
 */
public record NodeConfig(String name, Duration runawayThreshold, Consumer<Throwable> onFatalError,
    Scheduler scheduler) {

  public NodeConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(runawayThreshold, "runawayThreshold");
    Objects.requireNonNull(onFatalError, "onFatalError");
    Objects.requireNonNull(scheduler, "scheduler");
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
    return new NodeConfig("node", Duration.ofSeconds(1), error -> {}, Scheduler.fromSystemProperty());
  }

  public NodeConfig withName(String newName) {
    return new NodeConfig(newName, runawayThreshold, onFatalError, scheduler);
  }

  public NodeConfig withRunawayThreshold(Duration threshold) {
    return new NodeConfig(name, threshold, onFatalError, scheduler);
  }

  public NodeConfig withOnFatalError(Consumer<Throwable> handler) {
    return new NodeConfig(name, runawayThreshold, handler, scheduler);
  }

  /** The same settings on another scheduler ({@link Scheduler#local()} or {@link Scheduler#jdk()}). */
  public NodeConfig withScheduler(Scheduler newScheduler) {
    return new NodeConfig(name, runawayThreshold, onFatalError, newScheduler);
  }
}
