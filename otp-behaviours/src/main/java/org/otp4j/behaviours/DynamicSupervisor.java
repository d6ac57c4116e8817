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
 * <pre>{@code
 * // Elixir style: any child spec
 * Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults().withMaxChildren(10_000));
 * DynamicSupervisor.startChild(sup, ChildSpec.worker("conn", () -> Connection.startLink(socket)));
 *
 * // simple_one_for_one style: one template, an argument per child
 * Pid rooms = DynamicSupervisor.startLink(Name.local("rooms"), DynamicSupervisor.Options.defaults(),
 *     DynamicSupervisor.Template.worker((String room) -> Room.startLink(room)));
 * DynamicSupervisor.startChildWith(Name.local("rooms"), "lobby");
 * }</pre>
 *
 * <p>Children have no ids; they are known by pid. They are stopped all at once when the supervisor
 * stops (their order is not defined, as in OTP). Restart types and the restart intensity work as in
 * {@link Supervisor}; the defaults follow Elixir's DynamicSupervisor: 3 restarts in 5 seconds.
 */
public final class DynamicSupervisor {
  private DynamicSupervisor() {}

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

  /** Starts one child of a template, linked to the caller (the supervisor), from its argument. */
  @FunctionalInterface
  public interface Start<A> {
    Pid start(A argument) throws Exception;
  }

  // ---------------------------------------------------------------------------------------

  /** Starts a dynamic supervisor linked to the caller, with no template. */
  public static Pid startLink(Options options) {
    return GenServer.startLink(new DynamicSupervisorServer(options, null), StartOptions.defaults());
  }

  /** Starts a dynamic supervisor registered under {@code name}, with no template. */
  public static Pid startLink(Name name, Options options) {
    return GenServer.startLink(new DynamicSupervisorServer(options, null), StartOptions.defaults().withName(name));
  }

  /** Starts a simple-one-for-one supervisor: children are started from {@code template}. */
  public static <A> Pid startLink(Options options, Template<A> template) {
    return GenServer.startLink(new DynamicSupervisorServer(options, Objects.requireNonNull(template, "template")),
        StartOptions.defaults());
  }

  /** Starts a simple-one-for-one supervisor registered under {@code name}. */
  public static <A> Pid startLink(Name name, Options options, Template<A> template) {
    return GenServer.startLink(new DynamicSupervisorServer(options, Objects.requireNonNull(template, "template")),
        StartOptions.defaults().withName(name));
  }

  /** Starts a dynamic supervisor with full start options (name, spawn options). */
  public static <A> Pid startLink(Options options, Template<A> template, StartOptions startOptions) {
    return GenServer.startLink(new DynamicSupervisorServer(options, template), startOptions);
  }

  /**
   * Starts a child from a full spec (its id is not used).
   *
   * @return {@link StartResult.Started}, {@link StartResult.Ignored}, {@link StartResult.Failed},
   *     {@link StartResult.AlreadyStarted} (the child's own start said so), or {@link MaxChildren}
   */
  public static StartChildResult startChild(Address supervisor, ChildSpec spec) {
    return Supervisor.call(supervisor, new Supervision.Request.StartChild(Objects.requireNonNull(spec, "spec")));
  }

  /** Starts a child from the supervisor's template with {@code argument}. */
  public static StartChildResult startChildWith(Address supervisor, Object argument) {
    return Supervisor.call(supervisor, new Supervision.Request.StartTemplateChild(argument));
  }

  /**
   * Stops a child.
   *
   * @return false if {@code child} is not a child of this supervisor
   */
  public static boolean terminateChild(Address supervisor, Pid child) {
    return Supervisor.call(supervisor, new Supervision.Request.TerminateChild(Objects.requireNonNull(child, "child")));
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
