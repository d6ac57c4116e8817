package org.otp4j.behaviours;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ProcessExit;
import org.otp4j.core.ProcessTerminated;
import org.otp4j.core.Ref;

/**
 * The supervisor process, a {@link GenServer}: OTP's {@code supervisor} module. Serves both the
 * static supervisors of {@link Supervisor} (children with ids, in start order, one of three
 * strategies) and {@link DynamicSupervisor} (children started on demand, keyed by pid, one for one).
 *
 * <p>Order matters in several places and follows OTP: children start in spec order and stop in
 * reverse; a child about to be stopped is first monitored and unlinked, so that its exit is seen
 * exactly once, as a down message; a failed restart is retried through a cast to itself, so that
 * calls (a shutdown, say) can be served between two attempts, each attempt counting against the
 * restart intensity.
 */
final class SupervisorServer extends GenServer<SupervisorServer.State, SupervisorServer.Request> {

  /** Requests served by the supervisor (all calls, except the retry cast). */
  sealed interface Request {
    record StartChild(ChildSpec spec) implements Request {}

    record StartTemplateChild(Object argument) implements Request {}

    record TerminateChild(Object idOrPid) implements Request {}

    record RestartChild(Object id) implements Request {}

    record DeleteChild(Object id) implements Request {}

    record WhichChildren() implements Request {}

    record CountChildren() implements Request {}

    record GetChildSpec(Object id) implements Request {}

    /** Cast to itself after a failed restart. */
    record TryAgainRestart(Child child) implements Request {}
  }

  /** One child: its spec and, when running, its process. */
  static final class Child {
    ChildSpec spec;
    Pid pid;
    boolean restarting;
    boolean removed;

    Child(ChildSpec spec) {
      this.spec = spec;
    }

    Object id() {
      return spec.id();
    }
  }

  /** The supervisor's state: flags, children, restart history. Owned by the supervisor process. */
  static final class State {
    final Supervisor.Flags flags;
    /** Static supervisors: children in start order. */
    final List<Child> children = new ArrayList<>();
    final Map<Object, Child> byId = new HashMap<>();
    /** Dynamic supervisors: children in start order. */
    final LinkedHashSet<Child> dynamicChildren = new LinkedHashSet<>();
    final Map<Pid, Child> byPid = new HashMap<>();
    final ArrayDeque<Long> restarts = new ArrayDeque<>();
    final DynamicSupervisor.Template<?> template;
    final int maxChildren;
    String label;

    State(Supervisor.Flags flags, DynamicSupervisor.Template<?> template, int maxChildren) {
      this.flags = flags;
      this.template = template;
      this.maxChildren = maxChildren;
    }
  }

  private final Supervisor supervisor;
  private final boolean dynamic;
  private Object lastExit; // the exit reason behind the restart in progress (for the flight recorder)
  private final DynamicSupervisor.Options dynamicOptions;
  private final DynamicSupervisor.Template<?> template;

  SupervisorServer(Supervisor supervisor, boolean dynamic) {
    this.supervisor = supervisor;
    this.dynamic = dynamic;
    this.dynamicOptions = null;
    this.template = null;
  }

  SupervisorServer(DynamicSupervisor.Options options, DynamicSupervisor.Template<?> template) {
    this.supervisor = null;
    this.dynamic = true;
    this.dynamicOptions = options;
    this.template = template;
  }

  // =====================================================================================
  // init

  @Override
  protected Init<State> init() throws Exception {
    Proc.trapExits(true);
    if (dynamic) {
      Supervisor.Flags flags = new Supervisor.Flags(Supervisor.Strategy.ONE_FOR_ONE, dynamicOptions.intensity(),
          dynamicOptions.period(), Supervisor.AutoShutdown.NEVER);
      State state = new State(flags, template, dynamicOptions.maxChildren());
      state.label = Proc.self().toString();
      return Init.ok(state);
    }
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
    State state = new State(spec.flags(), null, 0);
    state.label = Proc.self().toString();
    for (ChildSpec childSpec : spec.children()) {
      StartResult result = startChild(childSpec);
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
          ExitReason reason = failureReason(result);
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

  private static ExitReason failureReason(StartResult result) {
    return switch (result) {
      case StartResult.Failed f -> f.reason();
      case StartResult.AlreadyStarted a -> ExitReason.of("{already_started," + a.pid() + "}");
      default -> ExitReason.of(result.toString());
    };
  }

  /** Runs a child's start function; maps its outcome to OTP's start results. */
  private static StartResult startChild(ChildSpec spec) {
    try {
      Pid pid = spec.start().start();
      return pid == null ? new StartResult.Ignored() : new StartResult.Started(pid);
    } catch (StartException e) {
      return e.result();
    } catch (ProcessTerminated e) {
      throw e; // the supervisor itself has been killed
    } catch (ProcessExit e) {
      return new StartResult.Failed(e.reason()); // OTP: catch apply(...) turns an exit into an error
    } catch (Exception e) {
      return new StartResult.Failed(ExitReason.crash(e));
    }
  }

  // ---- bookkeeping: every change to the children goes through these

  private void add(State state, Child child, Pid pid) {
    if (dynamic) {
      state.dynamicChildren.add(child);
    } else {
      state.children.add(child);
      state.byId.put(child.id(), child);
    }
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

  private void remove(State state, Child child) {
    setPid(state, child, null);
    child.removed = true;
    if (dynamic) {
      state.dynamicChildren.remove(child);
    } else {
      state.children.remove(child);
      state.byId.remove(child.id());
    }
  }

  private List<Child> all(State state) {
    return dynamic ? new ArrayList<>(state.dynamicChildren) : state.children;
  }

  private Optional<Child> find(State state, Object id) {
    return Optional.ofNullable(state.byId.get(id));
  }

  // =====================================================================================
  // calls

  @Override
  protected CallResult<State> handleCall(Request request, From from, State state) {
    return switch (request) {
      case Request.StartChild r -> reply(dynamic ? startDynamic(state, r.spec()) : startStatic(state, r.spec()), state);
      case Request.StartTemplateChild r -> reply(startFromTemplate(state, r.argument()), state);
      case Request.TerminateChild r -> reply(terminateChild(state, r.idOrPid()), state);
      case Request.RestartChild r -> reply(restartChild(state, r.id()), state);
      case Request.DeleteChild r -> reply(deleteChild(state, r.id()), state);
      case Request.WhichChildren r -> reply(whichChildren(state), state);
      case Request.CountChildren r -> reply(countChildren(state), state);
      case Request.GetChildSpec r -> reply(dynamic ? Optional.empty() : find(state, r.id()).map(c -> c.spec), state);
      case Request.TryAgainRestart r -> reply("ignored", state);
    };
  }

  private Supervisor.StartChildResult startStatic(State state, ChildSpec spec) {
    Optional<Child> existing = find(state, spec.id());
    if (existing.isPresent()) {
      Child c = existing.get();
      return c.pid != null ? new StartResult.AlreadyStarted(c.pid) : new Supervisor.AlreadyPresent();
    }
    if (spec.significant() && state.flags.autoShutdown() == Supervisor.AutoShutdown.NEVER) {
      return new StartResult.Failed(ExitReason.of(new Supervisor.StartSpecError(
          "{bad_combination,[{auto_shutdown,never},{significant,true}]} for child " + spec.id())));
    }
    StartResult result = startChild(spec);
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

  private DynamicSupervisor.StartChildResult startDynamic(State state, ChildSpec spec) {
    if (state.maxChildren > 0 && state.dynamicChildren.size() >= state.maxChildren) {
      return new DynamicSupervisor.MaxChildren();
    }
    StartResult result = startChild(spec);
    if (result instanceof StartResult.Started s) {
      add(state, new Child(spec), s.pid());
      Reports.progress(state.label, null, s.pid(), spec, true);
    }
    return (DynamicSupervisor.StartChildResult) result;
  }

  private DynamicSupervisor.StartChildResult startFromTemplate(State state, Object argument) {
    if (state.template == null) {
      return new StartResult.Failed(ExitReason.of("no template: this DynamicSupervisor was started without one; "
          + "start children with DynamicSupervisor.startChild(sup, ChildSpec)"));
    }
    return startDynamic(state, state.template.specFor(argument));
  }

  private boolean terminateChild(State state, Object idOrPid) {
    Child child = dynamic
        ? (idOrPid instanceof Pid pid ? state.byPid.get(pid) : null)
        : find(state, idOrPid).orElse(null);
    if (child == null) {
      return false;
    }
    if (child.pid != null) {
      shutdown(state, child);
    }
    setPid(state, child, null);
    child.restarting = false;
    if (dynamic || child.spec.restart() == ChildSpec.Restart.TEMPORARY) {
      remove(state, child);
    }
    return true;
  }

  private Supervisor.RestartChildResult restartChild(State state, Object id) {
    if (dynamic) {
      return new StartResult.Failed(ExitReason.of("simple_one_for_one"));
    }
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
    StartResult result = startChild(child.spec);
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
        return new StartResult.Failed(failureReason(result));
      }
    }
  }

  private Supervisor.DeleteResult deleteChild(State state, Object id) {
    Optional<Child> found = dynamic ? Optional.empty() : find(state, id);
    if (found.isEmpty()) {
      return Supervisor.DeleteResult.NOT_FOUND;
    }
    Child child = found.get();
    if (child.pid != null) {
      return Supervisor.DeleteResult.RUNNING;
    }
    if (child.restarting) {
      return Supervisor.DeleteResult.RESTARTING;
    }
    remove(state, child);
    return Supervisor.DeleteResult.DELETED;
  }

  private List<Supervisor.Child> whichChildren(State state) {
    List<Supervisor.Child> out = new ArrayList<>();
    for (Child c : all(state)) {
      Supervisor.ChildState s = c.pid != null ? Supervisor.ChildState.RUNNING
          : c.restarting ? Supervisor.ChildState.RESTARTING : Supervisor.ChildState.UNDEFINED;
      out.add(new Supervisor.Child(dynamic ? null : c.id(), c.pid, s, c.spec.type()));
    }
    return out.reversed();
  }

  private Supervisor.Counts countChildren(State state) {
    int active = 0;
    int supervisors = 0;
    int workers = 0;
    List<Child> children = all(state);
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
    int specs = dynamic ? (state.template != null ? 1 : children.size()) : children.size();
    return new Supervisor.Counts(specs, active, supervisors, workers);
  }

  // =====================================================================================
  // child exits and restarts

  @Override
  protected CastResult<State> handleCast(Request request, State state) {
    if (request instanceof Request.TryAgainRestart retry) {
      Child child = retry.child();
      if (!child.removed && child.restarting) {
        return restart(state, child);
      }
    }
    return noReply(state);
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    if (message instanceof ExitMessage exit) {
      Child child = state.byPid.get(exit.from());
      if (child != null) {
        return childExited(state, child, exit.reason());
      }
      return noReply(state); // not a child: ignored (OTP)
    }
    Reports.log(new Reports.Report.UnexpectedMessage(Reports.Report.UnexpectedMessage.Kind.SUPERVISOR,
        getClass().getName(), state.label, message));
    return noReply(state);
  }

  private CastResult<State> childExited(State state, Child child, ExitReason reason) {
    lastExit = reason;
    ChildSpec spec = child.spec;
    Pid pid = child.pid;
    Object id = dynamic ? null : spec.id();
    setPid(state, child, null);
    switch (spec.restart()) {
      case PERMANENT -> {
        Reports.supervisor(state.label, "child_terminated", reason, id, pid, spec);
        return restart(state, child);
      }
      case TRANSIENT -> {
        if (reason.isOrderly()) {
          if (dynamic) {
            remove(state, child);
          }
          return afterSignificantEnded(state, child);
        }
        Reports.supervisor(state.label, "child_terminated", reason, id, pid, spec);
        return restart(state, child);
      }
      case TEMPORARY -> {
        if (!reason.isOrderly()) {
          Reports.supervisor(state.label, "child_terminated", reason, id, pid, spec);
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
        for (Child c : all(state)) {
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
  private CastResult<State> restart(State state, Child child) {
    if (!addRestart(state)) {
      Reports.supervisor(state.label, "shutdown", "reached_max_restart_intensity", dynamic ? null : child.id(),
          null, child.spec);
      return stop(ExitReason.SHUTDOWN, state);
    }
    List<Child> group;
    if (dynamic) {
      group = List.of(child);
    } else {
      int index = state.children.indexOf(child);
      group = switch (state.flags.strategy()) {
        case ONE_FOR_ONE -> List.of(child);
        case ONE_FOR_ALL -> new ArrayList<>(state.children);
        case REST_FOR_ONE -> new ArrayList<>(state.children.subList(index, state.children.size()));
      };
    }
    // Stop the running siblings in the group, in reverse start order.
    for (Child sibling : group.reversed()) {
      if (sibling != child && sibling.pid != null) {
        shutdown(state, sibling);
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
      StartResult result = startChild(c.spec);
      switch (result) {
        case StartResult.Started s -> {
          setPid(state, c, s.pid());
          c.restarting = false;
          Reports.progress(state.label, dynamic ? null : c.id(), s.pid(), c.spec, false);
          FlightEvents.restarted(state.label, dynamic ? null : c.id(), s.pid(), c == child ? lastExit : "sibling restart");
        }
        case StartResult.Ignored i -> {
          c.restarting = false;
          if (dynamic || c.spec.restart() == ChildSpec.Restart.TEMPORARY) {
            remove(state, c);
          }
        }
        default -> {
          // OTP: mark it restarting and try again through a cast to itself, so that other
          // requests (a shutdown) can be served in between; each attempt counts.
          c.restarting = true;
          Reports.supervisor(state.label, "start_error", failureReason(result), dynamic ? null : c.id(), null, c.spec);
          GenServer.cast(Proc.self(), new Request.TryAgainRestart(c));
          return noReply(state);
        }
      }
    }
    return noReply(state);
  }

  /**
   * Records a restart; false if that makes more than {@code intensity} restarts within
   * {@code period}. A restart exactly {@code period} old still counts (OTP's inclusive window).
   */
  private static boolean addRestart(State state) {
    long now = System.nanoTime() / 1_000_000L;
    long period = state.flags.period().toMillis();
    state.restarts.addLast(now);
    while (!state.restarts.isEmpty() && state.restarts.peekFirst() < now - period) {
      state.restarts.removeFirst();
    }
    return state.restarts.size() <= state.flags.intensity();
  }

  // =====================================================================================
  // stopping

  @Override
  protected void terminate(ExitReason reason, State state) {
    if (state != null) {
      stopAll(state);
    }
  }

  /** Stops every child: in reverse start order, or all at once for a dynamic supervisor. */
  private void stopAll(State state) {
    if (dynamic) {
      shutdownConcurrently(state, new ArrayList<>(state.dynamicChildren));
      for (Child c : new ArrayList<>(state.dynamicChildren)) {
        remove(state, c);
      }
      return;
    }
    for (Child c : state.children.reversed()) {
      if (c.pid != null) {
        shutdown(state, c);
        setPid(state, c, null);
      }
    }
  }

  /**
   * Stops one child as its spec says (OTP's {@code shutdown/2}). The child is monitored and unlinked
   * first, so its end is seen once, as a down message; if it had already died, its exit message is
   * taken out of the mailbox instead.
   */
  private void shutdown(State state, Child child) {
    Pid pid = child.pid;
    ChildSpec spec = child.spec;
    Object id = dynamic ? null : spec.id();
    Ref ref = Proc.monitor(pid);
    Proc.unlink(pid);
    Optional<Object> early = Proc.receive(m -> m instanceof ExitMessage e && e.from().equals(pid), Duration.ZERO);
    if (early.isPresent()) {
      awaitDown(ref, Proc.INFINITY);
      ExitReason reason = ((ExitMessage) early.get()).reason();
      if (!acceptable(reason, spec, ExitReason.SHUTDOWN)) {
        Reports.supervisor(state.label, "shutdown_error", reason, id, pid, spec);
      }
      return;
    }
    ExitReason reason;
    ExitReason expected;
    switch (spec.shutdown()) {
      case ChildSpec.Shutdown.BrutalKill k -> {
        Proc.exit(pid, ExitReason.KILL);
        reason = awaitDown(ref, Proc.INFINITY).orElseThrow();
        expected = ExitReason.KILLED;
      }
      case ChildSpec.Shutdown.Timeout t -> {
        Proc.exit(pid, ExitReason.SHUTDOWN);
        Optional<ExitReason> down = awaitDown(ref, t.timeout());
        if (down.isEmpty()) {
          Proc.exit(pid, ExitReason.KILL);
          down = awaitDown(ref, Proc.INFINITY);
        }
        reason = down.orElseThrow();
        expected = ExitReason.SHUTDOWN;
      }
      case ChildSpec.Shutdown.Infinity i -> {
        Proc.exit(pid, ExitReason.SHUTDOWN);
        reason = awaitDown(ref, Proc.INFINITY).orElseThrow();
        expected = ExitReason.SHUTDOWN;
      }
    }
    if (!acceptable(reason, spec, expected)) {
      Reports.supervisor(state.label, "shutdown_error", reason, id, pid, spec);
    }
  }

  private static Optional<ExitReason> awaitDown(Ref ref, Duration timeout) {
    return Proc.receive(m -> m instanceof Down d && d.ref() == ref, timeout).map(m -> ((Down) m).reason());
  }

  /** Whether a child ended as a shutdown should end it (non-permanent children may also end orderly). */
  private static boolean acceptable(ExitReason reason, ChildSpec spec, ExitReason expected) {
    if (reason.equals(expected)) {
      return true;
    }
    return spec.restart() != ChildSpec.Restart.PERMANENT && reason.isOrderly();
  }

  /**
   * Stops many children at once (a dynamic supervisor's; their order is not defined, as in OTP).
   * Each child gets its own shutdown deadline; a child with {@code infinity} is waited for as long
   * as it takes.
   */
  private void shutdownConcurrently(State state, List<Child> children) {
    record Pending(Child child, long deadline) {} // deadline: nanoTime, or Long.MAX_VALUE
    Map<Ref, Pending> pending = new LinkedHashMap<>();
    long now = System.nanoTime();
    for (Child c : children) {
      if (c.pid == null) {
        continue;
      }
      Ref ref = Proc.monitor(c.pid);
      Proc.unlink(c.pid);
      long deadline = Long.MAX_VALUE;
      switch (c.spec.shutdown()) {
        case ChildSpec.Shutdown.BrutalKill k -> Proc.exit(c.pid, ExitReason.KILL);
        case ChildSpec.Shutdown.Timeout t -> {
          Proc.exit(c.pid, ExitReason.SHUTDOWN);
          deadline = now + t.timeout().toNanos();
        }
        case ChildSpec.Shutdown.Infinity i -> Proc.exit(c.pid, ExitReason.SHUTDOWN);
      }
      pending.put(ref, new Pending(c, deadline));
    }
    while (!pending.isEmpty()) {
      long next = Long.MAX_VALUE;
      for (Pending p : pending.values()) {
        next = Math.min(next, p.deadline());
      }
      Duration wait = next == Long.MAX_VALUE ? Proc.INFINITY
          : Duration.ofNanos(Math.max(0, next - System.nanoTime()));
      Optional<Object> m = Proc.receive(x -> x instanceof Down d && pending.containsKey(d.ref()), wait);
      if (m.isEmpty()) {
        long t = System.nanoTime();
        for (Map.Entry<Ref, Pending> e : pending.entrySet()) {
          if (e.getValue().deadline() <= t) {
            Proc.exit(e.getValue().child().pid, ExitReason.KILL); // its shutdown time is up
            e.setValue(new Pending(e.getValue().child(), Long.MAX_VALUE));
          }
        }
        continue;
      }
      Down down = (Down) m.get();
      Child c = pending.remove(down.ref()).child();
      Pid pid = c.pid;
      Proc.flush(x -> x instanceof ExitMessage e && e.from().equals(pid));
      ExitReason expected = c.spec.shutdown() instanceof ChildSpec.Shutdown.BrutalKill
          ? ExitReason.KILLED : ExitReason.SHUTDOWN;
      if (!acceptable(down.reason(), c.spec, expected)) {
        Reports.supervisor(state.label, "shutdown_error", down.reason(), null, pid, c.spec);
      }
      setPid(state, c, null);
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
