package org.otp4j.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.otp4j.core.Address;
import org.otp4j.core.CallException;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/**
 * The engine of a request sent without waiting for its reply (OTP's {@code send_request}); its face
 * is {@code org.otp4j.core.RequestId}.
 *
 * <h2>Implementation notes</h2>
 * The reply, or the news that the server terminated first, arrives in the mailbox of the requester
 * (the {@code owner}): a {@link Reply} tagged with the request's marker reference, or the
 * {@link Down} of the monitor made on the server. A plain thread's request gets a private mailbox,
 * an inbox of its own, released when the response is taken, when the request is abandoned, or, for
 * a request that is dropped, by the shared cleaner once this object is unreachable.
 *
 * <p>States of the reply slot, changed by compare-and-set only:
 * <pre>
 *   state      event                                        next state
 *   ACTIVE     a replier wins the slot (then sends Reply)    REPLIED
 *   ACTIVE     the owner gives up (timeout, abandon, Down)   ABANDONED
 * </pre>
 * Whoever wins decides: a replier that loses sends nothing; an owner that loses knows a
 * {@link Reply} is in its mailbox or on its way, and takes it out. {@code done} is the owner's own
 * flag (the response was taken or the request abandoned) and is only touched by the owner.
 */
public final class PendingRequest {

  /** The message that carries a reply to the requester's mailbox. */
  private record Reply(Ref request, Object value) {
    // NOTE: holds the request's marker, not the PendingRequest, so that a reply waiting in a private
    // mailbox does not keep its request reachable (which would keep the mailbox from being released).
  }

  /** Releases a plain thread's private mailbox: when its response is taken, or its id is unreachable. */
  private record MailboxRelease(ProcessImpl mailbox) implements Runnable {
    @Override
    public void run() {
      mailbox.exitSelf(ExitReason.NORMAL);
      mailbox.dropMailbox();
    }
  }

  private static final int ACTIVE = 0;
  private static final int REPLIED = 1;
  private static final int ABANDONED = 2;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(PendingRequest.class, "state", int.class);
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
  /** The reply channel the request carries; known by number on the server's node if that is another. */
  private final Slot slot = new Slot();
  /** What errors show: set once, before the request is returned. */
  private volatile Object request;
  /** ACTIVE until the first reply (REPLIED) or until the requester gives up (ABANDONED). */
  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;
  /** Set by the owner once it has taken the response, or abandoned the request. */
  private volatile boolean done;

  private PendingRequest(ProcessImpl owner, boolean privateMailbox, Ref marker, Address server, Ref monitor) {
    this.owner = owner;
    this.mailboxRelease = privateMailbox ? ProcessThreads.cleaner().register(this, new MailboxRelease(owner)) : null;
    this.marker = marker;
    this.server = server;
    this.monitor = monitor;
  }

  /**
   * Sends a request built by {@code request} from the {@link From} to reply to, as {@code self} (null
   * for a plain thread, whose private mailbox is opened on {@code node}); errors show
   * {@code shownRequest}, or the message itself if it is null.
   */
  public static PendingRequest send(ProcessImpl self, NodeRuntime node, Address to, Function<From, Object> request,
      Object shownRequest) {
    Objects.requireNonNull(to, "cannot send a request to a null address");
    Objects.requireNonNull(request, "request");
    ProcessImpl owner = self != null ? self : node.openInbox();
    Ref marker = owner.makeRefWithMarker(); // before the monitor: an immediate noproc Down comes after it
    ProcessImpl target = Kernel.resolve(node, to);
    // Monitor the process the name stands for now, and send to that same process: a name that moves
    // to another process meanwhile cannot split the request from its monitor.
    Ref monitor = Kernel.monitor(owner, node, target != null ? target.pid() : to);
    PendingRequest pending = new PendingRequest(owner, self == null, marker, to, monitor);
    Object message;
    try {
      message = Objects.requireNonNull(request.apply(pending.slot), "the request function returned null");
    } catch (RuntimeException e) {
      owner.demonitor(monitor, true);
      pending.releaseMailbox();
      throw e;
    }
    pending.request = shownRequest != null ? shownRequest : message;
    if (target != null) {
      Kernel.send(self, target, message);
    } else if (Kernel.isOtherNodesName(node, to)) {
      Kernel.send(self, node, to, message); // resolved there; the monitor of the name answers if it is not
    }
    return pending;
  }

  public Address server() {
    return server;
  }

  /** Waits for the response; on timeout abandons the request and throws {@code timeout}. */
  public Object receiveResponse(Duration timeout) {
    Optional<Object> m = await("receiveResponse", timeout);
    if (m.isEmpty()) {
      abandon();
      throw new CallException(ExitReason.TIMEOUT, "receiveResponse", server, request, timeout);
    }
    return take(m.get(), "receiveResponse", timeout);
  }

  /** Waits for the response; on timeout throws {@code timeout} and the request stays active. */
  public Object waitResponse(Duration timeout) {
    Optional<Object> m = await("waitResponse", timeout);
    if (m.isEmpty()) {
      throw new CallException(ExitReason.TIMEOUT, "waitResponse", server, request, timeout);
    }
    return take(m.get(), "waitResponse", timeout);
  }

  public boolean isResponse(Object message) {
    return message instanceof Reply r && r.request == marker
        || message instanceof Down d && d.ref().equals(monitor);
  }

  public Object response(Object message, String shownAs) {
    if (!isResponse(message)) {
      throw new IllegalArgumentException("not the response to " + shownAs + ": " + message);
    }
    return take(message, "response", null);
  }

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
    forgetSlot();
    releaseMailbox();
  }

  private Optional<Object> await(String operation, Duration timeout) {
    long nanos = org.otp4j.core.Timeouts.nanos(timeout);
    if (done) {
      throw new IllegalStateException(operation + ": " + this + " has no response left to take: it was taken or "
          + "the request was abandoned");
    }
    checkOwner(operation);
    Object m = owner.receive(this::isResponse, nanos, marker);
    return m == Mailbox.TIMED_OUT ? Optional.empty() : Optional.of(m);
  }

  private Object take(Object message, String operation, Duration timeout) {
    if (done) {
      throw new IllegalStateException(operation + ": the response to " + this + " was taken already");
    }
    done = true;
    forgetSlot();
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

  /** The request is over: if its reply channel went to another node, it is forgotten there. */
  private void forgetSlot() {
    if (slot.exportedAs != 0) {
      owner.runtime().distribution().unexport(slot);
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
  private final class Slot extends ExportableFrom {
    @Override
    public Optional<Pid> caller() {
      return Optional.ofNullable(callerPid());
    }

    @Override
    Pid callerPid() {
      return mailboxRelease != null ? null : owner.pid();
    }

    @Override
    boolean heldWeakly() {
      return true; // the requester may drop its request id, or terminate, without taking the reply
    }

    @Override
    public boolean reply(Object value) {
      if (!STATE.compareAndSet(PendingRequest.this, ACTIVE, REPLIED)) {
        return false;
      }
      // Sent as no process: the replier may be terminating, and the requester counts on this message.
      Kernel.send(null, owner, new Reply(marker, value));
      return true;
    }

    @Override
    public String toString() {
      return "From[" + PendingRequest.this + "]";
    }
  }
}
