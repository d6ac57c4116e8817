package org.otp4j.behaviours;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.otp4j.core.Address;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.RequestId;
import org.otp4j.core.ServerRef;

/**
 * A generic state machine, OTP's {@code gen_statem}: a process with a state and data that reacts to
 * events (calls, casts, messages, timeouts, events it inserts itself) with transitions and actions.
 *
 * <!-- snippet: org.otp4j.behaviours.JavadocExamplesTest#door -->
 * {@snippet :
 * public static final class Door extends GenStatem<Door.State, String, Door.Msg> {
 *   public enum State { LOCKED, OPEN }
 *
 *   public sealed interface Msg {
 *     record Unlock(String code) implements Msg, Call<String> {}
 *   }
 *
 *   @Override protected Init<State, String> init() { return Init.ok(State.LOCKED, "1234"); }
 *
 *   @Override protected Result<State, String> handleEvent(Event<Msg> event, State state, String code) {
 *     return switch (state) {
 *       case LOCKED -> switch (event) {
 *         case Event.Call(From from, Msg.Unlock u) when u.code().equals(code) -> nextState(State.OPEN, code,
 *             Action.reply(from, u, "open"), Action.stateTimeout(Duration.ofSeconds(10), "lock"));
 *         case Event.Call(From from, Msg.Unlock u) -> keepStateAndData(Action.reply(from, u, "wrong code"));
 *         default -> keepStateAndData(Action.postpone());
 *       };
 *       case OPEN -> switch (event) {
 *         case Event.StateTimeout<Msg> lock -> nextState(State.LOCKED, code);
 *         case Event.Call(From from, Msg.Unlock u) -> keepStateAndData(Action.reply(from, u, "already open"));
 *         default -> keepStateAndData();
 *       };
 *     };
 *   }
 * }
 * }
 *
 * <h2>Callback modes</h2>
 * <ul>
 *   <li>{@link CallbackMode#HANDLE_EVENT_FUNCTION} (the default): every event goes to
 *       {@link #handleEvent}, and states can be of any type: an enum, a record, a string.</li>
 *   <li>{@link CallbackMode#STATE_FUNCTIONS}: one handler per state, OTP's {@code state_functions}:
 *       {@link #stateFunction(Object)} returns it; by default the state itself must be a
 *       {@link StateFunction}, typically an enum whose constants each implement {@code handle}.</li>
 * </ul>
 * With {@link #stateEnter()} on, a state is entered with a call carrying {@link Event.Enter}: on the
 * initial state, on every state change and on {@code repeatState}. An enter call may not change the
 * state, postpone, or insert events.
 *
 * <h2>Transitions</h2>
 * A handler returns a {@link Result} built by {@link #nextState}, {@link #keepState},
 * {@link #keepStateAndData}, {@link #repeatState}, {@link #repeatStateAndData}, {@link #stop} or
 * {@link #stopAndReply}, with {@link Action}s that run in this order: replies are sent; the enter call
 * runs; the event is postponed if asked; after a state change postponed events are retried first, in
 * their original order; inserted events ({@link Action#nextEvent}) come before everything queued;
 * then timeouts are set. A state change is a new state that is not {@code equals} to the old one.
 *
 * <h2>Timeouts</h2>
 * <ul>
 *   <li>an event timeout ({@link Action#eventTimeout}) is cancelled by any event;</li>
 *   <li>a state timeout ({@link Action#stateTimeout}) is cancelled by a state change only;</li>
 *   <li>generic timeouts ({@link Action#genericTimeout}), one per name, survive state changes.</li>
 * </ul>
 * Setting a timeout again restarts it; {@link Proc#INFINITY} or the cancel actions cancel it; update
 * actions change its content (and an inactive one fires at once, as in OTP).
 *
 * <p>Calls to a state machine wait forever by default, as in OTP ({@link #call(ServerRef, Call)}).
 *
 * @param <S> the state type
 * @param <D> the data type
 */
public abstract class GenStatem<S, D, M> {

  protected GenStatem() {}

  // =====================================================================================
  // client API

  /** Starts a state machine, not linked to the caller; returns once its init has returned. */
  public static <M> ServerRef<M> start(GenStatem<?, ?, M> machine) {
    return start(machine, StartOptions.defaults());
  }

  /** Starts a state machine registered under {@code name} (a typed name). */
  public static <M> ServerRef<M> start(ServerRef<M> name, GenStatem<?, ?, M> machine) {
    return start(machine, StartOptions.defaults().withName(Gen.nameOf(name)));
  }

  /** Starts a state machine registered under {@code name} (an untyped name). */
  public static <M> ServerRef<M> start(Name name, GenStatem<?, ?, M> machine) {
    return start(machine, StartOptions.defaults().withName(name));
  }

  /**
   * Starts a state machine, not linked to the caller.
   *
   * @return the state machine, typed by its protocol
   * @throws StartException if it did not start (see {@link GenServer#start(GenServer, StartOptions)})
   */
  public static <M> ServerRef<M> start(GenStatem<?, ?, M> machine, StartOptions options) {
    return ServerRef.of(Gen.pidOrThrow("GenStatem.start", tryStart(machine, options, Gen.Tie.NONE).result()));
  }

  /** Starts a state machine linked to the caller. */
  public static <M> ServerRef<M> startLink(GenStatem<?, ?, M> machine) {
    return startLink(machine, StartOptions.defaults());
  }

  /** Starts a state machine linked to the caller and registered under {@code name} (a typed name). */
  public static <M> ServerRef<M> startLink(ServerRef<M> name, GenStatem<?, ?, M> machine) {
    return startLink(machine, StartOptions.defaults().withName(Gen.nameOf(name)));
  }

  /** Starts a state machine linked to the caller and registered under {@code name} (an untyped name). */
  public static <M> ServerRef<M> startLink(Name name, GenStatem<?, ?, M> machine) {
    return startLink(machine, StartOptions.defaults().withName(name));
  }

  /** Starts a state machine linked to the caller; see {@link GenServer#startLink(GenServer, StartOptions)}. */
  public static <M> ServerRef<M> startLink(GenStatem<?, ?, M> machine, StartOptions options) {
    return ServerRef.of(Gen.pidOrThrow("GenStatem.startLink", tryStart(machine, options, Gen.Tie.LINK).result()));
  }

  /** Starts a state machine monitored by the caller (OTP's {@code start_monitor}). */
  public static <M> GenServer.Monitored<M> startMonitor(GenStatem<?, ?, M> machine, StartOptions options) {
    Gen.Start s = tryStart(machine, options, Gen.Tie.MONITOR);
    return new GenServer.Monitored<>(ServerRef.of(Gen.pidOrThrow("GenStatem.startMonitor", s.result())), s.monitor());
  }

  /** Starts a state machine, not linked, and returns the outcome without throwing. */
  public static StartResult tryStart(GenStatem<?, ?, ?> machine, StartOptions options) {
    return tryStart(machine, options, Gen.Tie.NONE).result();
  }

  /** Starts a state machine linked to the caller and returns the outcome without throwing. */
  public static StartResult tryStartLink(GenStatem<?, ?, ?> machine, StartOptions options) {
    return tryStart(machine, options, Gen.Tie.LINK).result();
  }

  private static Gen.Start tryStart(GenStatem<?, ?, ?> machine, StartOptions options, Gen.Tie tie) {
    Objects.requireNonNull(machine, "machine");
    return Gen.start("GenStatem", options, tie, starter -> new GenStatemEngine<>(machine, options.name()).run(starter));
  }

  /**
   * Calls the state machine with a typed request and waits for its typed reply <b>as long as it
   * takes</b>: OTP's default timeout for {@code gen_statem:call} is {@code infinity}, unlike
   * {@link GenServer#call}'s 5 seconds. Give a timeout with
   * {@link #call(ServerRef, Call, Duration)} where waiting forever is not what you want.
   *
   * @throws CallException if it does not exist or terminates before replying
   */
  public static <Q extends Call<R>, R> R call(ServerRef<? super Q> machine, Q request) {
    return call(machine, request, Proc.INFINITY);
  }

  /** Calls with a timeout ({@link CallException} with {@code timeout} past it). */
  @SuppressWarnings("unchecked") // the reply of a Call<R> is an R
  public static <Q extends Call<R>, R> R call(ServerRef<? super Q> machine, Q request, Duration timeout) {
    return (R) Gen.call("GenStatem.call", machine, request, timeout);
  }

  /** Calls the state machine {@code pid} with an untyped request, waiting as long as it takes (OTP's default). */
  public static Object call(Pid machine, Object request) {
    return call(machine, request, Proc.INFINITY);
  }

  /** Untyped call with a timeout. */
  public static Object call(Pid machine, Object request, Duration timeout) {
    return Gen.call("GenStatem.call", machine, request, timeout);
  }

  /** Calls the state machine registered under {@code name} with an untyped request, waiting as long as it takes. */
  public static Object call(Name machine, Object request) {
    return call(machine, request, Proc.INFINITY);
  }

  /** Untyped call by name with a timeout. */
  public static Object call(Name machine, Object request, Duration timeout) {
    return Gen.call("GenStatem.call", machine, request, timeout);
  }

  /**
   * Sends a typed call event without waiting for the reply (OTP's {@code gen_statem:send_request});
   * see {@link GenServer#sendRequest(ServerRef, Call)} for how the reply is collected.
   */
  public static <Q extends Call<R>, R> RequestId<R> sendRequest(ServerRef<? super Q> machine, Q request) {
    return Gen.sendRequest(machine, request);
  }

  /** Untyped {@link #sendRequest(ServerRef, Call)} to a pid. */
  public static RequestId<Object> sendRequest(Pid machine, Object request) {
    return Gen.sendRequest(machine, request);
  }

  /** Untyped {@link #sendRequest(ServerRef, Call)} to a name. */
  public static RequestId<Object> sendRequest(Name machine, Object request) {
    return Gen.sendRequest(machine, request);
  }

  /** Sends a typed event without waiting. Never fails. */
  public static <M> void cast(ServerRef<M> machine, M request) {
    Gen.cast(machine, request);
  }

  /** Sends an untyped event to a pid without waiting. Never fails. */
  public static void cast(Pid machine, Object request) {
    Gen.cast(machine, request);
  }

  /** Sends an untyped event to a name without waiting. Never fails. */
  public static void cast(Name machine, Object request) {
    Gen.cast(machine, request);
  }

  /** Stops the state machine with {@code normal}. */
  public static void stop(Address machine) {
    stop(machine, ExitReason.NORMAL, Proc.INFINITY);
  }

  /** Stops the state machine with {@code reason}; see {@link GenServer#stop(Address, ExitReason, Duration)}. */
  public static void stop(Address machine, ExitReason reason, Duration timeout) {
    Gen.stop("GenStatem.stop", machine, reason, timeout);
  }

  // =====================================================================================
  // callbacks

  /** How events reach the state machine. */
  public enum CallbackMode {
    /** Every event goes to {@link #handleEvent}. */
    HANDLE_EVENT_FUNCTION,
    /** Every event goes to the handler of the current state, {@link #stateFunction(Object)}. */
    STATE_FUNCTIONS
  }

  /** Initialises the state machine: its first state, data and actions. */
  protected abstract Init<S, D> init() throws Exception;

  /** The callback mode; {@link CallbackMode#HANDLE_EVENT_FUNCTION} unless overridden. */
  protected CallbackMode callbackMode() {
    return CallbackMode.HANDLE_EVENT_FUNCTION;
  }

  /** Whether states are entered with an {@link Event.Enter} call; false unless overridden. */
  protected boolean stateEnter() {
    return false;
  }

  /**
   * Handles an event in {@link CallbackMode#HANDLE_EVENT_FUNCTION} mode. The default stops with a
   * reason saying it is missing.
   */
  protected Result<S, D> handleEvent(Event<M> event, S state, D data) throws Exception {
    return stop(ExitReason.of("handleEvent is not implemented in " + getClass().getName()
        + " (callback mode " + callbackMode() + ") but event " + event + " arrived in state " + state));
  }

  /**
   * The handler of {@code state} in {@link CallbackMode#STATE_FUNCTIONS} mode. By default the state
   * itself, which must then implement {@link StateFunction}.
   */
  @SuppressWarnings("unchecked")
  protected StateFunction<S, D, M> stateFunction(S state) {
    if (state instanceof StateFunction<?, ?, ?> f) {
      return (StateFunction<S, D, M>) f;
    }
    throw new IllegalStateException("callback mode STATE_FUNCTIONS: state " + state + " is not a StateFunction; "
        + "make the state type implement GenStatem.StateFunction, or override stateFunction(state) in "
        + getClass().getName());
  }

  /** Runs before the state machine terminates (as {@link GenServer#terminate}). */
  protected void terminate(ExitReason reason, S state, D data) throws Exception {}

  /** Shapes status and crash reports, to hide secrets. The default shows everything. */
  protected Status formatStatus(Status status) {
    return status;
  }

  /** The handler of one state in {@link CallbackMode#STATE_FUNCTIONS} mode. */
  @FunctionalInterface
  public interface StateFunction<S, D, M> {
    Result<S, D> handle(Event<M> event, D data) throws Exception;
  }

  // =====================================================================================
  // events

  /**
   * An event, as a handler receives it: switch on it with record patterns. Calls and casts carry the
   * machine's protocol {@code M}; the other events carry what their sender or timer gave.
   *
   * @param <M> the state machine's protocol: what calls and casts carry
   */
  public sealed interface Event<M> {
    /** A call: reply with {@link Action#reply} (typed: {@link Action#reply(From, org.otp4j.core.Call, Object)}), or {@code from.reply(value)} later. */
    record Call<M>(From from, M request) implements Event<M> {}

    /** A cast. */
    record Cast<M>(M request) implements Event<M> {}

    /** Any other message. */
    record Info<M>(Object message) implements Event<M> {}

    /** The event timeout fired. */
    record Timeout<M>(Object content) implements Event<M> {}

    /** The state timeout fired. */
    record StateTimeout<M>(Object content) implements Event<M> {}

    /** A generic timeout fired. */
    record GenericTimeout<M>(Object name, Object content) implements Event<M> {}

    /** An event inserted by {@link Action#nextEvent} as internal. */
    record Internal<M>(Object content) implements Event<M> {}

    /** The state enter call: {@code oldState} equals the current state on the first one and on a repeat. */
    record Enter<M>(Object oldState) implements Event<M> {}
  }

  // =====================================================================================
  // results

  /** What {@link #init()} returns. */
  public sealed interface Init<S, D> {
    record Ok<S, D>(S state, D data, List<Action> actions) implements Init<S, D> {}

    record Ignore<S, D>() implements Init<S, D> {}

    record Stop<S, D>(ExitReason reason) implements Init<S, D> {}

    record Error<S, D>(ExitReason reason) implements Init<S, D> {}

    static <S, D> Init<S, D> ok(S state, D data, Action... actions) {
      return new Ok<>(state, data, List.of(actions));
    }

    static <S, D> Init<S, D> ignore() {
      return new Ignore<>();
    }

    static <S, D> Init<S, D> stop(ExitReason reason) {
      return new Stop<>(Objects.requireNonNull(reason, "reason"));
    }

    static <S, D> Init<S, D> error(ExitReason reason) {
      return new Error<>(Objects.requireNonNull(reason, "reason"));
    }
  }

  /** What a handler returns: a transition with actions, or a stop. */
  public sealed interface Result<S, D> {
    /** Go to {@code state} (a state change if it differs from the current one). */
    record NextState<S, D>(S state, D data, List<Action> actions) implements Result<S, D> {}

    /** Stay, with new data. */
    record KeepState<S, D>(D data, List<Action> actions) implements Result<S, D> {}

    /** Stay, keeping the data. */
    record KeepStateAndData<S, D>(List<Action> actions) implements Result<S, D> {}

    /** Stay, with new data, and run the enter call again. */
    record RepeatState<S, D>(D data, List<Action> actions) implements Result<S, D> {}

    /** Stay, keeping the data, and run the enter call again. */
    record RepeatStateAndData<S, D>(List<Action> actions) implements Result<S, D> {}

    /** Terminate; {@code data} replaces the data unless {@code keepData}. */
    record Stop<S, D>(ExitReason reason, D data, boolean keepData) implements Result<S, D> {}

    /** Send the replies, then terminate. */
    record StopAndReply<S, D>(ExitReason reason, D data, boolean keepData, List<Action.Reply> replies)
        implements Result<S, D> {}
  }

  public static <S, D> Result<S, D> nextState(S state, D data, Action... actions) {
    return new Result.NextState<>(state, data, List.of(actions));
  }

  public static <S, D> Result<S, D> keepState(D data, Action... actions) {
    return new Result.KeepState<>(data, List.of(actions));
  }

  public static <S, D> Result<S, D> keepStateAndData(Action... actions) {
    return new Result.KeepStateAndData<>(List.of(actions));
  }

  public static <S, D> Result<S, D> repeatState(D data, Action... actions) {
    return new Result.RepeatState<>(data, List.of(actions));
  }

  public static <S, D> Result<S, D> repeatStateAndData(Action... actions) {
    return new Result.RepeatStateAndData<>(List.of(actions));
  }

  public static <S, D> Result<S, D> stop(ExitReason reason) {
    return new Result.Stop<>(Objects.requireNonNull(reason, "reason"), null, true);
  }

  public static <S, D> Result<S, D> stop(ExitReason reason, D data) {
    return new Result.Stop<>(Objects.requireNonNull(reason, "reason"), data, false);
  }

  public static <S, D> Result<S, D> stopAndReply(ExitReason reason, D data, Action.Reply... replies) {
    return new Result.StopAndReply<>(Objects.requireNonNull(reason, "reason"), data, false, List.of(replies));
  }

  // =====================================================================================
  // actions

  /** What to do besides the transition. Actions run in the order given; for timeouts, the last one of a kind wins. */
  public sealed interface Action {
    /** Postpone the current event until the state changes. */
    static Action postpone() {
      return Postpone.INSTANCE;
    }

    /** Insert {@code event} to be handled before anything queued (events are inserted in the order given). */
    static Action nextEvent(Event<?> event) {
      return new NextEvent(Objects.requireNonNull(event, "event"));
    }

    /** Reply to a call. */
    static Reply reply(From from, Object reply) {
      return new Reply(Objects.requireNonNull(from, "from"), reply);
    }

    /**
     * Reply to a typed call with a value of its reply type: javac checks that {@code value} is what
     * {@code request}'s caller gets back.
     */
    static <R> Reply reply(From from, org.otp4j.core.Call<R> request, R value) {
      Objects.requireNonNull(request, "request: the Call being answered");
      return new Reply(Objects.requireNonNull(from, "from"), value);
    }

    /** Unless another event arrives within {@code after}, an {@link Event.Timeout} with {@code content}. */
    static Action eventTimeout(Duration after, Object content) {
      return new SetTimer(TimerKind.EVENT, null, Objects.requireNonNull(after, "after"), content);
    }

    /** Unless the state changes within {@code after}, an {@link Event.StateTimeout} with {@code content}. */
    static Action stateTimeout(Duration after, Object content) {
      return new SetTimer(TimerKind.STATE, null, Objects.requireNonNull(after, "after"), content);
    }

    /** After {@code after}, a {@link Event.GenericTimeout} named {@code name}, whatever the state. */
    static Action genericTimeout(Object name, Duration after, Object content) {
      return new SetTimer(TimerKind.GENERIC, Objects.requireNonNull(name, "name"), Objects.requireNonNull(after, "after"),
          content);
    }

    static Action cancelEventTimeout() {
      return new CancelTimer(TimerKind.EVENT, null);
    }

    static Action cancelStateTimeout() {
      return new CancelTimer(TimerKind.STATE, null);
    }

    static Action cancelGenericTimeout(Object name) {
      return new CancelTimer(TimerKind.GENERIC, Objects.requireNonNull(name, "name"));
    }

    /** Changes the content of the running event timeout (or fires one at once if none runs). */
    static Action updateEventTimeout(Object content) {
      return new UpdateTimer(TimerKind.EVENT, null, content);
    }

    /** Changes the content of the running state timeout (or fires one at once if none runs). */
    static Action updateStateTimeout(Object content) {
      return new UpdateTimer(TimerKind.STATE, null, content);
    }

    /** Changes the content of a running generic timeout (or fires one at once if none runs). */
    static Action updateGenericTimeout(Object name, Object content) {
      return new UpdateTimer(TimerKind.GENERIC, Objects.requireNonNull(name, "name"), content);
    }

    /** OTP's hibernate: accepted and does nothing on the JVM (see {@link GenServer.Action#hibernate()}). */
    static Action hibernate() {
      return Hibernate.INSTANCE;
    }

    enum Postpone implements Action { INSTANCE }

    enum Hibernate implements Action { INSTANCE }

    record NextEvent(Event<?> event) implements Action {}

    record Reply(From from, Object reply) implements Action {}

    record SetTimer(TimerKind kind, Object name, Duration after, Object content) implements Action {}

    record CancelTimer(TimerKind kind, Object name) implements Action {}

    record UpdateTimer(TimerKind kind, Object name, Object content) implements Action {}
  }

  /** The three kinds of timeout. */
  public enum TimerKind { EVENT, STATE, GENERIC }

  /** The state and data of a state machine, as {@link Sys#getState} returns them. */
  public record StateAndData(Object state, Object data) {}

  /**
   * What a status or crash report shows; {@link #formatStatus} may replace any part.
   *
   * @param state the state
   * @param data the data
   * @param event the event being handled, or null
   * @param reason the exit reason in a crash report, else null
   * @param postponed the postponed events
   */
  public record Status(Object state, Object data, Object event, ExitReason reason, List<Object> postponed) {
    public Status withData(Object newData) {
      return new Status(state, newData, event, reason, postponed);
    }
  }
}
