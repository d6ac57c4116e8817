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
 */
public record NodeConfig(String name, Duration runawayThreshold, Consumer<Throwable> onFatalError) {

  public NodeConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(runawayThreshold, "runawayThreshold");
    Objects.requireNonNull(onFatalError, "onFatalError");
    if (runawayThreshold.isNegative() || runawayThreshold.isZero()) {
      throw new IllegalArgumentException("runawayThreshold must be positive, got " + runawayThreshold);
    }
  }

  /** Name "node", runaway threshold 1 second, no extra fatal-error action. */
  public static NodeConfig defaults() {
    return new NodeConfig("node", Duration.ofSeconds(1), error -> {});
  }

  public NodeConfig withName(String newName) {
    return new NodeConfig(newName, runawayThreshold, onFatalError);
  }

  public NodeConfig withRunawayThreshold(Duration threshold) {
    return new NodeConfig(name, threshold, onFatalError);
  }

  public NodeConfig withOnFatalError(Consumer<Throwable> handler) {
    return new NodeConfig(name, runawayThreshold, handler);
  }
}
