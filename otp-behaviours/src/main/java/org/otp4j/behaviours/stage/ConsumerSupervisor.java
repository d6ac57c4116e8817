package org.otp4j.behaviours.stage;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.core.Address;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;

/**
 * A consumer that starts a process for each event and supervises it, Elixir's
 * {@code ConsumerSupervisor}: a pool of workers whose size the subscription bounds. It asks each
 * producer for {@code maxDemand} events, so at most {@code maxDemand} children per producer run at
 * once; as children end, it asks again, once {@code minDemand} of them have.
 *
 * <!-- snippet: org.otp4j.behaviours.stage.ConsumerSupervisorTest#consumer-supervisor -->
 * {@snippet :
 * Pid sup = ConsumerSupervisor.start(
 *     ConsumerSupervisor.child((Long n) -> Proc.spawnLink(() -> work(n, probe))),
 *     SubscribeTo.to(numbers).withMaxDemand(2));
 * }
 *
 * <p>Children are started by the supervisor's process, so a start function that links (such as
 * {@code startLink}) links them to it; the supervisor traps exits. A child is
 * {@link ChildSpec.Restart#TEMPORARY} (never restarted; the default) or
 * {@link ChildSpec.Restart#TRANSIENT} (restarted with the same event if it exits abnormally, at most
 * {@code maxRestarts} times in {@code maxSeconds}, after which the supervisor shuts down). On
 * shutdown the supervisor stops its children as its {@link ChildSpec.Shutdown} says.
 */
public final class ConsumerSupervisor {
  private ConsumerSupervisor() {}

  /**
   * What to start for each event.
   *
   * @param start starts the child for an event; returns its pid, a typed ref, or a
   *     {@link org.otp4j.behaviours.StartResult} ({@code ignore} and errors count as a finished child)
   * @param restart {@link ChildSpec.Restart#TEMPORARY} or {@link ChildSpec.Restart#TRANSIENT}
   * @param shutdown how children are stopped when the supervisor stops
   * @param <E> the events
   */
  public record Child<E>(Function<? super E, ?> start, ChildSpec.Restart restart, ChildSpec.Shutdown shutdown) {
    /** Checks the parts: a permanent child would be restarted even when its work is done. */
    public Child {
      Objects.requireNonNull(start, "start: a function from an event to a started child");
      Objects.requireNonNull(restart, "restart");
      Objects.requireNonNull(shutdown, "shutdown");
      if (restart == ChildSpec.Restart.PERMANENT) {
        throw new IllegalArgumentException("a ConsumerSupervisor child cannot be permanent: a child for an event "
            + "ends when its work is done; use TEMPORARY or TRANSIENT");
      }
    }

    /** With restart {@code newRestart}. */
    public Child<E> withRestart(ChildSpec.Restart newRestart) {
      return new Child<>(start, newRestart, shutdown);
    }

    /** With shutdown {@code newShutdown}. */
    public Child<E> withShutdown(ChildSpec.Shutdown newShutdown) {
      return new Child<>(start, restart, newShutdown);
    }
  }

  /**
   * A temporary child, shut down with a 5-second timeout. Write the lambda's parameter type to
   * choose the events' type: {@code child((Order o) -> Shipper.startLink(o))}.
   */
  public static <E> Child<E> child(Function<? super E, ?> start) {
    return new Child<>(start, ChildSpec.Restart.TEMPORARY, ChildSpec.Shutdown.timeout(Duration.ofSeconds(5)));
  }

  /** The restart intensity: at most {@code maxRestarts} restarts in {@code maxSeconds} (Elixir's defaults: 3 in 5). */
  public record Intensity(int maxRestarts, Duration maxSeconds) {
    /** Checks the bounds. */
    public Intensity {
      if (maxRestarts < 0) {
        throw new IllegalArgumentException("maxRestarts must be at least 0, got " + maxRestarts);
      }
      Objects.requireNonNull(maxSeconds, "maxSeconds");
    }

    /** Elixir's defaults: 3 restarts in 5 seconds. */
    public static Intensity defaults() {
      return new Intensity(3, Duration.ofSeconds(5));
    }
  }

  /** Starts a consumer supervisor subscribed to {@code subscribeTo}, not linked to the caller. */
  public static <E> Pid start(Child<E> child, SubscribeTo... subscribeTo) {
    return GenStage.start(new ConsumerSupervisorStage<>(child, Intensity.defaults(), List.of(subscribeTo)));
  }

  /** Starts a consumer supervisor subscribed to {@code subscribeTo}, linked to the caller. */
  public static <E> Pid startLink(Child<E> child, SubscribeTo... subscribeTo) {
    return GenStage.startLink(new ConsumerSupervisorStage<>(child, Intensity.defaults(), List.of(subscribeTo)));
  }

  /** Starts a consumer supervisor registered under {@code name}, linked to the caller. */
  public static <E> Pid startLink(Name name, Child<E> child, SubscribeTo... subscribeTo) {
    return GenStage.startLink(new ConsumerSupervisorStage<>(child, Intensity.defaults(), List.of(subscribeTo)),
        StartOptions.defaults().withName(name));
  }

  /** Starts a consumer supervisor with every option, linked to the caller. */
  public static <E> Pid startLink(Child<E> child, Intensity intensity, List<SubscribeTo> subscribeTo,
      StartOptions options) {
    return GenStage.startLink(new ConsumerSupervisorStage<>(child, intensity, subscribeTo), options);
  }

  /** The running children's pids. */
  @SuppressWarnings("unchecked")
  public static List<Pid> whichChildren(Address supervisor) {
    return (List<Pid>) GenStage.call(supervisor, new ConsumerSupervisorStage.WhichChildren(), GenStage.DEFAULT_CALL_TIMEOUT);
  }

  /** How many children are running. */
  public static int countChildren(Address supervisor) {
    return whichChildren(supervisor).size();
  }
}
