package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.BehaviourTestKit.await;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Supervisor.restartCounts: children restarted, by supervisor name, unnamed supervisors added up. */
@ExtendWith(CaptureReports.class)
class SupervisorRestartCountsTest {

  /** A worker that waits for ever. */
  static final class Idle extends GenServer<String, String> {
    @Override
    protected Init<String> init() {
      return Init.ok("idle");
    }
  }

  static ChildSpec idle(String id) {
    return ChildSpec.worker(id, () -> GenServer.startLink(new Idle()));
  }

  /** Kills the running child {@code id} of {@code sup} and waits until it runs again under a new pid. */
  static void killAndAwaitRestart(Address sup, Object id) {
    Pid old = child(sup, id);
    Proc.exit(old, ExitReason.KILL);
    await().until(() -> {
      Pid now = child(sup, id);
      return now != null && !now.equals(old);
    });
  }

  static Pid child(Address sup, Object id) {
    return Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals(id)).map(Supervisor.Child::pid)
        .findFirst().orElse(null);
  }

  @Test
  @DisplayName("restarts count by the supervisor's registered name; unnamed supervisors add up under UNNAMED")
  void counts(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        Pid named = Supervisor.startLink(Name.local("cache_sup"), Supervisor.oneForOne(), idle("a"));
        Pid first = Supervisor.startLink(Supervisor.oneForOne(), idle("b"));
        Pid second = Supervisor.startLink(Supervisor.oneForOne(), idle("c"));
        assertThat(Supervisor.restartCounts(node)).isEmpty();

        killAndAwaitRestart(named, "a");
        killAndAwaitRestart(first, "b");
        killAndAwaitRestart(second, "c");

        // region: counts
        Map<String, Long> restarts = Supervisor.restartCounts(node);
        long byTheCache = restarts.getOrDefault("cache_sup", 0L);
        // endregion: counts
        assertThat(byTheCache).isEqualTo(1);
        assertThat(restarts).containsExactly(Map.entry(Supervisor.UNNAMED, 2L), Map.entry("cache_sup", 1L));
        assertThat(Supervisor.restartCounts(Node.defaultNode())).doesNotContainKey("cache_sup");
      });
    }
    assertThat(reports.supervisorReports("child_terminated")).hasSize(3)
        .allSatisfy(r -> assertThat(r.get("reason")).isEqualTo(ExitReason.KILLED));
  }

  @Test
  @DisplayName("a one-for-all restart counts every child started again; a dynamic supervisor's restarts count")
  void strategiesAndDynamic(Reports reports) {
    try (Node node = Node.start()) {
      // from a process this time: the counts do not depend on who watches
      node.spawn(() -> {
        Pid all = Supervisor.startLink(Name.local("all_sup"), Supervisor.oneForAll(), idle("x"), idle("y"), idle("z"));
        killAndAwaitRestart(all, "y");
        Pid dynamic = DynamicSupervisor.startLink(Name.local("dyn_sup"), DynamicSupervisor.Options.defaults());
        Pid worker = ((StartResult.Started) DynamicSupervisor.startChild(dynamic, idle("w"))).pid();
        Proc.exit(worker, ExitReason.KILL);
        await().until(() -> DynamicSupervisor.whichChildren(dynamic).stream()
            .anyMatch(c -> c.pid() != null && !c.pid().equals(worker)));
        Proc.receive(); // keeps its supervisors linked to a live parent until the node stops
      });
      await().until(() -> Supervisor.restartCounts(node).getOrDefault("dyn_sup", 0L) == 1L);
      assertThat(Supervisor.restartCounts(node)).containsEntry("all_sup", 3L).containsEntry("dyn_sup", 1L);
    }
    assertThat(reports.supervisorReports("child_terminated")).hasSize(2);
  }

  @Test
  @DisplayName("restartCounts(null) names what is missing")
  void nullNode() {
    assertThatThrownBy(() -> Supervisor.restartCounts(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("node");
  }
}
