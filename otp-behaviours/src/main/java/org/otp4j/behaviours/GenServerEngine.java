package org.otp4j.behaviours;

import org.otp4j.core.internal.NodeRuntime;
import java.time.Duration;
import java.util.Optional;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.GenCall;
import org.otp4j.core.GenCast;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Timeouts;

/**
 * The loop of one {@link GenServer} process, OTP's {@code gen_server} loop: init and the start
 * handshake, then one message at a time. The steps every behaviour shares (the guard around
 * callbacks, terminate, the crash report, the exit) are {@link GenEngine}'s.
 */
final class GenServerEngine<S, M> extends GenEngine {
  private final GenServer<S, M> server;
  private S state;
  private Object lastMessage;

  GenServerEngine(GenServer<S, M> server, Name name) {
    super(name);
    this.server = server;
  }

  @Override
  String behaviourName() {
    return server.behaviourName();
  }

  // ---------------------------------------------------------------------------------------
  // start

  void run(Gen.Starter starter) {
    bind(Proc.self(), starter.parent());
    GenServer.Init<S> init = init(starter, server::init);
    switch (init) {
      case GenServer.Init.Ok<S> ok -> {
        state = ok.state();
        starter.ack(new StartResult.Started(self));
        loop(ok.action());
      }
      case GenServer.Init.Ignore<S> ignore -> starter.ack(new StartResult.Ignored());
      case GenServer.Init.Stop<S> stop -> failInit(starter, stop.reason());
      case GenServer.Init.Error<S> error -> starter.ack(new StartResult.Failed(error.reason()));
      case null -> failInit(starter, ExitReason.of(BadReturn.value(null)));
    }
  }

  /**
   * The calling process becomes the server, with {@code initialState}, without init or a start
   * handshake (OTP's {@code enter_loop}). Never returns normally: the process ends when the server
   * stops.
   */
  void enterLoop(S initialState, GenServer.Action action, Pid parentProcess) {
    bind(Proc.self(), parentProcess);
    if (name != null && !Proc.whereis(name).map(self::equals).orElse(false)) {
      // The name must already be the calling process's own; OTP's reasons (gen:get_proc_name/1).
      Proc.exit(ExitReason.of(name instanceof Name.Via ? "process_not_registered_via" : "process_not_registered"));
    }
    state = initialState;
    loop(action);
  }

  // ---------------------------------------------------------------------------------------
  // the loop

  private void loop(GenServer.Action action) {
    long messageDeadline = 0L; // for Action.MessageTimeout: absolute, unaffected by system messages
    for (;;) {
      Object message;
      if (action instanceof GenServer.Action.Continue c) {
        lastMessage = c;
        action = handleCast(invoke("handleContinue", c, () -> server.handleContinue(c.continuation(), state)), c);
        continue;
      }
      if (action instanceof GenServer.Action.MessageTimeout t && Timeouts.isInfinite(t.after())) {
        action = null; // a timeout that never fires
      }
      if (action instanceof GenServer.Action.MessageTimeout t && messageDeadline == 0L) {
        messageDeadline = NodeRuntime.currentNanoTime() + t.after().toNanos();
      }
      if (debug.suspended()) {
        // Suspended: only system messages; a pending timeout waits until the process is resumed.
        message = Proc.receive(m -> m instanceof Gen.SystemMessage);
      } else {
        switch (action) {
          case GenServer.Action.IdleTimeout t -> {
            Optional<Object> m = Proc.receive(t.after());
            message = m.isPresent() ? m.get() : new GenServer.Timeout();
          }
          case GenServer.Action.MessageTimeout t -> {
            long left = messageDeadline - NodeRuntime.currentNanoTime();
            Optional<Object> m = left <= 0 ? Optional.empty() : Proc.receive(Duration.ofNanos(left));
            if (m.isPresent()) {
              message = m.get();
            } else {
              messageDeadline = 0L;
              message = t.message();
            }
          }
          case null, default -> message = Proc.receive();
        }
      }
      if (message instanceof Gen.SystemMessage system) {
        Sys.handle(this, system, debug); // a pending timeout carries on (a plain one restarts, as in OTP)
        continue;
      }
      messageDeadline = 0L;
      action = handle(message);
    }
  }

  private GenServer.Action handle(Object message) {
    lastMessage = message;
    debug.in(message);
    switch (message) {
      case GenCall call -> {
        @SuppressWarnings("unchecked")
        M request = (M) call.request();
        return handleCall(invoke("handleCall", message, () -> server.handleCall(request, call.from(), state)), call);
      }
      case GenCast cast -> {
        @SuppressWarnings("unchecked")
        M request = (M) cast.request();
        return handleCast(invoke("handleCast", message, () -> server.handleCast(request, state)), cast);
      }
      case ExitMessage exit when isParentExit(exit) -> {
        terminate(exit.reason(), message, null);
        return null;
      }
      default -> {
        return handleCast(invoke("handleInfo", message, () -> server.handleInfo(message, state)), message);
      }
    }
  }

  private GenServer.Action handleCall(GenServer.CallResult<S> result, GenCall call) {
    From from = call.from();
    switch (result) {
      case GenServer.Reply<S> r -> {
        state = r.state();
        from.reply(r.reply());
        debug.out(r.reply(), from, state);
        return r.action();
      }
      case GenServer.NoReply<S> r -> {
        return handleCast(r, call);
      }
      case GenServer.Stop<S> r -> {
        return handleCast(r, call);
      }
      case GenServer.StopReply<S> r -> {
        state = r.state();
        ExitReason reason = runTerminate(r.reason());
        from.reply(r.reply());
        finish(reason, call, from);
        return null;
      }
      case null -> {
        return handleCast(null, call);
      }
    }
  }

  /** The results a cast, an info, a continue and a call share; {@code message} may be a call. */
  private GenServer.Action handleCast(GenServer.CastResult<S> result, Object message) {
    switch (result) {
      case GenServer.NoReply<S> r -> {
        state = r.state();
        debug.noReply(state);
        return r.action();
      }
      case GenServer.Stop<S> r -> {
        state = r.state();
        terminate(r.reason(), message, clientOf(message));
        return null;
      }
      case null -> {
        terminate(ExitReason.of(BadReturn.value(null)), message, clientOf(message));
        return null;
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // termination

  /** A callback failed with {@code reason}: terminate, with the message it was handling in the report. */
  @Override
  void terminate(ExitReason reason) {
    terminate(reason, lastMessage, clientOf(lastMessage));
  }

  /** Runs terminate, reports, and exits. Never returns. */
  private void terminate(ExitReason reason, Object message, From client) {
    finish(runTerminate(reason), message, client);
  }

  /** Runs the terminate callback; returns the reason to exit with (its own if it throws). */
  private ExitReason runTerminate(ExitReason reason) {
    return callTerminate(reason, () -> server.terminate(reason, state));
  }

  private void finish(ExitReason reason, Object message, From client) {
    exit(reason, state, () -> Reports.serverTerminating(server.behaviourName(), label(),
        formatStatus(new GenServer.Status(state, message, reason, debug.log())), reason, client));
  }

  private static From clientOf(Object message) {
    return message instanceof GenCall call ? call.from() : null;
  }

  private GenServer.Status formatStatus(GenServer.Status status) {
    return formatted(server::formatStatus, status, e -> new GenServer.Status(
        server.getClass().getName() + ".formatStatus crashed: " + e, null, status.reason(), java.util.List.of()));
  }

  // ---------------------------------------------------------------------------------------
  // system messages

  @Override
  public Object systemState() {
    return server.sysState(state);
  }

  @Override
  public void replaceSystemState(Object newState) {
    state = server.sysReplaceState(state, newState);
  }

  @Override
  public Sys.Status systemStatus() {
    GenServer.Status status = formatStatus(new GenServer.Status(state, null, null, debug.log()));
    return new Sys.Status(self, server.behaviourName(), server.getClass().getName(), debug.suspended(), parent,
        status.state(), debug.log());
  }

  @Override
  public void systemTerminate(ExitReason reason) {
    terminate(reason, lastMessage, null);
  }
}
