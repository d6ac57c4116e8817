package org.otp4j.behaviours;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.behaviours.Supervision.Child;

/**
 * The engine of a {@link Supervisor}, itself a {@link GenServer}: OTP's {@code supervisor} module
 * for children with ids, kept in start order, restarted by one of three strategies. (Children
 * started on demand are {@link DynamicSupervisorServer}'s; what both share is in
 * {@link Supervision}.)
 *
 * <p>Order matters in several places and follows OTP: children start in spec order and stop in
 * reverse; a child about to be stopped is first monitored and unlinked, so that its exit is seen
 * exactly once, as a down message; a failed restart is retried through a cast to itself, so that
 * calls (a shutdown, say) can be served between two attempts, each attempt counting against the
 * restart intensity.
 *
 * <p>A child's states (RUNNING: it has a pid; RESTARTING: its restart failed and is retried;
 * UNDEFINED: neither, its spec kept):
 * <pre>
 *   state       event                                          next state
 *   RUNNING     exits, and is restarted                        RUNNING (a new pid)
 *   RUNNING     exits, and its restart fails                   RESTARTING
 *   RUNNING     exits, not to be restarted                     removed (temporary) or UNDEFINED
 *   RUNNING     terminateChild                                 removed (temporary) or UNDEFINED
 *   RESTARTING  a retry starts it                              RUNNING
 *   RESTARTING  terminateChild                                 UNDEFINED
 *   UNDEFINED   restartChild                                   RUNNING
 *   UNDEFINED   deleteChild                                    removed
 * </pre>
 */
final class SupervisorServer extends SupervisorEngine<SupervisorServer.State> {

  /** The supervisor's state: flags, children, restart history. Owned by the supervisor process. */
  static final class State extends SupervisorEngine.Children {
    final Supervisor.Flags flags;
    final List<Child> children = new ArrayList<>(); // in start order
    final Map<Object, Child> byId = new HashMap<>();

    State(Supervisor.Flags flags, String label) {
      super(new Supervision.Intensity(flags.intensity(), flags.period()), label);
      this.flags = flags;
    }
  }

  private final Supervisor supervisor;

  SupervisorServer(Supervisor supervisor) {
    this.supervisor = supervisor;
  }

  // =====================================================================================
  // init

  @Override
  protected Init<State> init() throws Exception {
    Proc.trapExits(true);
    Supervisor.Spec spec = supervisor.init();
    if (spec == null) {
      return Init.stop(ExitReason.of(BadReturn.value(null)));
    }
    if (spec.ignored()) {
      return Init.ignore();
    }
    String problem = validate(spec);
    if (problem != null) {
      return Init.stop(ExitReason.of(new Supervisor.StartSpecError(problem)));
    }
    State state = new State(spec.flags(), Proc.self().toString());
    for (ChildSpec childSpec : spec.children()) {
      StartResult result = Supervision.start(childSpec);
      switch (result) {
        case StartResult.Started started -> {
          add(state, new Child(childSpec), started.pid());
          Reports.progress(state.label, childSpec.id(), started.pid(), childSpec, false);
        }
        case StartResult.Ignored ignored -> {
          if (childSpec.restart() != ChildSpec.Restart.TEMPORARY) {
            add(state, new Child(childSpec), null);
          }
        }
        default -> {
          ExitReason reason = Supervision.failureReason(result);
          Reports.supervisor(state.label, "start_error", reason, childSpec.id(), null, childSpec);
          stopAll(state);
          return Init.stop(ExitReason.shutdown(new Supervisor.FailedToStartChild(childSpec.id(), reason)));
        }
      }
    }
    return Init.ok(state);
  }

  /** The problem with a spec, in OTP's words, or null. */
  private static String validate(Supervisor.Spec spec) {
    Set<Object> ids = new HashSet<>();
    for (ChildSpec c : spec.children()) {
      if (!ids.add(c.id())) {
        return "{duplicate_child_name," + c.id() + "}";
      }
      if (c.significant() && spec.flags().autoShutdown() == Supervisor.AutoShutdown.NEVER) {
        return "{bad_combination,[{auto_shutdown,never},{significant,true}]} for child " + c.id();
      }
    }
    return null;
  }

  // ---- bookkeeping: every change to the children goes through these

  private static void add(State state, Child child, Pid pid) {
    state.children.add(child);
    state.byId.put(child.id(), child);
    setPid(state, child, pid);
  }

  private static void setPid(State state, Child child, Pid pid) {
    if (child.pid != null) {
      state.byPid.remove(child.pid);
    }
    child.pid = pid;
    if (pid != null) {
      state.byPid.put(pid, child);
    }
  }

  private static void remove(State state, Child child) {
    setPid(state, child, null);
    child.removed = true;
    state.children.remove(child);
    state.byId.remove(child.id());
  }

  private static Optional<Child> find(State state, Object id) {
    return Optional.ofNullable(state.byId.get(id));
  }

  // =====================================================================================
  // calls

  @Override
  protected CallResult<State> handleCall(Supervision.Request request, From from, State state) {
    return switch (request) {
      case Supervision.Request.StartChild r -> reply(startChild(state, r.spec()), state);
      case Supervision.Request.StartTemplateChild r -> reply(new StartResult.Failed(ExitReason.of("no template: "
          + "this is not a DynamicSupervisor; start children with Supervisor.startChild(sup, ChildSpec)")), state);
      case Supervision.Request.TerminateChild r -> reply(terminateChild(state, r.idOrPid()), state);
      case Supervision.Request.RestartChild r -> reply(restartChild(state, r.id()), state);
      case Supervision.Request.DeleteChild r -> reply(deleteChild(state, r.id()), state);
      case Supervision.Request.WhichChildren r -> reply(whichChildren(state), state);
      case Supervision.Request.CountChildren r -> reply(countChildren(state), state);
      case Supervision.Request.GetChildSpec r -> reply(find(state, r.id()).map(c -> c.spec), state);
      case Supervision.Request.TryAgainRestart r -> reply("ignored", state);
    };
  }

  private static Supervisor.StartChildResult startChild(State state, ChildSpec spec) {
    Optional<Child> existing = find(state, spec.id());
    if (existing.isPresent()) {
      Child c = existing.get();
      return c.pid != null ? new StartResult.AlreadyStarted(c.pid) : new Supervisor.AlreadyPresent();
    }
    if (spec.significant() && state.flags.autoShutdown() == Supervisor.AutoShutdown.NEVER) {
      return new StartResult.Failed(ExitReason.of(new Supervisor.StartSpecError(
          "{bad_combination,[{auto_shutdown,never},{significant,true}]} for child " + spec.id())));
    }
    StartResult result = Supervision.start(spec);
    switch (result) {
      case StartResult.Started s -> {
        add(state, new Child(spec), s.pid());
        Reports.progress(state.label, spec.id(), s.pid(), spec, true);
        return s;
      }
      case StartResult.Ignored i -> {
        if (spec.restart() != ChildSpec.Restart.TEMPORARY) {
          add(state, new Child(spec), null);
        }
        return i;
      }
      case StartResult.AlreadyStarted a -> {
        return a; // the child's own already_started, unwrapped (OTP 28)
      }
      case StartResult.Failed f -> {
        return f;
      }
    }
  }

  private static Supervisor.TerminateResult terminateChild(State state, Object id) {
    Child child = find(state, id).orElse(null);
    if (child == null) {
      return new Supervisor.NotFound();
    }
    if (child.pid != null) {
      Supervision.shutdown(state.label, child, child.id());
    }
    setPid(state, child, null);
    child.restarting = false;
    if (child.spec.restart() == ChildSpec.Restart.TEMPORARY) {
      remove(state, child);
    }
    return new Supervisor.Terminated();
  }

  private static Supervisor.RestartChildResult restartChild(State state, Object id) {
    Optional<Child> found = find(state, id);
    if (found.isEmpty()) {
      return new Supervisor.NotFound();
    }
    Child child = found.get();
    if (child.pid != null) {
      return new Supervisor.Running();
    }
    if (child.restarting) {
      return new Supervisor.Restarting();
    }
    StartResult result = Supervision.start(child.spec);
    switch (result) {
      case StartResult.Started s -> {
        setPid(state, child, s.pid());
        Reports.progress(state.label, child.id(), s.pid(), child.spec, true);
        return s;
      }
      case StartResult.Ignored i -> {
        return i;
      }
      default -> {
        return new StartResult.Failed(Supervision.failureReason(result));
      }
    }
  }

  private static Supervisor.DeleteResult deleteChild(State state, Object id) {
    Optional<Child> found = find(state, id);
    if (found.isEmpty()) {
      return new Supervisor.NotFound();
    }
    Child child = found.get();
    if (child.pid != null) {
      return new Supervisor.Running();
    }
    if (child.restarting) {
      return new Supervisor.Restarting();
    }
    remove(state, child);
    return new Supervisor.Deleted();
  }

  /** OTP's which_children: newest first; a dynamic supervisor's children show no id. */
  static List<Supervisor.Child> whichChildren(List<Child> children, boolean withIds) {
    List<Supervisor.Child> out = new ArrayList<>();
    for (Child c : children) {
      Supervisor.ChildState s = c.pid != null ? Supervisor.ChildState.RUNNING
          : c.restarting ? Supervisor.ChildState.RESTARTING : Supervisor.ChildState.UNDEFINED;
      out.add(new Supervisor.Child(withIds ? c.id() : null, c.pid, s, c.spec.type()));
    }
    return out.reversed();
  }

  private static List<Supervisor.Child> whichChildren(State state) {
    return whichChildren(state.children, true);
  }

  /** OTP's count_children, with {@code specs} as the supervisor counts them. */
  static Supervisor.Counts countChildren(Iterable<Child> children, int specs) {
    int active = 0;
    int supervisors = 0;
    int workers = 0;
    for (Child c : children) {
      if (c.pid != null) {
        active++;
      }
      if (c.spec.type() == ChildSpec.Type.SUPERVISOR) {
        supervisors++;
      } else {
        workers++;
      }
    }
    return new Supervisor.Counts(specs, active, supervisors, workers);
  }

  private static Supervisor.Counts countChildren(State state) {
    return countChildren(state.children, state.children.size());
  }

  // =====================================================================================
  // child exits and restarts

  @Override
  CastResult<State> childExited(State state, Child child, ExitReason reason) {
    ChildSpec spec = child.spec;
    Pid pid = child.pid;
    setPid(state, child, null);
    switch (spec.restart()) {
      case PERMANENT -> {
        Reports.supervisor(state.label, "child_terminated", reason, spec.id(), pid, spec);
        return restart(state, child);
      }
      case TRANSIENT -> {
        if (reason.isOrderly()) {
          return afterSignificantEnded(state, child);
        }
        Reports.supervisor(state.label, "child_terminated", reason, spec.id(), pid, spec);
        return restart(state, child);
      }
      case TEMPORARY -> {
        if (!reason.isOrderly()) {
          Reports.supervisor(state.label, "child_terminated", reason, spec.id(), pid, spec);
        }
        remove(state, child);
        return afterSignificantEnded(state, child);
      }
    }
    throw new AssertionError(spec.restart());
  }

  /** OTP's auto_shutdown: a significant child ended and will not be restarted. */
  private CastResult<State> afterSignificantEnded(State state, Child child) {
    if (!child.spec.significant()) {
      return noReply(state);
    }
    switch (state.flags.autoShutdown()) {
      case NEVER -> {
        return noReply(state);
      }
      case ANY_SIGNIFICANT -> {
        return stop(ExitReason.SHUTDOWN, state);
      }
      case ALL_SIGNIFICANT -> {
        for (Child c : state.children) {
          if (c.spec.significant() && (c.pid != null || c.restarting)) {
            return noReply(state); // a child between restart attempts still counts as running (OTP)
          }
        }
        return stop(ExitReason.SHUTDOWN, state);
      }
    }
    throw new AssertionError(state.flags.autoShutdown());
  }

  /**
   * Restarts after {@code child} terminated (it is no longer running), as the strategy says; gives
   * up past the restart intensity.
   */
  @Override
  CastResult<State> restart(State state, Child child) {
    if (!state.intensity.allowAnother()) {
      Reports.supervisor(state.label, "shutdown", "reached_max_restart_intensity", child.id(), null, child.spec);
      return stop(ExitReason.SHUTDOWN, state);
    }
    int index = state.children.indexOf(child);
    List<Child> group = switch (state.flags.strategy()) {
      case ONE_FOR_ONE -> List.of(child);
      case ONE_FOR_ALL -> new ArrayList<>(state.children);
      case REST_FOR_ONE -> new ArrayList<>(state.children.subList(index, state.children.size()));
    };
    // Stop the running siblings in the group, in reverse start order.
    for (Child sibling : group.reversed()) {
      if (sibling != child && sibling.pid != null) {
        Supervision.shutdown(state.label, sibling, sibling.id());
        setPid(state, sibling, null);
        if (sibling.spec.restart() == ChildSpec.Restart.TEMPORARY) {
          remove(state, sibling); // a temporary bystander is not restarted
        }
      }
    }
    // Start the group again, in start order.
    for (Child c : group) {
      if (c.removed) {
        continue;
      }
      StartResult result = Supervision.start(c.spec);
      switch (result) {
        case StartResult.Started s -> {
          setPid(state, c, s.pid());
          c.restarting = false;
          Reports.progress(state.label, c.id(), s.pid(), c.spec, false);
          FlightEvents.restarted(state.label, c.id(), s.pid(), c == child ? lastExit : "sibling restart");
          RestartCounts.restarted();
        }
        case StartResult.Ignored i -> {
          c.restarting = false;
          if (c.spec.restart() == ChildSpec.Restart.TEMPORARY) {
            remove(state, c);
          }
        }
        default -> {
          // OTP: mark it restarting and try again through a cast to itself, so that other
          // requests (a shutdown) can be served in between; each attempt counts.
          c.restarting = true;
          Reports.supervisor(state.label, "start_error", Supervision.failureReason(result), c.id(), null, c.spec);
          GenServer.cast(Proc.self(), new Supervision.Request.TryAgainRestart(c));
          return noReply(state);
        }
      }
    }
    return noReply(state);
  }

  // =====================================================================================
  // stopping

  @Override
  protected void terminate(ExitReason reason, State state) {
    if (state != null) {
      stopAll(state);
    }
  }

  /** Stops every running child, in reverse start order. */
  private static void stopAll(State state) {
    for (Child c : state.children.reversed()) {
      if (c.pid != null) {
        Supervision.shutdown(state.label, c, c.id());
        setPid(state, c, null);
      }
    }
  }

  @Override
  String behaviourName() {
    return "Supervisor";
  }

  @Override
  Object sysState(State state) {
    return whichChildren(state);
  }

  @Override
  State sysReplaceState(State state, Object replaced) {
    throw new UnsupportedOperationException("a supervisor's state cannot be replaced; use the Supervisor API");
  }

  @Override
  protected Status formatStatus(Status status) {
    return status.state() instanceof State s ? status.withState(whichChildren(s)) : status;
  }
}
