package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.GenStatem.keepState;
import static org.otp4j.behaviours.GenStatem.keepStateAndData;
import static org.otp4j.behaviours.GenStatem.nextState;
import static org.otp4j.behaviours.GenStatem.repeatState;
import static org.otp4j.behaviours.GenStatem.repeatStateAndData;
import static org.otp4j.behaviours.GenStatemTestSupport.WAIT;
import static org.otp4j.behaviours.GenStatemTestSupport.awaitDown;
import static org.otp4j.behaviours.GenStatemTestSupport.cast;
import static org.otp4j.behaviours.GenStatemTestSupport.customTerm;
import static org.otp4j.behaviours.GenStatemTestSupport.enter;
import static org.otp4j.behaviours.GenStatemTestSupport.expect;
import static org.otp4j.behaviours.GenStatemTestSupport.internal;
import static org.otp4j.behaviours.GenStatemTestSupport.isCast;
import static org.otp4j.behaviours.GenStatemTestSupport.nextTerminated;
import static org.otp4j.behaviours.GenStatemTestSupport.scriptedWithEnter;
import static org.otp4j.behaviours.GenStatemTestSupport.seen;
import static org.otp4j.behaviours.GenStatemTestSupport.start;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.GenStatem.Action;
import org.otp4j.behaviours.GenStatem.Event;
import org.otp4j.behaviours.GenStatemTestSupport.Seen;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** State enter calls of {@link GenStatem} (OTP-SEMANTICS.md S6, S16, S9 step 2). */
@ExtendWith(CaptureReports.class)
class GenStatemEnterTest {

  @Test
  @DisplayName("S16: the first enter call, on the initial state, has the initial state as its old state")
  void s16_theFirstEnterCallHasTheInitialStateAsOldState() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        start(scriptedWithEnter(inbox.pid(), "idle", (e, s, d) -> keepStateAndData()));
        assertThat(seen(inbox, 1)).containsExactly(new Seen("idle", enter("idle")));
      });
    }
  }

  @Test
  @DisplayName("S16/S9: the initial enter call runs before the events inserted by init")
  void s16_theInitialEnterCallRunsBeforeInitsInsertedEvents() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        start(new GenStatemTestSupport.Scripted<>(inbox.pid(), "idle", "data", true,
            List.of(Action.nextEvent(internal("boot"))), (e, s, d) -> keepStateAndData()));
        assertThat(seen(inbox, 2)).containsExactly(new Seen("idle", enter("idle")), new Seen("idle", internal("boot")));
      });
    }
  }

  @Test
  @DisplayName("S16: a state change runs the new state's enter call with the old state; keepState runs none")
  void s16_aStateChangeRunsTheEnterCallWithTheOldState() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("keep") -> keepState(d + "+keep");
          case Event.Cast(Object c) when c.equals("same") -> nextState(s, d);
          case Event.Cast(Object c) when c.equals("go") -> nextState(s.equals("A") ? "B" : "A", d);
          default -> keepStateAndData();
        }));
        for (String c : List.of("keep", "same", "go", "go")) {
          GenStatem.cast(m, c);
        }
        assertThat(seen(inbox, 7)).containsExactly(
            new Seen("A", enter("A")),
            new Seen("A", cast("keep")), new Seen("A", cast("same")), new Seen("A", cast("go")),
            new Seen("B", enter("A")),
            new Seen("B", cast("go")),
            new Seen("A", enter("B")));
      });
    }
  }

  @Test
  @DisplayName("S6: repeatState and repeatStateAndData run the enter call again (old state = state), "
      + "but postponed events stay postponed")
  void s6_repeatStateRunsTheEnterCallAgain() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "locked", (e, s, d) -> switch (e) {
          case Event.Enter x -> keepStateAndData();
          case Event.Cast(Object c) when c.equals("repeat") -> repeatState(d + "+r");
          case Event.Cast(Object c) when c.equals("repeatAndData") -> repeatStateAndData();
          case Event.Cast(Object c) when c.equals("unlock") -> nextState("open", d);
          default -> s.equals("locked") ? keepStateAndData(Action.postpone()) : keepStateAndData();
        }));
        for (String c : List.of("p", "repeat", "repeatAndData", "unlock")) {
          GenStatem.cast(m, c);
        }
        assertThat(seen(inbox, 9)).containsExactly(
            new Seen("locked", enter("locked")),
            new Seen("locked", cast("p")),
            new Seen("locked", cast("repeat")), new Seen("locked", enter("locked")),
            new Seen("locked", cast("repeatAndData")), new Seen("locked", enter("locked")),
            new Seen("locked", cast("unlock")),
            new Seen("open", enter("locked")),
            new Seen("open", cast("p")));
        assertThat(((GenStatem.StateAndData) Sys.getState(m)).data()).isEqualTo("data+r");
      });
    }
  }

  @Test
  @DisplayName("S16: an enter call may set data and timeouts, and may return nextState to its own state")
  void s16_anEnterCallMaySetDataAndTimeouts() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Enter x when s.equals("A") -> keepState(d + "+enterA");
          case Event.Enter x -> nextState(s, d + "+enterB", Action.stateTimeout(Duration.ofMillis(20), "st"));
          case Event.Cast(Object c) when c.equals("go") -> nextState("B", d + "+go");
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "go");
        assertThat(seen(inbox, 4)).containsExactly(new Seen("A", enter("A")), new Seen("A", cast("go")),
            new Seen("B", enter("A")), new Seen("B", new Event.StateTimeout("st")));
        assertThat(((GenStatem.StateAndData) Sys.getState(m)))
            .isEqualTo(new GenStatem.StateAndData("B", "data+enterA+go+enterB"));
      });
    }
  }

  @Test
  @DisplayName("S16: an enter call that changes the state stops the machine with a reason naming both states")
  void s16_anEnterCallThatChangesTheStateStopsTheMachine(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Enter x when s.equals("B") -> nextState("C", d);
          case Event.Cast(Object c) when c.equals("go") -> nextState("B", d);
          default -> keepStateAndData();
        }));
        var ref = inbox.monitor(m);
        GenStatem.cast(m, "go");
        ExitReason reason = awaitDown(inbox, ref);
        assertThat(customTerm(reason)).isInstanceOfSatisfying(BadReturn.class, b -> {
          assertThat(b.kind()).isEqualTo("bad_state_enter_return_from_state_function");
          assertThat(String.valueOf(b.value())).contains("B").contains("C");
        });
        assertThat(nextTerminated(inbox).reason()).isEqualTo(reason);
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(reason);
      });
    }
  }

  static Stream<Arguments> forbiddenEnterActions() {
    return Stream.of(
        Arguments.of("postpone", Action.postpone()),
        Arguments.of("nextEvent", Action.nextEvent(new Event.Internal("x"))));
  }

  @ParameterizedTest(name = "S16: {0} in an enter call stops the machine with bad_state_enter_action_from_state_function")
  @MethodSource("forbiddenEnterActions")
  void s16_postponeAndNextEventAreRejectedInAnEnterCall(String name, Action forbidden, Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Enter x when s.equals("B") -> keepStateAndData(forbidden);
          case Event.Cast(Object c) when c.equals("go") -> nextState("B", d);
          default -> keepStateAndData();
        }));
        var ref = inbox.monitor(m);
        GenStatem.cast(m, "go");
        ExitReason reason = awaitDown(inbox, ref);
        assertThat(customTerm(reason)).isEqualTo(
            new BadReturn("bad_state_enter_action_from_state_function", forbidden));
        // nothing the forbidden action asked for happened
        assertThat(seen(inbox, 3)).containsExactly(new Seen("A", enter("A")), new Seen("A", cast("go")),
            new Seen("B", enter("A")));
        assertThat(inbox.receive(x -> x instanceof Seen, Duration.ZERO)).isEmpty();
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(reason);
      });
    }
  }

  @Test
  @DisplayName("S9 steps 1-2: the replies of a transition are sent before the new state's enter call runs")
  void s9_repliesAreSentBeforeTheEnterCall() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Call(From from, Object q) -> nextState("B", d, Action.reply(from, "moved"));
          default -> keepStateAndData();
        }));
        seen(inbox, 1); // the initial enter call
        List<Sys.Event> log = new ArrayList<>();
        Sys.install(m, (pid, event) -> Proc.send(inbox.pid(), event));
        assertThat((String) GenStatem.call(m, "go")).isEqualTo("moved");
        for (int i = 0; i < 4; i++) {
          log.add((Sys.Event) expect(inbox, x -> x instanceof Sys.Event, "a Sys event"));
        }
        assertThat(log.get(0)).isInstanceOf(Sys.Event.In.class);
        assertThat(log.get(1)).isInstanceOfSatisfying(Sys.Event.Out.class, o -> assertThat(o.reply()).isEqualTo("moved"));
        assertThat(log.subList(2, 4)).containsExactly(new Sys.Event.StateChange("A", "B"), new Sys.Event.Enter("A", "B"));
        assertThat(inbox.receive(x -> x instanceof Seen, WAIT)).isPresent();
      });
    }
  }

  @Test
  @DisplayName("S16/S9: an enter call runs before the inserted and postponed events of the transition")
  void s16_theEnterCallRunsBeforeInsertedEvents() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Enter x -> keepStateAndData();
          case Event.Cast(Object c) when c.equals("go") -> nextState("B", d, Action.nextEvent(internal("i")));
          default -> isCast(e, "p") && s.equals("A") ? keepStateAndData(Action.postpone()) : keepStateAndData();
        }));
        GenStatem.cast(m, "p");
        GenStatem.cast(m, "go");
        assertThat(seen(inbox, 6)).containsExactly(new Seen("A", enter("A")), new Seen("A", cast("p")),
            new Seen("A", cast("go")), new Seen("B", enter("A")), new Seen("B", internal("i")),
            new Seen("B", cast("p")));
      });
    }
  }
}
