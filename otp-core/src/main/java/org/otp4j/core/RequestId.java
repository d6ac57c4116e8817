package org.otp4j.core;

import java.lang.invoke.MethodHandles;
import java.lang.ref.Cleaner;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.otp4j.core.internal.Kernel;
import org.otp4j.core.internal.NodeRuntime;
import org.otp4j.core.internal.ProcessImpl;

/**
 * A request sent without waiting for its reply: OTP's {@code send_request} and its request id.
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
public final class RequestId {

  /** The message that carries a reply to the requester's mailbox. */
  private record Reply(Ref request, Object value) {
    // NOTE: holds the request's marker, not the RequestId, so that a reply waiting in a private mailbox
    // does not keep its RequestId reachable (which would keep the mailbox from being released).
  }

  /** Releases a plain thread's private mailbox: when its response is taken, or its id is unreachable. */
  private record MailboxRelease(ProcessImpl mailbox) implements Runnable {
    @Override
    public void run() {
      mailbox.exitSelf(ExitReason.NORMAL);
      mailbox.dropMailbox();
    }
  }

  /** Created on first use: only plain threads' requests need it. */
  private static final class Unreachable {
    static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("otp4j-request-cleaner").factory());
  }

  private static final int ACTIVE = 0;
  private static final int REPLIED = 1;
  private static final int ABANDONED = 2;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(RequestId.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ProcessImpl owner;
  /**
   * Set when {@link #owner} is a private mailbox, opened for a plain thread's request: releases it
   * once. Null when the owner is the requesting process.
   */
  private final Cleaner.Cleanable mailboxRelease;
  private final Ref marker;
  private final Address server;
  private final Ref monitor;
  /** What errors show: set once, before the id is returned. */
  private volatile Object request;
  /** ACTIVE until the first reply (REPLIED) or until the requester gives up (ABANDONED). */
  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;
  /** Set by the owner once it has taken the response, or abandoned the request. */
  private volatile boolean done;

  private RequestId(ProcessImpl owner, boolean privateMailbox, Ref marker, Address server, Ref monitor) {
    this.owner = owner;
    this.mailboxRelease = privateMailbox ? Unreachable.CLEANER.register(this, new MailboxRelease(owner)) : null;
    this.marker = marker;
    this.server = server;
    this.monitor = monitor;
  }

  /**
   * Sends a request built by {@code request} from the {@link From} to reply to; errors show
   * {@code shownRequest}, or the message itself if it is null.
   */
  static RequestId send(Address to, Function<From, Object> request, Object shownRequest) {
    Objects.requireNonNull(to, "cannot send a request to a null address");
    Objects.requireNonNull(request, "request");
    ProcessImpl self = ProcessImpl.current();
    // A plain thread needs a node for its private mailbox: the target's, or for a name the node it is bound to.
    NodeRuntime node = self == null && to instanceof Pid pid ? Kernel.process(pid).runtime() : Proc.runtime(self);
    ProcessImpl owner = self != null ? self : node.openInbox();
    Ref marker = owner.makeRefWithMarker(); // before the monitor: an immediate noproc Down comes after it
    ProcessImpl target = Kernel.resolve(node, to);
    // Monitor the process the name stands for now, and send to that same process: a name that moves
    // to another process meanwhile cannot split the request from its monitor.
    Ref monitor = Kernel.monitor(owner, node, target != null ? target.pid() : to);
    RequestId id = new RequestId(owner, self == null, marker, to, monitor);
    Object message;
    try {
      message = Objects.requireNonNull(request.apply(id.new Slot()), "the request function returned null");
    } catch (RuntimeException e) {
      owner.demonitor(monitor, true);
      id.releaseMailbox();
      throw e;
    }
    id.request = shownRequest != null ? shownRequest : message;
    if (target != null) {
      Kernel.send(self, target, message);
    }
    return id;
  }

  /** The server the request was sent to, as it was addressed. */
  public Address server() {
    return server;
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
  @SuppressWarnings("unchecked")
  public <R> R receiveResponse(Duration timeout) {
    Optional<Object> m = await("receiveResponse", timeout);
    if (m.isEmpty()) {
      abandon();
      throw new CallException(ExitReason.TIMEOUT, "receiveResponse", server, request, timeout);
    }
    return (R) take(m.get(), "receiveResponse", timeout);
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
  @SuppressWarnings("unchecked")
  public <R> R waitResponse(Duration timeout) {
    Optional<Object> m = await("waitResponse", timeout);
    if (m.isEmpty()) {
      throw new CallException(ExitReason.TIMEOUT, "waitResponse", server, request, timeout);
    }
    return (R) take(m.get(), "waitResponse", timeout);
  }

  /**
   * Whether {@code message}, received by the requesting process, is this request's response: its
   * reply, or the news that the server terminated first.
   */
  public boolean isResponse(Object message) {
    return message instanceof Reply r && r.request == marker
        || message instanceof Down d && d.ref().equals(monitor);
  }

  /**
   * Takes the response from a message for which {@link #isResponse} is true.
   *
   * @return the reply (null if the server replied null)
   * @throws CallException with the server's exit reason if it terminated before replying
   * @throws IllegalArgumentException if {@code message} is not this request's response
   */
  @SuppressWarnings("unchecked")
  public <R> R response(Object message) {
    if (!isResponse(message)) {
      throw new IllegalArgumentException("not the response to " + this + ": " + message);
    }
    return (R) take(message, "response", null);
  }

  /**
   * Abandons the request: the server is no longer monitored, and a reply that comes later is
   * dropped. A reply already received is removed from the mailbox. Does nothing if the response has
   * been taken or the request was abandoned already.
   */
  public void abandon() {
    if (done) {
      return;
    }
    checkOwner("abandon");
    done = true;
    if (!STATE.compareAndSet(this, ACTIVE, ABANDONED)) {
      // A reply was given: its message is in the mailbox, or on its way (the replier sends it right
      // after winning the state). Take it out, so that nothing of this request is left behind.
      owner.receive(m -> m instanceof Reply r && r.request == marker, -1, marker);
    }
    owner.demonitor(monitor, true);
    releaseMailbox();
  }

  private Optional<Object> await(String operation, Duration timeout) {
    long nanos = Proc.nanos(timeout);
    if (done) {
      throw new IllegalStateException(operation + ": " + this + " has no response left to take: it was taken or "
          + "the request was abandoned");
    }
    checkOwner(operation);
    Object m = owner.receive(this::isResponse, nanos, marker);
    return m == ProcessImpl.TIMED_OUT ? Optional.empty() : Optional.of(m);
  }

  private Object take(Object message, String operation, Duration timeout) {
    if (done) {
      throw new IllegalStateException(operation + ": the response to " + this + " was taken already");
    }
    done = true;
    if (message instanceof Reply r) {
      owner.demonitor(monitor, true);
      releaseMailbox();
      return r.value;
    }
    // The server went down. If someone replied all the same (another process holding the From, just
    // before), that reply wins and its message is in the mailbox or on its way; else close the request.
    if (!STATE.compareAndSet(this, ACTIVE, ABANDONED)) {
      Object reply = owner.receive(m -> m instanceof Reply r && r.request == marker, -1, marker);
      releaseMailbox();
      return ((Reply) reply).value;
    }
    releaseMailbox();
    throw new CallException(((Down) message).reason(), operation, server, request, timeout);
  }

  private void checkOwner(String operation) {
    if (mailboxRelease == null && ProcessImpl.current() != owner) {
      throw new IllegalStateException(operation + ": only " + owner.pid() + ", which sent the request, can take "
          + "its response");
    }
  }

  private void releaseMailbox() {
    if (mailboxRelease != null) {
      mailboxRelease.clean();
    }
  }

  @Override
  public String toString() {
    return "RequestId[" + marker + " to " + server + " from " + owner.pid() + "]";
  }

  /** The {@link From} the server replies to: a reply becomes a message in the requester's mailbox. */
  private final class Slot implements From {
    @Override
    public Optional<Pid> caller() {
      return mailboxRelease != null ? Optional.empty() : Optional.of(owner.pid());
    }

    @Override
    public boolean reply(Object value) {
      if (!STATE.compareAndSet(RequestId.this, ACTIVE, REPLIED)) {
        return false;
      }
      // Sent as no process: the replier may be terminating, and the requester counts on this message.
      Kernel.send(null, owner, new Reply(marker, value));
      return true;
    }

    @Override
    public String toString() {
      return "From[" + RequestId.this + "]";
    }
  }
}
