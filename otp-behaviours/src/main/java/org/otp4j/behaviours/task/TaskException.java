package org.otp4j.behaviours.task;

import java.time.Duration;
import java.util.Objects;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Timeouts;

/**
 * A task did not give its value: what makes the caller exit in Elixir
 * ({@code exit({Reason, {Task, :await, [Task, Timeout]}})}) is this exception here, carrying the
 * same reason.
 *
 * <p>{@link #reason()} says why:
 * <ul>
 *   <li>{@link ExitReason#TIMEOUT}: no reply within the timeout (the task was not stopped: it is
 *       still linked to its owner, and its late reply is dropped);</li>
 *   <li>the task's own exit reason: it ended before replying (a crash: the exception is also this
 *       exception's cause; {@code killed}, {@code shutdown}...).</li>
 * </ul>
 * Uncaught in a process, it ends the process, which, through the link, ends the task too, as in
 * Elixir. Caught, the caller carries on, as an Elixir process that catches the exit does.
 */
public final class TaskException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ExitReason reason;
  private final String operation;
  private final transient Pid task;
  private final transient Duration timeout;

  /**
   * @param reason why the task gave no value
   * @param operation what was asked ({@code "Task.await"}, {@code "Task.asyncStream"}...)
   * @param task the task's process
   * @param timeout how long the caller waited ({@link org.otp4j.core.Proc#INFINITY} for ever)
   */
  public TaskException(ExitReason reason, String operation, Pid task, Duration timeout) {
    super(describe(reason, operation, task, timeout), reason instanceof ExitReason.Crash crash ? crash.error() : null);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.operation = Objects.requireNonNull(operation, "operation");
    this.task = task;
    this.timeout = timeout;
  }

  /** Why the task gave no value. */
  public ExitReason reason() {
    return reason;
  }

  /** What was asked of the task. */
  public String operation() {
    return operation;
  }

  /** The task's process. */
  public Pid task() {
    return task;
  }

  /** How long the caller waited. */
  public Duration timeout() {
    return timeout;
  }

  private static String describe(ExitReason reason, String operation, Pid task, Duration timeout) {
    String waited = timeout == null ? "?" : Timeouts.describe(timeout);
    String why = reason == ExitReason.TIMEOUT
        ? "timeout: no reply within " + waited + " (the task keeps running unless its owner exits)"
        : "the task exited with reason " + reason + " before replying";
    return operation + "(" + task + ", " + waited + ") failed: " + why;
  }
}
