package org.otp4j.behaviours;

import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessExit;
import org.otp4j.core.ProcessTerminated;

/**
 * What every behaviour loop does the same way, OTP's {@code proc_lib} and {@code gen} steps: the
 * init under guard and its acknowledgement, the guard around each callback, the terminate callback,
 * the crash report and the exit. A loop ({@link GenServerEngine}, {@link GenStatemEngine}) keeps
 * only what is its own: how it receives, how it reads its callbacks' results, what its crash report
 * shows.
 *
 * <h2>The guard</h2>
 * Every callback runs inside {@link #guarded}: what it returns is the outcome; {@link Proc#exit}
 * called inside it, or an exception it throws, is a failure with that reason; and
 * {@link ProcessTerminated} (the process was killed while its code ran) passes through untouched,
 * since nothing more may run: no terminate, no report.
 *
 * <h2>Ending</h2>
 * <pre>
 *   a callback fails, returns stop,     the terminate callback runs      {@link #exit}: a crash report
 *   or a system/parent stop arrives  -&gt; (its own failure replaces     -&gt; unless the reason is orderly,
 *                                       the reason)                       then Proc.exit(reason)
 * </pre>
 */
abstract class GenEngine implements SysHandler {

  /** A callback of the user's behaviour; it may throw. */
  @FunctionalInterface
  interface Callback<T> {
    T call() throws Exception;
  }

  /** A callback that returns nothing (terminate). */
  @FunctionalInterface
  interface VoidCallback {
    void call() throws Exception;
  }

  final Name name;
  final Debug debug = new Debug();
  Pid self;
  Pid parent;
  /** Ends the process with a failure reason; never returns (see {@link #terminate}). */
  private final Function<ExitReason, Object> terminateWith = reason -> {
    terminate(reason);
    throw new AssertionError("terminate returned");
  };

  GenEngine(Name name) {
    this.name = name;
  }

  /** The behaviour's name in reports: "GenServer", "GenStatem", "Supervisor"... */
  abstract String behaviourName();

  /**
   * Runs the terminate callback with {@code reason}, reports unless orderly, and exits. Never
   * returns: every path ends in {@link Proc#exit}.
   */
  abstract void terminate(ExitReason reason);

  // ---------------------------------------------------------------------------------------
  // start

  /** Binds the loop to the process that runs it. */
  final void bind(Pid process, Pid parentProcess) {
    self = process;
    parent = parentProcess;
    debug.setSelf(process);
  }

  /**
   * Runs the behaviour's init under the guard; if it fails, acknowledges the failure, reports it
   * unless orderly (proc_lib's crash report) and exits, without returning.
   */
  final <T> T init(Gen.Starter starter, Callback<T> init) {
    return guarded(init, reason -> {
      failInit(starter, reason);
      return null;
    });
  }

  /**
   * Init failed with {@code reason} (it threw, or returned stop, or null): acknowledge, report
   * unless orderly, exit. Never returns.
   */
  final void failInit(Gen.Starter starter, ExitReason reason) {
    if (!reason.isOrderly()) {
      Reports.initCrash(behaviourName(), label(), reason);
    }
    starter.ack(new StartResult.Failed(reason));
    Proc.exit(reason);
  }

  // ---------------------------------------------------------------------------------------
  // callbacks

  /**
   * Runs a callback that handles {@code message} under the guard: a failure terminates the process
   * ({@link #terminate}). Measures it for {@link Sys#statistics} and the flight recorder.
   */
  @SuppressWarnings("unchecked")
  final <T> T invoke(String callbackName, Object message, Callback<T> callback) {
    long start = debug.timing() ? System.nanoTime() : 0L;
    FlightEvents.SlowHandler slow = FlightEvents.beginCallback();
    try {
      return guarded(callback, (Function<ExitReason, T>) (Function<?, ?>) terminateWith);
    } finally {
      if (start != 0L) {
        debug.handled(System.nanoTime() - start);
      }
      FlightEvents.endCallback(slow, self, behaviourName(), callbackName, message);
    }
  }

  /**
   * Runs the behaviour's terminate callback; returns the reason to exit with: {@code reason}, or the
   * callback's own failure.
   */
  static ExitReason callTerminate(ExitReason reason, VoidCallback terminate) {
    return guarded(() -> {
      terminate.call();
      return reason;
    }, failure -> failure);
  }

  /**
   * The one guard: runs {@code callback} and returns its result, or what {@code failed} makes of the
   * reason it failed with; a killed process's {@link ProcessTerminated} passes through.
   */
  static <T> T guarded(Callback<T> callback, Function<ExitReason, T> failed) {
    try {
      return callback.call();
    } catch (ProcessTerminated e) {
      throw e; // killed meanwhile: nothing more runs, no terminate, no report
    } catch (ProcessExit e) {
      return failed.apply(e.reason());
    } catch (Throwable t) {
      // A kill interrupts a process that waits outside the runtime (a Future, a socket, a lock), and
      // its code may turn the interrupt into an exception of its own: that is the kill, not a crash.
      if (!Proc.isAlive(Proc.self())) {
        throw new ProcessTerminated("ended while in a callback: " + t);
      }
      return failed.apply(ExitReason.crash(t));
    }
  }

  // ---------------------------------------------------------------------------------------
  // ending

  /**
   * Exits with {@code reason} after the terminate callback has run: records it for {@link Sys},
   * runs {@code crashReport} unless the reason is orderly, then {@link Proc#exit}. Never returns.
   */
  final void exit(ExitReason reason, Object debugState, Runnable crashReport) {
    debug.terminate(reason, debugState);
    if (!reason.isOrderly()) {
      crashReport.run();
    }
    Proc.exit(reason);
  }

  /**
   * The status a report shows, as the behaviour's {@code formatStatus} shapes it; if that throws,
   * {@code fallback} with what it threw (OTP logs the crash of format_status in place of the status).
   */
  static <T> T formatted(UnaryOperator<T> formatStatus, T status, Function<RuntimeException, T> fallback) {
    try {
      T formatted = formatStatus.apply(status);
      return formatted != null ? formatted : status;
    } catch (RuntimeException e) {
      return fallback.apply(e);
    }
  }

  /** Whether {@code message} is the exit signal of this process's parent (which stops a behaviour). */
  final boolean isParentExit(Object message) {
    return message instanceof ExitMessage exit && exit.from().equals(parent) && !parent.equals(self);
  }

  /** The process as reports name it: its registered name and pid, or its pid. */
  final String label() {
    return Gen.label(self, name);
  }
}
