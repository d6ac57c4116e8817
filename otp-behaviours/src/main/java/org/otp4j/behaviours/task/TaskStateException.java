package org.otp4j.behaviours.task;

import java.util.Objects;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A task was used in a way its semantics forbid: asked by a process that does not own it, or asked
 * again after its outcome was taken (awaited, yielded with a result, ignored, shut down, or given
 * up by a timed-out await). Elixir raises an {@code ArgumentError} for the first, and waits in vain
 * for the second.
 */
public final class TaskStateException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** What was wrong. */
  public enum Problem {
    /** The caller is not the task's owner. */
    NOT_OWNER,
    /** The task's outcome was taken already, or the task was given up. */
    ALREADY_TAKEN
  }

  private final Problem problem;

  private TaskStateException(Problem problem, String message) {
    super(message);
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  /** What was wrong. */
  public Problem problem() {
    return problem;
  }

  static TaskStateException notOwner(String operation, Pid task, Pid owner) {
    String caller = Proc.isProcess() ? "process " + Proc.self() : "plain thread " + Thread.currentThread().getName();
    String owned = owner == null
        ? "it was started by a plain thread, so only plain threads may ask it"
        : "only its owner " + owner + ", the process that started it, may ask it";
    return new TaskStateException(Problem.NOT_OWNER, operation + ": task " + task + " was asked by " + caller
        + ", but " + owned + "; hand the result over in a message instead");
  }

  static TaskStateException taken(String operation, Pid task) {
    return new TaskStateException(Problem.ALREADY_TAKEN, operation + ": task " + task + " has no outcome left: "
        + "it was awaited, yielded a result, was ignored or shut down, or an await of it timed out; "
        + "keep the value the first call returned");
  }
}
