package org.otp4j.behaviours;

import java.util.Objects;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;

/**
 * The outcome of starting a behaviour process, OTP's {@code {ok, Pid} | ignore | {error, Reason}}.
 *
 * <p>The {@code start} methods that return a {@link Pid} throw a {@link StartException} carrying this
 * result for anything but {@link Started}; supervisors map it back to OTP's child start contract.
 */
public sealed interface StartResult {

  /** {@code {ok, Pid}}: the process is running. */
  static StartResult started(Pid pid) {
    return new Started(pid);
  }

  /** OTP's {@code ignore}: nothing was started, and that is not an error. */
  static StartResult ignore() {
    return new Ignored();
  }

  /** OTP's {@code {error, Reason}}: the start failed with {@code reason}. */
  static StartResult error(ExitReason reason) {
    return new Failed(reason);
  }

  /** The process is running; its init has returned. */
  record Started(Pid pid) implements StartResult, Supervisor.StartChildResult, Supervisor.RestartChildResult,
      DynamicSupervisor.StartChildResult {
    public Started {
      Objects.requireNonNull(pid, "pid");
    }
  }

  /** Init returned {@code ignore}: no process is left running. */
  record Ignored() implements StartResult, Supervisor.StartChildResult, Supervisor.RestartChildResult,
      DynamicSupervisor.StartChildResult {}

  /** The name was already registered; init was not called. */
  record AlreadyStarted(Pid pid) implements StartResult, Supervisor.StartChildResult,
      DynamicSupervisor.StartChildResult {
    public AlreadyStarted {
      Objects.requireNonNull(pid, "pid");
    }
  }

  /**
   * The start failed: init returned stop or error, threw, returned nothing valid, or exceeded the
   * start timeout ({@link ExitReason#TIMEOUT}). No process is left running, and its name is free.
   */
  record Failed(ExitReason reason) implements StartResult, Supervisor.StartChildResult,
      Supervisor.RestartChildResult, DynamicSupervisor.StartChildResult {
    public Failed {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
