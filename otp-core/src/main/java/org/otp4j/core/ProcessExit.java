package org.otp4j.core;

import java.util.Objects;

/**
 * Thrown by {@link Proc#exit(ExitReason)} to end the current process with a reason, like Erlang's
 * {@code exit/1}. It unwinds the process's code; the process then terminates with
 * {@link #reason()}. Like an Erlang exit, it can be caught, which cancels it.
 */
public final class ProcessExit extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ExitReason reason;

  public ProcessExit(ExitReason reason) {
    super("exit(" + reason + ")", null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The reason the process exits with. */
  public ExitReason reason() {
    return reason;
  }
}
