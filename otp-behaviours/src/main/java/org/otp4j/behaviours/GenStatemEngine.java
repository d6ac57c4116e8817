package org.otp4j.behaviours;

import org.otp4j.core.internal.NodeRuntime;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.otp4j.behaviours.GenStatem.Action;
import org.otp4j.behaviours.GenStatem.Event;
import org.otp4j.behaviours.GenStatem.Result;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.GenCall;
import org.otp4j.core.GenCast;
import org.otp4j.core.Name;
import org.otp4j.core.Proc;

/**
 * The loop of one {@link GenStatem} process, following OTP's transition algorithm:
 * <ol>
 *   <li>the replies of the transition are sent;</li>
 *   <li>the state enter call runs, if state enter is on and this is the initial state, a state
 *       change or a repeat;</li>
 *   <li>the current event is postponed, if asked;</li>
 *   <li>on a state change, the postponed events go back to the front of the queue, oldest first;</li>
 *   <li>inserted events go to the very front, in the order given;</li>
 *   <li>timeouts are set, cancelled or updated; a zero-time state or generic timeout is queued as the
 *       newest event (and can still be cancelled or restarted until it is handled); a zero-time event
 *       timeout is queued only if nothing else is, since any event cancels it;</li>
 *   <li>the next queued event is handled, or else the next message is received.</li>
 * </ol>
 * The timeouts are {@link StatemTimers}'. The event timeout is the receive timeout of the next
 * wait; a suspended machine does not wait on it.
 */
final class GenStatemEngine<S, D, M> extends GenEngine {

  private final GenStatem<S, D, M> machine;
  private boolean stateEnter;
  private GenStatem.CallbackMode mode;
  private S state;
  private D data;
  /** Events to handle before receiving: {@link Event}s, and {@link StatemTimers.TimerFired}s of zero-time timeouts. */
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private final List<Event<M>> postponed = new ArrayList<>();
  private final StatemTimers timers = new StatemTimers(queue);
  private Event<M> current;

  GenStatemEngine(GenStatem<S, D, M> machine, Name name) {
    super(name);
    this.machine = machine;
  }

  @Override
  String behaviourName() {
    return "GenStatem";
  }

  // ---------------------------------------------------------------------------------------
  // start

  void run(Gen.Starter starter) {
    bind(Proc.self(), starter.parent());
    timers.bind(self);
    GenStatem.Init<S, D> init = init(starter, () -> {
      mode = Objects.requireNonNull(machine.callbackMode(), "callbackMode()");
      stateEnter = machine.stateEnter();
      return machine.init();
    });
    switch (init) {
      case GenStatem.Init.Ok<S, D> ok -> {
        state = ok.state();
        data = ok.data();
        starter.ack(new StartResult.Started(self));
        Parsed p = parse(ok.actions(), false);
        List<Object> timerOps = new ArrayList<>(p.timerOps);
        if (stateEnter) {
          timerOps.addAll(enter(state));
        }
        insertNextEvents(p.nextEvents); // postpone is ignored in init (OTP)
        timers.apply(timerOps);
        loop();
      }
      case GenStatem.Init.Ignore<S, D> ignore -> starter.ack(new StartResult.Ignored());
      case GenStatem.Init.Stop<S, D> stop -> failInit(starter, stop.reason());
      case GenStatem.Init.Error<S, D> error -> starter.ack(new StartResult.Failed(error.reason()));
      case null -> failInit(starter, ExitReason.of(new BadReturn("bad_return_from_init", null)));
    }
  }

  // ---------------------------------------------------------------------------------------
  // the loop

  private void loop() {
    for (;;) {
      Event<M> event = nextQueued();
      if (event == null) {
        event = receiveEvent();
      }
      current = event;
      debug.event(new Sys.Event.In(event));
      Event<M> e = event;
      transition(invoke("handleEvent", event, () -> dispatch(e)), event);
    }
  }

  private Result<S, D> dispatch(Event<M> event) throws Exception {
    return mode == GenStatem.CallbackMode.STATE_FUNCTIONS
        ? machine.stateFunction(state).handle(event, data)
        : machine.handleEvent(event, state, data);
  }

  /** The next queued event; a queued zero-time timeout that was cancelled or restarted is skipped. */
  @SuppressWarnings("unchecked") // the queue holds this machine's events and its timers' messages
  private Event<M> nextQueued() {
    Object next;
    while ((next = queue.poll()) != null) {
      if (next instanceof Event<?> e) {
        return (Event<M>) e;
      }
      Event<M> e = toEvent(next);
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  /** Receives the next event; handles system messages and stale timer messages on the way. */
  private Event<M> receiveEvent() {
    for (;;) {
      Object message;
      StatemTimers.EventTimer timeout = timers.eventTimeout();
      if (debug.suspended()) {
        // Suspended: only system messages, and the event timeout waits too (it keeps its deadline).
        message = Proc.receive(m -> m instanceof Gen.SystemMessage);
      } else if (timeout != null) {
        long left = timeout.deadline() - NodeRuntime.currentNanoTime();
        Optional<Object> m = receive(left <= 0 ? Duration.ZERO : Duration.ofNanos(left));
        if (m.isEmpty()) {
          timers.clearEventTimeout();
          return new Event.Timeout<>(timeout.content());
        }
        message = m.get();
      } else {
        message = Proc.receive();
      }
      if (message instanceof Gen.SystemMessage system) {
        Sys.handle(this, system, debug); // an armed event timeout keeps its deadline
        continue;
      }
      Event<M> event = toEvent(message);
      if (event != null) {
        timers.clearEventTimeout(); // any event cancels the event timeout
        return event;
      }
    }
  }

  private Optional<Object> receive(Duration timeout) {
    return Proc.receive(timeout);
  }

  @SuppressWarnings("unchecked") // a call or cast to this machine carries its protocol M (typed at the client)
  private Event<M> toEvent(Object message) {
    switch (message) {
      case GenCall call -> {
        return new Event.Call<>(call.from(), (M) call.request());
      }
      case GenCast cast -> {
        return new Event.Cast<>((M) cast.request());
      }
      case StatemTimers.TimerFired fired -> {
        return timers.fired(fired); // null if cancelled or restarted meanwhile
      }
      case ExitMessage exit when isParentExit(exit) -> {
        terminate(exit.reason());
        return null;
      }
      default -> {
        return new Event.Info<>(message);
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // transitions

  /** The actions of a result, sorted by kind, in the order given. */
  private static final class Parsed {
    final List<Action.Reply> replies = new ArrayList<>();
    final List<Event<?>> nextEvents = new ArrayList<>();
    final List<Object> timerOps = new ArrayList<>();
    boolean postpone;
  }

  private Parsed parse(List<Action> actions, boolean inEnterCall) {
    Parsed p = new Parsed();
    for (Action a : actions) {
      switch (a) {
        case Action.Reply r -> p.replies.add(r);
        case Action.Postpone x -> {
          if (inEnterCall) {
            terminate(ExitReason.of(new BadReturn("bad_state_enter_action_from_state_function", a)));
          }
          p.postpone = true;
        }
        case Action.NextEvent n -> {
          if (inEnterCall) {
            terminate(ExitReason.of(new BadReturn("bad_state_enter_action_from_state_function", a)));
          }
          p.nextEvents.add(n.event());
        }
        case Action.SetTimer t -> p.timerOps.add(t);
        case Action.CancelTimer t -> p.timerOps.add(t);
        case Action.UpdateTimer t -> p.timerOps.add(t);
        case Action.Hibernate h -> { }
        case null -> terminate(ExitReason.of(new BadReturn("bad_action_from_state_function", null)));
      }
    }
    return p;
  }

  private void transition(Result<S, D> result, Event<M> event) {
    S newState;
    D newData;
    List<Action> actions;
    boolean repeat = false;
    switch (result) {
      case Result.NextState<S, D> r -> {
        newState = r.state();
        newData = r.data();
        actions = r.actions();
      }
      case Result.KeepState<S, D> r -> {
        newState = state;
        newData = r.data();
        actions = r.actions();
      }
      case Result.KeepStateAndData<S, D> r -> {
        newState = state;
        newData = data;
        actions = r.actions();
      }
      case Result.RepeatState<S, D> r -> {
        newState = state;
        newData = r.data();
        actions = r.actions();
        repeat = true;
      }
      case Result.RepeatStateAndData<S, D> r -> {
        newState = state;
        newData = data;
        actions = r.actions();
        repeat = true;
      }
      case Result.Stop<S, D> r -> {
        stop(r);
        return;
      }
      case Result.StopAndReply<S, D> r -> {
        stop(r);
        return;
      }
      case null -> {
        stop(null);
        return;
      }
    }
    // 1. replies
    Parsed p = parse(actions, false);
    for (Action.Reply reply : p.replies) {
      reply(reply);
    }
    boolean changed = !Objects.equals(newState, state);
    S oldState = state;
    state = newState;
    data = newData;
    if (changed) {
      debug.event(new Sys.Event.StateChange(oldState, newState));
    } else {
      debug.noReply(new GenStatem.StateAndData(state, data));
    }
    // 2. the enter call
    List<Object> timerOps = new ArrayList<>(p.timerOps);
    if (stateEnter && (changed || repeat)) {
      timerOps.addAll(enter(oldState));
    }
    // 3. postpone
    if (p.postpone) {
      postponed.add(event);
      debug.event(new Sys.Event.Postpone(event, oldState));
    }
    // 4. a state change retries the postponed events first, oldest first; it also cancels the
    //    state timeout (a new one may be set below)
    if (changed) {
      for (int i = postponed.size() - 1; i >= 0; i--) {
        queue.addFirst(postponed.get(i));
      }
      postponed.clear();
      timers.cancelState();
    }
    // 5. inserted events go first
    insertNextEvents(p.nextEvents);
    // 6. timeouts
    timers.apply(timerOps);
  }

  /** Runs the state enter call; returns its timer operations. */
  private List<Object> enter(S oldState) {
    debug.event(new Sys.Event.Enter(oldState, state));
    Event<M> event = new Event.Enter<>(oldState);
    Result<S, D> result = invoke("handleEvent", event, () -> dispatch(event));
    List<Action> actions;
    switch (result) {
      case Result.NextState<S, D> r -> {
        if (!Objects.equals(r.state(), state)) {
          terminate(ExitReason.of(new BadReturn("bad_state_enter_return_from_state_function",
              "an enter call cannot change the state (from " + state + " to " + r.state() + ")")));
        }
        data = r.data();
        actions = r.actions();
      }
      case Result.KeepState<S, D> r -> {
        data = r.data();
        actions = r.actions();
      }
      case Result.KeepStateAndData<S, D> r -> actions = r.actions();
      case Result.RepeatState<S, D> r -> {
        data = r.data();
        actions = r.actions();
      }
      case Result.RepeatStateAndData<S, D> r -> actions = r.actions();
      case Result.Stop<S, D> r -> {
        stop(r);
        return List.of();
      }
      case Result.StopAndReply<S, D> r -> {
        stop(r);
        return List.of();
      }
      case null -> {
        stop(null);
        return List.of();
      }
    }
    Parsed p = parse(actions, true);
    for (Action.Reply reply : p.replies) {
      reply(reply);
    }
    return p.timerOps;
  }

  /** A stop result (or null, a bad result): replies first, then terminate. Never returns. */
  private void stop(Result<S, D> result) {
    switch (result) {
      case Result.Stop<S, D> r -> {
        if (!r.keepData()) {
          data = r.data();
        }
        terminate(r.reason());
      }
      case Result.StopAndReply<S, D> r -> {
        if (!r.keepData()) {
          data = r.data();
        }
        for (Action.Reply reply : r.replies()) {
          reply(reply);
        }
        terminate(r.reason());
      }
      case null, default -> terminate(ExitReason.of(new BadReturn("bad_return_from_state_function", null)));
    }
  }

  private void insertNextEvents(List<Event<?>> events) {
    for (int i = events.size() - 1; i >= 0; i--) {
      queue.addFirst(events.get(i));
    }
  }

  private void reply(Action.Reply reply) {
    reply.from().reply(reply.reply());
    debug.out(reply.reply(), reply.from(), new GenStatem.StateAndData(state, data));
  }

  // ---------------------------------------------------------------------------------------
  // callbacks and termination

  /** Runs the terminate callback, reports, and exits. Never returns. */
  @Override
  void terminate(ExitReason reason) {
    ExitReason actual = callTerminate(reason, () -> machine.terminate(reason, state, data));
    exit(actual, new GenStatem.StateAndData(state, data), () -> Reports.statemTerminating(label(),
        formatStatus(new GenStatem.Status(state, data, current, actual, new ArrayList<>(postponed))), actual, mode,
        new ArrayList<>(queue)));
  }

  private GenStatem.Status formatStatus(GenStatem.Status status) {
    return formatted(machine::formatStatus, status, e -> new GenStatem.Status(
        machine.getClass().getName() + ".formatStatus crashed: " + e, null, null, status.reason(), List.of()));
  }

  // ---------------------------------------------------------------------------------------
  // system messages

  @Override
  public Object systemState() {
    return new GenStatem.StateAndData(state, data);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void replaceSystemState(Object newState) {
    GenStatem.StateAndData sd = (GenStatem.StateAndData) newState;
    state = (S) sd.state();
    data = (D) sd.data();
  }

  @Override
  public Sys.Status systemStatus() {
    GenStatem.Status status = formatStatus(new GenStatem.Status(state, data, null, null, new ArrayList<>(postponed)));
    return new Sys.Status(self, "GenStatem", machine.getClass().getName(), debug.suspended(), parent,
        new GenStatem.StateAndData(status.state(), status.data()), debug.log());
  }

  @Override
  public void systemTerminate(ExitReason reason) {
    terminate(reason);
  }
}
