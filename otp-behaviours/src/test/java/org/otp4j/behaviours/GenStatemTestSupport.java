package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.otp4j.behaviours.GenStatem.Action;
import org.otp4j.behaviours.GenStatem.Event;
import org.otp4j.behaviours.GenStatem.Result;
import org.otp4j.core.Down;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/**
 * What the GenStatem and GenEvent conformance tests share: a state machine whose behaviour is a
 * lambda and which reports every callback to a probe (the test's {@link Inbox}), and bounded
 * receives on that probe.
 *
 * <p>Every report is sent by the machine's own process, so the probe receives them in the order
 * the callbacks ran: tests assert on that order, never on sleeps.
 */
final class GenStatemTestSupport {
  private GenStatemTestSupport() {}

  /** How long a test waits for something that must happen. */
  static final Duration WAIT = Duration.ofSeconds(5);

  /** How long a test watches for something that must not happen. */
  static final Duration QUIET = Duration.ofMillis(300);

  /** A callback ran: in {@code state}, with {@code event} (enter calls included). */
  record Seen(Object state, Event event) {}

  /** The machine's terminate ran. */
  record Terminated(ExitReason reason, Object state, Object data) {}

  /** The behaviour of a {@link Scripted} machine. */
  @FunctionalInterface
  interface Script<S> {
    Result<S, Object> handle(Event<Object> event, S state, Object data) throws Exception;
  }

  /**
   * A state machine in {@link GenStatem.CallbackMode#HANDLE_EVENT_FUNCTION} mode that reports each
   * event to {@code probe} as a {@link Seen} before {@code script} handles it, and its terminate as
   * a {@link Terminated}.
   */
  static final class Scripted<S> extends GenStatem<S, Object, Object> {
    private final Pid probe;
    private final S initial;
    private final Object initialData;
    private final boolean enter;
    private final List<Action> initActions;
    private final Script<S> script;

    Scripted(Pid probe, S initial, Object initialData, boolean enter, List<Action> initActions, Script<S> script) {
      this.probe = probe;
      this.initial = initial;
      this.initialData = initialData;
      this.enter = enter;
      this.initActions = initActions;
      this.script = script;
    }

    @Override
    protected Init<S, Object> init() {
      return new Init.Ok<>(initial, initialData, initActions);
    }

    @Override
    protected boolean stateEnter() {
      return enter;
    }

    @Override
    protected Result<S, Object> handleEvent(Event<Object> event, S state, Object data) throws Exception {
      Proc.send(probe, new Seen(state, event));
      return script.handle(event, state, data);
    }

    @Override
    protected void terminate(ExitReason reason, S state, Object data) {
      Proc.send(probe, new Terminated(reason, state, data));
    }
  }

  /** A scripted machine without state enter calls, data {@code "data"}. */
  static <S> Scripted<S> scripted(Pid probe, S initial, Script<S> script) {
    return new Scripted<>(probe, initial, "data", false, List.of(), script);
  }

  /** A scripted machine with state enter calls, data {@code "data"}. */
  static <S> Scripted<S> scriptedWithEnter(Pid probe, S initial, Script<S> script) {
    return new Scripted<>(probe, initial, "data", true, List.of(), script);
  }

  /** Starts a machine unlinked (the test thread is not a process). */
  static Pid start(GenStatem<?, ?, Object> machine) {
    return GenStatem.start(machine, StartOptions.defaults()).pid();
  }

  // ---------------------------------------------------------------------------------------
  // the probe

  /** The next {@link Seen} report; fails if none comes within {@link #WAIT}. */
  static Seen nextSeen(Inbox inbox) {
    return (Seen) expect(inbox, m -> m instanceof Seen, "a Seen report");
  }

  /** The next {@code n} {@link Seen} reports, in order. */
  static List<Seen> seen(Inbox inbox, int n) {
    List<Seen> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(nextSeen(inbox));
    }
    return out;
  }

  /** The events of the next {@code n} {@link Seen} reports, in order. */
  static List<Event> events(Inbox inbox, int n) {
    return seen(inbox, n).stream().map(Seen::event).toList();
  }

  /** Asserts that no {@link Seen} report arrives within {@link #QUIET}. */
  static void expectNoSeen(Inbox inbox) {
    assertThat(inbox.receive(m -> m instanceof Seen, QUIET)).as("an event handled when none should be").isEmpty();
  }

  /** The first message matching {@code filter}; fails with the mailbox contents if none comes in time. */
  static Object expect(Inbox inbox, Predicate<Object> filter, String what) {
    return inbox.receive(filter, WAIT).orElseThrow(() -> new AssertionError(
        "expected " + what + " within " + WAIT + "; the probe holds " + inbox.flush()));
  }

  /** The next {@link Terminated} report. */
  static Terminated nextTerminated(Inbox inbox) {
    return (Terminated) expect(inbox, m -> m instanceof Terminated, "the terminate callback");
  }

  /** Monitors {@code pid} from the probe and returns the reason of its end. */
  static ExitReason awaitDown(Inbox inbox, Ref ref) {
    Down down = (Down) expect(inbox, m -> m instanceof Down d && d.ref().equals(ref), "a Down for " + ref);
    return down.reason();
  }

  /** The reason of the exit message from {@code pid} (the probe must be linked and trapping). */
  static ExitReason awaitExitMessage(Inbox inbox, Pid pid) {
    ExitMessage exit = (ExitMessage) expect(inbox, m -> m instanceof ExitMessage e && e.from().equals(pid),
        "an exit message from " + pid);
    return exit.reason();
  }

  /** The exit reason of a process that must end promptly. */
  static ExitReason exitReasonOf(Pid pid) {
    return Proc.awaitExit(pid, WAIT).orElseThrow(() -> new AssertionError(pid + " is still alive after " + WAIT));
  }

  /** The term of a {@link ExitReason.Custom} reason (the engine's bad-return reasons are custom terms). */
  static Object customTerm(ExitReason reason) {
    assertThat(reason).isInstanceOf(ExitReason.Custom.class);
    return ((ExitReason.Custom) reason).term();
  }

  /** Shorthand for a cast event. */
  static Event cast(Object request) {
    return new Event.Cast(Objects.requireNonNull(request));
  }

  /** Shorthand for an info event. */
  static Event info(Object message) {
    return new Event.Info(Objects.requireNonNull(message));
  }

  /** Shorthand for an internal event. */
  static Event internal(Object content) {
    return new Event.Internal(Objects.requireNonNull(content));
  }

  /** Shorthand for an enter event. */
  static Event enter(Object oldState) {
    return new Event.Enter(oldState);
  }

  /** True if {@code event} is a cast of {@code request}. */
  static boolean isCast(Event event, Object request) {
    return event instanceof Event.Cast(Object r) && r.equals(request);
  }

  /** True if {@code event} is an info of {@code message}. */
  static boolean isInfo(Event event, Object message) {
    return event instanceof Event.Info(Object m) && m.equals(message);
  }
}
