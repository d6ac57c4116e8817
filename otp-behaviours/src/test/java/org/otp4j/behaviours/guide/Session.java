package org.otp4j.behaviours.guide;

import java.time.Duration;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/**
 * A user session that ends itself when idle: an idle timeout, handleInfo, terminate, formatStatus.
 */
public final class Session extends GenServer<Session.State, Session.Msg> {

  public sealed interface Msg {
    /** Counts a request and keeps the session alive. */
    record Touch() implements Msg, Call<Integer> {}
  }

  /** The token is a secret: formatStatus keeps it out of status and crash reports. */
  public record State(String user, String token, int requests) {}

  /** Sent to the audit process when a session ends. */
  public record Ended(String user, int requests, ExitReason reason) {}

  private final String user;
  private final String token;
  private final Duration idle;
  private final Pid audit;

  private Session(String user, String token, Duration idle, Pid audit) {
    this.user = user;
    this.token = token;
    this.idle = idle;
    this.audit = audit;
  }

  public static ServerRef<Msg> startLink(String user, String token, Duration idle, Pid audit) {
    return GenServer.startLink(new Session(user, token, idle, audit));
  }

  public static int touch(ServerRef<Msg> session) {
    return GenServer.call(session, new Msg.Touch());
  }

  // region: idle
  @Override
  protected Init<State> init() {
    Proc.trapExits(true); // so that terminate also runs when the supervisor shuts the session down
    return Init.ok(new State(user, token, 0), Action.timeout(idle));
  }

  @Override
  protected CallResult<State> handleCall(Msg msg, From from, State state) {
    return switch (msg) {
      case Msg.Touch() -> {
        State next = new State(state.user(), state.token(), state.requests() + 1);
        yield reply(next.requests(), next, Action.timeout(idle)); // every callback sets it again
      }
    };
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    return switch (message) {
      case Timeout() -> stop(ExitReason.shutdown("idle"), state); // nothing came for `idle`
      default -> noReply(state, Action.timeout(idle));
    };
  }
  // endregion: idle

  // region: terminate
  @Override
  protected void terminate(ExitReason reason, State state) {
    Proc.send(audit, new Ended(state.user(), state.requests(), reason));
  }
  // endregion: terminate

  // region: format-status
  @Override
  protected Status formatStatus(Status status) {
    if (status.state() instanceof State s) {
      return status.withState(new State(s.user(), "<redacted>", s.requests()));
    }
    return status;
  }
  // endregion: format-status
}
