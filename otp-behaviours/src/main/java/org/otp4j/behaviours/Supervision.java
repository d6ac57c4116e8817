package org.otp4j.behaviours;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessExit;
import org.otp4j.core.ProcessTerminated;
import org.otp4j.core.Ref;

/**
 * What the two supervisor engines share, OTP's {@code supervisor} module minus its child
 * bookkeeping: the protocol both answer, a child's record, starting a child, stopping one or many,
 * and the restart intensity. {@link SupervisorServer} (children with ids, three strategies) and
 * {@link DynamicSupervisorServer} (children started on demand, one for one) keep their children
 * their own way and call these.
 *
 * <p>Every helper here runs in the supervisor process.
 */
final class Supervision {
  private Supervision() {}

  /** Requests served by a supervisor of either kind (all calls, except the retry cast). */
  sealed interface Request {
    record StartChild(ChildSpec spec) implements Request {}

    record StartTemplateChild(Object argument) implements Request {}

    record TerminateChild(Object idOrPid) implements Request {}

    record RestartChild(Object id) implements Request {}

    record DeleteChild(Object id) implements Request {}

    record WhichChildren() implements Request {}

    record CountChildren() implements Request {}

    record GetChildSpec(Object id) implements Request {}

    /** Cast to itself after a failed restart. */
    record TryAgainRestart(Child child) implements Request {}
  }

  /** One child: its spec and, when running, its process. Owned by the supervisor process. */
  static final class Child {
    ChildSpec spec;
    Pid pid;
    boolean restarting;
    boolean removed;

    Child(ChildSpec spec) {
      this.spec = spec;
    }

    Object id() {
      return spec.id();
    }
  }

  // ---------------------------------------------------------------------------------------
  // starting

  /** Runs a child's start function; maps its outcome to OTP's start results. */
  static StartResult start(ChildSpec spec) {
    try {
      return ChildSpec.resultOf(spec.start().start());
    } catch (StartException e) {
      return e.result();
    } catch (ProcessTerminated e) {
      throw e; // the supervisor itself has been killed
    } catch (ProcessExit e) {
      return new StartResult.Failed(e.reason()); // OTP: catch apply(...) turns an exit into an error
    } catch (Exception e) {
      return new StartResult.Failed(ExitReason.crash(e));
    }
  }

  /** The reason a start that did not give a running process failed with. */
  static ExitReason failureReason(StartResult result) {
    return switch (result) {
      case StartResult.Failed f -> f.reason();
      case StartResult.AlreadyStarted a -> ExitReason.of("{already_started," + a.pid() + "}");
      default -> ExitReason.of(result.toString());
    };
  }

  // ---------------------------------------------------------------------------------------
  // restart intensity

  /**
   * The restarts within the last period (OTP's intensity and period). Timestamps are in
   * milliseconds; a restart exactly {@code period} old still counts (OTP's inclusive window).
   */
  static final class Intensity {
    private final int intensity;
    private final long periodMillis;
    private final ArrayDeque<Long> restarts = new ArrayDeque<>();

    Intensity(int intensity, Duration period) {
      this.intensity = intensity;
      this.periodMillis = period.toMillis();
    }

    /** Records a restart; false if that makes more than {@code intensity} restarts within the period. */
    boolean allowAnother() {
      long now = System.nanoTime() / 1_000_000L;
      restarts.addLast(now);
      while (!restarts.isEmpty() && restarts.peekFirst() < now - periodMillis) {
        restarts.removeFirst();
      }
      return restarts.size() <= intensity;
    }
  }

  // ---------------------------------------------------------------------------------------
  // stopping

  /**
   * Stops one running child as its spec says (OTP's {@code shutdown/2}). The child is monitored and
   * unlinked first, so its end is seen once, as a down message; if it had already died, its exit
   * message is taken out of the mailbox instead.
   *
   * @param label the supervisor, as reports name it
   * @param id the child's id as reports show it (null for a dynamic supervisor's)
   */
  static void shutdown(String label, Child child, Object id) {
    Pid pid = child.pid;
    ChildSpec spec = child.spec;
    Ref ref = Proc.monitor(pid);
    Proc.unlink(pid);
    Optional<Object> early = Proc.receive(m -> m instanceof ExitMessage e && e.from().equals(pid), Duration.ZERO);
    if (early.isPresent()) {
      awaitDown(ref, Proc.INFINITY);
      ExitReason reason = ((ExitMessage) early.get()).reason();
      if (!acceptable(reason, spec, ExitReason.SHUTDOWN)) {
        Reports.supervisor(label, "shutdown_error", reason, id, pid, spec);
      }
      return;
    }
    ExitReason reason;
    ExitReason expected;
    switch (spec.shutdown()) {
      case ChildSpec.Shutdown.BrutalKill k -> {
        Proc.exit(pid, ExitReason.KILL);
        reason = awaitDown(ref, Proc.INFINITY).orElseThrow();
        expected = ExitReason.KILLED;
      }
      case ChildSpec.Shutdown.Timeout t -> {
        Proc.exit(pid, ExitReason.SHUTDOWN);
        Optional<ExitReason> down = awaitDown(ref, t.timeout());
        if (down.isEmpty()) {
          Proc.exit(pid, ExitReason.KILL);
          down = awaitDown(ref, Proc.INFINITY);
        }
        reason = down.orElseThrow();
        expected = ExitReason.SHUTDOWN;
      }
      case ChildSpec.Shutdown.Infinity i -> {
        Proc.exit(pid, ExitReason.SHUTDOWN);
        reason = awaitDown(ref, Proc.INFINITY).orElseThrow();
        expected = ExitReason.SHUTDOWN;
      }
    }
    if (!acceptable(reason, spec, expected)) {
      Reports.supervisor(label, "shutdown_error", reason, id, pid, spec);
    }
  }

  /**
   * Stops many children at once (a dynamic supervisor's; their order is not defined, as in OTP).
   * Each child gets its own shutdown deadline; a child with {@code infinity} is waited for as long
   * as it takes. Each child is left with no pid.
   */
  static void shutdownConcurrently(String label, List<Child> children) {
    record Pending(Child child, long deadline) {} // deadline: nanoTime, or Long.MAX_VALUE
    Map<Ref, Pending> pending = new LinkedHashMap<>();
    long now = System.nanoTime();
    for (Child c : children) {
      if (c.pid == null) {
        continue;
      }
      Ref ref = Proc.monitor(c.pid);
      Proc.unlink(c.pid);
      long deadline = Long.MAX_VALUE;
      switch (c.spec.shutdown()) {
        case ChildSpec.Shutdown.BrutalKill k -> Proc.exit(c.pid, ExitReason.KILL);
        case ChildSpec.Shutdown.Timeout t -> {
          Proc.exit(c.pid, ExitReason.SHUTDOWN);
          deadline = now + t.timeout().toNanos();
        }
        case ChildSpec.Shutdown.Infinity i -> Proc.exit(c.pid, ExitReason.SHUTDOWN);
      }
      pending.put(ref, new Pending(c, deadline));
    }
    while (!pending.isEmpty()) {
      long next = Long.MAX_VALUE;
      for (Pending p : pending.values()) {
        next = Math.min(next, p.deadline());
      }
      Duration wait = next == Long.MAX_VALUE ? Proc.INFINITY
          : Duration.ofNanos(Math.max(0, next - System.nanoTime()));
      Optional<Object> m = Proc.receive(x -> x instanceof Down d && pending.containsKey(d.ref()), wait);
      if (m.isEmpty()) {
        long t = System.nanoTime();
        for (Map.Entry<Ref, Pending> e : pending.entrySet()) {
          if (e.getValue().deadline() <= t) {
            Proc.exit(e.getValue().child().pid, ExitReason.KILL); // its shutdown time is up
            e.setValue(new Pending(e.getValue().child(), Long.MAX_VALUE));
          }
        }
        continue;
      }
      Down down = (Down) m.get();
      Child c = pending.remove(down.ref()).child();
      Pid pid = c.pid;
      Proc.flush(x -> x instanceof ExitMessage e && e.from().equals(pid));
      ExitReason expected = c.spec.shutdown() instanceof ChildSpec.Shutdown.BrutalKill
          ? ExitReason.KILLED : ExitReason.SHUTDOWN;
      if (!acceptable(down.reason(), c.spec, expected)) {
        Reports.supervisor(label, "shutdown_error", down.reason(), null, pid, c.spec);
      }
      c.pid = null;
    }
  }

  private static Optional<ExitReason> awaitDown(Ref ref, Duration timeout) {
    return Proc.receive(m -> m instanceof Down d && d.ref() == ref, timeout).map(m -> ((Down) m).reason());
  }

  /** Whether a child ended as a shutdown should end it (non-permanent children may also end orderly). */
  private static boolean acceptable(ExitReason reason, ChildSpec spec, ExitReason expected) {
    if (reason.equals(expected)) {
      return true;
    }
    return spec.restart() != ChildSpec.Restart.PERMANENT && reason.isOrderly();
  }
}
