package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.GenStatem.keepStateAndData;
import static org.otp4j.behaviours.GenStatem.nextState;
import static org.otp4j.behaviours.GenStatemTestSupport.WAIT;
import static org.otp4j.behaviours.GenStatemTestSupport.cast;
import static org.otp4j.behaviours.GenStatemTestSupport.enter;
import static org.otp4j.behaviours.GenStatemTestSupport.events;
import static org.otp4j.behaviours.GenStatemTestSupport.expect;
import static org.otp4j.behaviours.GenStatemTestSupport.expectNoSeen;
import static org.otp4j.behaviours.GenStatemTestSupport.exitReasonOf;
import static org.otp4j.behaviours.GenStatemTestSupport.isCast;
import static org.otp4j.behaviours.GenStatemTestSupport.nextSeen;
import static org.otp4j.behaviours.GenStatemTestSupport.scripted;
import static org.otp4j.behaviours.GenStatemTestSupport.scriptedWithEnter;
import static org.otp4j.behaviours.GenStatemTestSupport.seen;
import static org.otp4j.behaviours.GenStatemTestSupport.start;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.GenStatem.Action;
import org.otp4j.behaviours.GenStatem.Event;
import org.otp4j.behaviours.GenStatem.StateAndData;
import org.otp4j.behaviours.GenStatemTestSupport.Seen;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** {@link Sys} on a {@link GenStatem} (OTP-SEMANTICS.md S20, Y1-Y5, Y8). */
@ExtendWith(CaptureReports.class)
class GenStatemSysTest {

  @Test
  @DisplayName("S20/Y1: Sys.getState returns the state and data as a GenStatem.StateAndData")
  void s20_getStateReturnsStateAndData() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "locked", (e, s, d) -> isCast(e, "unlock")
            ? nextState("open", d + "+unlocked") : keepStateAndData()));
        assertThat(((StateAndData) Sys.getState(m))).isEqualTo(new StateAndData("locked", "data"));
        GenStatem.cast(m, "unlock");
        assertThat(((StateAndData) Sys.getState(m))).isEqualTo(new StateAndData("open", "data+unlocked"));
      });
    }
  }

  @Test
  @DisplayName("S20/Y2: Sys.replaceState receives and returns a StateAndData; the machine goes on in the new state, "
      + "without an enter call or a retry of postponed events")
  void s20_replaceStateReceivesAndReturnsStateAndData() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "locked", (e, s, d) -> switch (e) {
          case Event.Enter x -> keepStateAndData();
          default -> s.equals("locked") ? keepStateAndData(Action.postpone()) : keepStateAndData();
        }));
        GenStatem.cast(m, "p");
        assertThat(seen(inbox, 2)).containsExactly(new Seen("locked", enter("locked")), new Seen("locked", cast("p")));
        List<Object> given = new ArrayList<>();
        StateAndData replaced = Sys.replaceState(m, (StateAndData sd) -> {
          given.add(sd);
          return new StateAndData("open", sd.data() + "+replaced");
        });
        assertThat(given).containsExactly(new StateAndData("locked", "data"));
        assertThat(replaced).isEqualTo(new StateAndData("open", "data+replaced"));
        assertThat(((StateAndData) Sys.getState(m))).isEqualTo(replaced);
        GenStatem.cast(m, "q");
        assertThat(seen(inbox, 1)).containsExactly(new Seen("open", cast("q")));
      });
    }
  }

  @Test
  @DisplayName("Y2: a replace function that throws, or returns something else than a StateAndData, leaves the "
      + "state unchanged and fails the caller")
  void y2_aFailingReplaceFunctionLeavesTheStateUnchanged() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "s", (e, s, d) -> keepStateAndData()));
        IllegalStateException oops = new IllegalStateException("oops");
        assertThatThrownBy(() -> Sys.replaceState(m, sd -> {
          throw oops;
        })).isInstanceOf(Sys.StateReplaceException.class).hasCause(oops).hasMessageContaining("unchanged");
        assertThatThrownBy(() -> Sys.replaceState(m, sd -> "not a StateAndData"))
            .isInstanceOf(Sys.StateReplaceException.class);
        assertThat(((StateAndData) Sys.getState(m))).isEqualTo(new StateAndData("s", "data"));
        assertThat(Proc.isAlive(m)).isTrue();
      });
    }
  }

  /** Hides its data in status and crash reports. */
  static final class Vault extends GenStatem<String, String, Object> {
    private final Pid probe;

    Vault(Pid probe) {
      this.probe = probe;
    }

    @Override
    protected Init<String, String> init() {
      return Init.ok("closed", "secret-combination");
    }

    @Override
    protected Result<String, String> handleEvent(Event<Object> event, String state, String data) {
      Proc.send(probe, new Seen(state, event));
      return switch (event) {
        case Event.Cast(Object c) when c.equals("crash") -> throw new IllegalStateException("vault jammed");
        case Event.Call(From from, Object q) -> keepStateAndData(Action.reply(from, "closed"));
        default -> keepStateAndData(Action.postpone());
      };
    }

    @Override
    protected Status formatStatus(Status status) {
      return status.withData("***");
    }
  }

  @Test
  @DisplayName("Y3: Sys.getStatus shows the pid, behaviour, module, parent, suspension and the state as "
      + "formatStatus shapes it")
  void y3_getStatus() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(new Vault(inbox.pid()));
        Sys.Status status = Sys.getStatus(m);
        assertThat(status.pid()).isEqualTo(m);
        assertThat(status.behaviour()).isEqualTo("GenStatem");
        assertThat(status.module()).isEqualTo(Vault.class.getName());
        assertThat(status.suspended()).isFalse();
        assertThat(status.parent()).as("started unlinked: its own parent").isEqualTo(m);
        assertThat(status.state()).isEqualTo(new StateAndData("closed", "***"));
        assertThat(String.valueOf(status)).doesNotContain("secret-combination");
        Sys.suspend(m);
        assertThat(Sys.getStatus(m).suspended()).isTrue();
        Sys.resume(m);
        assertThat(Sys.getStatus(m).suspended()).isFalse();
      });
    }
  }

  @Test
  @DisplayName("Y4: a suspended machine handles only system messages; events and calls wait until resume")
  void y4_aSuspendedMachineHandlesOnlySystemMessages() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "s", (e, s, d) -> e instanceof Event.Call(From from, Object q)
            ? keepStateAndData(Action.reply(from, "answer")) : keepStateAndData()));
        Sys.suspend(m);
        GenStatem.cast(m, "c1");
        node.spawn(() -> Proc.send(inbox.pid(), GenStatem.call(m, "q")));
        expectNoSeen(inbox);
        assertThat(((StateAndData) Sys.getState(m))).as("get_state works while suspended")
            .isEqualTo(new StateAndData("s", "data"));
        assertThat(inbox.receive(x -> x.equals("answer"), Duration.ZERO)).isEmpty();
        Sys.resume(m);
        assertThat(nextSeen(inbox).event()).isEqualTo(cast("c1"));
        assertThat(nextSeen(inbox).event()).isInstanceOf(Event.Call.class);
        assertThat(inbox.receive(x -> x.equals("answer"), WAIT)).isPresent();
      });
    }
  }

  @Test
  @DisplayName("Y4/S3: a suspended machine can still be stopped; terminate runs")
  void y4_aSuspendedMachineCanBeStopped() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "s", (e, s, d) -> keepStateAndData()));
        Sys.suspend(m);
        GenStatem.stop(m, ExitReason.SHUTDOWN, WAIT);
        assertThat(GenStatemTestSupport.nextTerminated(inbox).reason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(Proc.isAlive(m)).isFalse();
      });
    }
  }

  @Test
  @DisplayName("Y4/S11: a suspended machine does not handle its event timeout either; it comes after resume")
  void y4_aSuspendedMachineDoesNotHandleItsEventTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> BehaviourTestKit.untilUndisturbed("suspending the machine before its event timeout", () -> {
        Pid m = start(scripted(inbox.pid(), "s", (e, s, d) -> isCast(e, "arm")
            ? keepStateAndData(Action.eventTimeout(Duration.ofMillis(100), "et")) : keepStateAndData()));
        GenStatem.cast(m, "arm");
        Sys.suspend(m);
        assertThat(events(inbox, 1)).containsExactly(cast("arm"));
        // The machine reports an event before it answers the suspend: if the timeout is here already,
        // this thread stalled for 100 ms between the cast and the suspend, and the attempt says nothing.
        if (inbox.receive(x -> x instanceof Seen, Duration.ZERO).isPresent()) {
          GenStatem.stop(m);
          return false;
        }
        assertThat(inbox.receive(x -> x instanceof Seen, GenStatemTestSupport.QUIET))
            .as("an event handled while suspended").isEmpty();
        Sys.resume(m);
        assertThat(events(inbox, 1)).containsExactly(new Event.Timeout("et"));
        GenStatem.stop(m);
        return true;
      }));
    }
  }

  @Test
  @DisplayName("Y5: an installed sink sees, in order, the in, postpone, out, state change, enter and terminate events")
  void y5_anInstalledSinkSeesTheMachinesEvents() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Enter x -> keepStateAndData();
          case Event.Call(From from, Object q) -> nextState("B", d, Action.reply(from, "moved"));
          case Event.Cast(Object c) when c.equals("quit") -> GenStatem.stop(ExitReason.NORMAL);
          default -> s.equals("A") ? keepStateAndData(Action.postpone()) : keepStateAndData();
        }));
        nextSeen(inbox); // the initial enter call, before the sink is there
        Sys.install(m, (pid, event) -> Proc.send(inbox.pid(), event));
        GenStatem.cast(m, "p");
        assertThat((String) GenStatem.call(m, "go")).isEqualTo("moved");
        GenStatem.cast(m, "quit");
        List<Sys.Event> trail = new ArrayList<>();
        Sys.Event next;
        do {
          next = (Sys.Event) expect(inbox, x -> x instanceof Sys.Event, "a Sys event");
          trail.add(next);
        } while (!(next instanceof Sys.Event.Terminate));
        assertThat(trail).containsSubsequence(
            new Sys.Event.In(cast("p")),
            new Sys.Event.Postpone(cast("p"), "A"),
            new Sys.Event.StateChange("A", "B"),
            new Sys.Event.Enter("A", "B"),
            new Sys.Event.In(cast("p")),
            new Sys.Event.In(cast("quit")),
            new Sys.Event.Terminate(ExitReason.NORMAL, new StateAndData("B", "data")));
        int out = indexOf(trail, x -> x instanceof Sys.Event.Out o && o.reply().equals("moved"));
        assertThat(out).as("the reply between the call and the state change")
            .isGreaterThan(indexOf(trail, x -> x instanceof Sys.Event.In(Event.Call c)))
            .isLessThan(trail.indexOf(new Sys.Event.StateChange("A", "B")));
        assertThat(exitReasonOf(m)).isEqualTo(ExitReason.NORMAL);
      });
    }
  }

  private static int indexOf(List<Sys.Event> events, java.util.function.Predicate<Sys.Event> p) {
    for (int i = 0; i < events.size(); i++) {
      if (p.test(events.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no matching event in " + events);
  }

  @Test
  @DisplayName("Y5: Sys.log keeps the last events of the machine")
  void y5_sysLogKeepsTheLastEvents() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "A", (e, s, d) -> isCast(e, "go") ? nextState("B", d)
            : keepStateAndData()));
        Sys.log(m, 3);
        for (String c : List.of("x", "y", "go")) {
          GenStatem.cast(m, c);
        }
        assertThat(((StateAndData) Sys.getState(m)).state()).isEqualTo("B");
        assertThat(Sys.getLog(m)).hasSize(3).last().isEqualTo(new Sys.Event.StateChange("A", "B"));
        Sys.log(m, 0);
        assertThat(Sys.getLog(m)).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("Y8: a crash is reported as 'State machine ... terminating' with the last event, state, reason, "
      + "callback mode and postponed events, after formatStatus")
  void y8_aCrashIsReportedWithTheMachinesContext(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(new Vault(inbox.pid()));
        GenStatem.cast(m, "waiting-in-line");
        GenStatem.cast(m, "crash");
        assertThat(exitReasonOf(m)).isInstanceOf(ExitReason.Crash.class);
      });
    }
    List<ILoggingEvent> terminating = reports.events(Reports.REPORTS).stream()
        .filter(e -> e.getFormattedMessage().contains("State machine")).toList();
    assertThat(terminating).hasSize(1);
    ILoggingEvent report = terminating.getFirst();
    assertThat(report.getLevel()).isEqualTo(Level.ERROR);
    assertThat(report.getFormattedMessage())
        .contains("terminating")
        .contains("crash")                     // the last event
        .contains("closed")                    // the state
        .contains("vault jammed")              // the reason
        .contains("HANDLE_EVENT_FUNCTION")
        .contains("waiting-in-line")           // postponed
        .doesNotContain("secret-combination"); // formatStatus applies
  }
}
