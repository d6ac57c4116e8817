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
import static org.otp4j.behaviours.GenStatemTestSupport.events;
import static org.otp4j.behaviours.GenStatemTestSupport.info;
import static org.otp4j.behaviours.GenStatemTestSupport.internal;
import static org.otp4j.behaviours.GenStatemTestSupport.isCast;
import static org.otp4j.behaviours.GenStatemTestSupport.nextTerminated;
import static org.otp4j.behaviours.GenStatemTestSupport.scripted;
import static org.otp4j.behaviours.GenStatemTestSupport.scriptedWithEnter;
import static org.otp4j.behaviours.GenStatemTestSupport.seen;
import static org.otp4j.behaviours.GenStatemTestSupport.start;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
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

/**
 * The transition algorithm of {@link GenStatem} (OTP-SEMANTICS.md 3.2, 3.3): what counts as a
 * state change, postponing, inserted events, the order of the steps after a callback, and the two
 * callback modes (3.1).
 */
@ExtendWith(CaptureReports.class)
class GenStatemTransitionTest {

  // ---------------------------------------------------------------------------------------
  // S10: postpone

  @Test
  @DisplayName("S10: events postponed in locked are retried in their original order after unlock, before later ones")
  void s10_postponedEventsAreRetriedInOrderAfterAStateChange() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid door = start(scripted(inbox.pid(), "locked", (e, s, d) -> switch (s) {
          case "locked" -> isCast(e, "unlock") ? nextState("open", d) : keepStateAndData(Action.postpone());
          default -> keepStateAndData();
        }));
        for (String e : List.of("e1", "e2", "e3", "unlock", "e4")) {
          GenStatem.cast(door, e);
        }
        assertThat(seen(inbox, 8)).containsExactly(
            new Seen("locked", cast("e1")), new Seen("locked", cast("e2")), new Seen("locked", cast("e3")),
            new Seen("locked", cast("unlock")),
            new Seen("open", cast("e1")), new Seen("open", cast("e2")), new Seen("open", cast("e3")),
            new Seen("open", cast("e4")));
        assertThat(((GenStatem.StateAndData) Sys.getState(door)).state()).isEqualTo("open");
      });
    }
  }

  @Test
  @DisplayName("S10: keepState, keepStateAndData, repeatState and nextState(same state) do not retry postponed events")
  void s10_postponedEventsAreNotRetriedWithoutAStateChange() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid door = start(scripted(inbox.pid(), "locked", (e, s, d) -> switch (s) {
          case "locked" -> switch (e) {
            case Event.Cast(Object c) when c.equals("keep") -> keepState(d + "+keep");
            case Event.Cast(Object c) when c.equals("keepAndData") -> keepStateAndData();
            case Event.Cast(Object c) when c.equals("repeat") -> repeatState(d + "+repeat");
            case Event.Cast(Object c) when c.equals("repeatAndData") -> repeatStateAndData();
            case Event.Cast(Object c) when c.equals("same") -> nextState("locked", d + "+same");
            case Event.Cast(Object c) when c.equals("unlock") -> nextState("open", d);
            default -> keepStateAndData(Action.postpone());
          };
          default -> keepStateAndData();
        }));
        for (String e : List.of("e1", "keep", "keepAndData", "repeat", "repeatAndData", "same", "e2", "unlock")) {
          GenStatem.cast(door, e);
        }
        assertThat(events(inbox, 10)).containsExactly(
            cast("e1"), cast("keep"), cast("keepAndData"), cast("repeat"), cast("repeatAndData"), cast("same"),
            cast("e2"), cast("unlock"),
            cast("e1"), cast("e2"));
        assertThat(((GenStatem.StateAndData) Sys.getState(door)).data()).isEqualTo("data+keep+repeat+same");
      });
    }
  }

  @Test
  @DisplayName("S10/S9.3: an event postponed by the transition that changes the state is retried at once, after older ones")
  void s10_theEventThatChangesTheStateCanPostponeItself() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid door = start(scripted(inbox.pid(), "locked", (e, s, d) -> switch (s) {
          case "locked" -> isCast(e, "open-and-retry")
              ? nextState("open", d, Action.postpone()) : keepStateAndData(Action.postpone());
          default -> keepStateAndData();
        }));
        GenStatem.cast(door, "e1");
        GenStatem.cast(door, "open-and-retry");
        GenStatem.cast(door, "e2");
        assertThat(seen(inbox, 5)).containsExactly(
            new Seen("locked", cast("e1")), new Seen("locked", cast("open-and-retry")),
            new Seen("open", cast("e1")), new Seen("open", cast("open-and-retry")), new Seen("open", cast("e2")));
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // S5: what a state change is

  /** A record state: two instances with the same field are the same state. */
  record Door(String mode) {}

  @Test
  @DisplayName("S5: nextState to an equal (not identical) record state is no state change: no enter call, "
      + "no retry of postponed events, the state timeout keeps running")
  void s5_nextStateToAnEqualStateIsNotAStateChange() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid door = start(scriptedWithEnter(inbox.pid(), new Door("locked"), (e, s, d) -> switch (s.mode()) {
          case "locked" -> switch (e) {
            case Event.Enter x -> keepStateAndData();
            case Event.Cast(Object c) when c.equals("arm") ->
                keepStateAndData(Action.stateTimeout(Duration.ofMillis(150), "st"));
            case Event.Cast(Object c) when c.equals("same") -> nextState(new Door("locked"), d);
            case Event.StateTimeout x -> nextState(new Door("open"), d);
            default -> keepStateAndData(Action.postpone());
          };
          default -> keepStateAndData();
        }));
        // Suspended, the machine queues the three casts: "same" is in before "arm" starts the 150 ms
        // state timeout, however slowly this thread runs.
        Sys.suspend(door);
        GenStatem.cast(door, "arm");
        GenStatem.cast(door, "e1");
        GenStatem.cast(door, "same");
        Sys.resume(door);
        Door locked = new Door("locked");
        Door open = new Door("open");
        assertThat(seen(inbox, 7)).containsExactly(
            new Seen(locked, enter(locked)),
            new Seen(locked, cast("arm")),
            new Seen(locked, cast("e1")),
            new Seen(locked, cast("same")),
            new Seen(locked, new Event.StateTimeout("st")), // not cancelled by nextState(equal state)
            new Seen(open, enter(locked)),
            new Seen(open, cast("e1")));                    // retried only now, after the real change
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // S9: the order of the steps after a callback

  @Test
  @DisplayName("S9: after a state change: the enter call, then inserted events in order, then postponed events, "
      + "then messages not yet received")
  void s9_orderOfEnterCallInsertedPostponedAndNewEvents() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scriptedWithEnter(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Enter x -> keepStateAndData();
          case Event.Cast(Object c) when s.equals("A") && c.equals("go") -> {
            Proc.send(Proc.self(), "mailbox"); // already in the mailbox when the transition completes
            yield nextState("B", d, Action.nextEvent(internal("i1")), Action.nextEvent(internal("i2")));
          }
          case Event.Cast(Object c) when s.equals("A") -> keepStateAndData(Action.postpone());
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "p1");
        GenStatem.cast(m, "p2");
        GenStatem.cast(m, "go");
        assertThat(seen(inbox, 9)).containsExactly(
            new Seen("A", enter("A")),
            new Seen("A", cast("p1")), new Seen("A", cast("p2")), new Seen("A", cast("go")),
            new Seen("B", enter("A")),
            new Seen("B", internal("i1")), new Seen("B", internal("i2")),
            new Seen("B", cast("p1")), new Seen("B", cast("p2")));
        assertThat(events(inbox, 1)).containsExactly(info("mailbox"));
      });
    }
  }

  @Test
  @DisplayName("S9.5: next events go before every queued message, in list order; events inserted while handling "
      + "an inserted event go first")
  void s9_5_insertedEventsComeBeforeQueuedMessagesInOrder() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("go") -> {
            Proc.send(Proc.self(), "m1");
            Proc.send(Proc.self(), "m2");
            yield keepStateAndData(Action.nextEvent(internal("a")), Action.nextEvent(internal("b")),
                Action.nextEvent(cast("c")));
          }
          case Event.Internal(Object c) when c.equals("a") -> keepStateAndData(Action.nextEvent(internal("a2")));
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "go");
        assertThat(events(inbox, 7)).containsExactly(
            cast("go"), internal("a"), internal("a2"), internal("b"), cast("c"), info("m1"), info("m2"));
      });
    }
  }

  @Test
  @DisplayName("3.3: the hibernate action is accepted and the machine carries on")
  void hibernateIsAccepted() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> isCast(e, "sleep")
            ? nextState("T", d, Action.hibernate()) : keepStateAndData()));
        GenStatem.cast(m, "sleep");
        GenStatem.cast(m, "wake");
        assertThat(seen(inbox, 2)).containsExactly(new Seen("S", cast("sleep")), new Seen("T", cast("wake")));
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // S8: bad results

  @Test
  @DisplayName("S8: a null result stops the machine with {bad_return_from_state_function, null}, after terminate")
  void s8_aNullResultStopsTheMachine(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> isCast(e, "bad") ? null : keepStateAndData()));
        var ref = inbox.monitor(m);
        GenStatem.cast(m, "bad");
        ExitReason reason = awaitDown(inbox, ref);
        assertThat(customTerm(reason)).isInstanceOfSatisfying(BadReturn.class,
            b -> assertThat(b.kind()).isEqualTo("bad_return_from_state_function"));
        assertThat(nextTerminated(inbox).reason()).isEqualTo(reason);
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(reason);
      });
    }
  }

  @Test
  @DisplayName("S3/P4: an exception thrown by a state callback is the exit reason, and terminate sees it")
  void s3_anExceptionInACallbackIsTheExitReason(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        IllegalStateException boom = new IllegalStateException("boom");
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> {
          throw boom;
        }));
        var ref = inbox.monitor(m);
        GenStatem.cast(m, "x");
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.crash(boom));
        assertThat(nextTerminated(inbox)).isEqualTo(new GenStatemTestSupport.Terminated(ExitReason.crash(boom), "S",
            "data"));
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(ExitReason.crash(boom));
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // S1: callback modes

  /** A switch in STATE_FUNCTIONS mode: each constant handles its own state. Data: the probe. */
  enum Switch implements GenStatem.StateFunction<Switch, Pid, Object> {
    OFF {
      @Override
      public GenStatem.Result<Switch, Pid> handle(Event<Object> event, Pid probe) {
        Proc.send(probe, new Seen(OFF, event));
        return switch (event) {
          case Event.Cast(Object c) when c.equals("flip") -> nextState(ON, probe);
          case Event.Call(From from, Object q) -> keepStateAndData(Action.reply(from, "off"));
          default -> keepStateAndData();
        };
      }
    },
    ON {
      @Override
      public GenStatem.Result<Switch, Pid> handle(Event<Object> event, Pid probe) {
        Proc.send(probe, new Seen(ON, event));
        return switch (event) {
          case Event.Cast(Object c) when c.equals("flip") -> nextState(OFF, probe);
          case Event.Call(From from, Object q) -> keepStateAndData(Action.reply(from, "on"));
          default -> keepStateAndData();
        };
      }
    }
  }

  static final class SwitchMachine extends GenStatem<Switch, Pid, Object> {
    private final Pid probe;

    SwitchMachine(Pid probe) {
      this.probe = probe;
    }

    @Override
    protected Init<Switch, Pid> init() {
      return Init.ok(Switch.OFF, probe);
    }

    @Override
    protected CallbackMode callbackMode() {
      return CallbackMode.STATE_FUNCTIONS;
    }

    @Override
    protected boolean stateEnter() {
      return true;
    }
  }

  @Test
  @DisplayName("S1: STATE_FUNCTIONS with enum states: events and enter calls go to the current state's constant")
  void s1_stateFunctionsWithEnumStates() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(new SwitchMachine(inbox.pid()));
        assertThat((String) GenStatem.call(m, "which?")).isEqualTo("off");
        GenStatem.cast(m, "flip");
        assertThat((String) GenStatem.call(m, "which?")).isEqualTo("on");
        List<Seen> seen = seen(inbox, 5);
        assertThat(seen.get(0)).isEqualTo(new Seen(Switch.OFF, enter(Switch.OFF)));
        assertThat(seen.get(1).state()).isEqualTo(Switch.OFF);
        assertThat(seen.get(1).event()).isInstanceOf(Event.Call.class);
        assertThat(seen.subList(2, 4)).containsExactly(new Seen(Switch.OFF, cast("flip")),
            new Seen(Switch.ON, enter(Switch.OFF)));
        assertThat(seen.get(4).state()).isEqualTo(Switch.ON);
      });
    }
  }

  /** STATE_FUNCTIONS with plain string states, handled through a stateFunction override. */
  static final class Lamp extends GenStatem<String, Pid, Object> {
    private final Pid probe;
    private final Map<String, StateFunction<String, Pid, Object>> handlers = Map.of(
        "dark", (event, probe) -> {
          Proc.send(probe, new Seen("dark", event));
          return isCast(event, "switch") ? nextState("lit", probe) : keepStateAndData();
        },
        "lit", (event, probe) -> {
          Proc.send(probe, new Seen("lit", event));
          return isCast(event, "switch") ? nextState("dark", probe) : keepStateAndData();
        });

    Lamp(Pid probe) {
      this.probe = probe;
    }

    @Override
    protected Init<String, Pid> init() {
      return Init.ok("dark", probe);
    }

    @Override
    protected CallbackMode callbackMode() {
      return CallbackMode.STATE_FUNCTIONS;
    }

    @Override
    protected StateFunction<String, Pid, Object> stateFunction(String state) {
      return handlers.get(state);
    }
  }

  @Test
  @DisplayName("S1: STATE_FUNCTIONS with a stateFunction(state) override dispatches on non-enum states")
  void s1_stateFunctionsWithAStateFunctionOverride() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(new Lamp(inbox.pid()));
        GenStatem.cast(m, "switch");
        GenStatem.cast(m, "x");
        GenStatem.cast(m, "switch");
        GenStatem.cast(m, "y");
        assertThat(seen(inbox, 4)).containsExactly(new Seen("dark", cast("switch")), new Seen("lit", cast("x")),
            new Seen("lit", cast("switch")), new Seen("dark", cast("y")));
      });
    }
  }

  @Test
  @DisplayName("S1/rule 13: STATE_FUNCTIONS with states that are not StateFunctions stops with a reason saying how to fix it")
  void s1_stateFunctionsWithoutHandlersStopsWithAnActionableReason(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(new GenStatem<String, String, Object>() {
          @Override
          protected Init<String, String> init() {
            return Init.ok("plain", "data");
          }

          @Override
          protected CallbackMode callbackMode() {
            return CallbackMode.STATE_FUNCTIONS;
          }
        });
        var ref = inbox.monitor(m);
        GenStatem.cast(m, "x");
        ExitReason reason = awaitDown(inbox, ref);
        assertThat(reason).isInstanceOfSatisfying(ExitReason.Crash.class, c -> assertThat(c.error())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("STATE_FUNCTIONS").hasMessageContaining("plain")
            .hasMessageContaining("StateFunction").hasMessageContaining("stateFunction(state)"));
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(reason);
      });
    }
  }

  /** The phases of a job runner: a sealed family of records as states. */
  sealed interface Phase {
    record Idle() implements Phase {}

    record Running(int job) implements Phase {}
  }

  @Test
  @DisplayName("S1: HANDLE_EVENT_FUNCTION takes any state: records, switched on with record patterns")
  void s1_handleEventFunctionWithRecordStates() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), (Phase) new Phase.Idle(), (e, s, d) -> switch (s) {
          case Phase.Idle() -> e instanceof Event.Cast(Integer job) ? nextState(new Phase.Running(job), d)
              : keepStateAndData(Action.postpone());
          case Phase.Running(int job) -> switch (e) {
            case Event.Cast(Object c) when c.equals("done") -> nextState(new Phase.Idle(), d);
            case Event.Call(From from, Object q) -> keepStateAndData(Action.reply(from, "running " + job));
            default -> keepStateAndData(Action.postpone());
          };
        }));
        GenStatem.cast(m, 7);
        assertThat((String) GenStatem.call(m, "status?")).isEqualTo("running 7");
        GenStatem.cast(m, 8); // postponed while running 7
        GenStatem.cast(m, "done");
        assertThat(GenStatem.<String>call(m, "status?")).isEqualTo("running 8");
        assertThat(((GenStatem.StateAndData) Sys.getState(m)).state()).isEqualTo(new Phase.Running(8));
      });
    }
  }

  @Test
  @DisplayName("S1: HANDLE_EVENT_FUNCTION is the default mode; without a handleEvent override the machine stops "
      + "with a reason naming the missing callback")
  void s1_handleEventIsRequiredInTheDefaultMode(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(new GenStatem<String, String, Object>() {
          @Override
          protected Init<String, String> init() {
            return Init.ok("s", "d");
          }
        });
        var ref = inbox.monitor(m);
        GenStatem.cast(m, "x");
        ExitReason reason = awaitDown(inbox, ref);
        assertThat(reason.toString()).contains("handleEvent is not implemented").contains("HANDLE_EVENT_FUNCTION");
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(reason);
      });
    }
  }

  @Test
  @DisplayName("S1: callbackMode() and stateEnter() are read once, at start")
  void s1_callbackModeIsReadOnce() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        AtomicInteger modeCalls = new AtomicInteger();
        AtomicInteger enterCalls = new AtomicInteger();
        Pid m = start(new GenStatem<String, String, Object>() {
          @Override
          protected Init<String, String> init() {
            return Init.ok("a", "d");
          }

          @Override
          protected CallbackMode callbackMode() {
            modeCalls.incrementAndGet();
            return CallbackMode.HANDLE_EVENT_FUNCTION;
          }

          @Override
          protected boolean stateEnter() {
            enterCalls.incrementAndGet();
            return true;
          }

          @Override
          protected Result<String, String> handleEvent(Event<Object> event, String state, String data) {
            return switch (event) {
              case Event.Call(From from, Object q) -> nextState(state + "a", data, Action.reply(from, state));
              default -> keepStateAndData();
            };
          }
        });
        for (int i = 0; i < 3; i++) {
          GenStatem.call(m, "next");
        }
        assertThat(GenStatem.<String>call(m, "next")).isEqualTo("aaaa");
        assertThat(modeCalls).hasValue(1);
        assertThat(enterCalls).hasValue(1);
      });
    }
  }

  @Test
  @DisplayName("S18: a transition may reply to several callers at once, and to a call received in an earlier state")
  void s18_severalRepliesInOneTransition() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        // Collects the callers' Froms in its data, in state "collecting"; the third call answers all three.
        Pid m = start(scripted(inbox.pid(), "collecting", (e, s, d) -> switch (e) {
          case Event.Call(From from, Object q) when s.equals("collecting") -> {
            @SuppressWarnings("unchecked")
            List<From> waiting = d instanceof List<?> l ? (List<From>) l : List.of();
            List<From> all = new java.util.ArrayList<>(waiting);
            all.add(from);
            if (all.size() < 3) {
              yield keepState(List.copyOf(all));
            }
            yield nextState("answered", "done", Action.reply(all.get(0), "first"), Action.reply(all.get(1), "second"),
                Action.reply(all.get(2), "third"));
          }
          default -> keepStateAndData();
        }));
        for (String who : List.of("c1", "c2")) {
          node.spawn(() -> Proc.send(inbox.pid(), who + ":" + GenStatem.call(m, who)));
          GenStatemTestSupport.nextSeen(inbox); // the call is in before the next caller starts
        }
        assertThat((String) GenStatem.call(m, "c3")).isEqualTo("third");
        assertThat(inbox.receive(x -> x.equals("c1:first"), WAIT)).isPresent();
        assertThat(inbox.receive(x -> x.equals("c2:second"), WAIT)).isPresent();
      });
    }
  }
}
