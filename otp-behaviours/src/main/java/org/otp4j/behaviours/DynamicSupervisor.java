package org.otp4j.behaviours;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.otp4j.core.Address;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;

/**
 * A supervisor whose children are started on demand, one for one: Elixir's
 * {@code DynamicSupervisor} and OTP's {@code simple_one_for_one}. Used for per-connection,
 * per-room or per-device processes.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#dynamic -->
 * {@snippet :
 * // Elixir style: any child spec
 * Pid dyn = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults().withMaxChildren(10_000));
 * DynamicSupervisor.startChild(dyn, ChildSpec.worker("counter", () -> Counter.startLink(0)));
 *
 * // simple_one_for_one style: one template, an argument per child
 * Pid counters = DynamicSupervisor.startLink(Name.local("counters"), DynamicSupervisor.Options.defaults(),
 *     DynamicSupervisor.Template.worker((Integer initial) -> Counter.startLink(initial)));
 * DynamicSupervisor.startChildWith(Name.local("counters"), 42);
 * }
 *
 * <p>Children have no ids; they are known by pid, and supervisor reports give their id as
 * {@code undefined}, as OTP's. They are stopped all at once when the supervisor
 * stops (their order is not defined, as in OTP). Restart types and the restart intensity work as in
 * {@link Supervisor}; the defaults follow Elixir's DynamicSupervisor: 3 restarts in 5 seconds.
 */
public final class DynamicSupervisor {
  private final Options options;
  private final Template<?> template; // null: children are started from full specs

  private DynamicSupervisor(Options options, Template<?> template) {
    this.options = Objects.requireNonNull(options, "options");
    this.template = template;
  }

  /** A dynamic supervisor whose children are started from full specs (Elixir's style); start it with any start function. */
  public static DynamicSupervisor of(Options options) {
    return new DynamicSupervisor(options, null);
  }

  /** A simple-one-for-one supervisor: its children are started from {@code template}, each with its argument. */
  public static <A> DynamicSupervisor of(Options options, Template<A> template) {
    return new DynamicSupervisor(options, Objects.requireNonNull(template, "template"));
  }

  /**
   * Options of a dynamic supervisor.
   *
   * @param maxChildren the most children it runs at once (0 for no limit); past it,
   *     {@code startChild} returns {@link MaxChildren}
   * @param intensity restarts allowed within {@code period}
   * @param period the restart window
   */
  public record Options(int maxChildren, int intensity, Duration period) {
    public Options {
      Objects.requireNonNull(period, "period");
      if (maxChildren < 0) {
        throw new IllegalArgumentException("maxChildren cannot be negative, got " + maxChildren + "; use 0 for no limit");
      }
      if (intensity < 0) {
        throw new IllegalArgumentException("a restart intensity cannot be negative, got " + intensity);
      }
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("a restart period must be positive, got " + period);
      }
    }

    /** No child limit, 3 restarts in 5 seconds (Elixir's defaults). */
    public static Options defaults() {
      return new Options(0, 3, Duration.ofSeconds(5));
    }

    public Options withMaxChildren(int max) {
      return new Options(max, intensity, period);
    }

    public Options withIntensity(int restarts, Duration within) {
      return new Options(maxChildren, restarts, within);
    }
  }

  /**
   * The one child spec a simple-one-for-one supervisor starts its children from; each child gets
   * its own argument.
   *
   * @param <A> the argument type
   */
  public record Template<A>(Start<A> start, ChildSpec.Restart restart, ChildSpec.Shutdown shutdown,
      ChildSpec.Type type) {
    public Template {
      Objects.requireNonNull(start, "a template needs a start function: Template.worker(arg -> X.startLink(arg))");
      Objects.requireNonNull(restart, "restart");
      Objects.requireNonNull(shutdown, "shutdown");
      Objects.requireNonNull(type, "type");
    }

    /** Permanent workers, 5 second shutdown. */
    public static <A> Template<A> worker(Start<A> start) {
      return new Template<>(start, ChildSpec.Restart.PERMANENT, ChildSpec.Shutdown.timeout(Duration.ofSeconds(5)),
          ChildSpec.Type.WORKER);
    }

    public Template<A> withRestart(ChildSpec.Restart newRestart) {
      return new Template<>(start, newRestart, shutdown, type);
    }

    public Template<A> withShutdown(ChildSpec.Shutdown newShutdown) {
      return new Template<>(start, restart, newShutdown, type);
    }

    @SuppressWarnings("unchecked")
    ChildSpec specFor(Object argument) {
      Start<A> s = start;
      return new ChildSpec("template", () -> s.start((A) argument), restart, shutdown, type, false);
    }
  }

  /**
   * Starts one child of a template, linked to the caller (the supervisor), from its argument, and
   * returns it as a {@link ChildSpec.Start} does: the started process, or a {@link StartResult}.
   */
  @FunctionalInterface
  public interface Start<A> {
    Object start(A argument) throws Exception;
  }

  // ---------------------------------------------------------------------------------------

  /** Starts a dynamic supervisor linked to the caller, with no template. */
  public static Pid startLink(Options options) {
    return startLink(of(options), StartOptions.defaults());
  }

  /** Starts a dynamic supervisor registered under {@code name}, with no template. */
  public static Pid startLink(Name name, Options options) {
    return startLink(of(options), StartOptions.defaults().withName(name));
  }

  /** Starts a simple-one-for-one supervisor: children are started from {@code template}. */
  public static <A> Pid startLink(Options options, Template<A> template) {
    return startLink(of(options, template), StartOptions.defaults());
  }

  /** Starts a simple-one-for-one supervisor registered under {@code name}. */
  public static <A> Pid startLink(Name name, Options options, Template<A> template) {
    return startLink(of(options, template), StartOptions.defaults().withName(name));
  }

  /** Starts a dynamic supervisor linked to the caller; see {@link Supervisor#startLink(Supervisor, StartOptions)}. */
  public static Pid startLink(DynamicSupervisor supervisor, StartOptions options) {
    return GenServer.startLink(server(supervisor), options).pid();
  }

  /** Starts a dynamic supervisor not linked to the caller. */
  public static Pid start(DynamicSupervisor supervisor, StartOptions options) {
    return GenServer.start(server(supervisor), options).pid();
  }

  /** Starts a dynamic supervisor monitored by the caller. */
  public static GenServer.Monitored<?> startMonitor(DynamicSupervisor supervisor, StartOptions options) {
    return GenServer.startMonitor(server(supervisor), options);
  }

  /** Starts a dynamic supervisor not linked to the caller, and returns the outcome without throwing. */
  public static StartResult tryStart(DynamicSupervisor supervisor, StartOptions options) {
    return GenServer.tryStart(server(supervisor), options);
  }

  /** Starts a dynamic supervisor linked to the caller, and returns the outcome without throwing. */
  public static StartResult tryStartLink(DynamicSupervisor supervisor, StartOptions options) {
    return GenServer.tryStartLink(server(supervisor), options);
  }

  private static DynamicSupervisorServer server(DynamicSupervisor supervisor) {
    Objects.requireNonNull(supervisor, "supervisor");
    return new DynamicSupervisorServer(supervisor.options, supervisor.template);
  }

  /**
   * Starts a child from a full spec (its id is not used).
   *
   * @return {@link StartResult.Started}, {@link StartResult.Ignored}, {@link StartResult.Failed},
   *     {@link StartResult.AlreadyStarted} (the child's own start said so), or {@link MaxChildren}
   */
  public static StartChildResult startChild(Address supervisor, ChildSpec spec) {
    return (StartChildResult) Supervisor.call(supervisor, new Supervision.Request.StartChild(Objects.requireNonNull(spec, "spec")));
  }

  /** Starts a child from the supervisor's template with {@code argument}. */
  public static StartChildResult startChildWith(Address supervisor, Object argument) {
    return (StartChildResult) Supervisor.call(supervisor, new Supervision.Request.StartTemplateChild(argument));
  }

  /**
   * Stops a child.
   *
   * @return {@link Supervisor.Terminated}, or {@link Supervisor.NotFound} if {@code child} is not a
   *     child of this supervisor
   */
  public static Supervisor.TerminateResult terminateChild(Address supervisor, Pid child) {
    return Supervisor.terminateChild(supervisor, Objects.requireNonNull(child, "child"));
  }

  /** The children (no ids; their order is not defined). */
  public static List<Supervisor.Child> whichChildren(Address supervisor) {
    return Supervisor.whichChildren(supervisor);
  }

  /** How many children, by kind ({@code specs} is 1 when there is a template). */
  public static Supervisor.Counts countChildren(Address supervisor) {
    return Supervisor.countChildren(supervisor);
  }

  /** What {@link #startChild} returns. */
  public sealed interface StartChildResult
      permits StartResult.Started, StartResult.Ignored, StartResult.AlreadyStarted, StartResult.Failed, MaxChildren {}

  /** The supervisor already runs its maximum number of children. */
  public record MaxChildren() implements StartChildResult {}
}
