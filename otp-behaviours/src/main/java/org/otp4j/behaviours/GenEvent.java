package org.otp4j.behaviours;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.otp4j.core.Address;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ServerRef;
import org.otp4j.core.NoSuchNameException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * An event manager: a process that passes each event it receives to every installed
 * {@link EventHandler}, OTP's {@code gen_event}. Handlers run inside the manager process; a handler
 * that fails is removed alone, and the others keep receiving events.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#manager -->
 * {@snippet :
 * ServerRef<Alarm> alarms = GenEvent.startLink(ServerRef.local("alarms"));
 * GenEvent.addHandler(alarms, new Seen());
 * GenEvent.addSupervisedHandler(alarms, new Pager("team-a"));   // this process is told when it goes
 * GenEvent.notify(alarms, new Alarm("disk full"));             // asynchronous
 * GenEvent.syncNotify(alarms, new Alarm("cpu hot"));           // returns once every handler has it
 * int seen = GenEvent.call(alarms, Seen.ID, new Seen.HowMany());
 * }
 *
 * <p>A manager is typed by the events it takes ({@code ServerRef<Alarm>}): javac checks the events
 * notified and the handlers added. Untyped pids and names work too, Erlang-style.
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

  /** Starts a manager, linked to the caller; typed by the events it takes. */
  public static <E> ServerRef<E> startLink() {
    return startLink(StartOptions.defaults());
  }

  /** Starts a manager registered under {@code name} (a typed name), linked to the caller. */
  public static <E> ServerRef<E> startLink(ServerRef<E> name) {
    return startLink(StartOptions.defaults().withName(Gen.nameOf(name)));
  }

  /** Starts a manager registered under {@code name} (an untyped name), linked to the caller. */
  public static <E> ServerRef<E> startLink(Name name) {
    return startLink(StartOptions.defaults().withName(name));
  }

  /** Starts a manager linked to the caller. */
  public static <E> ServerRef<E> startLink(StartOptions options) {
    return ServerRef.of(GenServer.startLink(new GenEventManager(), options).pid());
  }

  /** Starts a manager, not linked to the caller. */
  public static <E> ServerRef<E> start() {
    return start(StartOptions.defaults());
  }

  /** Starts a manager, not linked to the caller. */
  public static <E> ServerRef<E> start(StartOptions options) {
    return ServerRef.of(GenServer.start(new GenEventManager(), options).pid());
  }

  /** Starts a manager monitored by the caller. */
  public static GenServer.Monitored<?> startMonitor(StartOptions options) {
    return GenServer.startMonitor(new GenEventManager(), options);
  }

  /** Starts a manager, not linked, and returns the outcome without throwing. */
  public static StartResult tryStart(StartOptions options) {
    return GenServer.tryStart(new GenEventManager(), options);
  }

  /** Starts a manager linked to the caller, and returns the outcome without throwing. */
  public static StartResult tryStartLink(StartOptions options) {
    return GenServer.tryStartLink(new GenEventManager(), options);
  }

  /** Stops the manager: every handler's terminate runs with {@link EventHandler.Removal.ManagerStopped}. */
  public static void stop(Address manager) {
    GenServer.stop(manager, ExitReason.NORMAL, Proc.INFINITY);
  }

  // ---------------------------------------------------------------------------------------
  // handlers

  /**
   * Installs {@code handler} (its {@link EventHandler#init()} runs in the manager); javac checks that
   * it handles the manager's events.
   *
   * @return {@link Added}, {@link AlreadyPresent} (a handler with its id is installed already), or
   *     {@link InitFailed} (its init returned an error or threw; it is not installed)
   */
  public static <E> AddResult addHandler(ServerRef<E> manager, EventHandler<?, ? super E> handler) {
    return add(manager, handler, null);
  }

  /** Installs {@code handler} in an untyped manager; see {@link #addHandler(ServerRef, EventHandler)}. */
  public static AddResult addHandler(Pid manager, EventHandler<?, ?> handler) {
    return add(manager, handler, null);
  }

  /** Installs {@code handler} in the manager registered under {@code manager}. */
  public static AddResult addHandler(Name manager, EventHandler<?, ?> handler) {
    return add(manager, handler, null);
  }

  /**
   * Installs {@code handler} supervised by the calling process; see the class documentation.
   *
   * @throws org.otp4j.core.NotAProcessException if called from a plain thread
   */
  public static <E> AddResult addSupervisedHandler(ServerRef<E> manager, EventHandler<?, ? super E> handler) {
    return add(manager, handler, Proc.self());
  }

  /** {@link #addSupervisedHandler(ServerRef, EventHandler)} for an untyped manager. */
  public static AddResult addSupervisedHandler(Pid manager, EventHandler<?, ?> handler) {
    return add(manager, handler, Proc.self());
  }

  /** {@link #addSupervisedHandler(ServerRef, EventHandler)} for a manager registered under {@code manager}. */
  public static AddResult addSupervisedHandler(Name manager, EventHandler<?, ?> handler) {
    return add(manager, handler, Proc.self());
  }

  private static AddResult add(Address manager, EventHandler<?, ?> handler, Pid owner) {
    return (AddResult) managerCall(manager, new GenEventManager.Request.Add(Objects.requireNonNull(handler, "handler"),
        owner));
  }

  /**
   * Removes a handler, given as itself or by its {@link EventHandler#id() id}; its terminate runs with
   * {@link EventHandler.Removal.Deleted}{@code (args)}.
   *
   * @return {@link Deleted} with what terminate returned, or {@link NotFound}
   */
  public static DeleteResult deleteHandler(Address manager, Object handler, Object args) {
    return (DeleteResult) managerCall(manager, new GenEventManager.Request.Delete(
        Objects.requireNonNull(handler, "handler: the handler or its id"), args));
  }

  /**
   * Replaces a handler (given as itself or by its id) by {@code newHandler}: the old one's terminate
   * runs with {@link EventHandler.Removal.Swapped}{@code (terminateArgs)}, and the new one's
   * {@link EventHandler#initSwapped} receives what it returned. If the old handler is not installed,
   * the new one is still added, receiving {@link NotFound} (OTP passes {@code error}). A supervised
   * connection moves to the new handler.
   */
  public static AddResult swapHandler(Address manager, Object oldHandler, Object terminateArgs,
      EventHandler<?, ?> newHandler) {
    return swap(manager, oldHandler, terminateArgs, newHandler, null);
  }

  /** Like {@link #swapHandler}, and the calling process becomes the new handler's supervisor. */
  public static AddResult swapSupervisedHandler(Address manager, Object oldHandler, Object terminateArgs,
      EventHandler<?, ?> newHandler) {
    return swap(manager, oldHandler, terminateArgs, newHandler, Proc.self());
  }

  private static AddResult swap(Address manager, Object oldHandler, Object terminateArgs, EventHandler<?, ?> newHandler,
      Pid owner) {
    return (AddResult) managerCall(manager, new GenEventManager.Request.Swap(
        Objects.requireNonNull(oldHandler, "oldHandler: the handler or its id"), terminateArgs,
        Objects.requireNonNull(newHandler, "newHandler"), owner));
  }

  /** The installed handlers, most recently added first. */
  @SuppressWarnings("unchecked")
  public static List<EventHandler<?, ?>> whichHandlers(Address manager) {
    return (List<EventHandler<?, ?>>) managerCall(manager, new GenEventManager.Request.Which());
  }

  // ---------------------------------------------------------------------------------------
  // events and calls

  /** Sends an event to every handler, without waiting. Fails only if the manager is a name that is not registered. */
  public static <E> void notify(ServerRef<E> manager, E event) {
    cast(manager, event);
  }

  /** Sends an event to every handler of an untyped manager, without waiting. */
  public static void notify(Pid manager, Object event) {
    cast(manager, event);
  }

  /** Sends an event to every handler of the manager registered under {@code manager}; fails if it is not registered. */
  public static void notify(Name manager, Object event) {
    cast(manager, event);
  }

  private static void cast(Address manager, Object event) {
    Objects.requireNonNull(event, "an event cannot be null");
    Address target = Gen.pidOrName(manager);
    if (target instanceof Name n) {
      target = Proc.whereis(n).orElseThrow(() -> new NoSuchNameException(n, "GenEvent.notify"));
    }
    Gen.cast(target, new GenEventManager.Request.Notify(event));
  }

  /** Sends an event to every handler and returns once all of them have handled it. */
  public static <E> void syncNotify(ServerRef<E> manager, E event) {
    syncCast(manager, event);
  }

  /** {@link #syncNotify(ServerRef, Object)} for an untyped manager. */
  public static void syncNotify(Pid manager, Object event) {
    syncCast(manager, event);
  }

  /** {@link #syncNotify(ServerRef, Object)} for the manager registered under {@code manager}. */
  public static void syncNotify(Name manager, Object event) {
    syncCast(manager, event);
  }

  private static void syncCast(Address manager, Object event) {
    managerCall(manager, new GenEventManager.Request.SyncNotify(Objects.requireNonNull(event, "an event cannot be null")));
  }

  /**
   * Calls one handler (given as itself or by its id) with a typed request and returns its typed
   * reply; waits 5 seconds at most.
   *
   * @throws HandlerException if the handler is not installed, or failed (it is then removed)
   * @throws CallException if the manager does not answer
   */
  public static <R> R call(Address manager, Object handler, Call<R> request) {
    return call(manager, handler, request, DEFAULT_TIMEOUT);
  }

  /** {@link #call(Address, Object, Call)} with a timeout. */
  @SuppressWarnings("unchecked") // the reply of a Call<R> is an R: the handler replies with CallResult.reply
  public static <R> R call(Address manager, Object handler, Call<R> request, Duration timeout) {
    return (R) callHandler(manager, handler, request, timeout);
  }

  /** Calls one handler with an untyped request; see {@link #call(Address, Object, Call)}. */
  public static Object call(Address manager, Object handler, Object request) {
    return callHandler(manager, handler, request, DEFAULT_TIMEOUT);
  }

  /** {@link #call(Address, Object, Object)} with a timeout. */
  public static Object call(Address manager, Object handler, Object request, Duration timeout) {
    return callHandler(manager, handler, request, timeout);
  }

  private static Object callHandler(Address manager, Object handler, Object request, Duration timeout) {
    Object reply = Gen.call("GenEvent.call", manager,
        new GenEventManager.Request.Call(Objects.requireNonNull(handler, "handler: the handler or its id"), request),
        timeout);
    if (reply instanceof GenEventManager.CallFailure failure) {
      throw new HandlerException(handler, failure.notFound(), failure.reason());
    }
    return reply;
  }

  private static Object managerCall(Address manager, GenEventManager.Request request) {
    return Gen.call("GenEvent", manager, request, DEFAULT_TIMEOUT);
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

    private final transient Object handler;
    private final boolean notFound;
    private final transient ExitReason reason;

    HandlerException(Object handler, boolean notFound, ExitReason reason) {
      super(notFound ? "GenEvent.call: handler " + handler + " is not installed in this manager"
          : "GenEvent.call: handler " + handler + " failed with " + reason + " and was removed",
          reason instanceof ExitReason.Crash c ? c.error() : null);
      this.handler = handler;
      this.notFound = notFound;
      this.reason = reason;
    }

    /** The handler called, as the caller gave it (the handler or its id). */
    public Object handler() {
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
