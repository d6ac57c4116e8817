package org.otp4j.behaviours;

import org.otp4j.core.ExitReason;

/**
 * A behaviour process did not start: thrown by the {@code start} methods that return a pid, with the
 * {@link StartResult} that says why ({@link StartResult.Ignored}, {@link StartResult.AlreadyStarted}
 * or {@link StartResult.Failed}).
 */
public final class StartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient StartResult result;

  public StartException(String what, StartResult result) {
    super(what + " " + describe(result), result instanceof StartResult.Failed f
        && f.reason() instanceof ExitReason.Crash crash ? crash.error() : null);
    this.result = result;
  }

  /** Why the start did not give a running process. */
  public StartResult result() {
    return result;
  }

  private static String describe(StartResult result) {
    return switch (result) {
      case StartResult.Started s -> "started as " + s.pid();
      case StartResult.Ignored i -> "was ignored: init returned ignore";
      case StartResult.AlreadyStarted a -> "failed: the name is already registered to " + a.pid();
      case StartResult.Failed f -> f.reason() == ExitReason.TIMEOUT
          ? "failed: init did not return within the start timeout; the process was killed"
          : "failed: " + f.reason();
    };
  }
}
