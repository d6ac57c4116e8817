package org.otp4j.core;

import java.time.Duration;
import java.util.function.Function;
import org.otp4j.core.internal.Kernel;
import org.otp4j.core.internal.NodeRuntime;
import org.otp4j.core.internal.PendingRequest;
import org.otp4j.core.internal.ProcessImpl;

/**
 * A request sent without waiting for its reply: OTP's {@code send_request} and its request id. Its
 * type parameter is the reply's type: {@code R} for a {@link Call Call&lt;R&gt;} request sent
 * through a {@link ServerRef}, {@code Object} for an untyped one.
 *
 * <p>{@link Proc#sendRequest} sends the request and returns at once; the caller goes on with other
 * work and collects the reply later, in one of three ways:
 *
 * <ul>
 *   <li>{@link #receiveResponse(Duration)} waits for it; on timeout the request is abandoned and a
 *       later reply is dropped (OTP's {@code receive_response});
 *   <li>{@link #waitResponse(Duration)} waits for it; on timeout the request stays active and can be
 *       waited for again (OTP's {@code wait_response});
 *   <li>a process that cannot block, a server say, finds the reply among the messages it receives
 *       with {@link #isResponse(Object)} and takes it with {@link #response(Object)} (OTP's
 *       {@code check_response}).
 * </ul>
 *
 * <p>The reply, or the news that the server terminated first, arrives in the mailbox of the process
 * that sent the request, as a message only this request id recognises. The server is monitored
 * while the request is active, so a server that terminates without replying ends the request with
 * a {@link CallException} carrying its exit reason ({@code noproc} if it did not exist). No message
 * of an abandoned request, or of one whose reply has been taken, is left in the mailbox.
 *
 * <p>From a plain Java thread, the request gets a private mailbox of its own; any thread, one at a
 * time, may then receive or wait for the reply. The mailbox is released when the response is taken,
 * when the request is abandoned, or, for a request that is simply dropped, once its id is garbage.
 */
public final class RequestId<R> {
  private final PendingRequest pending;

  private RequestId(PendingRequest pending) {
    this.pending = pending;
  }

  /**
   * Sends a request built by {@code request} from the {@link From} to reply to; errors show
   * {@code shownRequest}, or the message itself if it is null.
   */
  static <R> RequestId<R> send(Address to, Function<From, Object> request, Object shownRequest) {
    ProcessImpl self = ProcessImpl.current();
    // A plain thread needs a node for its private mailbox: the target's, or for a name the node it is bound to.
    Pid pid = to == null ? null : Kernel.pidOf(to);
    NodeRuntime node = self == null && pid != null ? Kernel.process(pid).runtime() : Proc.runtime(self);
    return new RequestId<>(PendingRequest.send(self, node, to, request, shownRequest));
  }

  /** The server the request was sent to, as it was addressed. */
  public Address server() {
    return pending.server();
  }

  /**
   * Waits for the reply; if none comes within {@code timeout}, abandons the request (a later reply
   * is dropped) and throws a {@link CallException} with reason {@code timeout}.
   *
   * @return the reply (null if the server replied null)
   * @throws CallException with the server's exit reason if it terminated before replying
   *     ({@code noproc} if it did not exist), or {@code timeout}
   * @throws IllegalStateException if the response has already been taken, or the request was
   *     abandoned, or another process sent the request
   */
  @SuppressWarnings("unchecked") // the reply's type is the request's: see Call
  public R receiveResponse(Duration timeout) {
    return (R) pending.receiveResponse(timeout);
  }

  /**
   * Waits for the reply; if none comes within {@code timeout}, throws a {@link CallException} with
   * reason {@code timeout} and the request stays active: it can be waited for again.
   *
   * @return the reply (null if the server replied null)
   * @throws CallException with the server's exit reason if it terminated before replying
   *     ({@code noproc} if it did not exist), or {@code timeout}
   * @throws IllegalStateException as {@link #receiveResponse(Duration)}
   */
  @SuppressWarnings("unchecked") // the reply's type is the request's: see Call
  public R waitResponse(Duration timeout) {
    return (R) pending.waitResponse(timeout);
  }

  /**
   * Whether {@code message}, received by the requesting process, is this request's response: its
   * reply, or the news that the server terminated first.
   */
  public boolean isResponse(Object message) {
    return pending.isResponse(message);
  }

  /**
   * Takes the response from a message for which {@link #isResponse} is true.
   *
   * @return the reply (null if the server replied null)
   * @throws CallException with the server's exit reason if it terminated before replying
   * @throws IllegalArgumentException if {@code message} is not this request's response
   */
  @SuppressWarnings("unchecked") // the reply's type is the request's: see Call
  public R response(Object message) {
    return (R) pending.response(message, toString());
  }

  /**
   * Abandons the request: the server is no longer monitored, and a reply that comes later is
   * dropped. A reply already received is removed from the mailbox. Does nothing if the response has
   * been taken or the request was abandoned already.
   */
  public void abandon() {
    pending.abandon();
  }

  @Override
  public String toString() {
    return pending.toString();
  }
}
