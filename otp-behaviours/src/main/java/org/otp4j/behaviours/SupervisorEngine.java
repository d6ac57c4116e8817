package org.otp4j.behaviours;

import java.util.HashMap;
import java.util.Map;
import org.otp4j.behaviours.Supervision.Child;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;

/**
 * The part of a supervisor's loop both engines run the same way: an exit from a child goes to the
 * engine's {@link #childExited}, a retry cast after a failed restart to its {@link #restart}, an
 * exit from anything else is ignored and any other message is reported (OTP's
 * {@code supervisor:handle_info/2}). {@link SupervisorServer} and {@link DynamicSupervisorServer}
 * decide what an exit means for their children.
 *
 * @param <S> the engine's state
 */
abstract sealed class SupervisorEngine<S extends SupervisorEngine.Children>
    extends GenServer<S, Supervision.Request> permits SupervisorServer, DynamicSupervisorServer {

  /** What every supervisor's state holds: its children by pid, its intensity, its label. */
  abstract static class Children {
    final Map<Pid, Child> byPid = new HashMap<>();
    final Supervision.Intensity intensity;
    final String label;

    Children(Supervision.Intensity intensity, String label) {
      this.intensity = intensity;
      this.label = label;
    }
  }

  /** The exit reason behind the restart in progress, for the flight recorder. */
  Object lastExit;

  /** Handles the exit of a running child: restarts it, or forgets it, as its spec says. */
  abstract CastResult<S> childExited(S state, Child child, ExitReason reason);

  /** Restarts {@code child}, which is no longer running; gives up past the restart intensity. */
  abstract CastResult<S> restart(S state, Child child);

  @Override
  protected final CastResult<S> handleCast(Supervision.Request request, S state) {
    if (request instanceof Supervision.Request.TryAgainRestart retry) {
      Child child = retry.child();
      if (!child.removed && child.restarting) {
        return restart(state, child);
      }
    }
    return noReply(state);
  }

  @Override
  protected final CastResult<S> handleInfo(Object message, S state) {
    if (message instanceof ExitMessage exit) {
      Child child = state.byPid.get(exit.from());
      if (child != null) {
        lastExit = exit.reason();
        return childExited(state, child, exit.reason());
      }
      return noReply(state); // not a child: ignored (OTP)
    }
    Reports.log(new Reports.Report.UnexpectedMessage(Reports.Report.UnexpectedMessage.Kind.SUPERVISOR,
        getClass().getName(), state.label, message));
    return noReply(state);
  }
}
