package org.otp4j.behaviours;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;

/**
 * Looks into running behaviour processes ({@link GenServer}, {@link GenStatem}, {@link GenEvent},
 * {@link Supervisor}), OTP's {@code sys}: read and replace their state, read their status, suspend
 * and resume them, collect statistics, and trace every message, reply and state change, to the log
 * or to your own sink, switched on and off at run time.
 *
 * <p>Each function sends a system message that the process handles between two of its own
 * messages, even while suspended, and waits for the answer (5 seconds by default; failures are
 * {@link org.otp4j.core.CallException}s, like calls).
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#sys -->
 * {@snippet :
 * Sys.log(counter, 20);                 // keep the last 20 events
 * Counter.bump(counter, 1);
 * List<Sys.Event> events = Sys.getLog(counter);
 * Sys.trace(counter, true);             // every event to SLF4J logger org.otp4j.behaviours.Sys
 * }
 */
public final class Sys {
  private Sys() {}

  /** The default timeout of the functions of this class, as OTP: 5 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The state of a behaviour process, for debugging: a GenServer's state, a GenStatem's
   * {@link GenStatem.StateAndData}, a GenEvent manager's list of {@link GenEvent.HandlerState}s, a
   * Supervisor's children. It is an {@code Object}: what a process holds is not part of its typed
   * protocol, so the caller says what it expects ({@code Sys.getState(counter) instanceof Integer n}).
   */
  public static Object getState(Address process) {
    return getState(process, DEFAULT_TIMEOUT);
  }

  /** {@link #getState(Address)} with a timeout. */
  public static Object getState(Address process, Duration timeout) {
    return unwrap(Gen.system("Sys.getState", process, new Gen.SystemRequest.GetState(), timeout));
  }

  /**
   * Replaces the state with {@code function(state)} and returns the new state. If the function
   * throws, the state is unchanged and the exception is rethrown here, wrapped in a
   * {@link StateReplaceException}.
   */
  @SuppressWarnings("unchecked")
  public static <T> T replaceState(Address process, UnaryOperator<T> function) {
    Objects.requireNonNull(function, "function");
    UnaryOperator<Object> f = s -> function.apply((T) s);
    return (T) unwrap(Gen.system("Sys.replaceState", process, new Gen.SystemRequest.ReplaceState(f),
        DEFAULT_TIMEOUT));
  }

  /** The status of a behaviour process, with its state as its {@code formatStatus} shapes it. */
  public static Status getStatus(Address process) {
    return (Status) unwrap(Gen.system("Sys.getStatus", process, new Gen.SystemRequest.GetStatus(), DEFAULT_TIMEOUT));
  }

  /**
   * Suspends a behaviour process: it handles only system messages until {@link #resume}; calls to
   * it wait (and may time out).
   */
  public static void suspend(Address process) {
    unwrap(Gen.system("Sys.suspend", process, new Gen.SystemRequest.Suspend(), DEFAULT_TIMEOUT));
  }

  /** Resumes a suspended process. */
  public static void resume(Address process) {
    unwrap(Gen.system("Sys.resume", process, new Gen.SystemRequest.Resume(), DEFAULT_TIMEOUT));
  }

  /** Switches statistics collection on (resetting the counters) or off. */
  public static void statistics(Address process, boolean on) {
    unwrap(Gen.system("Sys.statistics", process, new Gen.SystemRequest.Statistics(on), DEFAULT_TIMEOUT));
  }

  /** The statistics collected since they were switched on, or empty if they are off. */
  public static Optional<Statistics> statistics(Address process) {
    return Optional.ofNullable((Statistics) unwrap(Gen.system("Sys.statistics", process,
        new Gen.SystemRequest.Statistics(null), DEFAULT_TIMEOUT)));
  }

  /** Switches tracing to SLF4J (logger {@code org.otp4j.behaviours.Sys}, level INFO) on or off. */
  public static void trace(Address process, boolean on) {
    unwrap(Gen.system("Sys.trace", process, new Gen.SystemRequest.Trace(on), DEFAULT_TIMEOUT));
  }

  /** Keeps the last {@code limit} events in memory (0 stops logging); see {@link #getLog}. */
  public static void log(Address process, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("a log limit cannot be negative, got " + limit + "; use 0 to stop logging");
    }
    unwrap(Gen.system("Sys.log", process, new Gen.SystemRequest.Log(limit), DEFAULT_TIMEOUT));
  }

  /** The events kept by {@link #log}, oldest first. */
  @SuppressWarnings("unchecked")
  public static List<Event> getLog(Address process) {
    return (List<Event>) unwrap(Gen.system("Sys.getLog", process, new Gen.SystemRequest.Log(-1), DEFAULT_TIMEOUT));
  }

  /**
   * Calls {@code sink} with every event of the process, on the process's own thread, until
   * {@link #remove} (OTP's {@code sys:install}). The sink must be quick and must not call the process.
   */
  public static void install(Address process, EventSink sink) {
    Objects.requireNonNull(sink, "sink");
    unwrap(Gen.system("Sys.install", process, new Gen.SystemRequest.Install(sink), DEFAULT_TIMEOUT));
  }

  /** Removes a sink installed with {@link #install}. */
  public static void remove(Address process, EventSink sink) {
    unwrap(Gen.system("Sys.remove", process, new Gen.SystemRequest.Remove(sink), DEFAULT_TIMEOUT));
  }

  /** Receives the events of a process; see {@link #install}. */
  @FunctionalInterface
  public interface EventSink {
    void accept(Pid process, Event event);
  }

  /**
   * One thing a behaviour process did, as {@code sys} reports it.
   */
  public sealed interface Event {
    /** A message came in. */
    record In(Object message) implements Event {}

    /** A reply went out to {@code to} (null for a plain-thread caller); the state is now {@code state}. */
    record Out(Object reply, Pid to, Object state) implements Event {}

    /** A message was handled without a reply; the state is now {@code state}. */
    record NoReply(Object state) implements Event {}

    /** A state machine moved from {@code from} to {@code to}. */
    record StateChange(Object from, Object to) implements Event {}

    /** A state machine postponed {@code event} in {@code state}. */
    record Postpone(Object event, Object state) implements Event {}

    /** A state machine ran a state enter call. */
    record Enter(Object oldState, Object state) implements Event {}

    /** The process is terminating. */
    record Terminate(ExitReason reason, Object state) implements Event {}
  }

  /**
   * The status of a behaviour process, OTP's {@code sys:get_status}.
   *
   * @param pid the process
   * @param behaviour {@code "GenServer"}, {@code "GenStatem"}, {@code "GenEvent"} or {@code "Supervisor"}
   * @param module the implementing class
   * @param suspended whether it is suspended
   * @param parent the process that started it (itself if started unlinked)
   * @param state the state, after {@code formatStatus}
   * @param log the events kept by {@link #log}
   */
  public record Status(Pid pid, String behaviour, String module, boolean suspended, Pid parent, Object state,
      List<Object> log) {}

  /**
   * OTP's {@code sys:statistics}.
   *
   * @param startTime when statistics were switched on
   * @param currentTime now
   * @param messagesIn messages handled (calls, casts, other messages)
   * @param messagesOut replies sent
   * @param handlerTime time spent in callbacks (the JVM's stand-in for reductions)
   */
  public record Statistics(Instant startTime, Instant currentTime, long messagesIn, long messagesOut,
      Duration handlerTime) {}

  /** {@link #replaceState} was given a function that threw; the state is unchanged. */
  public static final class StateReplaceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StateReplaceException(Throwable cause) {
      super("Sys.replaceState: the replacing function threw " + cause + "; the state is unchanged", cause);
    }
  }

  // ---------------------------------------------------------------------------------------
  // process side

  private static Object unwrap(Object reply) {
    Gen.SystemReply r = (Gen.SystemReply) reply;
    if (r.failure() != null) {
      throw new StateReplaceException(r.failure());
    }
    return r.value();
  }

  /** Handles a system message inside the behaviour process. May not return (terminate). */
  static void handle(SysHandler handler, Gen.SystemMessage message, Debug debug) {
    Object value = null;
    Throwable failure = null;
    switch (message.request()) {
      case Gen.SystemRequest.Terminate t -> handler.systemTerminate(t.reason());
      case Gen.SystemRequest.GetState g -> value = handler.systemState();
      case Gen.SystemRequest.ReplaceState r -> {
        try {
          Object replaced = r.function().apply(handler.systemState());
          handler.replaceSystemState(replaced);
          value = replaced;
        } catch (org.otp4j.core.ProcessTerminated e) {
          throw e;
        } catch (RuntimeException | Error e) {
          failure = e;
        }
      }
      case Gen.SystemRequest.GetStatus g -> value = handler.systemStatus();
      case Gen.SystemRequest.Suspend s -> debug.suspend(true);
      case Gen.SystemRequest.Resume r -> debug.suspend(false);
      case Gen.SystemRequest.Statistics s -> {
        if (s.on() == null) {
          value = debug.statisticsSnapshot();
        } else {
          debug.statistics(s.on());
        }
      }
      case Gen.SystemRequest.Trace t -> debug.trace(t.on());
      case Gen.SystemRequest.Log l -> {
        if (l.limit() < 0) {
          value = debug.log();
        } else {
          debug.log(l.limit());
        }
      }
      case Gen.SystemRequest.Install i -> debug.install(i.sink());
      case Gen.SystemRequest.Remove r -> debug.remove(r.sink());
    }
    message.from().reply(new Gen.SystemReply(value, failure));
  }
}
