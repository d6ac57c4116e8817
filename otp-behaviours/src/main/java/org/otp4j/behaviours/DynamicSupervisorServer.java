package org.otp4j.behaviours;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.otp4j.behaviours.Supervision.Child;
import org.otp4j.behaviours.Supervision.Request;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The engine of a {@link DynamicSupervisor}, itself a {@link GenServer}: OTP's
 * {@code simple_one_for_one} and Elixir's {@code DynamicSupervisor}. Children are started on
 * demand, from a spec or from the supervisor's template, are known by pid only, are restarted one
 * for one, and are stopped all at once (in no defined order) when the supervisor stops. What it
 * shares with the static {@link SupervisorServer} is in {@link Supervision}.
 *
 * <p>A child's states: RUNNING (it has a pid), RESTARTING (its restart failed and is retried by a
 * cast to itself); a child that ends for good, or is terminated, is removed at once.
 */
final class DynamicSupervisorServer extends SupervisorEngine<DynamicSupervisorServer.State> {

  /** The supervisor's state. Owned by the supervisor process. */
  static final class State extends SupervisorEngine.Children {
    final LinkedHashSet<Child> children = new LinkedHashSet<>(); // in start order

    State(DynamicSupervisor.Options options, String label) {
      super(new Supervision.Intensity(options.intensity(), options.period()), label);
    }
  }

  private final DynamicSupervisor.Options options;
  private final DynamicSupervisor.Template<?> template; // null: children are started from specs

  DynamicSupervisorServer(DynamicSupervisor.Options options, DynamicSupervisor.Template<?> template) {
    this.options = options;
    this.template = template;
  }

  @Override
  protected Init<State> init() {
    Proc.trapExits(true);
    return Init.ok(new State(options, Proc.self().toString()));
  }

  // ---- bookkeeping: every change to the children goes through these

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
  }

  // =====================================================================================
  // calls

  @Override
  protected CallResult<State> handleCall(Request request, From from, State state) {
    return switch (request) {
      case Request.StartChild r -> reply(startChild(state, r.spec()), state);
      case Request.StartTemplateChild r -> reply(startFromTemplate(state, r.argument()), state);
      case Request.TerminateChild r -> reply(terminateChild(state, r.idOrPid()), state);
      case Request.RestartChild r -> reply(new Supervisor.SimpleOneForOne(), state);
      case Request.DeleteChild r -> reply(new Supervisor.SimpleOneForOne(), state);
      case Request.WhichChildren r -> reply(whichChildren(state), state);
      case Request.CountChildren r -> reply(SupervisorServer.countChildren(state.children,
          template != null ? 1 : state.children.size()), state);
      case Request.GetChildSpec r -> reply(Optional.empty(), state);
      case Request.TryAgainRestart r -> reply("ignored", state);
    };
  }

  private DynamicSupervisor.StartChildResult startChild(State state, ChildSpec spec) {
    if (options.maxChildren() > 0 && state.children.size() >= options.maxChildren()) {
      return new DynamicSupervisor.MaxChildren();
    }
    StartResult result = Supervision.start(spec);
    if (result instanceof StartResult.Started s) {
      Child child = new Child(spec);
      state.children.add(child);
      setPid(state, child, s.pid());
      Reports.progress(state.label, null, s.pid(), spec, true);
    }
    return (DynamicSupervisor.StartChildResult) result;
  }

  private DynamicSupervisor.StartChildResult startFromTemplate(State state, Object argument) {
    if (template == null) {
      return new StartResult.Failed(ExitReason.of("no template: this DynamicSupervisor was started without one; "
          + "start children with DynamicSupervisor.startChild(sup, ChildSpec)"));
    }
    return startChild(state, template.specFor(argument));
  }

  /** OTP: a simple_one_for_one supervisor's children are terminated by pid; an id is an error. */
  private static Supervisor.TerminateResult terminateChild(State state, Object pidOrId) {
    if (!(pidOrId instanceof Pid pid)) {
      return new Supervisor.SimpleOneForOne();
    }
    Child child = state.byPid.get(pid);
    if (child == null) {
      return new Supervisor.NotFound();
    }
    if (child.pid != null) {
      Supervision.shutdown(state.label, child, null);
    }
    child.restarting = false;
    remove(state, child);
    return new Supervisor.Terminated();
  }

  private static List<Supervisor.Child> whichChildren(State state) {
    return SupervisorServer.whichChildren(new ArrayList<>(state.children), false);
  }

  // =====================================================================================
  // child exits and restarts

  @Override
  CastResult<State> childExited(State state, Child child, ExitReason reason) {
    ChildSpec spec = child.spec;
    Pid pid = child.pid;
    setPid(state, child, null);
    boolean restart = switch (spec.restart()) {
      case PERMANENT -> true;
      case TRANSIENT -> !reason.isOrderly();
      case TEMPORARY -> false;
    };
    if (restart || !reason.isOrderly()) {
      Reports.supervisor(state.label, "child_terminated", reason, null, pid, spec);
    }
    if (!restart) {
      remove(state, child);
      return noReply(state);
    }
    return restart(state, child);
  }

  @Override
  CastResult<State> restart(State state, Child child) {
    if (!state.intensity.allowAnother()) {
      Reports.supervisor(state.label, "shutdown", "reached_max_restart_intensity", null, null, child.spec);
      return stop(ExitReason.SHUTDOWN, state);
    }
    StartResult result = Supervision.start(child.spec);
    switch (result) {
      case StartResult.Started s -> {
        setPid(state, child, s.pid());
        child.restarting = false;
        Reports.progress(state.label, null, s.pid(), child.spec, false);
        FlightEvents.restarted(state.label, null, s.pid(), lastExit);
        RestartCounts.restarted();
      }
      case StartResult.Ignored i -> {
        child.restarting = false;
        remove(state, child);
      }
      default -> {
        // OTP: mark it restarting and try again through a cast to itself, so that other requests
        // (a shutdown) can be served in between; each attempt counts.
        child.restarting = true;
        Reports.supervisor(state.label, "start_error", Supervision.failureReason(result), null, null, child.spec);
        GenServer.cast(Proc.self(), new Request.TryAgainRestart(child));
      }
    }
    return noReply(state);
  }

  // =====================================================================================
  // stopping

  @Override
  protected void terminate(ExitReason reason, State state) {
    if (state != null) {
      Supervision.shutdownConcurrently(state.label, new ArrayList<>(state.children));
      state.children.clear();
      state.byPid.clear();
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
