package org.otp4j.behaviours;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.otp4j.core.Address;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * An event manager: a process that passes each event it receives to every installed
 * {@link EventHandler}, OTP's {@code gen_event}. Handlers run inside the manager process; a handler
 * that fails is removed alone, and the others keep receiving events.
 *
 * <pre>{@code
 * Pid alarms = GenEvent.startLink(Name.local("alarms"));
 * GenEvent.addHandler(alarms, new LogAlarms(), null);
 * GenEvent.addSupervisedHandler(alarms, new PageOnCall(), "team-a");  // this process is told when it goes
 * GenEvent.notify(alarms, new Alarm("disk full"));                     // asynchronous
 * GenEvent.syncNotify(alarms, new Alarm("cpu hot"));                   // returns once every handler has it
 * }</pre>
 *
 * <h2>Supervised handlers</h2>
 * {@link #addSupervisedHandler} ties the handler to the calling process: if that process
 * terminates, the handler is removed; whenever the handler leaves the manager, the process receives
 * a {@link HandlerExit} message saying why ({@code normal} when deleted or removed, {@code shutdown}
 * when the manager stops, its crash reason, or the handler it was swapped for). The manager also
 * links to the calling process, as OTP's does.
 *
 * <p>The manager traps exits; calls to a handler wait 5 seconds by default.
 */
public final class GenEvent {
  private GenEvent() {}

  /** The default timeout of {@link #call} and of the manager API, as OTP: 5 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  // ---------------------------------------------------------------------------------------
  // starting and stopping

  /** Starts a manager, linked to the caller. */
  public static Pid startLink() {
    return startLink(StartOptions.defaults());
  }

  /** Starts a manager registered under {@code name}, linked to the caller. */
  public static Pid startLink(Name name) {
    return startLink(StartOptions.defaults().withName(name));
  }

  public static Pid startLink(StartOptions options) {
    return GenServer.startLink(new GenEventManager(), options).pid();
  }

  /** Starts a manager, not linked to the caller. */
  public static Pid start(StartOptions options) {
    return GenServer.start(new GenEventManager(), options).pid();
  }

  /** Stops the manager: every handler's terminate runs with {@link EventHandler.Removal.Stopped}. */
  public static void stop(Address manager) {
    GenServer.stop(manager, ExitReason.NORMAL, Proc.INFINITY);
  }

  // ---------------------------------------------------------------------------------------
  // handlers

  /**
   * Installs {@code handler}, initialised with {@code args}.
   *
   * @return {@link Added}, {@link AlreadyPresent} (this handler object is installed already), or
   *     {@link InitFailed} (its init returned an error or threw; it is not installed)
   */
  public static AddResult addHandler(Address manager, EventHandler<?, ?> handler, Object args) {
    return managerCall(manager, new GenEventManager.Request.Add(Objects.requireNonNull(handler, "handler"), args, null));
  }

  /**
   * Installs {@code handler} supervised by the calling process; see the class documentation.
   *
   * @throws org.otp4j.core.NotAProcessException if called from a plain thread
   */
  public static AddResult addSupervisedHandler(Address manager, EventHandler<?, ?> handler, Object args) {
    Pid owner = Proc.self();
    return managerCall(manager, new GenEventManager.Request.Add(Objects.requireNonNull(handler, "handler"), args, owner));
  }

  /**
   * Removes {@code handler}; its terminate runs with {@link EventHandler.Removal.Deleted}{@code (args)}.
   *
   * @return {@link Deleted} with what terminate returned, or {@link NotFound}
   */
  public static DeleteResult deleteHandler(Address manager, EventHandler<?, ?> handler, Object args) {
    return managerCall(manager, new GenEventManager.Request.Delete(Objects.requireNonNull(handler, "handler"), args));
  }

  /**
   * Replaces {@code oldHandler} by {@code newHandler}: the old one's terminate runs with
   * {@link EventHandler.Removal.Swapped}{@code (terminateArgs)}, and the new one's init receives
   * {@code new SwapArgs(initArgs, whatTerminateReturned)}. If the old handler is not installed, the new
   * one is still added, its init receiving {@link NotFound} as the terminate result (OTP passes
   * {@code error}). A supervised connection moves to the new handler.
   */
  public static AddResult swapHandler(Address manager, EventHandler<?, ?> oldHandler, Object terminateArgs,
      EventHandler<?, ?> newHandler, Object initArgs) {
    return managerCall(manager, new GenEventManager.Request.Swap(Objects.requireNonNull(oldHandler, "oldHandler"),
        terminateArgs, Objects.requireNonNull(newHandler, "newHandler"), initArgs, null));
  }

  /** Like {@link #swapHandler}, and the calling process becomes the new handler's supervisor. */
  public static AddResult swapSupervisedHandler(Address manager, EventHandler<?, ?> oldHandler, Object terminateArgs,
      EventHandler<?, ?> newHandler, Object initArgs) {
    return managerCall(manager, new GenEventManager.Request.Swap(Objects.requireNonNull(oldHandler, "oldHandler"),
        terminateArgs, Objects.requireNonNull(newHandler, "newHandler"), initArgs, Proc.self()));
  }

  /** The installed handlers, most recently added first. */
  public static List<EventHandler<?, ?>> whichHandlers(Address manager) {
    return managerCall(manager, new GenEventManager.Request.Which());
  }

  // ---------------------------------------------------------------------------------------
  // events and calls

  /**
   * Sends an event to every handler, without waiting. Fails only if {@code manager} is a name that
   * is not registered.
   */
  public static void notify(Address manager, Object event) {
    Objects.requireNonNull(event, "an event cannot be null");
    Gen.cast(manager instanceof Name n ? resolveOrThrow(n) : manager, new GenEventManager.Request.Notify(event));
  }

  /** Sends an event to every handler and returns once all of them have handled it. */
  public static void syncNotify(Address manager, Object event) {
    Objects.requireNonNull(event, "an event cannot be null");
    managerCall(manager, new GenEventManager.Request.SyncNotify(event));
  }

  /** Calls one handler; see {@link #call(Address, EventHandler, Object, Duration)}. */
  public static <R> R call(Address manager, EventHandler<?, ?> handler, Object request) {
    return call(manager, handler, request, DEFAULT_TIMEOUT);
  }

  /**
   * Calls one handler's {@code handleCall} and returns its reply.
   *
   * @throws HandlerException if the handler is not installed, or failed (it is then removed)
   * @throws CallException if the manager does not answer
   */
  @SuppressWarnings("unchecked")
  public static <R> R call(Address manager, EventHandler<?, ?> handler, Object request, Duration timeout) {
    Object reply = Gen.call("GenEvent.call", manager,
        new GenEventManager.Request.Call(Objects.requireNonNull(handler, "handler"), request), timeout);
    if (reply instanceof GenEventManager.CallFailure failure) {
      throw new HandlerException(handler, failure.notFound(), failure.reason());
    }
    return (R) reply;
  }

  @SuppressWarnings("unchecked")
  private static <R> R managerCall(Address manager, GenEventManager.Request request) {
    return (R) Gen.call("GenEvent", manager, request, DEFAULT_TIMEOUT);
  }

  private static Address resolveOrThrow(Name name) {
    return Proc.whereis(name).orElseThrow(() -> new org.otp4j.core.NoSuchNameException(name, "GenEvent.notify"));
  }

  // ---------------------------------------------------------------------------------------
  // results and messages

  /** What {@link #addHandler} and {@link #swapHandler} return. */
  public sealed interface AddResult permits Added, AlreadyPresent, InitFailed {}

  /** The handler is installed. */
  public record Added() implements AddResult {}

  /** This handler object is installed already. */
  public record AlreadyPresent() implements AddResult {}

  /** The handler's init returned an error, or threw; it is not installed. */
  public record InitFailed(Object reason) implements AddResult {}

  /** What {@link #deleteHandler} returns. */
  public sealed interface DeleteResult permits Deleted, NotFound {}

  /** Removed; {@code result} is what its terminate returned. */
  public record Deleted(Object result) implements DeleteResult {}

  /** No such handler is installed. */
  public record NotFound() implements DeleteResult {}

  /** One handler and its state, as {@link Sys#getState} shows a manager (OTP's {@code {Module, Id, State}}). */
  public record HandlerState(EventHandler<?, ?> handler, Object state) {}

  /** The arguments a swapped-in handler's init receives. */
  public record SwapArgs(Object initArgs, Object terminateResult) {}

  /**
   * Sent to the process that supervises a handler when the handler leaves the manager
   * (OTP's {@code {gen_event_EXIT, Handler, Reason}}).
   *
   * @param manager the event manager
   * @param handler the handler that left
   * @param reason {@code normal} (deleted or removed itself), {@code shutdown} (the manager stopped),
   *     or its crash reason
   * @param swappedTo the handler that replaced it on a swap, else null
   */
  public record HandlerExit(Pid manager, EventHandler<?, ?> handler, ExitReason reason, EventHandler<?, ?> swappedTo) {}

  /** A call to a handler failed: the handler is not installed, or it failed and was removed. */
  public static final class HandlerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient EventHandler<?, ?> handler;
    private final boolean notFound;
    private final transient ExitReason reason;

    HandlerException(EventHandler<?, ?> handler, boolean notFound, ExitReason reason) {
      super(notFound ? "GenEvent.call: handler " + handler + " is not installed in this manager"
          : "GenEvent.call: handler " + handler + " failed with " + reason + " and was removed",
          reason instanceof ExitReason.Crash c ? c.error() : null);
      this.handler = handler;
      this.notFound = notFound;
      this.reason = reason;
    }

    public EventHandler<?, ?> handler() {
      return handler;
    }

    /** True if the handler was not installed (OTP's {@code bad_module}). */
    public boolean notFound() {
      return notFound;
    }

    /** Why the handler failed (null if it was not found). */
    public ExitReason reason() {
      return reason;
    }
  }
}
