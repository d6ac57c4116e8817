package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
class SupervisorSmokeTest {

  static Pid worker() {
    return Proc.spawnLink(() -> Proc.receive(m -> m.equals("stop")));
  }

  @Test
  void restartsACrashedChildThenGivesUpPastIntensity(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.start(Supervisor.of(Supervisor.oneForOne().withIntensity(2, Duration.ofSeconds(60)),
            ChildSpec.worker("a", SupervisorSmokeTest::worker),
            ChildSpec.worker("b", SupervisorSmokeTest::worker)), StartOptions.defaults());
        inbox.monitor(sup);
        List<Supervisor.Child> children = Supervisor.whichChildren(sup);
        assertThat(children).extracting(Supervisor.Child::id).containsExactly("b", "a");
        for (int i = 0; i < 2; i++) {
          Pid a = Supervisor.whichChildren(sup).get(1).pid();
          Proc.exit(a, ExitReason.KILL);
          org.awaitility.Awaitility.await().until(() -> {
            Pid now = Supervisor.whichChildren(sup).get(1).pid();
            return now != null && !now.equals(a);
          });
        }
        Pid a = Supervisor.whichChildren(sup).get(1).pid();
        Proc.exit(a, ExitReason.KILL);
        Object down = inbox.receive(Duration.ofSeconds(5)).orElseThrow();
        assertThat(down).isInstanceOf(Down.class);
        assertThat(((Down) down).reason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(reports.supervisorReports("child_terminated")).hasSize(3)
            .allSatisfy(r -> assertThat(r.get("childId")).isEqualTo("a"));
        assertThat(reports.supervisorReports("shutdown")).singleElement()
            .satisfies(r -> assertThat(r.get("reason")).isEqualTo("reached_max_restart_intensity"));
      });
    }
  }

  @Test
  void dynamicSupervisorWithTemplate() {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid sup = DynamicSupervisor.start(DynamicSupervisor.of(DynamicSupervisor.Options.defaults().withMaxChildren(2),
            DynamicSupervisor.Template.worker((String s) -> worker())), StartOptions.defaults().withName(Name.local("dyn")));
        assertThat(DynamicSupervisor.startChildWith(sup, "x")).isInstanceOf(StartResult.Started.class);
        assertThat(DynamicSupervisor.startChildWith(sup, "y")).isInstanceOf(StartResult.Started.class);
        assertThat(DynamicSupervisor.startChildWith(sup, "z")).isInstanceOf(DynamicSupervisor.MaxChildren.class);
        assertThat(DynamicSupervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(1, 2, 0, 2));
        Supervisor.stop(sup);
      });
    }
  }
}
