package org.otp4j.behaviours;

import java.time.Duration;
import java.util.Optional;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessExit;
import org.otp4j.core.ProcessTerminated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of one {@link GenServer} process: init and the start handshake, then one message at a
 * time, OTP's {@code gen_server} loop.
 *
 * <p>Every callback runs inside {@link #invoke}: a thrown exception, or {@link Proc#exit} called in
 * a callback, becomes the exit reason. Termination always goes through {@link #terminate}, which
 * runs the {@code terminate} callback, logs a crash report for a reason that is not orderly, and
 * ends the process with {@link Proc#exit(ExitReason)}.
 */
final class GenServerEngine<S, M> implements SysHandler {
  static final Logger LOG = LoggerFactory.getLogger(GenServer.class);

  private final GenServer<S, M> server;
  private final Name name;
  private Pid self;
  private Pid parent;
  private S state;
  private Object lastMessage;
  private final Debug debug = new Debug();

  GenServerEngine(GenServer<S, M> server, Name name) {
    this.server = server;
    this.name = name;
  }

  // ---------------------------------------------------------------------------------------
  // start

  void run(Gen.Starter starter) {
    self = Proc.self();
    parent = starter.parent();
    debug.setSelf(self);
    GenServer.Init<S> init;
    try {
      init = server.init();
    } catch (ProcessExit e) {
      failInit(starter, e.reason());
      return;
    } catch (ProcessTerminated e) {
      throw e; // killed meanwhile: nothing more runs, no terminate, no report
    } catch (Throwable t) {
      failInit(starter, ExitReason.crash(t));
      return;
    }
    switch (init) {
      case GenServer.Init.Ok<S> ok -> {
        state = ok.state();
        starter.ack(new StartResult.Started(self));
        loop(ok.action());
      }
      case GenServer.Init.Ignore<S> ignore -> starter.ack(new StartResult.Ignored());
      case GenServer.Init.Stop<S> stop -> failInit(starter, stop.reason());
      case GenServer.Init.Error<S> error -> starter.ack(new StartResult.Failed(error.reason()));
      case null -> failInit(starter, ExitReason.of(new GenServer.BadReturnValue(null)));
    }
  }

  /**
   * The calling process becomes the server, with {@code initialState}, without init or a start
   * handshake (OTP's {@code enter_loop}). Never returns normally: the process ends when the server
   * stops.
   */
  void enterLoop(S initialState, GenServer.Action action, Pid parentProcess) {
    self = Proc.self();
    parent = parentProcess;
    debug.setSelf(self);
    if (name != null && !Proc.whereis(name).map(self::equals).orElse(false)) {
      // The name must already be the calling process's own; OTP's reasons (gen:get_proc_name/1).
      Proc.exit(ExitReason.of(name instanceof Name.Via ? "process_not_registered_via" : "process_not_registered"));
    }
    state = initialState;
    loop(action);
  }

  /**
   * Init failed with {@code reason}: acknowledge, report it unless it is orderly (proc_lib's crash
   * report), and exit with it.
   */
  private void failInit(Gen.Starter starter, ExitReason reason) {
    if (!reason.isOrderly()) {
      Reports.initCrash(server.behaviourName(), label(), reason);
    }
    starter.ack(new StartResult.Failed(reason));
    Proc.exit(reason);
  }

  // ---------------------------------------------------------------------------------------
  // the loop

  private void loop(GenServer.Action action) {
    long messageDeadline = 0L; // for Action.MessageTimeout: absolute, unaffected by system messages
    for (;;) {
      Object message;
      if (action instanceof GenServer.Action.Continue c) {
        lastMessage = c;
        action = handleCast(invoke(() -> server.handleContinue(c.continuation(), state)), c);
        continue;
      }
      if (action instanceof GenServer.Action.MessageTimeout t && messageDeadline == 0L) {
        messageDeadline = System.nanoTime() + nanos(t.after());
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
            long left = messageDeadline - System.nanoTime();
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
      case Gen.GenCall call -> {
        @SuppressWarnings("unchecked")
        M request = (M) call.request();
        return handleCall(invoke(() -> server.handleCall(request, call.from(), state)), call);
      }
      case Gen.GenCast cast -> {
        @SuppressWarnings("unchecked")
        M request = (M) cast.request();
        return handleCast(invoke(() -> server.handleCast(request, state)), cast);
      }
      case ExitMessage exit when exit.from().equals(parent) && !parent.equals(self) -> {
        terminate(exit.reason(), message, null);
        return null;
      }
      default -> {
        return handleCast(invoke(() -> server.handleInfo(message, state)), message);
      }
    }
  }

  private GenServer.Action handleCall(GenServer.CallResult<S> result, Gen.GenCall call) {
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
        terminate(ExitReason.of(new GenServer.BadReturnValue(null)), message, clientOf(message));
        return null;
      }
    }
  }

  /** A callback; what it throws becomes the exit reason. */
  @FunctionalInterface
  private interface Callback<T> {
    T call() throws Exception;
  }

  private <T> T invoke(Callback<T> callback) {
    long start = debug.timing() ? System.nanoTime() : 0L;
    FlightEvents.SlowHandler slow = FlightEvents.beginCallback();
    try {
      return callback.call();
    } catch (ProcessExit e) {
      terminate(e.reason(), lastMessage, clientOf(lastMessage));
      throw new AssertionError("unreachable");
    } catch (ProcessTerminated e) {
      throw e; // killed meanwhile: nothing more runs, no terminate, no report
    } catch (Throwable t) {
      terminate(ExitReason.crash(t), lastMessage, clientOf(lastMessage));
      throw new AssertionError("unreachable");
    } finally {
      if (start != 0L) {
        debug.handled(System.nanoTime() - start);
      }
      FlightEvents.endCallback(slow, self, server.behaviourName(), "handle", lastMessage);
    }
  }

  // ---------------------------------------------------------------------------------------
  // termination

  /** Runs terminate, reports, and exits. Never returns. */
  private void terminate(ExitReason reason, Object message, From client) {
    finish(runTerminate(reason), message, client);
  }

  /** Runs the terminate callback; returns the reason to exit with (its own if it throws). */
  private ExitReason runTerminate(ExitReason reason) {
    try {
      server.terminate(reason, state);
      return reason;
    } catch (ProcessExit e) {
      return e.reason();
    } catch (ProcessTerminated e) {
      throw e; // killed meanwhile: nothing more runs, no terminate, no report
    } catch (Throwable t) {
      return ExitReason.crash(t);
    }
  }

  private void finish(ExitReason reason, Object message, From client) {
    debug.terminate(reason, state);
    if (!reason.isOrderly()) {
      GenServer.Status status = formatStatus(new GenServer.Status(state, message, reason, debug.log()));
      Reports.serverTerminating(label(), status, reason, client);
    }
    Proc.exit(reason);
  }

  private static From clientOf(Object message) {
    return message instanceof Gen.GenCall call ? call.from() : null;
  }

  private GenServer.Status formatStatus(GenServer.Status status) {
    try {
      GenServer.Status formatted = server.formatStatus(status);
      return formatted != null ? formatted : status;
    } catch (RuntimeException e) {
      return new GenServer.Status(server.getClass().getName() + ".formatStatus crashed: " + e, null,
          status.reason(), java.util.List.of());
    }
  }

  private String label() {
    return Gen.label(self, name);
  }

  private static long nanos(Duration d) {
    return d.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 4 : d.toNanos();
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
