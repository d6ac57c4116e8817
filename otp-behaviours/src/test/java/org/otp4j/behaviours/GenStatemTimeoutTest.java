package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.GenStatem.keepState;
import static org.otp4j.behaviours.GenStatem.keepStateAndData;
import static org.otp4j.behaviours.GenStatem.nextState;
import static org.otp4j.behaviours.GenStatem.repeatStateAndData;
import static org.otp4j.behaviours.GenStatemTestSupport.cast;
import static org.otp4j.behaviours.GenStatemTestSupport.events;
import static org.otp4j.behaviours.GenStatemTestSupport.expectNoSeen;
import static org.otp4j.behaviours.GenStatemTestSupport.info;
import static org.otp4j.behaviours.GenStatemTestSupport.internal;
import static org.otp4j.behaviours.GenStatemTestSupport.isCast;
import static org.otp4j.behaviours.GenStatemTestSupport.isInfo;
import static org.otp4j.behaviours.GenStatemTestSupport.scripted;
import static org.otp4j.behaviours.GenStatemTestSupport.seen;
import static org.otp4j.behaviours.GenStatemTestSupport.start;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.otp4j.behaviours.GenStatem.Action;
import org.otp4j.behaviours.GenStatem.Event;
import org.otp4j.behaviours.GenStatemTestSupport.Seen;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The three kinds of timeout of {@link GenStatem} (OTP-SEMANTICS.md S11-S15).
 *
 * <p>Timing is never asserted directly. A test that checks that a timeout does <em>not</em> fire
 * arms it, then a longer "sentinel" generic timeout, and asserts on the order of what is handled: a
 * timeout that was wrongly left running would be handled before the sentinel. State changes and
 * cancellations happen through inserted events or self-sent messages, so they are in place before
 * any timer can expire, whatever the load. A transition sets its timeouts in the order of its actions:
 * where a test relies on which of two comes first, the one due first is set first, so that a machine
 * slowed down between the two can only delay the other.
 */
class GenStatemTimeoutTest {

  private static final Duration SHORT = Duration.ofMillis(100);
  private static final Duration SENTINEL_AFTER = Duration.ofMillis(300);

  /** Arms the sentinel: a generic timeout that fires well after every {@link #SHORT} one. */
  private static Action sentinel() {
    return Action.genericTimeout("sentinel", SENTINEL_AFTER, "end");
  }

  private static final Event SENTINEL = new Event.GenericTimeout("sentinel", "end");

  // ---------------------------------------------------------------------------------------
  // S11: the event timeout

  @Test
  @DisplayName("S11: an event timeout fires when no event arrives in time")
  void s11_eventTimeoutFiresWhenNothingHappens() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> isCast(e, "arm")
            ? keepStateAndData(Action.eventTimeout(Duration.ofMillis(50), "et")) : keepStateAndData()));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 2)).containsExactly(cast("arm"), new Event.Timeout("et"));
      });
    }
  }

  @Test
  @DisplayName("S11: an event timeout is cancelled by any message")
  void s11_eventTimeoutIsCancelledByAMessage() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> {
          if (isCast(e, "arm")) {
            Proc.send(Proc.self(), "poke");
            return keepStateAndData(Action.eventTimeout(SHORT, "et"));
          }
          return isInfo(e, "poke") ? keepStateAndData(sentinel()) : keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 3)).containsExactly(cast("arm"), info("poke"), SENTINEL);
      });
    }
  }

  @Test
  @DisplayName("S11: an event timeout is cancelled by an event inserted in the same transition")
  void s11_eventTimeoutIsCancelledByAnInsertedEvent() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") ->
              keepStateAndData(Action.eventTimeout(SHORT, "et"), Action.nextEvent(internal("ins")));
          case Event.Internal(Object c) -> keepStateAndData(sentinel());
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 3)).containsExactly(cast("arm"), internal("ins"), SENTINEL);
      });
    }
  }

  @Test
  @DisplayName("S11: an event timeout set on a state change is cancelled by a retried postponed event")
  void s11_eventTimeoutIsCancelledByARetriedPostponedEvent() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "A", (e, s, d) -> switch (s) {
          case "A" -> isCast(e, "go") ? nextState("B", d, Action.eventTimeout(SHORT, "et"))
              : keepStateAndData(Action.postpone());
          default -> isCast(e, "p") ? keepStateAndData(sentinel()) : keepStateAndData();
        }));
        GenStatem.cast(m, "p");
        GenStatem.cast(m, "go");
        assertThat(seen(inbox, 4)).containsExactly(new Seen("A", cast("p")), new Seen("A", cast("go")),
            new Seen("B", cast("p")), new Seen("B", SENTINEL));
      });
    }
  }

  @Test
  @DisplayName("S11: an event timeout is cancelled by a zero state timeout generated in the same transition")
  void s11_eventTimeoutIsCancelledByAZeroStateTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") ->
              keepStateAndData(Action.eventTimeout(SHORT, "et"), Action.stateTimeout(Duration.ZERO, "st"));
          case Event.StateTimeout(Object c) -> keepStateAndData(sentinel());
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 3)).containsExactly(cast("arm"), new Event.StateTimeout("st"), SENTINEL);
      });
    }
  }

  @Test
  @DisplayName("S11: a zero event timeout fires at once when nothing is queued")
  void s11_zeroEventTimeoutFiresWhenTheQueueIsEmpty() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> isCast(e, "arm")
            ? keepStateAndData(Action.eventTimeout(Duration.ZERO, "z")) : keepStateAndData()));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 2)).containsExactly(cast("arm"), new Event.Timeout("z"));
      });
    }
  }

  @Test
  @DisplayName("S11: a zero event timeout does not fire when events are queued (here an inserted one)")
  void s11_zeroEventTimeoutDoesNotFireWhenEventsAreQueued() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") ->
              keepStateAndData(Action.eventTimeout(Duration.ZERO, "z"), Action.nextEvent(internal("queued")));
          case Event.Internal(Object c) -> keepStateAndData(sentinel());
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 3)).containsExactly(cast("arm"), internal("queued"), SENTINEL);
      });
    }
  }

  @Test
  @DisplayName("S11/S14: a zero event timeout with an empty event queue is handled before a message that is already "
      + "in the mailbox but not yet received (STM25: 'processed before any not yet received external event')")
  void s11_zeroEventTimeoutComesBeforeNotYetReceivedMessages() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> {
          if (isCast(e, "arm")) {
            Proc.send(Proc.self(), "waiting");
            return keepStateAndData(Action.eventTimeout(Duration.ZERO, "z"));
          }
          return isInfo(e, "waiting") ? keepStateAndData(sentinel()) : keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 3)).containsExactly(cast("arm"), new Event.Timeout("z"), info("waiting"));
      });
    }
  }

  static Stream<Arguments> eventTimeoutCancellations() {
    return Stream.of(
        Arguments.of("cancelEventTimeout()", Action.cancelEventTimeout()),
        Arguments.of("eventTimeout(INFINITY)", Action.eventTimeout(Proc.INFINITY, "never")));
  }

  @ParameterizedTest(name = "S11: an event timeout followed by {0} in the same transition does not fire")
  @MethodSource("eventTimeoutCancellations")
  void s11_eventTimeoutIsCancelledByCancelOrInfinity(String how, Action cancel) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> isCast(e, "arm")
            ? keepStateAndData(Action.eventTimeout(SHORT, "et"), cancel, sentinel()) : keepStateAndData()));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 2)).containsExactly(cast("arm"), SENTINEL);
      });
    }
  }

  @Test
  @DisplayName("S11/Y1: system messages are not events: they do not cancel the event timeout")
  void s11_systemMessagesDoNotCancelTheEventTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> isCast(e, "arm")
            ? keepStateAndData(Action.eventTimeout(Duration.ofMillis(200), "et")) : keepStateAndData()));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 1)).containsExactly(cast("arm"));
        for (int i = 0; i < 3; i++) {
          assertThat(((GenStatem.StateAndData) Sys.getState(m)).state()).isEqualTo("S");
        }
        assertThat(events(inbox, 1)).containsExactly(new Event.Timeout("et"));
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // S12: the state timeout

  @Test
  @DisplayName("S12: a state timeout is cancelled by a state change")
  void s12_stateTimeoutIsCancelledByAStateChange() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") ->
              keepStateAndData(Action.stateTimeout(SHORT, "st"), Action.nextEvent(internal("go")));
          case Event.Internal(Object c) -> nextState("B", d, sentinel());
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(seen(inbox, 3)).containsExactly(new Seen("A", cast("arm")), new Seen("A", internal("go")),
            new Seen("B", SENTINEL));
      });
    }
  }

  @Test
  @DisplayName("S12: a state timeout survives events, keepState and repeatState in the same state")
  void s12_stateTimeoutSurvivesEventsInTheSameState() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") -> {
            Proc.send(Proc.self(), "m1");
            Proc.send(Proc.self(), "m2");
            yield keepStateAndData(Action.stateTimeout(SHORT, "st"), Action.nextEvent(internal("x")));
          }
          case Event.Internal(Object c) -> keepState(d + "+x");
          case Event.Info(Object c) when c.equals("m1") -> nextState("S", d);
          case Event.Info(Object c) when c.equals("m2") -> repeatStateAndData();
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 5)).containsExactly(cast("arm"), internal("x"), info("m1"), info("m2"),
            new Event.StateTimeout("st"));
      });
    }
  }

  @Test
  @DisplayName("S12: setting the state timeout again restarts it with its new time and content")
  void s12_settingTheStateTimeoutAgainRestartsIt() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        // first: due at 200 ms. At the tick (100 ms) it is restarted for 200 ms more, and a probe
        // is set for 150 ms: the restarted timeout must come after the probe, and "first" never.
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") -> keepStateAndData(
              Action.genericTimeout("tick", SHORT, "tick"), Action.stateTimeout(Duration.ofMillis(200), "first"));
          case Event.GenericTimeout(Object name, Object c) when name.equals("tick") -> keepStateAndData(
              Action.genericTimeout("probe", Duration.ofMillis(150), "probe"),
              Action.stateTimeout(Duration.ofMillis(200), "second"));
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 4)).containsExactly(cast("arm"), new Event.GenericTimeout("tick", "tick"),
            new Event.GenericTimeout("probe", "probe"), new Event.StateTimeout("second"));
        expectNoSeen(inbox);
      });
    }
  }

  static Stream<Arguments> stateTimeoutCancellations() {
    return Stream.of(
        Arguments.of("cancelStateTimeout()", Action.cancelStateTimeout()),
        Arguments.of("stateTimeout(INFINITY)", Action.stateTimeout(Proc.INFINITY, "never")));
  }

  @ParameterizedTest(name = "S12: a state timeout is cancelled by {0}")
  @MethodSource("stateTimeoutCancellations")
  void s12_stateTimeoutIsCancelledByCancelOrInfinity(String how, Action cancel) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") ->
              keepStateAndData(Action.stateTimeout(SHORT, "st"), Action.nextEvent(internal("cancel")));
          case Event.Internal(Object c) -> keepStateAndData(cancel, sentinel());
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 3)).containsExactly(cast("arm"), internal("cancel"), SENTINEL);
      });
    }
  }

  @Test
  @DisplayName("S12: a state timeout set with a state change runs in the new state")
  void s12_aStateTimeoutSetWithTheStateChangeRunsInTheNewState() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "A", (e, s, d) -> isCast(e, "go")
            ? nextState("B", d, Action.stateTimeout(Duration.ofMillis(50), "st")) : keepStateAndData()));
        GenStatem.cast(m, "go");
        assertThat(seen(inbox, 2)).containsExactly(new Seen("A", cast("go")),
            new Seen("B", new Event.StateTimeout("st")));
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // S13: generic timeouts

  @Test
  @DisplayName("S13: a generic timeout survives a state change")
  void s13_genericTimeoutsSurviveStateChanges() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") ->
              keepStateAndData(Action.genericTimeout("g", SHORT, "gc"), Action.nextEvent(internal("go")));
          case Event.Internal(Object c) -> nextState("B", d);
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(seen(inbox, 3)).containsExactly(new Seen("A", cast("arm")), new Seen("A", internal("go")),
            new Seen("B", new Event.GenericTimeout("g", "gc")));
      });
    }
  }

  @Test
  @DisplayName("S13: generic timeouts are independent per name: cancelling one leaves the others running")
  void s13_genericTimeoutsAreIndependentPerName() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") -> keepStateAndData(
              Action.genericTimeout("g3", Duration.ofMillis(50), "three"),
              Action.genericTimeout("g1", Duration.ofMillis(100), "one"),
              Action.genericTimeout("g2", Duration.ofMillis(200), "two"),
              Action.nextEvent(internal("cancel g1")));
          case Event.Internal(Object c) -> keepStateAndData(Action.cancelGenericTimeout("g1"));
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        // g1 would come between g3 and g2 had it not been cancelled
        assertThat(events(inbox, 4)).containsExactly(cast("arm"), internal("cancel g1"),
            new Event.GenericTimeout("g3", "three"), new Event.GenericTimeout("g2", "two"));
      });
    }
  }

  static Stream<Arguments> genericTimeoutCancellations() {
    return Stream.of(
        Arguments.of("cancelGenericTimeout(g)", Action.cancelGenericTimeout("g")),
        Arguments.of("genericTimeout(g, INFINITY)", Action.genericTimeout("g", Proc.INFINITY, "never")));
  }

  @ParameterizedTest(name = "S13: a generic timeout is cancelled by {0}")
  @MethodSource("genericTimeoutCancellations")
  void s13_genericTimeoutIsCancelledByCancelOrInfinity(String how, Action cancel) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") ->
              keepStateAndData(Action.genericTimeout("g", SHORT, "gc"), Action.nextEvent(internal("cancel")));
          case Event.Internal(Object c) -> nextState("B", d, cancel, sentinel());
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 3)).containsExactly(cast("arm"), internal("cancel"), SENTINEL);
      });
    }
  }

  @Test
  @DisplayName("S13: setting a generic timeout again restarts it with its new time and content")
  void s13_settingAGenericTimeoutAgainRestartsIt() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") -> keepStateAndData(
              Action.genericTimeout("tick", SHORT, "tick"), Action.genericTimeout("g", Duration.ofMillis(200), "first"));
          case Event.GenericTimeout(Object name, Object c) when name.equals("tick") -> keepStateAndData(
              Action.genericTimeout("probe", Duration.ofMillis(150), "probe"),
              Action.genericTimeout("g", Duration.ofMillis(200), "second"));
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 4)).containsExactly(cast("arm"), new Event.GenericTimeout("tick", "tick"),
            new Event.GenericTimeout("probe", "probe"), new Event.GenericTimeout("g", "second"));
        expectNoSeen(inbox);
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // S14, S15: zero-time timeouts and updates

  @Test
  @DisplayName("S14: zero-time state and generic timeouts are queued after inserted and retried events, "
      + "before messages not yet received")
  void s14_zeroTimeoutsAreQueuedAsTheNewestEvents() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "A", (e, s, d) -> switch (s) {
          case "A" -> {
            if (isCast(e, "go")) {
              Proc.send(Proc.self(), "mailbox");
              yield nextState("B", d, Action.stateTimeout(Duration.ZERO, "st"),
                  Action.genericTimeout("g", Duration.ZERO, "gc"), Action.nextEvent(internal("i")));
            }
            yield keepStateAndData(Action.postpone());
          }
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "p");
        GenStatem.cast(m, "go");
        assertThat(seen(inbox, 7)).containsExactly(
            new Seen("A", cast("p")), new Seen("A", cast("go")),
            new Seen("B", internal("i")), new Seen("B", cast("p")),
            new Seen("B", new Event.StateTimeout("st")), new Seen("B", new Event.GenericTimeout("g", "gc")),
            new Seen("B", info("mailbox")));
      });
    }
  }

  @Test
  @DisplayName("S12 (OTP 24+): a zero state timeout not yet handled is cancelled by a state change made by an "
      + "event queued before it")
  void s12_aPendingZeroStateTimeoutIsCancelledByAStateChange() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "A", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") ->
              keepStateAndData(Action.stateTimeout(Duration.ZERO, "st"), Action.nextEvent(internal("go")));
          case Event.Internal(Object c) -> nextState("B", d, sentinel());
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        // The inserted event runs first and changes the state: the state timeout belonged to A.
        assertThat(seen(inbox, 3)).containsExactly(new Seen("A", cast("arm")), new Seen("A", internal("go")),
            new Seen("B", SENTINEL));
      });
    }
  }

  static Stream<Arguments> pendingZeroGenericTimeoutChanges() {
    return Stream.of(
        Arguments.of("cancelGenericTimeout(g)", Action.cancelGenericTimeout("g"), null),
        Arguments.of("genericTimeout(g, INFINITY)", Action.genericTimeout("g", Proc.INFINITY, "never"), null),
        Arguments.of("genericTimeout(g, 0, second)", Action.genericTimeout("g", Duration.ZERO, "second"),
            new Event.GenericTimeout("g", "second")));
  }

  @ParameterizedTest(name = "S13 (OTP 24+): a zero generic timeout not yet handled is cancelled or replaced by {0}")
  @MethodSource("pendingZeroGenericTimeoutChanges")
  void s13_aPendingZeroGenericTimeoutCanBeCancelledOrRestarted(String how, Action change, Event expected) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") -> keepStateAndData(
              Action.genericTimeout("g", Duration.ZERO, "first"), Action.nextEvent(internal("change")));
          case Event.Internal(Object c) -> keepStateAndData(change, sentinel());
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        List<Event> expectedEvents = new ArrayList<>(List.of(cast("arm"), internal("change")));
        if (expected != null) {
          expectedEvents.add(expected);
        }
        expectedEvents.add(SENTINEL);
        assertThat(events(inbox, expectedEvents.size())).containsExactlyElementsOf(expectedEvents);
      });
    }
  }

  @Test
  @DisplayName("S12/3.3: of two state timeout actions in one transition the last one wins: update then set "
      + "gives only the set one")
  void s12_theLastStateTimeoutActionOfATransitionWins() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> isCast(e, "arm")
            ? keepStateAndData(Action.updateStateTimeout("early"), Action.stateTimeout(Duration.ofMillis(50), "late"),
                sentinel())
            : keepStateAndData()));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 3)).containsExactly(cast("arm"), new Event.StateTimeout("late"), SENTINEL);
      });
    }
  }

  /** The kinds of timeout, with how to set and update each. */
  enum Kind {
    EVENT, STATE, GENERIC;

    Action set(Duration after, Object content) {
      return switch (this) {
        case EVENT -> Action.eventTimeout(after, content);
        case STATE -> Action.stateTimeout(after, content);
        case GENERIC -> Action.genericTimeout("g", after, content);
      };
    }

    Action update(Object content) {
      return switch (this) {
        case EVENT -> Action.updateEventTimeout(content);
        case STATE -> Action.updateStateTimeout(content);
        case GENERIC -> Action.updateGenericTimeout("g", content);
      };
    }

    Event fired(Object content) {
      return switch (this) {
        case EVENT -> new Event.Timeout(content);
        case STATE -> new Event.StateTimeout(content);
        case GENERIC -> new Event.GenericTimeout("g", content);
      };
    }
  }

  @ParameterizedTest(name = "S15: update changes the content of a running {0} timeout, not its time")
  @EnumSource(value = Kind.class, names = {"STATE", "GENERIC"})
  void s15_updateChangesTheContentOfARunningTimeout(Kind kind) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        // old: due at 200 ms; updated by an inserted event; the probe at 100 ms must come first
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> switch (e) {
          case Event.Cast(Object c) when c.equals("arm") -> keepStateAndData(
              Action.genericTimeout("probe", SHORT, "probe"), kind.set(Duration.ofMillis(200), "old"),
              Action.nextEvent(internal("update")));
          case Event.Internal(Object c) -> keepStateAndData(kind.update("new"));
          default -> keepStateAndData();
        }));
        GenStatem.cast(m, "arm");
        assertThat(events(inbox, 4)).containsExactly(cast("arm"), internal("update"),
            new Event.GenericTimeout("probe", "probe"), kind.fired("new"));
        expectNoSeen(inbox); // and it fires once
      });
    }
  }

  @ParameterizedTest(name = "S15: update on an inactive {0} timeout fires it at once, before messages not yet received")
  @EnumSource(value = Kind.class, names = {"STATE", "GENERIC"})
  void s15_updateOnAnInactiveTimeoutFiresAtOnce(Kind kind) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> {
          if (isCast(e, "update")) {
            Proc.send(Proc.self(), "mailbox");
            return keepStateAndData(kind.update("now"));
          }
          return keepStateAndData();
        }));
        GenStatem.cast(m, "update");
        assertThat(events(inbox, 3)).containsExactly(cast("update"), kind.fired("now"), info("mailbox"));
      });
    }
  }

  @Test
  @DisplayName("S15: update on an inactive event timeout fires it at once")
  void s15_updateOnAnInactiveEventTimeoutFiresAtOnce() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(scripted(inbox.pid(), "S", (e, s, d) -> isCast(e, "update")
            ? keepStateAndData(Action.updateEventTimeout("now")) : keepStateAndData()));
        GenStatem.cast(m, "update");
        assertThat(events(inbox, 2)).containsExactly(cast("update"), new Event.Timeout("now"));
      });
    }
  }
}
