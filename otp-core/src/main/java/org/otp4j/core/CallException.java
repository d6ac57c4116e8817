package org.otp4j.core;

import java.util.Objects;

/**
 * A call failed: the one exception type through which every call failure is reported.
 *
 * <p>{@link #reason()} says why, as the caller's exit reason would in Erlang:
 * <ul>
 *   <li>{@link ExitReason#TIMEOUT}: no reply in time (a late reply is dropped, never queued);</li>
 *   <li>{@link ExitReason#NOPROC}: the process did not exist (dead pid, unregistered name);</li>
 *   <li>{@link ExitReason#CALLING_SELF}: a process called itself;</li>
 *   <li>the server's own exit reason ({@code normal}, {@code shutdown}, a crash...): the server
 *       terminated before replying.</li>
 * </ul>
 */
public class CallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ExitReason reason;
  private final transient Address target;
  private final transient Object request;

  public CallException(ExitReason reason, Address target, Object request, String description) {
    super(description, reason instanceof ExitReason.Crash crash ? crash.error() : null);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.target = target;
    this.request = request;
  }

  /** Why the call failed. */
  public ExitReason reason() {
    return reason;
  }

  /** The process or name that was called. */
  public Address target() {
    return target;
  }

  /** The request that was sent. */
  public Object request() {
    return request;
  }
}
