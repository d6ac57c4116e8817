package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The supervisor API and its typed results, supervisor init outcomes and reports: OTP-SEMANTICS
 * U1-U8, U17, U19-U23.
 */
@ExtendWith(CaptureReports.class)
class SupervisorApiTest {

  record Started(String id) {}

  record Terminated(String id, ExitReason reason) {}

  /** A worker whose init does what it is told; it traps exits and reports start and terminate. */
  static final class Worker extends GenServer<String, String> {
    enum Mode { OK, IGNORE, FAIL }

    private final String id;
    private final Pid observer;
    private final Mode mode;

    Worker(String id, Pid observer, Mode mode) {
      this.id = id;
      this.observer = observer;
      this.mode = mode;
    }

    static ChildSpec spec(String id, Pid observer) {
      return spec(id, observer, Mode.OK);
    }

    static ChildSpec spec(String id, Pid observer, Mode mode) {
      return ChildSpec.worker(id, () -> GenServer.startLink(new Worker(id, observer, mode)));
    }

    @Override
    protected Init<String> init() {
      return switch (mode) {
        case OK -> {
          Proc.trapExits(true);
          Proc.send(observer, new Started(id));
          yield Init.ok(id);
        }
        case IGNORE -> Init.ignore();
        case FAIL -> Init.stop(ExitReason.of("init failed"));
      };
    }

    @Override
    protected void terminate(ExitReason reason, String state) {
      Proc.send(observer, new Terminated(id, reason));
    }
  }

  static Supervisor.Flags flags() {
    return Supervisor.oneForOne().withIntensity(10, Duration.ofSeconds(10));
  }

  static Pid pidOf(Pid sup, Object id) {
    return Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals(id)).findFirst()
        .map(Supervisor.Child::pid).orElse(null);
  }

  @Test
  @DisplayName("U19: startChild results: Started, AlreadyStarted(pid), AlreadyPresent, Ignored, Failed")
  void startChildResults(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags());
        Supervisor.StartChildResult started = Supervisor.startChild(sup, Worker.spec("a", inbox.pid()));
        assertThat(started).isInstanceOf(StartResult.Started.class);
        Pid a = ((StartResult.Started) started).pid();
        assertThat(pidOf(sup, "a")).isEqualTo(a);
        assertThat(Proc.info(a).orElseThrow().links()).as("the child is linked to the supervisor").contains(sup);

        assertThat(Supervisor.startChild(sup, Worker.spec("a", inbox.pid()))).isEqualTo(new StartResult.AlreadyStarted(a));
        Supervisor.terminateChild(sup, "a");
        assertThat(Supervisor.startChild(sup, Worker.spec("a", inbox.pid()))).isEqualTo(new Supervisor.AlreadyPresent());

        // ignore: spec kept unless temporary
        assertThat(Supervisor.startChild(sup, Worker.spec("i", inbox.pid(), Worker.Mode.IGNORE)))
            .isEqualTo(new StartResult.Ignored());
        assertThat(Supervisor.whichChildren(sup).getFirst())
            .isEqualTo(new Supervisor.Child("i", null, Supervisor.ChildState.UNDEFINED, ChildSpec.Type.WORKER));
        assertThat(Supervisor.startChild(sup, Worker.spec("ti", inbox.pid(), Worker.Mode.IGNORE)
            .withRestart(ChildSpec.Restart.TEMPORARY))).isEqualTo(new StartResult.Ignored());
        assertThat(Supervisor.getChildSpec(sup, "ti")).as("an ignored temporary child is not kept").isEmpty();

        // failures: the spec is not kept
        assertThat(Supervisor.startChild(sup, Worker.spec("f", inbox.pid(), Worker.Mode.FAIL)))
            .isEqualTo(new StartResult.Failed(ExitReason.of("init failed")));
        IllegalStateException error = new IllegalStateException("no start");
        assertThat(Supervisor.startChild(sup, ChildSpec.worker("g", () -> {
          throw error;
        }))).isEqualTo(new StartResult.Failed(ExitReason.crash(error)));
        assertThat(Supervisor.getChildSpec(sup, "f")).isEmpty();
        assertThat(Supervisor.getChildSpec(sup, "g")).isEmpty();
        assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("i", "a");
        assertThat(Proc.isAlive(sup)).isTrue();
        assertThat(reports.reasons("crash_report")).as("the report of the worker whose init failed")
            .containsExactly(ExitReason.of("init failed"));
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U19: a child's own already_started (its name is taken) is returned unwrapped")
  void childsOwnAlreadyStarted() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid holder = GenServer.start(Name.local("taken"), new Worker("holder", inbox.pid(), Worker.Mode.OK)).pid();
        Pid sup = Supervisor.startLink(flags());
        assertThat(Supervisor.startChild(sup, ChildSpec.worker("n", () -> GenServer.startLink(Name.local("taken"),
            new Worker("n", inbox.pid(), Worker.Mode.OK))))).isEqualTo(new StartResult.AlreadyStarted(holder));
        assertThat(Supervisor.getChildSpec(sup, "n")).isEmpty();
        Supervisor.stop(sup);
        GenServer.stop(holder);
      });
    }
  }

  @Test
  @DisplayName("U20: terminateChild true (also when already stopped) / false for an unknown id; the spec is kept unless temporary")
  void terminateChildResults() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(), Worker.spec("a", inbox.pid()),
            Worker.spec("t", inbox.pid()).withRestart(ChildSpec.Restart.TEMPORARY));
        Pid a = pidOf(sup, "a");
        assertThat(Supervisor.terminateChild(sup, "a")).isEqualTo(new Supervisor.Terminated());
        assertThat(exitReasonOf(a)).isEqualTo(ExitReason.SHUTDOWN);
        expect(inbox, new Terminated("a", ExitReason.SHUTDOWN));
        assertThat(Supervisor.terminateChild(sup, "a")).as("terminating a stopped child").isEqualTo(new Supervisor.Terminated());
        assertThat(Supervisor.getChildSpec(sup, "a")).isPresent();
        assertThat(Supervisor.terminateChild(sup, "nobody")).isEqualTo(new Supervisor.NotFound());
        assertThat(Supervisor.terminateChild(sup, "t")).isEqualTo(new Supervisor.Terminated());
        assertThat(Supervisor.getChildSpec(sup, "t")).as("a terminated temporary child is removed").isEmpty();
        assertThat(Supervisor.terminateChild(sup, "t")).isEqualTo(new Supervisor.NotFound());
        // Terminating is not a crash: no restart.
        assertThat(Supervisor.whichChildren(sup)).containsExactly(
            new Supervisor.Child("a", null, Supervisor.ChildState.UNDEFINED, ChildSpec.Type.WORKER));
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U20: restartChild results: Started, Running, NotFound, Ignored, Failed")
  void restartChildResults(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Worker.Mode[] mode = {Worker.Mode.OK};
        ChildSpec switchable = ChildSpec.worker("s", () -> GenServer.startLink(new Worker("s", inbox.pid(), mode[0])));
        Pid sup = Supervisor.startLink(flags(), Worker.spec("a", inbox.pid()), switchable);
        Pid a = pidOf(sup, "a");
        assertThat(Supervisor.restartChild(sup, "a")).isEqualTo(new Supervisor.Running());
        assertThat(Supervisor.restartChild(sup, "nobody")).isEqualTo(new Supervisor.NotFound());
        Supervisor.terminateChild(sup, "a");
        Supervisor.RestartChildResult r = Supervisor.restartChild(sup, "a");
        assertThat(r).isInstanceOf(StartResult.Started.class);
        Pid a2 = ((StartResult.Started) r).pid();
        assertThat(a2).isNotEqualTo(a);
        assertThat(pidOf(sup, "a")).isEqualTo(a2);

        Supervisor.terminateChild(sup, "s");
        mode[0] = Worker.Mode.IGNORE;
        assertThat(Supervisor.restartChild(sup, "s")).isEqualTo(new StartResult.Ignored());
        assertThat(Supervisor.getChildSpec(sup, "s")).isPresent();
        mode[0] = Worker.Mode.FAIL;
        assertThat(Supervisor.restartChild(sup, "s")).isEqualTo(new StartResult.Failed(ExitReason.of("init failed")));
        assertThat(reports.reasons("crash_report")).containsExactly(ExitReason.of("init failed"));
        mode[0] = Worker.Mode.OK;
        assertThat(Supervisor.restartChild(sup, "s")).isInstanceOf(StartResult.Started.class);
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U20: deleteChild results: RUNNING, DELETED (then NotFound everywhere), NOT_FOUND")
  void deleteChildResults() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(), Worker.spec("a", inbox.pid()), Worker.spec("b", inbox.pid()));
        assertThat(Supervisor.deleteChild(sup, "a")).isEqualTo(new Supervisor.Running());
        Supervisor.terminateChild(sup, "a");
        assertThat(Supervisor.deleteChild(sup, "a")).isEqualTo(new Supervisor.Deleted());
        assertThat(Supervisor.deleteChild(sup, "a")).isEqualTo(new Supervisor.NotFound());
        assertThat(Supervisor.restartChild(sup, "a")).isEqualTo(new Supervisor.NotFound());
        assertThat(Supervisor.getChildSpec(sup, "a")).isEmpty();
        assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("b");
        // The id is free again.
        assertThat(Supervisor.startChild(sup, Worker.spec("a", inbox.pid()))).isInstanceOf(StartResult.Started.class);
        assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("a", "b");
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U21: whichChildren is most recent first with states and types; countChildren counts specs/active/supervisors/workers")
  void whichAndCountChildren() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(), Worker.spec("w1", inbox.pid()),
            ChildSpec.supervisor("s1", () -> Supervisor.startLink(flags(), Worker.spec("inner", inbox.pid()))),
            Worker.spec("w2", inbox.pid()));
        Supervisor.startChild(sup, Worker.spec("w3", inbox.pid()));
        Supervisor.terminateChild(sup, "w2");
        List<Supervisor.Child> children = Supervisor.whichChildren(sup);
        assertThat(children).extracting(Supervisor.Child::id).containsExactly("w3", "w2", "s1", "w1");
        assertThat(children).extracting(Supervisor.Child::state).containsExactly(Supervisor.ChildState.RUNNING,
            Supervisor.ChildState.UNDEFINED, Supervisor.ChildState.RUNNING, Supervisor.ChildState.RUNNING);
        assertThat(children).extracting(Supervisor.Child::type).containsExactly(ChildSpec.Type.WORKER,
            ChildSpec.Type.WORKER, ChildSpec.Type.SUPERVISOR, ChildSpec.Type.WORKER);
        assertThat(children.get(1).pid()).isNull();
        assertThat(children).filteredOn(c -> c.state() == Supervisor.ChildState.RUNNING)
            .allSatisfy(c -> assertThat(Proc.isAlive(c.pid())).isTrue());
        assertThat(Supervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(4, 3, 1, 3));
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U2: getChildSpec returns the spec with all fields, defaults filled; empty for an unknown id")
  void getChildSpec() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        ChildSpec w = Worker.spec("w", inbox.pid());
        ChildSpec s = ChildSpec.supervisor("s", () -> Supervisor.startLink(flags()));
        Pid sup = Supervisor.startLink(flags(), w, s);
        ChildSpec got = Supervisor.getChildSpec(sup, "w").orElseThrow();
        assertThat(got).isEqualTo(w);
        assertThat(got.restart()).isEqualTo(ChildSpec.Restart.PERMANENT);
        assertThat(got.shutdown()).isEqualTo(ChildSpec.Shutdown.timeout(Duration.ofSeconds(5)));
        assertThat(got.type()).isEqualTo(ChildSpec.Type.WORKER);
        assertThat(got.significant()).isFalse();
        ChildSpec gotSup = Supervisor.getChildSpec(sup, "s").orElseThrow();
        assertThat(gotSup.shutdown()).isEqualTo(ChildSpec.Shutdown.infinity());
        assertThat(gotSup.type()).isEqualTo(ChildSpec.Type.SUPERVISOR);
        assertThat(Supervisor.getChildSpec(sup, "x")).isEmpty();
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U1/U24: default flags are one_for_one, 1 restart in 5 s, auto_shutdown never; invalid values are rejected")
  void flagDefaultsAndValidation() {
    Supervisor.Flags f = Supervisor.oneForOne();
    assertThat(f).isEqualTo(new Supervisor.Flags(Supervisor.Strategy.ONE_FOR_ONE, 1, Duration.ofSeconds(5),
        Supervisor.AutoShutdown.NEVER));
    assertThatThrownBy(() -> f.withIntensity(-1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> f.withIntensity(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period");
    assertThatThrownBy(() -> ChildSpec.worker("p", () -> null).withSignificant(true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permanent");
    assertThatThrownBy(() -> ChildSpec.Shutdown.timeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brutalKill");
  }

  @Test
  @DisplayName("U3: duplicate child ids in the spec fail the start with {start_spec,{duplicate_child_name,Id}}")
  void duplicateIds(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        StartException e = catchThrowableOfType(StartException.class, () -> Supervisor.startLink(flags(),
            Worker.spec("a", inbox.pid()), Worker.spec("a", inbox.pid())));
        assertThat(e).isNotNull();
        assertThat(e.result()).isEqualTo(new StartResult.Failed(
            ExitReason.of(new Supervisor.StartSpecError("{duplicate_child_name,a}"))));
        assertThat(inbox.receive(m -> m instanceof Started, Duration.ZERO)).as("no child started").isEmpty();
        assertThat(reports.withLabel("crash_report")).singleElement().satisfies(r -> {
          assertThat(r.get("behaviour")).isEqualTo("Supervisor");
          assertThat(String.valueOf(r.get("reason"))).isEqualTo("{start_spec,{duplicate_child_name,a}}");
        });
      });
    }
  }

  @Test
  @DisplayName("U8: a child failing to start in init: earlier children stopped in reverse, later ones never started, {shutdown,{failed_to_start_child,Id,R}}")
  void failedChildDuringInit(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        int baseline = node.processCount();
        StartException e = catchThrowableOfType(StartException.class, () -> Supervisor.startLink(flags(),
            Worker.spec("a", inbox.pid()), Worker.spec("b", inbox.pid()),
            Worker.spec("bad", inbox.pid(), Worker.Mode.FAIL), Worker.spec("never", inbox.pid())));
        assertThat(e).isNotNull();
        ExitReason expected = ExitReason.shutdown(new Supervisor.FailedToStartChild("bad", ExitReason.of("init failed")));
        assertThat(e.result()).isEqualTo(new StartResult.Failed(expected));
        assertThat(expected.toString()).isEqualTo("{shutdown,{failed_to_start_child,bad,init failed}}");
        assertThat(inbox.flush()).containsExactly(new Started("a"), new Started("b"),
            new Terminated("b", ExitReason.SHUTDOWN), new Terminated("a", ExitReason.SHUTDOWN));
        await().until(() -> node.processCount() == baseline);
        List<Map<String, Object>> startErrors = reports.supervisorReports("start_error");
        assertThat(startErrors).hasSize(1);
        assertThat(startErrors.getFirst().get("childId")).isEqualTo("bad");
        // A trapping parent finds no exit message, and is not killed ({shutdown,_} is orderly).
        List<Object> left = inProcess(() -> {
          Proc.trapExits(true);
          catchThrowableOfType(StartException.class, () -> Supervisor.startLink(flags(),
              Worker.spec("bad", inbox.pid(), Worker.Mode.FAIL)));
          return Proc.flush();
        });
        assertThat(left).isEmpty();
        assertThat(reports.supervisorReports("start_error")).as("one for each supervisor").hasSize(2);
        assertThat(reports.reasons("crash_report")).as("the reports of the two inits of bad")
            .containsExactly(ExitReason.of("init failed"), ExitReason.of("init failed"));
      });
    }
  }

  @Test
  @DisplayName("U8: a child returning ignore during init is kept with no pid (a temporary one is dropped)")
  void ignoreDuringInit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(), Worker.spec("a", inbox.pid()),
            Worker.spec("i", inbox.pid(), Worker.Mode.IGNORE),
            Worker.spec("ti", inbox.pid(), Worker.Mode.IGNORE).withRestart(ChildSpec.Restart.TEMPORARY),
            Worker.spec("b", inbox.pid()));
        assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("b", "i", "a");
        assertThat(Supervisor.whichChildren(sup).get(1).state()).isEqualTo(Supervisor.ChildState.UNDEFINED);
        assertThat(Supervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(3, 2, 0, 3));
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U4: a start function that exits (Proc.exit) is a start error for that child, not the supervisor's end")
  void startFunctionThatExits() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(), Worker.spec("a", inbox.pid()));
        Object outcome;
        try {
          outcome = Supervisor.startChild(sup, ChildSpec.worker("exits", () -> {
            Proc.exit(ExitReason.of("no resources"));
            return null;
          }));
        } catch (CallException e) {
          outcome = e;
        }
        // OTP's do_start_child_i/3 runs the start function under catch: {error, {'EXIT', no_resources}}.
        assertThat(outcome).as("startChild when the start function calls Proc.exit")
            .isInstanceOfSatisfying(StartResult.Failed.class,
                f -> assertThat(f.reason().toString()).contains("no resources"));
        assertThat(Proc.isAlive(sup)).as("the supervisor after a start function exited").isTrue();
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U7: init returning Spec.ignore() gives Ignored, the supervisor exits normal, no exit message for a trapping caller")
  void initIgnore() {
    try (Node node = Node.start()) {
      node.run(() -> {
        List<Object> left = inProcess(() -> {
          Proc.trapExits(true);
          StartException e = catchThrowableOfType(StartException.class, () -> Supervisor.startLink(new Supervisor() {
            @Override
            protected Spec init() {
              return Spec.ignore();
            }
          }));
          assertThat(e.result()).isEqualTo(new StartResult.Ignored());
          return Proc.flush();
        });
        assertThat(left).isEmpty();
      });
    }
  }

  @Test
  @DisplayName("U7: init that throws or returns null fails the start with the reason")
  void initFailures(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        IllegalStateException error = new IllegalStateException("bad supervisor");
        StartException thrown = catchThrowableOfType(StartException.class, () -> Supervisor.startLink(new Supervisor() {
          @Override
          protected Spec init() {
            throw error;
          }
        }));
        assertThat(thrown.result()).isEqualTo(new StartResult.Failed(ExitReason.crash(error)));
        StartException nulled = catchThrowableOfType(StartException.class, () -> Supervisor.startLink(new Supervisor() {
          @Override
          protected Spec init() {
            return null;
          }
        }));
        assertThat(nulled.result()).isEqualTo(new StartResult.Failed(ExitReason.of(BadReturn.value(null))));
        assertThat(reports.withLabel("crash_report")).extracting(r -> r.get("behaviour"), r -> r.get("reason"))
            .containsExactly(tuple("Supervisor", ExitReason.crash(error)),
                tuple("Supervisor", ExitReason.of(BadReturn.value(null))));
      });
    }
  }

  @Test
  @DisplayName("U5/U17: a supervisor traps exits; a non-child exit is ignored; an unexpected message is logged and ignored")
  void trapsExitsAndIgnoresStrangers(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Name.local("sup"), flags(), Worker.spec("a", inbox.pid()));
        assertThat(Proc.info(sup).orElseThrow().trapExits()).isTrue();
        Pid a = pidOf(sup, "a");
        inbox.exit(sup, ExitReason.of("stranger"));
        inbox.send(sup, "hello?");
        assertThat(Supervisor.countChildren(Name.local("sup"))).isEqualTo(new Supervisor.Counts(1, 1, 0, 1));
        assertThat(pidOf(sup, "a")).isEqualTo(a);
        List<Map<String, Object>> unexpected = reports.withLabel("supervisor_unexpected_message");
        assertThat(unexpected).hasSize(1);
        assertThat(unexpected.getFirst().get("message")).isEqualTo("hello?");
        Supervisor.stop(Name.local("sup"));
      });
    }
  }

  @Test
  @DisplayName("U22: the API on a supervisor that is gone fails with CallException noproc")
  void apiOnDeadSupervisor() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags());
        Supervisor.stop(sup);
        CallException e = catchThrowableOfType(CallException.class, () -> Supervisor.whichChildren(sup));
        assertThat(e.reason()).isEqualTo(ExitReason.NOPROC);
        assertThat(catchThrowableOfType(CallException.class, () -> Supervisor.countChildren(Name.local("none")))
            .reason()).isEqualTo(ExitReason.NOPROC);
        assertThat(catchThrowableOfType(CallException.class, () -> Supervisor.stop(sup)).reason())
            .isEqualTo(ExitReason.NOPROC);
      });
    }
  }

  @Test
  @DisplayName("U23: progress reports: INFO for children started at init or by a restart, DEBUG for the API")
  void progressReports(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(), Worker.spec("init", inbox.pid()));
        Pid api = ((StartResult.Started) Supervisor.startChild(sup, Worker.spec("api", inbox.pid()))).pid();
        Pid first = pidOf(sup, "init");
        Proc.exit(first, ExitReason.KILL);
        await().until(() -> pidOf(sup, "init") != null && !pidOf(sup, "init").equals(first));
        List<Map<String, Object>> progress = reports.withLabel("progress");
        assertThat(progress).extracting(kv -> kv.get("childId") + "@" + kv.get("@level"))
            .containsExactly("init@INFO", "api@DEBUG", "init@INFO");
        assertThat(progress.get(1).get("pid")).isEqualTo(api);
        assertThat(progress.get(2).get("pid")).isEqualTo(pidOf(sup, "init"));
        List<Map<String, Object>> terminated = reports.supervisorReports("child_terminated");
        assertThat(terminated).hasSize(1);
        assertThat(terminated.getFirst()).containsEntry("childId", "init").containsEntry("pid", first)
            .containsEntry("reason", ExitReason.KILLED).containsEntry("restart", ChildSpec.Restart.PERMANENT);
        Supervisor.stop(sup);
      });
    }
  }
}
