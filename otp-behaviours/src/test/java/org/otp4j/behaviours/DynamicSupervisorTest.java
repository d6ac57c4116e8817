package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.awaitDown;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.untilUndisturbed;
import static org.otp4j.behaviours.BehaviourTestKit.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/** DynamicSupervisor (Elixir) / simple_one_for_one (OTP): OTP-SEMANTICS U9, U25. */
@ExtendWith(CaptureReports.class)
class DynamicSupervisorTest {

  /** A worker that holds its start argument and stops with the reason it is cast. */
  static final class Worker extends GenServer<Object, Object> {
    private final Object argument;

    Worker(Object argument) {
      this.argument = argument;
    }

    @Override
    protected Init<Object> init() {
      if ("ignore me".equals(argument)) {
        return Init.ignore();
      }
      if ("fail".equals(argument)) {
        return Init.stop(ExitReason.of("bad argument"));
      }
      return Init.ok(argument);
    }

    @Override
    protected CallResult<Object> handleCall(Object request, From from, Object state) {
      return reply(state, state);
    }

    @Override
    protected CastResult<Object> handleCast(Object request, Object state) {
      return stop((ExitReason) request, state);
    }
  }

  static DynamicSupervisor.Template<String> template() {
    return DynamicSupervisor.Template.worker((String arg) -> GenServer.startLink(new Worker(arg)));
  }

  static Pid started(DynamicSupervisor.StartChildResult r) {
    assertThat(r).isInstanceOf(StartResult.Started.class);
    return ((StartResult.Started) r).pid();
  }

  static Set<Pid> children(Pid sup) {
    Set<Pid> out = new HashSet<>();
    for (Supervisor.Child c : DynamicSupervisor.whichChildren(sup)) {
      assertThat(c.id()).as("dynamic children have no id").isNull();
      out.add(c.pid());
    }
    return out;
  }

  @Test
  @DisplayName("U9: children start from the template with their own argument; specs is 1")
  void templateWithArgument() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(), template());
        Pid x = started(DynamicSupervisor.startChildWith(sup, "x"));
        Pid y = started(DynamicSupervisor.startChildWith(sup, "y"));
        assertThat((Object) GenServer.call(x, "arg")).isEqualTo("x");
        assertThat((Object) GenServer.call(y, "arg")).isEqualTo("y");
        assertThat(Proc.info(x).orElseThrow().links()).contains(sup);
        assertThat(children(sup)).containsExactlyInAnyOrder(x, y);
        assertThat(DynamicSupervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(1, 2, 0, 2));
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U25: startChild with a full spec (no template); ids are not used, so the same id starts twice")
  void startChildWithFullSpec() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid sup = DynamicSupervisor.startLink(Name.local("dyn"), DynamicSupervisor.Options.defaults());
        ChildSpec spec = ChildSpec.worker("same", () -> GenServer.startLink(new Worker("full")));
        Pid a = started(DynamicSupervisor.startChild(Name.local("dyn"), spec));
        Pid b = started(DynamicSupervisor.startChild(Name.local("dyn"), spec));
        assertThat(a).isNotEqualTo(b);
        assertThat(children(sup)).containsExactlyInAnyOrder(a, b);
        assertThat(DynamicSupervisor.countChildren(sup).active()).isEqualTo(2);
        // Without a template, startChildWith says so.
        DynamicSupervisor.StartChildResult r = DynamicSupervisor.startChildWith(sup, "x");
        assertThat(r).isInstanceOf(StartResult.Failed.class);
        assertThat(((StartResult.Failed) r).reason().toString()).contains("no template");
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U9/U25: ignore -> Ignored and nothing stored; a failing start -> Failed and nothing stored")
  void ignoredAndFailedStarts(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(), template());
        assertThat(DynamicSupervisor.startChildWith(sup, "ignore me")).isEqualTo(new StartResult.Ignored());
        assertThat(DynamicSupervisor.startChildWith(sup, "fail"))
            .isEqualTo(new StartResult.Failed(ExitReason.of("bad argument")));
        assertThat(DynamicSupervisor.whichChildren(sup)).isEmpty();
        assertThat(DynamicSupervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(1, 0, 0, 0));
        assertThat(reports.withLabel("crash_report")).as("the report of the failed init").singleElement()
            .satisfies(r -> assertThat(r.get("reason")).isEqualTo(ExitReason.of("bad argument")));
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U25: maxChildren: past the limit startChild returns MaxChildren; a free slot can be used again")
  void maxChildren() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults().withMaxChildren(2), template());
        Pid a = started(DynamicSupervisor.startChildWith(sup, "a"));
        started(DynamicSupervisor.startChildWith(sup, "b"));
        assertThat(DynamicSupervisor.startChildWith(sup, "c")).isEqualTo(new DynamicSupervisor.MaxChildren());
        assertThat(DynamicSupervisor.startChild(sup, ChildSpec.worker("d", () -> GenServer.startLink(new Worker("d")))))
            .isEqualTo(new DynamicSupervisor.MaxChildren());
        assertThat(DynamicSupervisor.countChildren(sup).active()).isEqualTo(2);
        assertThat(DynamicSupervisor.terminateChild(sup, a)).isEqualTo(new Supervisor.Terminated());
        started(DynamicSupervisor.startChildWith(sup, "c"));
        assertThatThrownBy(() -> DynamicSupervisor.Options.defaults().withMaxChildren(-1))
            .isInstanceOf(IllegalArgumentException.class);
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U9/U25: terminateChild by pid: true and the child stops with shutdown; false for a non-child or twice")
  void terminateChildByPid() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(), template());
        Pid a = started(DynamicSupervisor.startChildWith(sup, "a"));
        Pid b = started(DynamicSupervisor.startChildWith(sup, "b"));
        assertThat(DynamicSupervisor.terminateChild(sup, a)).isEqualTo(new Supervisor.Terminated());
        assertThat(exitReasonOf(a)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(DynamicSupervisor.terminateChild(sup, a)).isEqualTo(new Supervisor.NotFound());
        assertThat(DynamicSupervisor.terminateChild(sup, inbox.pid())).isEqualTo(new Supervisor.NotFound());
        assertThat(children(sup)).containsExactly(b);
        // Terminated on purpose: not restarted although permanent.
        assertThat(DynamicSupervisor.countChildren(sup).active()).isEqualTo(1);
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U9: all children are stopped (shutdown) when the supervisor stops; nothing is left")
  void childrenStoppedWithSupervisor() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        int baseline = node.processCount();
        Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(), template());
        List<Ref> refs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          refs.add(inbox.monitor(started(DynamicSupervisor.startChildWith(sup, "c" + i))));
        }
        Supervisor.stop(sup);
        for (Ref ref : refs) {
          assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
        }
        await().until(() -> node.processCount() == baseline);
      });
    }
  }

  @Test
  @DisplayName("U11/U25: when a dynamic supervisor stops, each child is killed after its own shutdown timeout, not the longest")
  void perChildShutdownTimeoutOnStop(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults());
        // A well-behaved child with a long shutdown timeout (it exits at once on shutdown)...
        started(DynamicSupervisor.startChild(sup, ChildSpec.worker("patient", () -> GenServer.startLink(new Worker("p")))
            .withShutdown(ChildSpec.Shutdown.timeout(Duration.ofSeconds(60)))));
        // ...and one that ignores shutdown, with a short timeout: it must be killed after ~100 ms.
        Pid stubborn = started(DynamicSupervisor.startChild(sup, ChildSpec.worker("stubborn", () -> BehaviourTestKit.spawnLinkTrapping(() -> {
          Proc.receive(m -> false);
        })).withShutdown(ChildSpec.Shutdown.timeout(Duration.ofMillis(100)))));
        Ref ref = inbox.monitor(stubborn);
        Proc.spawn(() -> Supervisor.stop(sup));
        assertThat(awaitDown(inbox, ref)).as("the stubborn child, killed after its own 100 ms timeout")
            .isEqualTo(ExitReason.KILLED);
        // The supervisor reports it once it has seen the child go, after the down above.
        await().until(() -> !reports.supervisorReports("shutdown_error").isEmpty());
        assertThat(reports.supervisorReports("shutdown_error")).singleElement()
            .satisfies(r -> assertThat(r).containsEntry("pid", stubborn).containsEntry("childId", "undefined"));
      });
    }
  }

  @Test
  @DisplayName("U9: a template child has no id: its supervisor's reports name it undefined, as OTP's")
  void reportsNameATemplateChildUndefined(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(), template());
        Pid p = started(DynamicSupervisor.startChildWith(sup, "p"));
        GenServer.cast(p, ExitReason.of("crash"));
        await().until(() -> !reports.supervisorReports("child_terminated").isEmpty());
        assertThat(reports.supervisorReports("child_terminated")).singleElement().satisfies(r -> {
          assertThat(r).containsEntry("pid", p).containsEntry("childId", "undefined");
          assertThat((String) r.get("@message")).contains("child_terminated for child undefined (" + p + ")");
        });
        // the restart's progress report names it the same way
        await().until(() -> reports.withLabel("progress").stream().anyMatch(r -> !p.equals(r.get("pid"))));
        assertThat(reports.withLabel("progress")).extracting(r -> r.get("childId")).containsOnly("undefined");
        Supervisor.stop(sup);
        assertThat(reports.withLabel("gen_server_terminate")).extracting(r -> r.get("server"))
            .containsExactly(p.toString());
      });
    }
  }

  @Test
  @DisplayName("U9/U13: restart types in a dynamic supervisor: permanent restarted, transient-normal and temporary removed")
  void restartTypes(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid perm = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(), template());
        Pid p = started(DynamicSupervisor.startChildWith(perm, "p"));
        GenServer.cast(p, ExitReason.of("crash"));
        await().until(() -> {
          Set<Pid> now = children(perm);
          return now.size() == 1 && !now.contains(p);
        });
        Pid restarted = children(perm).iterator().next();
        assertThat((Object) GenServer.call(restarted, "arg")).as("restarted with the same argument").isEqualTo("p");

        Pid trans = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(),
            template().withRestart(ChildSpec.Restart.TRANSIENT));
        Pid t1 = started(DynamicSupervisor.startChildWith(trans, "t1"));
        Pid t2 = started(DynamicSupervisor.startChildWith(trans, "t2"));
        GenServer.cast(t1, ExitReason.NORMAL);
        GenServer.cast(t2, ExitReason.of("crash"));
        await().until(() -> {
          Set<Pid> now = children(trans);
          return now.size() == 1 && !now.contains(t1) && !now.contains(t2);
        });

        Pid temp = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(),
            template().withRestart(ChildSpec.Restart.TEMPORARY));
        Pid x = started(DynamicSupervisor.startChildWith(temp, "x"));
        GenServer.cast(x, ExitReason.of("crash"));
        await().until(() -> children(temp).isEmpty());
        for (Pid sup : List.of(perm, trans, temp)) {
          Supervisor.stop(sup);
        }
        assertThat(reports.supervisorReports("child_terminated")).as("the three crashes, not the normal exit")
            .extracting(r -> r.get("pid")).containsExactlyInAnyOrder(p, t2, x);
        assertThat(reports.withLabel("gen_server_terminate")).extracting(r -> r.get("server"))
            .containsExactlyInAnyOrder(p.toString(), t2.toString(), x.toString());
      });
    }
  }

  @Test
  @DisplayName("U25: default intensity is 3 in 5 s: the fourth crash ends the dynamic supervisor with shutdown")
  void defaultIntensity(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Duration period = Duration.ofSeconds(5);
        assertThat(DynamicSupervisor.Options.defaults()).isEqualTo(new DynamicSupervisor.Options(0, 3, period));
        Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(), template());
        Ref ref = inbox.monitor(sup);
        Pid[] child = {started(DynamicSupervisor.startChildWith(sup, "c"))};
        List<Long> crashes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          Pid old = child[0];
          crashes.add(System.nanoTime());
          Proc.exit(old, ExitReason.KILL);
          await().until(() -> children(sup).size() == 1 && !children(sup).contains(old));
          child[0] = children(sup).iterator().next();
        }
        // The fourth crash within the period ends the supervisor. Only if the last four crashes took
        // longer than the period (a very slow machine) may it restart the child instead; then one
        // more crash is tried.
        untilUndisturbed("four crashes within the default period", () -> {
          crashes.add(System.nanoTime());
          Proc.exit(child[0], ExitReason.KILL);
          Set<Pid> now;
          try {
            now = children(sup); // served after the supervisor dealt with the crash
          } catch (CallException gaveUp) {
            return true;
          }
          assertThat(within(crashes.get(crashes.size() - 4), period))
              .as("the supervisor restarted a fourth time within %s", period).isFalse();
          child[0] = now.iterator().next();
          return false;
        });
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(reports.supervisorReports("child_terminated")).hasSize(crashes.size());
        assertThat(reports.supervisorReports("shutdown")).singleElement()
            .satisfies(r -> assertThat(r.get("reason")).isEqualTo("reached_max_restart_intensity"));
      });
    }
  }

  @Test
  @DisplayName("U20: restartChild, deleteChild and terminateChild by id answer {error, simple_one_for_one} on a dynamic "
      + "supervisor; terminateChild by a pid that is not a child answers not_found")
  void restartAndDeleteDoNotApply() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(), template());
        Pid a = started(DynamicSupervisor.startChildWith(sup, "a"));
        assertThat(Supervisor.restartChild(sup, "template")).isEqualTo(new Supervisor.SimpleOneForOne());
        assertThat(Supervisor.deleteChild(sup, "template")).isEqualTo(new Supervisor.SimpleOneForOne());
        assertThat(Supervisor.terminateChild(sup, "a")).isEqualTo(new Supervisor.SimpleOneForOne());
        assertThat(Supervisor.terminateChild(sup, inbox.pid())).isEqualTo(new Supervisor.NotFound());
        assertThat(Supervisor.getChildSpec(sup, "template")).isEmpty();
        assertThat(Supervisor.terminateChild(sup, a)).isEqualTo(new Supervisor.Terminated());
        Supervisor.stop(sup);
      });
    }
  }
}
