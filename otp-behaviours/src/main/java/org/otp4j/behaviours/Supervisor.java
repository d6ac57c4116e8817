package org.otp4j.behaviours;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A supervisor: a process that starts child processes, watches them, and restarts them when they
 * terminate, OTP's {@code supervisor}. It is itself a {@link GenServer}.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#supervisor -->
 * {@snippet :
 * Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
 *     ChildSpec.worker("counter", () -> Counter.startLink(0)),
 *     ChildSpec.worker("other", () -> Counter.startLink(10)));
 * }
 *
 * <p>Or, as OTP's callback module, subclass it and describe the children in {@link #init()}:
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#supervisor-class -->
 * {@snippet :
 * public static final class AppSupervisor extends Supervisor {
 *   @Override protected Spec init() {
 *     return Spec.of(Supervisor.restForOne().withIntensity(3, Duration.ofSeconds(10)),
 *         ChildSpec.worker("counter", () -> Counter.startLink(0)),
 *         ChildSpec.supervisor("workers", () -> DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults())));
 *   }
 * }
 * }
 *
 * <h2>Starting and stopping</h2>
 * Children are started one at a time in the order given; {@code startLink} returns when all have
 * started. If one fails to start, the ones already started are stopped in reverse order and the
 * start fails with {@code {shutdown, {failed_to_start_child, Id, Reason}}}. When the supervisor
 * stops, it stops its children in reverse start order, each as its {@link ChildSpec.Shutdown} says.
 *
 * <h2>Restarts</h2>
 * When a child terminates, its {@link ChildSpec.Restart} type decides whether it is restarted, and
 * the {@link Strategy} which siblings are restarted with it. If more than {@code intensity}
 * restarts happen within {@code period} (1 in 5 seconds by default, as OTP), the supervisor gives
 * up: it stops all its children and exits with reason {@code shutdown}, and its own supervisor
 * decides what happens next. A restart exactly {@code period} old still counts.
 *
 * <h2>The API</h2>
 * {@link #startChild}, {@link #terminateChild}, {@link #restartChild}, {@link #deleteChild},
 * {@link #whichChildren}, {@link #countChildren}, {@link #getChildSpec}: calls to the supervisor
 * process without timeout, each returning OTP's results as typed values. For children started on
 * demand from one template, use {@link DynamicSupervisor}.
 */
public abstract class Supervisor {

  protected Supervisor() {}

  /** Describes the supervisor: its flags and its children. Runs in the supervisor process. */
  protected abstract Spec init() throws Exception;

  // =====================================================================================
  // flags and specs

  /** Which children are restarted when one terminates. */
  public enum Strategy {
    /** Only the child that terminated. */
    ONE_FOR_ONE,
    /** All children: the others are stopped (reverse order), then all are started again. */
    ONE_FOR_ALL,
    /** The child that terminated and the children started after it. */
    REST_FOR_ONE
  }

  /** When the termination of {@link ChildSpec#significant() significant} children ends the supervisor. */
  public enum AutoShutdown {
    /** Never (no child may be significant). */
    NEVER,
    /** When any significant child terminates and is not restarted. */
    ANY_SIGNIFICANT,
    /** When the last running significant child terminates and is not restarted. */
    ALL_SIGNIFICANT
  }

  /**
   * How the supervisor restarts: OTP's supervisor flags.
   *
   * @param strategy which children restart together
   * @param intensity restarts allowed within {@code period}; 0 means the first termination that
   *     needs a restart ends the supervisor
   * @param period the sliding window of the restart count
   * @param autoShutdown whether significant children can end the supervisor
   */
  public record Flags(Strategy strategy, int intensity, Duration period, AutoShutdown autoShutdown) {
    public Flags {
      Objects.requireNonNull(strategy, "strategy");
      Objects.requireNonNull(period, "period");
      Objects.requireNonNull(autoShutdown, "autoShutdown");
      if (intensity < 0) {
        throw new IllegalArgumentException("a restart intensity cannot be negative, got " + intensity);
      }
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("a restart period must be positive, got " + period);
      }
    }

    /** Allows {@code restarts} restarts within {@code within}. */
    public Flags withIntensity(int restarts, Duration within) {
      return new Flags(strategy, restarts, within, autoShutdown);
    }

    public Flags withAutoShutdown(AutoShutdown newAutoShutdown) {
      return new Flags(strategy, intensity, period, newAutoShutdown);
    }
  }

  /** One-for-one, 1 restart in 5 seconds (OTP's defaults). */
  public static Flags oneForOne() {
    return new Flags(Strategy.ONE_FOR_ONE, 1, Duration.ofSeconds(5), AutoShutdown.NEVER);
  }

  /** One-for-all, 1 restart in 5 seconds. */
  public static Flags oneForAll() {
    return new Flags(Strategy.ONE_FOR_ALL, 1, Duration.ofSeconds(5), AutoShutdown.NEVER);
  }

  /** Rest-for-one, 1 restart in 5 seconds. */
  public static Flags restForOne() {
    return new Flags(Strategy.REST_FOR_ONE, 1, Duration.ofSeconds(5), AutoShutdown.NEVER);
  }

  /** What {@link #init()} returns: the flags and the children, or {@link #ignore()}. */
  public record Spec(Flags flags, List<ChildSpec> children, boolean ignored) {
    public Spec {
      children = List.copyOf(children);
    }

    public static Spec of(Flags flags, ChildSpec... children) {
      return new Spec(Objects.requireNonNull(flags, "flags"), Arrays.asList(children), false);
    }

    public static Spec of(Flags flags, List<ChildSpec> children) {
      return new Spec(Objects.requireNonNull(flags, "flags"), children, false);
    }

    /** Do not start: the starter gets {@link StartResult.Ignored}. */
    public static Spec ignore() {
      return new Spec(oneForOne(), List.of(), true);
    }
  }

  // =====================================================================================
  // starting

  /** Starts a supervisor with these flags and children, linked to the caller. */
  public static Pid startLink(Flags flags, ChildSpec... children) {
    return startLink(of(flags, children), StartOptions.defaults());
  }

  /** Starts a supervisor registered under {@code name}, linked to the caller. */
  public static Pid startLink(Name name, Flags flags, ChildSpec... children) {
    return startLink(of(flags, children), StartOptions.defaults().withName(name));
  }

  /** Starts a supervisor described by its {@link #init()}, linked to the caller. */
  public static Pid startLink(Supervisor supervisor) {
    return startLink(supervisor, StartOptions.defaults());
  }

  /**
   * Starts a supervisor linked to the caller.
   *
   * @throws StartException if it did not start: its init returned {@link Spec#ignore()}, its spec
   *     is invalid ({@code {start_spec, ...}}), or a child failed to start
   *     ({@code {shutdown, {failed_to_start_child, Id, Reason}}})
   */
  public static Pid startLink(Supervisor supervisor, StartOptions options) {
    return GenServer.startLink(server(supervisor), options).pid();
  }

  /** Starts a supervisor not linked to the caller. */
  public static Pid start(Supervisor supervisor) {
    return start(supervisor, StartOptions.defaults());
  }

  /** Starts a supervisor not linked to the caller; see {@link #startLink(Supervisor, StartOptions)}. */
  public static Pid start(Supervisor supervisor, StartOptions options) {
    return GenServer.start(server(supervisor), options).pid();
  }

  /** Starts a supervisor monitored by the caller. */
  public static GenServer.Monitored<?> startMonitor(Supervisor supervisor, StartOptions options) {
    return GenServer.startMonitor(server(supervisor), options);
  }

  /** Starts a supervisor not linked to the caller, and returns the outcome without throwing. */
  public static StartResult tryStart(Supervisor supervisor, StartOptions options) {
    return GenServer.tryStart(server(supervisor), options);
  }

  /** Starts a supervisor linked to the caller, and returns the outcome without throwing. */
  public static StartResult tryStartLink(Supervisor supervisor, StartOptions options) {
    return GenServer.tryStartLink(server(supervisor), options);
  }

  private static SupervisorServer server(Supervisor supervisor) {
    return new SupervisorServer(Objects.requireNonNull(supervisor, "supervisor"));
  }

  /** A supervisor with a fixed spec: these flags and children (start it with any start function). */
  public static Supervisor of(Flags flags, ChildSpec... children) {
    return of(flags, Arrays.asList(children));
  }

  /** A supervisor with a fixed spec: these flags and children. */
  public static Supervisor of(Flags flags, List<ChildSpec> children) {
    Spec spec = Spec.of(flags, children);
    return new Supervisor() {
      @Override
      protected Spec init() {
        return spec;
      }
    };
  }

  /** Stops a supervisor (its children first, in reverse start order), waiting as long as it takes. */
  public static void stop(Address supervisor) {
    GenServer.stop(supervisor, ExitReason.NORMAL, Proc.INFINITY);
  }

  // =====================================================================================
  // the API

  /**
   * Adds a child and starts it.
   *
   * @return {@link StartResult.Started}; {@link StartResult.Ignored} (its start ignored it; the spec
   *     is kept unless temporary); {@link StartResult.AlreadyStarted} (a child with this id runs);
   *     {@link AlreadyPresent} (a child with this id exists but does not run); or
   *     {@link StartResult.Failed} (the spec is not kept)
   */
  public static StartChildResult startChild(Address supervisor, ChildSpec spec) {
    return (StartChildResult) call(supervisor, new Supervision.Request.StartChild(Objects.requireNonNull(spec, "spec")));
  }

  /**
   * Stops a child; its spec is kept (unless it is temporary), so it can be restarted. On a dynamic
   * supervisor the child is given by its pid (an id answers {@link SimpleOneForOne}).
   *
   * @return {@link Terminated} (also for a child that was not running), {@link NotFound}, or
   *     {@link SimpleOneForOne}
   */
  public static TerminateResult terminateChild(Address supervisor, Object id) {
    return (TerminateResult) call(supervisor, new Supervision.Request.TerminateChild(Objects.requireNonNull(id, "id")));
  }

  /**
   * Starts again a child that is not running (after {@link #terminateChild}).
   *
   * @return {@link StartResult.Started}, {@link StartResult.Ignored}, {@link Running},
   *     {@link Restarting}, {@link NotFound}, {@link StartResult.Failed}, or {@link SimpleOneForOne}
   *     on a dynamic supervisor
   */
  public static RestartChildResult restartChild(Address supervisor, Object id) {
    return (RestartChildResult) call(supervisor, new Supervision.Request.RestartChild(Objects.requireNonNull(id, "id")));
  }

  /**
   * Removes the spec of a child that is not running.
   *
   * @return {@link Deleted}, {@link Running}, {@link Restarting}, {@link NotFound}, or
   *     {@link SimpleOneForOne} on a dynamic supervisor
   */
  public static DeleteResult deleteChild(Address supervisor, Object id) {
    return (DeleteResult) call(supervisor, new Supervision.Request.DeleteChild(Objects.requireNonNull(id, "id")));
  }

  /** The children, most recently started first (OTP's order). */
  @SuppressWarnings("unchecked")
  public static List<Child> whichChildren(Address supervisor) {
    return (List<Child>) call(supervisor, new Supervision.Request.WhichChildren());
  }

  /** How many children, by kind. */
  public static Counts countChildren(Address supervisor) {
    return (Counts) call(supervisor, new Supervision.Request.CountChildren());
  }

  /**
   * The name under which {@link #restartCounts(Node)} counts the restarts of every supervisor that has
   * no locally registered name.
   */
  public static final String UNNAMED = "(unnamed)";

  /**
   * How many children the supervisors of {@code node} (dynamic ones included) have restarted since it
   * started, by the supervisor's locally registered name; those of every supervisor without one
   * are added up under {@link #UNNAMED}. A child counts once each time it is started again after
   * it ended: a one-for-all restart of three children counts three. A restart that fails and is
   * retried counts once, when the child is running again. Supervisors that have stopped keep their
   * counts, so each figure only grows: made for metrics, where the name is a tag and pids must not
   * be.
   *
   * <!-- snippet: org.otp4j.behaviours.SupervisorRestartCountsTest#counts -->
   * {@snippet :
   * Map<String, Long> restarts = Supervisor.restartCounts(node);
   * long byTheCache = restarts.getOrDefault("cache_sup", 0L);
   * }
   *
   * @return a sorted copy, name to count; empty before the first restart
   */
  public static Map<String, Long> restartCounts(Node node) {
    return RestartCounts.of(Objects.requireNonNull(node, "node"));
  }

  /** The spec of a child, if there is one with this id (never on a dynamic supervisor). */
  @SuppressWarnings("unchecked")
  public static Optional<ChildSpec> getChildSpec(Address supervisor, Object id) {
    return (Optional<ChildSpec>) call(supervisor, new Supervision.Request.GetChildSpec(Objects.requireNonNull(id, "id")));
  }

  /** A supervisor call: no timeout, as OTP's supervisor API. */
  static Object call(Address supervisor, Supervision.Request request) {
    return Gen.call("Supervisor.call", supervisor, request, Proc.INFINITY);
  }

  // =====================================================================================
  // results

  /** What {@link #startChild} returns. */
  public sealed interface StartChildResult
      permits StartResult.Started, StartResult.Ignored, StartResult.AlreadyStarted, AlreadyPresent,
          StartResult.Failed {}

  /** What {@link #restartChild} returns. */
  public sealed interface RestartChildResult
      permits StartResult.Started, StartResult.Ignored, Running, Restarting, NotFound, StartResult.Failed,
          SimpleOneForOne {}

  /** What {@link #deleteChild} returns. */
  public sealed interface DeleteResult permits Deleted, Running, Restarting, NotFound, SimpleOneForOne {}

  /** What {@link #terminateChild} returns. */
  public sealed interface TerminateResult permits Terminated, NotFound, SimpleOneForOne {}

  /** A child with this id exists but does not run. */
  public record AlreadyPresent() implements StartChildResult {}

  /** The child runs: it cannot be restarted or deleted. */
  public record Running() implements RestartChildResult, DeleteResult {}

  /** The child is between restart attempts. */
  public record Restarting() implements RestartChildResult, DeleteResult {}

  /** No child with this id (or, on a dynamic supervisor, with this pid). */
  public record NotFound() implements RestartChildResult, DeleteResult, TerminateResult {}

  /** The child's spec was removed. */
  public record Deleted() implements DeleteResult {}

  /** The child is no longer running (it may not have been running). */
  public record Terminated() implements TerminateResult {}

  /**
   * A dynamic supervisor was asked for something that needs a child id (OTP's
   * {@code {error, simple_one_for_one}}): its children have no ids and no kept specs.
   */
  public record SimpleOneForOne() implements RestartChildResult, DeleteResult, TerminateResult {}

  public enum ChildState {
    /** Its process runs. */
    RUNNING,
    /** A restart failed; the supervisor will try again. */
    RESTARTING,
    /** Not running (terminated, or its start was ignored); the spec is kept. */
    UNDEFINED
  }

  /**
   * One child, as {@link #whichChildren} shows it.
   *
   * @param id its id (null for the children of a dynamic supervisor)
   * @param pid its process when running, else null
   * @param state running, restarting or not running
   * @param type worker or supervisor
   */
  public record Child(Object id, Pid pid, ChildState state, ChildSpec.Type type) {}

  /**
   * {@link #countChildren}: OTP's {@code [{specs,N},{active,N},{supervisors,N},{workers,N}]}.
   *
   * @param specs child specs (1 for a dynamic supervisor's template, else the number of children)
   * @param active children with a running process
   * @param supervisors children of type supervisor
   * @param workers children of type worker
   */
  public record Counts(int specs, int active, int supervisors, int workers) {}

  /** The reason term of a child that failed to start during the supervisor's init. */
  public record FailedToStartChild(Object id, ExitReason reason) {
    @Override
    public String toString() {
      return "{failed_to_start_child," + id + "," + reason + "}";
    }
  }

  /** The reason term of an invalid supervisor spec. */
  public record StartSpecError(String problem) {
    @Override
    public String toString() {
      return "{start_spec," + problem + "}";
    }
  }

  static List<ChildSpec> copy(List<ChildSpec> specs) {
    return new ArrayList<>(specs);
  }
}
