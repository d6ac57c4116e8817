package org.otp4j.core;

import java.time.Duration;
import java.util.Objects;

/**
 * A call failed: the one exception type through which every call failure is reported, naming the
 * call and why it failed.
 *
 * <p>{@link #reason()} says why, as the caller's exit reason would in Erlang:
 * <ul>
 *   <li>{@link ExitReason#TIMEOUT}: no reply in time (a late reply is dropped, never queued);</li>
 *   <li>{@link ExitReason#NOPROC}: the process did not exist (dead pid, unregistered name);</li>
 *   <li>{@link ExitReason#CALLING_SELF}: a process called itself;</li>
 *   <li>the server's own exit reason ({@code normal}, {@code shutdown}, a crash...): the server
 *       terminated before replying. For a crash, the exception is also this exception's cause.</li>
 * </ul>
 */
public class CallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ExitReason reason;
  private final String operation;
  private final transient Address target;
  private final transient Object request;
  private final transient Duration timeout;

  /**
   * @param reason why the call failed
   * @param operation what was called, for the message ({@code "call"}, {@code "GenServer.call"}...)
   * @param target the process or name called
   * @param request the request sent, or null if none was sent
   * @param timeout the call's timeout ({@link Proc#INFINITY} for none)
   */
  public CallException(ExitReason reason, String operation, Address target, Object request, Duration timeout) {
    super(describe(reason, operation, target, request, timeout),
        reason instanceof ExitReason.Crash crash ? crash.error() : null);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.operation = operation;
    this.target = target;
    this.request = request;
    this.timeout = timeout;
  }

  /** The same failure, described as a failure of {@code otherOperation} (for layers built on calls). */
  public CallException as(String otherOperation, Object originalRequest) {
    CallException e = new CallException(reason, otherOperation, target, originalRequest, timeout);
    e.setStackTrace(getStackTrace());
    return e;
  }

  /** Why the call failed. */
  public ExitReason reason() {
    return reason;
  }

  /** What was called. */
  public String operation() {
    return operation;
  }

  /** The process or name that was called. */
  public Address target() {
    return target;
  }

  /** The request that was sent, or null if the call failed before sending it. */
  public Object request() {
    return request;
  }

  /** The call's timeout. */
  public Duration timeout() {
    return timeout;
  }

  private static String describe(ExitReason reason, String operation, Address target, Object request,
      Duration timeout) {
    String timeoutText = timeout == null ? "?" : Timeouts.describe(timeout);
    String what = operation + "(" + target + (request == null ? "" : ", " + request) + ", " + timeoutText + ")";
    String why;
    if (reason == ExitReason.TIMEOUT) {
      why = "timeout: no reply within " + timeoutText;
    } else if (reason == ExitReason.NOPROC) {
      why = "noproc: no such process (it has terminated, or the name is not registered)";
    } else if (reason == ExitReason.CALLING_SELF) {
      why = "calling_self: a process cannot call itself";
    } else {
      why = "the process exited with reason " + reason + " before replying";
    }
    return what + " failed: " + why;
  }
}
