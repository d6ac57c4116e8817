package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.GenStatem.keepStateAndData;
import static org.otp4j.behaviours.GenStatem.nextState;
import static org.otp4j.behaviours.GenStatemTestSupport.WAIT;
import static org.otp4j.behaviours.GenStatemTestSupport.awaitDown;
import static org.otp4j.behaviours.GenStatemTestSupport.cast;
import static org.otp4j.behaviours.GenStatemTestSupport.events;
import static org.otp4j.behaviours.GenStatemTestSupport.exitReasonOf;
import static org.otp4j.behaviours.GenStatemTestSupport.expect;
import static org.otp4j.behaviours.GenStatemTestSupport.internal;
import static org.otp4j.behaviours.GenStatemTestSupport.isCast;
import static org.otp4j.behaviours.GenStatemTestSupport.nextTerminated;
import static org.otp4j.behaviours.GenStatemTestSupport.seen;
import static org.otp4j.behaviours.GenStatemTestSupport.start;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.GenStatem.Action;
import org.otp4j.behaviours.GenStatem.Event;
import org.otp4j.behaviours.GenStatemTestSupport.Scripted;
import org.otp4j.behaviours.GenStatemTestSupport.Seen;
import org.otp4j.behaviours.GenStatemTestSupport.Terminated;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Starting and stopping a {@link GenStatem}: init outcomes and terminate (OTP-SEMANTICS.md S2, S3, S17). */
@ExtendWith(CaptureReports.class)
class GenStatemStartStopTest {

  /** A machine whose init is given by the test; it records the pid its init ran in. */
  static final class InitOnly extends GenStatem<String, String, Object> {
    private final Supplier<Init<String, String>> init;
    final AtomicReference<Pid> ranIn = new AtomicReference<>();

    InitOnly(Supplier<Init<String, String>> init) {
      this.init = init;
    }

    @Override
    protected Init<String, String> init() {
      ranIn.set(Proc.self());
      return init.get();
    }
  }

  private static StartResult startResult(StartException e) {
    return e.result();
  }

  @Test
  @DisplayName("S2: init ok with actions: inserted events run first, timeouts are armed, before any external event")
  void s2_initOkWithActions() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(new Scripted<>(inbox.pid(), "booting", "data", false,
            List.of(Action.nextEvent(internal("boot")), Action.stateTimeout(Duration.ofMillis(30), "ready")),
            (e, s, d) -> switch (e) {
              case Event.StateTimeout x -> nextState("running", d);
              default -> keepStateAndData();
            }));
        GenStatem.cast(m, "external");
        List<Seen> seen = seen(inbox, 3);
        assertThat(seen.get(0)).isEqualTo(new Seen("booting", internal("boot")));
        // the external cast and the state timeout race; both come after the inserted event
        assertThat(seen.subList(1, 3)).extracting(Seen::event)
            .containsExactlyInAnyOrder(cast("external"), new Event.StateTimeout("ready"));
      });
    }
  }

  @Test
  @DisplayName("S17: postpone in init's actions is ignored: nothing is retried on the first state change")
  void s17_postponeInInitIsIgnored() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(new Scripted<>(inbox.pid(), "A", "data", false,
            List.of(Action.postpone(), Action.nextEvent(internal("first"))),
            (e, s, d) -> isCast(e, "go") ? nextState("B", d) : keepStateAndData()));
        GenStatem.cast(m, "go");
        GenStatem.cast(m, "after");
        assertThat(seen(inbox, 3)).containsExactly(new Seen("A", internal("first")), new Seen("A", cast("go")),
            new Seen("B", cast("after")));
        assertThat(Proc.isAlive(m)).isTrue();
      });
    }
  }

  @Test
  @DisplayName("S2: init ignore: start throws StartException(Ignored), no process is left, the name is free")
  void s2_initIgnore(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        InitOnly machine = new InitOnly(GenStatem.Init::ignore);
        Name name = Name.local("ignored");
        assertThatThrownBy(() -> GenStatem.start(machine, StartOptions.defaults().withName(name)))
            .isInstanceOfSatisfying(StartException.class,
                e -> assertThat(startResult(e)).isEqualTo(new StartResult.Ignored()));
        assertThat(Proc.isAlive(machine.ranIn.get())).isFalse();
        assertThat(Proc.whereis(name)).isEmpty();
        assertThat(reports.reasons("crash_report")).as("crash reports of an ignored start").isEmpty();
      });
    }
  }

  @Test
  @DisplayName("S2: init stop(reason): start fails with that reason and the process exits with it")
  void s2_initStop(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        ExitReason reason = ExitReason.of("no config");
        InitOnly machine = new InitOnly(() -> GenStatem.Init.stop(reason));
        assertThatThrownBy(() -> start(machine)).isInstanceOfSatisfying(StartException.class,
            e -> assertThat(startResult(e)).isEqualTo(new StartResult.Failed(reason)));
        assertThat(exitReasonOf(machine.ranIn.get())).isEqualTo(reason);
        assertThat(reports.reasons("crash_report")).containsExactly(reason);
      });
    }
  }

  @Test
  @DisplayName("S2: init error(reason) (OTP 26): start fails with that reason and the process exits normal")
  void s2_initError(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        ExitReason reason = ExitReason.of("bad args");
        InitOnly machine = new InitOnly(() -> GenStatem.Init.error(reason));
        assertThatThrownBy(() -> start(machine)).isInstanceOfSatisfying(StartException.class,
            e -> assertThat(startResult(e)).isEqualTo(new StartResult.Failed(reason)));
        assertThat(exitReasonOf(machine.ranIn.get())).isEqualTo(ExitReason.NORMAL);
        assertThat(reports.reasons("crash_report")).as("crash reports of an init that exits normal").isEmpty();
      });
    }
  }

  @Test
  @DisplayName("S2: an exception thrown by init fails the start with it as the reason and the cause")
  void s2_initThrows(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        IllegalArgumentException boom = new IllegalArgumentException("no such port");
        InitOnly machine = new InitOnly(() -> {
          throw boom;
        });
        assertThatThrownBy(() -> start(machine)).isInstanceOfSatisfying(StartException.class, e -> {
          assertThat(startResult(e)).isEqualTo(new StartResult.Failed(ExitReason.crash(boom)));
          assertThat(e).hasCause(boom).hasMessageContaining("no such port");
        });
        assertThat(exitReasonOf(machine.ranIn.get())).isEqualTo(ExitReason.crash(boom));
        assertThat(reports.reasons("crash_report")).containsExactly(ExitReason.crash(boom));
      });
    }
  }

  @Test
  @DisplayName("S2: init returning null fails the start with bad_return_from_init")
  void s2_initReturnsNull(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        InitOnly machine = new InitOnly(() -> null);
        assertThatThrownBy(() -> start(machine)).isInstanceOfSatisfying(StartException.class,
            e -> assertThat(startResult(e)).isInstanceOfSatisfying(StartResult.Failed.class,
                f -> assertThat(f.reason().toString()).contains("bad_return_from_init")));
        assertThat(reports.reasons("crash_report")).singleElement().asString().contains("bad_return_from_init");
      });
    }
  }

  @Test
  @DisplayName("S2/Y7: a failed startLink from a trapping process leaves no exit message in its mailbox (OTP 26)")
  void s2_failedStartLinkLeavesNoExitMessage(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        ExitReason reason = ExitReason.of("refused");
        node.spawn(() -> {
          Proc.trapExits(true);
          Object outcome;
          try {
            GenStatem.startLink(new InitOnly(() -> GenStatem.Init.stop(reason)));
            outcome = "started";
          } catch (StartException e) {
            outcome = e.result();
          }
          Proc.send(inbox.pid(), List.of(outcome, Proc.flush()));
        });
        assertThat(inbox.receive(WAIT)).contains(List.of(new StartResult.Failed(reason), List.of()));
        assertThat(reports.reasons("crash_report")).containsExactly(reason);
      });
    }
  }

  @Test
  @DisplayName("S2/Y7: an init that outlasts the start timeout fails the start with timeout; the process is killed")
  void s2_initOutlastingTheStartTimeout(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        InitOnly machine = new InitOnly(() -> {
          Proc.receive(x -> false); // never returns
          return GenStatem.Init.ok("s", "d");
        });
        assertThatThrownBy(() -> GenStatem.start(machine, StartOptions.defaults().withTimeout(Duration.ofMillis(100))))
            .isInstanceOfSatisfying(StartException.class,
                e -> assertThat(startResult(e)).isEqualTo(new StartResult.Failed(ExitReason.TIMEOUT)));
        assertThat(exitReasonOf(machine.ranIn.get())).isEqualTo(ExitReason.KILLED);
        assertThat(reports.reasons("crash_report")).as("crash reports of a start timeout (Y7)").isEmpty();
      });
    }
  }

  @Test
  @DisplayName("S2/G17: a second start under a registered name gives AlreadyStarted with the holder")
  void s2_aTakenNameGivesAlreadyStarted() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Name name = Name.local("door");
        Pid first = GenStatem.start(new InitOnly(() -> GenStatem.Init.ok("s", "d")),
            StartOptions.defaults().withName(name)).pid();
        InitOnly second = new InitOnly(() -> GenStatem.Init.ok("s", "d"));
        assertThatThrownBy(() -> GenStatem.start(second, StartOptions.defaults().withName(name)))
            .isInstanceOfSatisfying(StartException.class,
                e -> assertThat(startResult(e)).isEqualTo(new StartResult.AlreadyStarted(first)));
        assertThat(second.ranIn.get()).as("init of the second machine").isNull();
        assertThat(Proc.whereis(name)).contains(first);
        assertThat(((GenStatem.StateAndData) Sys.getState(name))).isEqualTo(new GenStatem.StateAndData("s", "d"));
      });
    }
  }

  @Test
  @DisplayName("S3: stop(reason, data) runs terminate with the reason, the state and the new data")
  void s3_terminateSeesTheReasonStateAndNewData(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        ExitReason reason = ExitReason.of("done");
        Pid m = start(GenStatemTestSupport.scripted(inbox.pid(), "working", (e, s, d) -> isCast(e, "quit")
            ? GenStatem.stop(reason, "final data") : keepStateAndData()));
        var ref = inbox.monitor(m);
        GenStatem.cast(m, "quit");
        assertThat(nextTerminated(inbox)).isEqualTo(new Terminated(reason, "working", "final data"));
        assertThat(awaitDown(inbox, ref)).isEqualTo(reason);
        assertThat(reports.withLabel("gen_statem_terminate")).singleElement().satisfies(r -> {
          assertThat(r.get("reason")).isEqualTo(reason);
          assertThat(r.get("data")).isEqualTo("final data");
        });
      });
    }
  }

  @Test
  @DisplayName("S3: stop(reason) keeps the data for terminate")
  void s3_stopKeepsTheData() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(GenStatemTestSupport.scripted(inbox.pid(), "working", (e, s, d) -> isCast(e, "quit")
            ? GenStatem.stop(ExitReason.SHUTDOWN) : keepStateAndData()));
        GenStatem.cast(m, "quit");
        assertThat(nextTerminated(inbox)).isEqualTo(new Terminated(ExitReason.SHUTDOWN, "working", "data"));
        assertThat(exitReasonOf(m)).isEqualTo(ExitReason.SHUTDOWN);
      });
    }
  }

  @Test
  @DisplayName("S3: GenStatem.stop runs terminate and returns once the machine is gone")
  void s3_stopFromOutside() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid m = start(GenStatemTestSupport.scripted(inbox.pid(), "s", (e, s, d) -> keepStateAndData()));
        GenStatem.stop(m);
        assertThat(Proc.isAlive(m)).isFalse();
        assertThat(nextTerminated(inbox)).isEqualTo(new Terminated(ExitReason.NORMAL, "s", "data"));

        Pid m2 = start(GenStatemTestSupport.scripted(inbox.pid(), "t", (e, s, d) -> keepStateAndData()));
        GenStatem.stop(m2, ExitReason.shutdown("maintenance"), WAIT);
        assertThat(nextTerminated(inbox).reason()).isEqualTo(ExitReason.shutdown("maintenance"));
      });
    }
  }

  @Test
  @DisplayName("S3/G23: an exception thrown by terminate becomes the exit reason")
  void s3_aThrowingTerminateGivesItsExceptionAsTheReason(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        IllegalStateException cleanupFailed = new IllegalStateException("cleanup failed");
        Pid m = start(new GenStatem<String, String, Object>() {
          @Override
          protected Init<String, String> init() {
            return Init.ok("s", "d");
          }

          @Override
          protected Result<String, String> handleEvent(Event<Object> event, String state, String data) {
            return GenStatem.stop(ExitReason.NORMAL);
          }

          @Override
          protected void terminate(ExitReason reason, String state, String data) {
            throw cleanupFailed;
          }
        });
        GenStatem.cast(m, "stop");
        assertThat(exitReasonOf(m)).isEqualTo(ExitReason.crash(cleanupFailed));
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(ExitReason.crash(cleanupFailed));
      });
    }
  }

  /** Traps exits in init, so that its parent's exit reaches terminate. */
  static final class Trapping extends GenStatem<String, String, Object> {
    private final Pid probe;

    Trapping(Pid probe) {
      this.probe = probe;
    }

    @Override
    protected Init<String, String> init() {
      Proc.trapExits(true);
      return Init.ok("running", "d");
    }

    @Override
    protected Result<String, String> handleEvent(Event<Object> event, String state, String data) {
      Proc.send(probe, new Seen(state, event));
      return keepStateAndData();
    }

    @Override
    protected void terminate(ExitReason reason, String state, String data) {
      Proc.send(probe, new Terminated(reason, state, data));
    }
  }

  @Test
  @DisplayName("S3/G23: a trapping machine whose parent exits runs terminate with the parent's reason; "
      + "an exit from another process is just an info event")
  void s3_parentExitRunsTerminate(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        ExitReason parentReason = ExitReason.of("parent gave up");
        Pid parent = node.spawn(() -> {
          Proc.send(inbox.pid(), GenStatem.startLink(new Trapping(inbox.pid())).pid());
          Proc.receive(x -> x.equals("die"));
          Proc.exit(parentReason);
        });
        Pid m = (Pid) expect(inbox, x -> x instanceof Pid, "the machine's pid");
        inbox.exit(m, ExitReason.of("not your parent"));
        assertThat(seen(inbox, 1).getFirst().event()).isInstanceOfSatisfying(Event.Info.class,
            i -> assertThat(i.message()).isEqualTo(new org.otp4j.core.ExitMessage(inbox.pid(),
                ExitReason.of("not your parent"))));
        inbox.send(parent, "die");
        assertThat(nextTerminated(inbox)).isEqualTo(new Terminated(parentReason, "running", "d"));
        assertThat(exitReasonOf(m)).isEqualTo(parentReason);
        assertThat(reports.reasons("gen_statem_terminate")).containsExactly(parentReason);
      });
    }
  }

  @Test
  @DisplayName("S2: events sent before init returns are handled after it, in order")
  void s2_eventsSentDuringInitWaitForIt() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Name name = Name.local("slow");
        node.spawn(() -> {
          GenStatem.start(new GenStatem<String, String, Object>() {
            @Override
            protected Init<String, String> init() {
              Proc.send(inbox.pid(), "in init");
              Proc.receive(x -> x.equals("go on")); // selective: leaves the casts queued
              return Init.ok("s", "d");
            }

            @Override
            protected Result<String, String> handleEvent(Event<Object> event, String state, String data) {
              Proc.send(inbox.pid(), new Seen(state, event));
              return keepStateAndData();
            }
          }, StartOptions.defaults().withName(name));
        });
        expect(inbox, x -> x.equals("in init"), "init to run");
        GenStatem.cast(name, "c1");
        GenStatem.cast(name, "c2");
        inbox.send(name, "go on");
        assertThat(events(inbox, 2)).containsExactly(cast("c1"), cast("c2"));
      });
    }
  }
}
