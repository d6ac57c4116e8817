package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.GenEventTestSupport.handlerCrashReported;
import static org.otp4j.behaviours.GenStatemTestSupport.WAIT;
import static org.otp4j.behaviours.GenStatemTestSupport.exitReasonOf;
import static org.otp4j.behaviours.GenStatemTestSupport.expect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.EventHandler.Removal;
import org.otp4j.behaviours.GenEventTestSupport.Called;
import org.otp4j.behaviours.GenEventTestSupport.Crash;
import org.otp4j.behaviours.GenEventTestSupport.Got;
import org.otp4j.behaviours.GenEventTestSupport.InfoSeen;
import org.otp4j.behaviours.GenEventTestSupport.Init;
import org.otp4j.behaviours.GenEventTestSupport.Recorder;
import org.otp4j.behaviours.GenEventTestSupport.Remove;
import org.otp4j.behaviours.GenEventTestSupport.ReturnNull;
import org.otp4j.behaviours.GenEventTestSupport.SwapTo;
import org.otp4j.behaviours.GenEventTestSupport.SwappedIn;
import org.otp4j.behaviours.GenEventTestSupport.Term;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.NoSuchNameException;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** The GenEvent manager and its handlers (OTP-SEMANTICS.md E1, E2, E4-E12). */
@ExtendWith(CaptureReports.class)
class GenEventTest {

  private static Pid startManager() {
    return GenEvent.start(StartOptions.defaults()).pid();
  }

  /** The next report of one of the given types. */
  private static Object next(Inbox inbox) {
    return expect(inbox, m -> m instanceof Init || m instanceof Got || m instanceof InfoSeen || m instanceof Called
        || m instanceof Term, "a handler report");
  }

  private static List<Object> next(Inbox inbox, int n) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(next(inbox));
    }
    return out;
  }

  /** Asserts that no handler report is waiting (call after a synchronous operation). */
  private static void noMoreReports(Inbox inbox) {
    assertThat(inbox.receive(m -> m instanceof Init || m instanceof Got || m instanceof InfoSeen
        || m instanceof Called || m instanceof Term, Duration.ZERO)).isEmpty();
  }

  // ---------------------------------------------------------------------------------------
  // E2: adding handlers

  @Test
  @DisplayName("E2: addHandler runs init with the args; the same handler object cannot be added twice")
  void e2_addHandlerRunsInit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid(), "args of a");
        assertThat(GenEvent.addHandler(m, a)).isEqualTo(new GenEvent.Added());
        assertThat(next(inbox)).isEqualTo(new Init("a", "args of a"));
        assertThat(GenEvent.addHandler(m, a)).isEqualTo(new GenEvent.AlreadyPresent());
        noMoreReports(inbox);
        assertThat(GenEvent.whichHandlers(m)).containsExactly(a);
      });
    }
  }

  @Test
  @DisplayName("E2: an init that returns an error or throws leaves the handler out, and addHandler says why")
  void e2_aFailingInitLeavesTheHandlerOut() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder refusing = new Recorder("refusing", inbox.pid(), "refuse");
        Recorder throwing = new Recorder("throwing", inbox.pid(), "throw");
        assertThat(GenEvent.addHandler(m, refusing)).isEqualTo(new GenEvent.InitFailed("refused by refusing"));
        assertThat(GenEvent.addHandler(m, throwing)).isInstanceOfSatisfying(GenEvent.InitFailed.class,
            f -> assertThat(f.reason()).isInstanceOfSatisfying(ExitReason.Crash.class,
                c -> assertThat(c.error()).hasMessage("throwing cannot start")));
        assertThat(GenEvent.whichHandlers(m)).isEmpty();
        GenEvent.syncNotify(m, "event");
        assertThat(next(inbox, 2)).containsExactly(new Init("refusing", "refuse"), new Init("throwing", "throw"));
        noMoreReports(inbox);
        assertThat(Proc.isAlive(m)).isTrue();
      });
    }
  }

  @Test
  @DisplayName("E9: whichHandlers lists the handlers most recently added first")
  void e9_whichHandlersListsTheNewestFirst() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        Recorder c = new Recorder("c", inbox.pid());
        for (Recorder r : List.of(a, b, c)) {
          GenEvent.addHandler(m, r);
        }
        assertThat(GenEvent.whichHandlers(m)).containsExactly(c, b, a);
        GenEvent.deleteHandler(m, b, null);
        assertThat(GenEvent.whichHandlers(m)).containsExactly(c, a);
        GenEvent.addHandler(m, b);
        assertThat(GenEvent.whichHandlers(m)).containsExactly(b, c, a);
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // E4: notify and syncNotify

  /** Blocks the manager on the event "block" until the manager receives "release". */
  static final class Blocker extends EventHandler<String, Object> {
    private final Pid probe;

    Blocker(Pid probe) {
      this.probe = probe;
    }

    @Override
    protected InitResult<String> init() {
      return InitResult.ok("");
    }

    @Override
    protected EventResult<String> handleEvent(Object event, String state) {
      if (event.equals("block")) {
        Proc.send(probe, "blocked");
        Proc.receive(x -> x.equals("release"));
      }
      return EventResult.ok(state);
    }
  }

  @Test
  @DisplayName("E4: notify returns at once, even while the manager is busy; syncNotify returns once every handler "
      + "has handled the event")
  void e4_notifyIsAsynchronousAndSyncNotifyWaitsForEveryHandler() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        GenEvent.addHandler(m, a);
        GenEvent.addHandler(m, new Blocker(inbox.pid()));
        GenEvent.addHandler(m, b);
        next(inbox, 2); // the inits

        GenEvent.notify(m, "block");
        expect(inbox, x -> x.equals("blocked"), "the manager to block");
        GenEvent.notify(m, "queued while blocked"); // returns although the manager is stuck
        assertThat(next(inbox)).isEqualTo(new Got("b", "block"));
        noMoreReports(inbox);

        inbox.send(m, "release");
        GenEvent.syncNotify(m, "sync");
        // Every handler has handled both events by the time syncNotify returns.
        List<Object> reports = new ArrayList<>();
        Object r;
        while ((r = inbox.receive(x -> x instanceof Got, Duration.ZERO).orElse(null)) != null) {
          reports.add(r);
        }
        assertThat(reports).containsExactly(new Got("a", "block"),
            new Got("b", "queued while blocked"), new Got("a", "queued while blocked"),
            new Got("b", "sync"), new Got("a", "sync"));
      });
    }
  }

  @Test
  @DisplayName("E4: notify to an unregistered name throws NoSuchNameException; to a registered name it is delivered; "
      + "to a dead pid it is silently dropped")
  void e4_notifyToAName() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Name alarms = Name.local("alarms");
        assertThatThrownBy(() -> GenEvent.notify(alarms, "fire")).isInstanceOf(NoSuchNameException.class)
            .hasMessageContaining("alarms");
        Pid m = GenEvent.start(StartOptions.defaults().withName(alarms)).pid();
        GenEvent.addHandler(alarms, new Recorder("a", inbox.pid()));
        GenEvent.notify(alarms, "fire");
        assertThat(next(inbox, 2)).containsExactly(new Init("a", "null"), new Got("a", "fire"));
        GenEvent.stop(alarms);
        assertThat(Proc.isAlive(m)).isFalse();
        GenEvent.notify(m, "to nobody");
      });
    }
  }

  @Test
  @DisplayName("E4: a handler that returns removeHandler is removed with Removal.Removed")
  void e4_removeHandlerFromHandleEvent() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        GenEvent.addHandler(m, a);
        GenEvent.addHandler(m, b);
        next(inbox, 2);
        GenEvent.syncNotify(m, new Remove("b"));
        assertThat(next(inbox, 3)).containsExactly(new Got("b", new Remove("b")), new Term("b", new Removal.Removed()),
            new Got("a", new Remove("b")));
        assertThat(GenEvent.whichHandlers(m)).containsExactly(a);
      });
    }
  }

  @Test
  @DisplayName("E4/E8: a handler that returns swapHandler is replaced; the new one's init gets the terminate result")
  void e4_swapHandlerFromHandleEvent() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder a2 = new Recorder("a2", inbox.pid());
        GenEvent.addHandler(m, a);
        next(inbox);
        GenEvent.syncNotify(m, new SwapTo("a", a2));
        assertThat(next(inbox, 3)).containsExactly(new Got("a", new SwapTo("a", a2)),
            new Term("a", new Removal.Swapped("swap args")),
            new Init("a2", new SwappedIn("null", "terminated a")));
        assertThat(GenEvent.whichHandlers(m)).containsExactly(a2);
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // E5: crash isolation

  @Test
  @DisplayName("E5: a handler that throws is removed alone (terminate gets Removal.Crashed with the exception); "
      + "the manager and the other handlers carry on")
  void e5_aCrashingHandlerIsRemovedAlone(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        Recorder c = new Recorder("c", inbox.pid());
        for (Recorder r : List.of(a, b, c)) {
          GenEvent.addHandler(m, r);
        }
        next(inbox, 3);
        GenEvent.syncNotify(m, new Crash("b"));
        assertThat(handlerCrashReported(reports, m, b)).asString().contains("b crashed");
        List<Object> seen = next(inbox, 4);
        assertThat(seen.get(0)).isEqualTo(new Got("c", new Crash("b")));
        assertThat(seen.get(1)).isEqualTo(new Got("b", new Crash("b")));
        assertThat(seen.get(2)).isInstanceOfSatisfying(Term.class, t -> {
          assertThat(t.handler()).isEqualTo("b");
          assertThat(t.why()).isInstanceOfSatisfying(Removal.Crashed.class,
              crashed -> assertThat(crashed.reason()).isInstanceOfSatisfying(ExitReason.Crash.class,
                  crash -> assertThat(crash.error()).isInstanceOf(IllegalStateException.class).hasMessage("b crashed")));
        });
        assertThat(seen.get(3)).isEqualTo(new Got("a", new Crash("b")));
        assertThat(GenEvent.whichHandlers(m)).containsExactly(c, a);
        GenEvent.syncNotify(m, "after");
        assertThat(next(inbox, 2)).containsExactly(new Got("c", "after"), new Got("a", "after"));
        assertThat(Proc.isAlive(m)).isTrue();
      });
    }
  }

  @Test
  @DisplayName("E5: a handler that returns null (a bad return) is removed alone with Removal.Crashed")
  void e5_aBadReturnRemovesTheHandler(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        GenEvent.addHandler(m, a);
        GenEvent.addHandler(m, b);
        next(inbox, 2);
        GenEvent.syncNotify(m, new ReturnNull("b"));
        handlerCrashReported(reports, m, b);
        List<Object> seen = next(inbox, 3);
        assertThat(seen.get(1)).isInstanceOfSatisfying(Term.class,
            t -> assertThat(t.why()).isInstanceOf(Removal.Crashed.class));
        assertThat(seen.get(2)).isEqualTo(new Got("a", new ReturnNull("b")));
        assertThat(GenEvent.whichHandlers(m)).containsExactly(a);
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // E6: calls

  @Test
  @DisplayName("E6: call reaches the one handler named, and returns its reply")
  void e6_callReachesOneHandler() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        GenEvent.addHandler(m, a);
        GenEvent.addHandler(m, b);
        GenEvent.syncNotify(m, "e1");
        next(inbox, 4);
        assertThat((List<Object>) GenEvent.call(m, a, "seen?")).containsExactly("e1");
        assertThat(next(inbox)).isEqualTo(new Called("a", "seen?"));
        noMoreReports(inbox);
      });
    }
  }

  @Test
  @DisplayName("E6: the default call timeout is 5 s; a call to a busy manager with a shorter one fails with timeout")
  void e6_callTimeout() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        assertThat(GenEvent.DEFAULT_TIMEOUT).isEqualTo(Duration.ofSeconds(5));
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        GenEvent.addHandler(m, a);
        GenEvent.addHandler(m, new Blocker(inbox.pid()));
        GenEvent.notify(m, "block");
        expect(inbox, x -> x.equals("blocked"), "the manager to block");
        assertThatThrownBy(() -> GenEvent.call(m, a, "seen?", Duration.ofMillis(50)))
            .isInstanceOfSatisfying(org.otp4j.core.CallException.class,
                e -> assertThat(e.reason()).isEqualTo(ExitReason.TIMEOUT));
        inbox.send(m, "release");
        assertThat((List<Object>) GenEvent.call(m, a, "seen?")).containsExactly("block");
      });
    }
  }

  @Test
  @DisplayName("E6: call to a handler that is not installed throws HandlerException with notFound() (OTP bad_module)")
  void e6_callToAMissingHandler() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder ghost = new Recorder("ghost", inbox.pid());
        assertThatThrownBy(() -> GenEvent.call(m, ghost, "seen?"))
            .isInstanceOfSatisfying(GenEvent.HandlerException.class, e -> {
              assertThat(e.notFound()).isTrue();
              assertThat(e.reason()).isNull();
              assertThat(e.handler()).isSameAs(ghost);
            })
            .hasMessageContaining("not installed");
        assertThat(Proc.isAlive(m)).isTrue();
      });
    }
  }

  @Test
  @DisplayName("E6: a handler that throws in a call is removed; the call throws HandlerException with the reason")
  void e6_aHandlerThatCrashesInACallIsRemoved(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        GenEvent.addHandler(m, a);
        next(inbox);
        assertThatThrownBy(() -> GenEvent.call(m, a, "crash"))
            .isInstanceOfSatisfying(GenEvent.HandlerException.class, e -> {
              assertThat(e.notFound()).isFalse();
              assertThat(e.reason()).isInstanceOf(ExitReason.Crash.class);
            })
            .hasRootCauseMessage("a crashed in a call");
        assertThat(handlerCrashReported(reports, m, a)).asString().contains("a crashed in a call");
        assertThat(next(inbox, 2)).satisfiesExactly(
            called -> assertThat(called).isEqualTo(new Called("a", "crash")),
            term -> assertThat(((Term) term).why()).isInstanceOf(Removal.Crashed.class));
        assertThat(GenEvent.whichHandlers(m)).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("E6: a call may reply and remove the handler (Removal.Removed), or reply and swap it")
  void e6_aCallCanRemoveOrSwapTheHandler() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        Recorder b2 = new Recorder("b2", inbox.pid());
        GenEvent.addHandler(m, a);
        GenEvent.addHandler(m, b);
        next(inbox, 2);
        assertThat((String) GenEvent.call(m, a, "leave")).isEqualTo("left");
        assertThat(next(inbox, 2)).containsExactly(new Called("a", "leave"), new Term("a", new Removal.Removed()));
        assertThat((String) GenEvent.call(m, b, new SwapTo("b", b2))).isEqualTo("swapped");
        assertThat(next(inbox, 3)).containsExactly(new Called("b", new SwapTo("b", b2)),
            new Term("b", new Removal.Swapped("swap args")),
            new Init("b2", new SwappedIn("null", "terminated b")));
        assertThat(GenEvent.whichHandlers(m)).containsExactly(b2);
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // E7, E8: delete and swap

  @Test
  @DisplayName("E7: deleteHandler runs terminate with Removal.Deleted(args) and returns what it returned; "
      + "a missing handler gives NotFound")
  void e7_deleteHandlerReturnsTheTerminateResult() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        GenEvent.addHandler(m, a);
        next(inbox);
        assertThat(GenEvent.deleteHandler(m, a, "delete args")).isEqualTo(new GenEvent.Deleted("terminated a"));
        assertThat(next(inbox)).isEqualTo(new Term("a", new Removal.Deleted("delete args")));
        assertThat(GenEvent.deleteHandler(m, a, "again")).isEqualTo(new GenEvent.NotFound());
        noMoreReports(inbox);
        assertThat(GenEvent.whichHandlers(m)).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("E8: swapHandler terminates the old handler with Removal.Swapped(args) and inits the new one with "
      + "initSwapped(terminate result), in the old one's place")
  void e8_swapHandler() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid(), "init args");
        Recorder other = new Recorder("other", inbox.pid());
        GenEvent.addHandler(m, a);
        GenEvent.addHandler(m, other);
        next(inbox, 2);
        assertThat(GenEvent.swapHandler(m, a, "terminate args", b)).isEqualTo(new GenEvent.Added());
        assertThat(next(inbox, 2)).containsExactly(new Term("a", new Removal.Swapped("terminate args")),
            new Init("b", new SwappedIn("init args", "terminated a")));
        assertThat(GenEvent.whichHandlers(m)).containsExactlyInAnyOrder(b, other).doesNotContain(a);
      });
    }
  }

  @Test
  @DisplayName("E8: swapHandler of a handler that is not installed still adds the new one, whose init gets NotFound "
      + "as the terminate result (OTP: error)")
  void e8_swapWhenTheOldHandlerIsMissing() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder ghost = new Recorder("ghost", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid(), "i");
        assertThat(GenEvent.swapHandler(m, ghost, "t", b)).isEqualTo(new GenEvent.Added());
        assertThat(next(inbox)).isEqualTo(new Init("b", new SwappedIn("i", new GenEvent.NotFound())));
        noMoreReports(inbox);
        assertThat(GenEvent.whichHandlers(m)).containsExactly(b);
      });
    }
  }

  @Test
  @DisplayName("E8: when the new handler's init fails, swapHandler returns InitFailed and neither handler is installed")
  void e8_swapToAHandlerWhoseInitFails() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder refusing = new Recorder("refusing", inbox.pid(), "refuse");
        GenEvent.addHandler(m, a);
        next(inbox);
        assertThat(GenEvent.swapHandler(m, a, "t", refusing))
            .isEqualTo(new GenEvent.InitFailed("refused by refusing"));
        assertThat(next(inbox, 2)).containsExactly(new Term("a", new Removal.Swapped("t")),
            new Init("refusing", new SwappedIn("refuse", "terminated a")));
        assertThat(GenEvent.whichHandlers(m)).isEmpty();
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // E1, E10, E11, E12

  @Test
  @DisplayName("E10: any other message goes to every handler's handleInfo, newest handler first")
  void e10_infoMessagesGoToEveryHandler() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        GenEvent.addHandler(m, new Recorder("a", inbox.pid()));
        GenEvent.addHandler(m, new Recorder("b", inbox.pid()));
        next(inbox, 2);
        inbox.send(m, "plain message");
        assertThat(next(inbox, 2)).containsExactly(new InfoSeen("b", "plain message"),
            new InfoSeen("a", "plain message"));
      });
    }
  }

  @Test
  @DisplayName("E1/E10: the manager traps exits: an exit signal from a process that is not its parent does not stop "
      + "it, and reaches the handlers as an info message")
  void e1_theManagerTrapsExits() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        GenEvent.addHandler(m, new Recorder("a", inbox.pid()));
        next(inbox);
        inbox.exit(m, ExitReason.of("boom"));
        assertThat(next(inbox)).isEqualTo(new InfoSeen("a", new ExitMessage(inbox.pid(), ExitReason.of("boom"))));
        assertThat(Proc.isAlive(m)).isTrue();
        assertThat(GenEvent.whichHandlers(m)).hasSize(1);
      });
    }
  }

  @Test
  @DisplayName("E11: stop runs every handler's terminate with Removal.ManagerStopped (OTP: stop), newest first, and the manager exits normal")
  void e11_stopRunsEveryTerminate() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        for (String name : List.of("a", "b", "c")) {
          GenEvent.addHandler(m, new Recorder(name, inbox.pid()));
        }
        next(inbox, 3);
        GenEvent.stop(m);
        assertThat(next(inbox, 3)).containsExactly(new Term("c", new Removal.ManagerStopped()),
            new Term("b", new Removal.ManagerStopped()), new Term("a", new Removal.ManagerStopped()));
        assertThat(exitReasonOf(m)).isEqualTo(ExitReason.NORMAL);
      });
    }
  }

  @Test
  @DisplayName("E11: the exit of the manager's parent stops it, running the handlers' terminate with the parent's reason")
  void e11_theParentsExitStopsTheManager(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        ExitReason reason = ExitReason.of("parent failed");
        Pid parent = node.spawn(() -> {
          Pid m = GenEvent.startLink().pid();
          GenEvent.addHandler(m, new Recorder("a", inbox.pid()));
          Proc.send(inbox.pid(), m);
          Proc.receive(x -> x.equals("die"));
          Proc.exit(reason);
        });
        Pid m = (Pid) expect(inbox, x -> x instanceof Pid, "the manager");
        next(inbox);
        inbox.send(parent, "die");
        assertThat(next(inbox)).as("OTP: terminate(stop, State), whatever stopped the manager")
            .isEqualTo(new Term("a", new Removal.ManagerStopped()));
        assertThat(exitReasonOf(m)).isEqualTo(reason);
        assertThat(reports.withLabel("gen_server_terminate")).as("the manager's report").singleElement()
            .satisfies(r -> assertThat(r.get("reason")).isEqualTo(reason));
      });
    }
  }

  @Test
  @DisplayName("E12/Y1: Sys.getState of a manager lists each handler with its state, newest first")
  void e12_getStateListsTheHandlerStates() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        GenEvent.addHandler(m, a);
        GenEvent.syncNotify(m, "e1");
        Recorder b = new Recorder("b", inbox.pid());
        GenEvent.addHandler(m, b);
        GenEvent.syncNotify(m, "e2");
        assertThat(((List<GenEvent.HandlerState>) Sys.getState(m))).containsExactly(
            new GenEvent.HandlerState(b, List.of("e2")), new GenEvent.HandlerState(a, List.of("e1", "e2")));
        assertThat(Sys.getStatus(m).behaviour()).isEqualTo("GenEvent");
      });
    }
  }

  @Test
  @DisplayName("Y2/E12: Sys.replaceState on a manager replaces the handler states it is given")
  void y2_replaceStateOnAManager() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        Recorder b = new Recorder("b", inbox.pid());
        GenEvent.addHandler(m, a);
        GenEvent.addHandler(m, b);
        Sys.<List<GenEvent.HandlerState>>replaceState(m, handlers -> handlers.stream()
            .map(h -> h.handler() == a ? new GenEvent.HandlerState(a, List.of("replaced")) : h).toList());
        assertThat((List<Object>) GenEvent.call(m, a, "seen?")).containsExactly("replaced");
        assertThat((List<Object>) GenEvent.call(m, b, "seen?")).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("E4: events from one sender reach each handler in the order they were sent")
  void e4_eventsKeepTheirOrder() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = startManager();
        Recorder a = new Recorder("a", inbox.pid());
        GenEvent.addHandler(m, a);
        List<Object> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          sent.add(i);
          GenEvent.notify(m, i);
        }
        assertThat((List<Object>) GenEvent.call(m, a, "seen?", WAIT)).containsExactlyElementsOf(sent);
      });
    }
  }
}
