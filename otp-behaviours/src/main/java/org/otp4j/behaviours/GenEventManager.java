package org.otp4j.behaviours;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessExit;
import org.otp4j.core.ProcessTerminated;

/**
 * The event manager process, a {@link GenServer}: OTP's {@code gen_event} loop. Keeps the installed
 * handlers, newest first, runs each callback in isolation (a handler that throws or returns null is
 * removed alone), and tells the owner of a supervised handler when it goes.
 */
final class GenEventManager extends GenServer<GenEventManager.State, GenEventManager.Request> {

  sealed interface Request {
    record Notify(Object event) implements Request {}

    record SyncNotify(Object event) implements Request {}

    /** Call the handler whose id (or which itself) is {@code handler}. */
    record Call(Object handler, Object request) implements Request {}

    record Add(EventHandler<?, ?> handler, Pid owner) implements Request {}

    record Delete(Object handler, Object args) implements Request {}

    record Swap(Object oldHandler, Object terminateArgs, EventHandler<?, ?> newHandler, Pid owner) implements Request {}

    record Which() implements Request {}
  }

  /** The reply to a call whose handler was missing or failed. */
  record CallFailure(boolean notFound, ExitReason reason) {}

  /** One installed handler. */
  static final class Installed {
    final EventHandler<Object, Object> handler;
    Object state;
    Pid owner; // the supervising process, or null

    @SuppressWarnings("unchecked")
    Installed(EventHandler<?, ?> handler, Object state, Pid owner) {
      this.handler = (EventHandler<Object, Object>) handler;
      this.state = state;
      this.owner = owner;
    }
  }

  /** The handlers, most recently added first. */
  static final class State {
    final List<Installed> handlers = new ArrayList<>();
  }

  @Override
  protected Init<State> init() {
    Proc.trapExits(true);
    return Init.ok(new State());
  }

  // ---------------------------------------------------------------------------------------

  @Override
  protected CallResult<State> handleCall(Request request, From from, State state) {
    return switch (request) {
      case Request.SyncNotify n -> {
        dispatch(state, n.event(), false);
        yield reply("ok", state);
      }
      case Request.Call c -> reply(callHandler(state, c.handler(), c.request()), state);
      case Request.Add a -> reply(add(state, a.handler(), false, null, a.owner()), state);
      case Request.Delete d -> reply(delete(state, d.handler(), d.args()), state);
      case Request.Swap s -> reply(swap(state, s), state);
      case Request.Which w -> {
        List<EventHandler<?, ?>> out = new ArrayList<>();
        for (Installed i : state.handlers) {
          out.add(i.handler);
        }
        yield reply(out, state);
      }
      case Request.Notify n -> {
        dispatch(state, n.event(), false);
        yield reply("ok", state);
      }
    };
  }

  @Override
  protected CastResult<State> handleCast(Request request, State state) {
    if (request instanceof Request.Notify n) {
      dispatch(state, n.event(), false);
    }
    return noReply(state);
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    if (message instanceof ExitMessage exit) {
      // The owner of supervised handlers terminated: they go, with terminate({stop, Reason}).
      for (Installed i : new ArrayList<>(state.handlers)) {
        if (exit.from().equals(i.owner)) {
          i.owner = null; // the owner is gone: nobody to tell
          remove(state, i, new EventHandler.Removal.OwnerExited(exit.reason()), null, null);
        }
      }
    }
    dispatch(state, message, true);
    return noReply(state);
  }

  @Override
  protected void terminate(ExitReason reason, State state) {
    if (state == null) {
      return;
    }
    for (Installed i : new ArrayList<>(state.handlers)) {
      remove(state, i, new EventHandler.Removal.ManagerStopped(), ExitReason.SHUTDOWN, null);
    }
  }

  // ---------------------------------------------------------------------------------------

  /** Passes an event (or an info message) to every handler, newest first; failing ones are removed. */
  private void dispatch(State state, Object event, boolean info) {
    for (Installed i : new ArrayList<>(state.handlers)) {
      if (!state.handlers.contains(i)) {
        continue; // removed by an earlier handler's swap
      }
      EventHandler.EventResult<Object> result;
      try {
        result = info ? i.handler.handleInfo(event, i.state) : i.handler.handleEvent(event, i.state);
      } catch (ProcessExit | ProcessTerminated e) {
        throw e;
      } catch (Throwable t) {
        crashed(state, i, ExitReason.crash(t));
        continue;
      }
      switch (result) {
        case EventHandler.EventResult.Ok<Object> ok -> i.state = ok.state();
        case EventHandler.EventResult.Remove<Object> r -> remove(state, i, new EventHandler.Removal.Removed(),
            ExitReason.NORMAL, null);
        case EventHandler.EventResult.Swap<Object> s -> {
          i.state = s.state();
          doSwap(state, i, s.terminateArgs(), s.newHandler(), i.owner);
        }
        case null -> crashed(state, i, ExitReason.of(BadReturn.value(null)));
      }
    }
  }

  private Object callHandler(State state, Object handler, Object request) {
    Installed i = find(state, handler);
    if (i == null) {
      return new CallFailure(true, null);
    }
    EventHandler.CallResult<Object> result;
    try {
      result = i.handler.handleCall(request, i.state);
    } catch (ProcessExit | ProcessTerminated e) {
      throw e;
    } catch (Throwable t) {
      ExitReason reason = ExitReason.crash(t);
      crashed(state, i, reason);
      return new CallFailure(false, reason);
    }
    switch (result) {
      case EventHandler.CallResult.Ok<Object> ok -> {
        i.state = ok.state();
        return ok.reply();
      }
      case EventHandler.CallResult.Remove<Object> r -> {
        remove(state, i, new EventHandler.Removal.Removed(), ExitReason.NORMAL, null);
        return r.reply();
      }
      case EventHandler.CallResult.Swap<Object> s -> {
        i.state = s.state();
        doSwap(state, i, s.terminateArgs(), s.newHandler(), i.owner);
        return s.reply();
      }
      case null -> {
        ExitReason reason = ExitReason.of(BadReturn.value(null));
        crashed(state, i, reason);
        return new CallFailure(false, reason);
      }
    }
  }

  /**
   * Installs {@code handler}: its init runs, or its initSwapped with {@code terminateResult} when it
   * replaces another ({@code swapped}).
   */
  private GenEvent.AddResult add(State state, EventHandler<?, ?> handler, boolean swapped, Object terminateResult,
      Pid owner) {
    if (find(state, handler.id()) != null) {
      return new GenEvent.AlreadyPresent();
    }
    EventHandler.InitResult<?> init;
    try {
      init = swapped ? handler.initSwapped(terminateResult) : handler.init();
    } catch (ProcessExit | ProcessTerminated e) {
      throw e;
    } catch (Throwable t) {
      return new GenEvent.InitFailed(ExitReason.crash(t));
    }
    switch (init) {
      case EventHandler.InitResult.Ok<?> ok -> {
        state.handlers.addFirst(new Installed(handler, ok.state(), owner));
        if (owner != null) {
          try {
            Proc.link(owner);
          } catch (RuntimeException e) {
            // the owner is already gone: its exit message will remove the handler
          }
        }
        return new GenEvent.Added();
      }
      case EventHandler.InitResult.Error<?> error -> {
        return new GenEvent.InitFailed(error.reason());
      }
      case null -> {
        return new GenEvent.InitFailed(BadReturn.value(null));
      }
    }
  }

  private GenEvent.DeleteResult delete(State state, Object handler, Object args) {
    Installed i = find(state, handler);
    if (i == null) {
      return new GenEvent.NotFound();
    }
    return new GenEvent.Deleted(remove(state, i, new EventHandler.Removal.Deleted(args), ExitReason.NORMAL, null));
  }

  private GenEvent.AddResult swap(State state, Request.Swap s) {
    Installed old = find(state, s.oldHandler());
    if (old == null) {
      return add(state, s.newHandler(), true, new GenEvent.NotFound(), s.owner());
    }
    Pid owner = s.owner() != null ? s.owner() : old.owner;
    return doSwap(state, old, s.terminateArgs(), s.newHandler(), owner);
  }

  private GenEvent.AddResult doSwap(State state, Installed old, Object terminateArgs, EventHandler<?, ?> newHandler,
      Pid owner) {
    Pid previousOwner = old.owner;
    old.owner = null; // the supervised connection moves to the new handler: no exit message for the old one
    Object result = remove(state, old, new EventHandler.Removal.Swapped(terminateArgs), null, null);
    if (previousOwner != null) {
      // OTP tells the supervising process of every swap, even when it stays the supervisor.
      Proc.send(previousOwner, new GenEvent.HandlerExit(Proc.self(), old.handler, ExitReason.of("swapped"), newHandler));
    }
    return add(state, newHandler, true, result, owner);
  }

  /** A handler failed: remove it alone and report it. */
  private void crashed(State state, Installed i, ExitReason reason) {
    Reports.log(new Reports.Report.HandlerCrash(Proc.self(), i.handler, reason));
    remove(state, i, new EventHandler.Removal.Crashed(reason), reason, null);
  }

  /**
   * Takes a handler out: runs its terminate, tells its owner ({@code ownerReason}; null: nobody),
   * returns what terminate returned.
   */
  private Object remove(State state, Installed i, EventHandler.Removal why, ExitReason ownerReason,
      EventHandler<?, ?> swappedTo) {
    state.handlers.remove(i);
    Object result = null;
    try {
      result = i.handler.terminate(why, i.state);
    } catch (ProcessExit | ProcessTerminated e) {
      throw e;
    } catch (Throwable t) {
      Reports.log(new Reports.Report.CallbackFailed(Reports.Report.CallbackFailed.Logged.EVENT,
          "terminate of event handler", i.handler, t));
    }
    if (i.owner != null) {
      Pid owner = i.owner;
      i.owner = null;
      if (ownerReason != null) {
        Proc.send(owner, new GenEvent.HandlerExit(Proc.self(), i.handler, ownerReason, swappedTo));
      }
      if (!ownsAny(state, owner)) {
        Proc.unlink(owner);
      }
    }
    return result;
  }

  private static boolean ownsAny(State state, Pid owner) {
    for (Installed i : state.handlers) {
      if (owner.equals(i.owner)) {
        return true;
      }
    }
    return false;
  }

  /** The installed handler that is {@code idOrHandler}, or whose id equals it; null if none. */
  private static Installed find(State state, Object idOrHandler) {
    for (Installed i : state.handlers) {
      if (i.handler == idOrHandler || Objects.equals(i.handler.id(), idOrHandler)) {
        return i;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------

  @Override
  String behaviourName() {
    return "GenEvent";
  }

  @Override
  Object sysState(State state) {
    List<GenEvent.HandlerState> out = new ArrayList<>();
    for (Installed i : state.handlers) {
      out.add(new GenEvent.HandlerState(i.handler, i.state));
    }
    return out;
  }

  /** Takes the handler states back from a replaced list; handlers not in it keep theirs. */
  @Override
  State sysReplaceState(State state, Object replaced) {
    for (Object o : (List<?>) replaced) {
      GenEvent.HandlerState hs = (GenEvent.HandlerState) o;
      Installed i = find(state, hs.handler());
      if (i != null) {
        i.state = hs.state();
      }
    }
    return state;
  }
}
