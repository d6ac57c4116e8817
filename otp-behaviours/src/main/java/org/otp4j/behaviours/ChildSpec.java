package org.otp4j.behaviours;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Supervisor} starts, restarts and stops one child: OTP's child specification.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#childspecs -->
 * {@snippet :
 * ChildSpec.worker("counter", () -> Counter.startLink(0)),           // permanent, 5 s shutdown
 * ChildSpec.worker("cache", () -> Counter.startLink(1)).withRestart(ChildSpec.Restart.TRANSIENT),
 * ChildSpec.worker("maybe", () -> enabled ? Counter.startLink(2) : StartResult.ignore()),   // OTP's ignore
 * ChildSpec.supervisor("rooms", () -> Supervisor.startLink(Supervisor.oneForOne()))   // shutdown infinity
 * }
 *
 * <p>A start function ({@link Start}) starts the child linked to the calling process (the
 * supervisor) and returns it: its {@link org.otp4j.core.ServerRef} or {@link org.otp4j.core.Pid}
 * (what the behaviours' {@code startLink} functions return), or, to say how the start went, a
 * {@link StartResult}: {@link StartResult#ignore()} (OTP's {@code ignore}) or
 * {@link StartResult#error} (OTP's {@code {error, Reason}}).
 *
 * @param id identifies the child within its supervisor; any value with {@code equals}, usually a string
 * @param start starts the child, linked to the calling process (the supervisor), and says how it went
 * @param restart when the child is restarted
 * @param shutdown how the child is stopped
 * @param type worker or supervisor (a supervisor child gets {@link Shutdown#infinity()} by default)
 * @param significant whether the child's termination can shut its supervisor down (see
 *     {@link Supervisor.AutoShutdown}); only for transient and temporary children
 */
public record ChildSpec(Object id, Start start, Restart restart, Shutdown shutdown, Type type, boolean significant) {

  public ChildSpec {
    Objects.requireNonNull(id, "a child spec needs an id: ChildSpec.worker(\"id\", start)");
    Objects.requireNonNull(start, "child '" + id + "' needs a start function: ChildSpec.worker(\"" + id
        + "\", () -> MyServer.startLink())");
    Objects.requireNonNull(restart, "restart");
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(type, "type");
    if (significant && restart == Restart.PERMANENT) {
      throw new IllegalArgumentException("child '" + id + "': a permanent child cannot be significant "
          + "(it is always restarted, so it never ends its supervisor); make it transient or temporary");
    }
  }

  /** A worker: permanent, 5 second shutdown, not significant. */
  public static ChildSpec worker(Object id, Start start) {
    return new ChildSpec(id, start, Restart.PERMANENT, Shutdown.timeout(Duration.ofSeconds(5)), Type.WORKER, false);
  }

  /** A supervisor child: permanent, shutdown infinity, not significant. */
  public static ChildSpec supervisor(Object id, Start start) {
    return new ChildSpec(id, start, Restart.PERMANENT, Shutdown.infinity(), Type.SUPERVISOR, false);
  }

  public ChildSpec withRestart(Restart newRestart) {
    return new ChildSpec(id, start, newRestart, shutdown, type, significant);
  }

  public ChildSpec withShutdown(Shutdown newShutdown) {
    return new ChildSpec(id, start, restart, newShutdown, type, significant);
  }

  public ChildSpec withSignificant(boolean isSignificant) {
    return new ChildSpec(id, start, restart, shutdown, type, isSignificant);
  }

  public ChildSpec withId(Object newId) {
    return new ChildSpec(newId, start, restart, shutdown, type, significant);
  }

  /**
   * Starts a child, linked to the caller (the supervisor), and returns it: the
   * {@link org.otp4j.core.ServerRef} or {@link org.otp4j.core.Pid} that a behaviour's
   * {@code startLink} returns (OTP's {@code {ok, Pid}}), or a {@link StartResult} saying how the
   * start went ({@link StartResult#ignore()}, {@link StartResult#error}). A {@link StartException}
   * it throws counts as the result it carries; any other exception is a start error whose reason is
   * the exception. Anything else it returns is a start error {@code {bad_return_value, Value}}, as
   * OTP's supervisor treats a start function's unexpected return.
   *
   * <p>It returns an {@code Object} so that a start method reference ({@code Counter::startLink})
   * and a lambda returning either form both fit, however the start method is overloaded.
   */
  @FunctionalInterface
  public interface Start {
    Object start() throws Exception;
  }

  /** What a start function's return means (see {@link Start}). */
  static StartResult resultOf(Object started) {
    return switch (started) {
      case StartResult r -> r;
      case org.otp4j.core.Address process -> StartResult.started(Gen.pidOf(process));
      case null, default -> new StartResult.Failed(org.otp4j.core.ExitReason.of(BadReturn.value(started)));
    };
  }

  /** When a terminated child is restarted. */
  public enum Restart {
    /** Always. */
    PERMANENT,
    /** Only if it terminated abnormally (not {@code normal}, {@code shutdown} or {@code {shutdown, _}}). */
    TRANSIENT,
    /** Never; its spec is removed when it terminates. */
    TEMPORARY
  }

  /** Worker or supervisor. */
  public enum Type { WORKER, SUPERVISOR }

  /** How a child is stopped by its supervisor. */
  public sealed interface Shutdown {
    /** Killed at once with an untrappable {@code kill}. */
    static Shutdown brutalKill() {
      return BrutalKill.INSTANCE;
    }

    /**
     * Sent an exit signal {@code shutdown}, then killed if it has not terminated after
     * {@code timeout}. To run its own cleanup in that time, the child must trap exits.
     */
    static Shutdown timeout(Duration timeout) {
      return new Timeout(timeout);
    }

    /** Sent {@code shutdown} and waited for as long as it takes: for supervisor children. */
    static Shutdown infinity() {
      return Infinity.INSTANCE;
    }

    enum BrutalKill implements Shutdown { INSTANCE }

    enum Infinity implements Shutdown { INSTANCE }

    record Timeout(Duration timeout) implements Shutdown {
      public Timeout {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
          throw new IllegalArgumentException("a shutdown timeout cannot be negative, got " + timeout
              + "; use Shutdown.brutalKill() to kill at once");
        }
      }
    }
  }
}
