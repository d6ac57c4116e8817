package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.BehaviourTestKit.WAIT;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * Start and stop order and the three restart strategies: OTP-SEMANTICS U6, U14. Children trap exits
 * and report their start and their terminate to an inbox, which records the order.
 */
@ExtendWith(CaptureReports.class)
class SupervisorStrategyTest {

  record Started(String id, Pid pid) {}

  record Stopped(String id, ExitReason reason) {}

  /** A worker that traps exits (so terminate runs on shutdown) and reports start and terminate. */
  static final class Worker extends GenServer<String, String> {
    private final String id;
    private final Pid observer;

    Worker(String id, Pid observer) {
      this.id = id;
      this.observer = observer;
    }

    static ChildSpec spec(String id, Pid observer) {
      return ChildSpec.worker(id, () -> GenServer.startLink(new Worker(id, observer)));
    }

    @Override
    protected Init<String> init() {
      Proc.trapExits(true);
      Proc.send(observer, new Started(id, Proc.self()));
      return Init.ok(id);
    }

    @Override
    protected void terminate(ExitReason reason, String state) {
      Proc.send(observer, new Stopped(id, reason));
    }
  }

  /** Receives the next {@code n} start or stop events, in order. */
  static List<Object> events(Inbox inbox, int n) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(inbox.receive(m -> m instanceof Started || m instanceof Stopped, WAIT)
          .orElseThrow(() -> new AssertionError("expected " + n + " start/stop events, got " + out)));
    }
    return out;
  }

  static List<String> describe(List<Object> events) {
    return events.stream().map(e -> switch (e) {
      case Started s -> "start:" + s.id();
      case Stopped s -> "stop:" + s.id() + ":" + s.reason();
      default -> e.toString();
    }).toList();
  }

  static Map<Object, Pid> pids(Pid sup) {
    Map<Object, Pid> out = new LinkedHashMap<>();
    for (Supervisor.Child c : Supervisor.whichChildren(sup).reversed()) {
      out.put(c.id(), c.pid());
    }
    return out;
  }

  static Pid start(Supervisor.Flags flags, Inbox inbox, String... ids) {
    ChildSpec[] specs = new ChildSpec[ids.length];
    for (int i = 0; i < ids.length; i++) {
      specs[i] = Worker.spec(ids[i], inbox.pid());
    }
    return Supervisor.startLink(flags, specs); // from a plain thread: not linked
  }

  /**
   * Asserts that the supervisor reported the children killed so far, in order, and no other: the
   * siblings it stops itself are not reported (U23).
   */
  static void assertKilledReported(Reports reports, String... ids) {
    List<Map<String, Object>> terminated = reports.supervisorReports("child_terminated");
    assertThat(terminated).extracting(r -> r.get("childId")).containsExactly((Object[]) ids);
    assertThat(terminated).allSatisfy(r -> assertThat(r.get("reason")).isEqualTo(ExitReason.KILLED));
  }

  /** Kills child {@code id} and waits until the supervisor has dealt with it (its pid changed). */
  static void killAndAwaitRestart(Pid sup, String id) {
    Pid old = pids(sup).get(id);
    Proc.exit(old, ExitReason.KILL);
    await().until(() -> {
      Pid now = pids(sup).get(id);
      return now != null && !now.equals(old);
    });
  }

  @Test
  @DisplayName("U6: children start in spec order; start returns after all started; they stop in reverse order")
  void startAndStopOrder() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = start(Supervisor.oneForOne(), inbox, "a", "b", "c", "d");
        // All four have started by the time start returned: their messages are already here.
        assertThat(inbox.flush()).extracting(m -> ((Started) m).id()).containsExactly("a", "b", "c", "d");
        assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("d", "c", "b", "a");
        Supervisor.stop(sup);
        assertThat(describe(inbox.flush())).containsExactly(
            "stop:d:shutdown", "stop:c:shutdown", "stop:b:shutdown", "stop:a:shutdown");
      });
    }
  }

  @Test
  @DisplayName("U14: one_for_one restarts only the child that died")
  void oneForOne(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = start(Supervisor.oneForOne().withIntensity(5, Duration.ofSeconds(5)), inbox, "a", "b", "c");
        events(inbox, 3);
        Map<Object, Pid> before = pids(sup);
        killAndAwaitRestart(sup, "b");
        Map<Object, Pid> after = pids(sup);
        assertThat(after.get("a")).isEqualTo(before.get("a"));
        assertThat(after.get("c")).isEqualTo(before.get("c"));
        assertThat(after.get("b")).isNotEqualTo(before.get("b"));
        assertThat(describe(events(inbox, 1))).containsExactly("start:b");
        assertThat(inbox.flush()).as("no sibling was stopped").isEmpty();
        assertKilledReported(reports, "b");
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U14: one_for_all stops the others in reverse start order, then restarts all in start order")
  void oneForAll(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = start(Supervisor.oneForAll().withIntensity(5, Duration.ofSeconds(5)), inbox, "a", "b", "c", "d");
        events(inbox, 4);
        Map<Object, Pid> before = pids(sup);
        Proc.exit(before.get("b"), ExitReason.KILL); // killed: b runs no terminate
        assertThat(describe(events(inbox, 7))).containsExactly(
            "stop:d:shutdown", "stop:c:shutdown", "stop:a:shutdown",
            "start:a", "start:b", "start:c", "start:d");
        Map<Object, Pid> after = pids(sup);
        for (String id : List.of("a", "b", "c", "d")) {
          assertThat(after.get(id)).as("pid of %s", id).isNotNull().isNotEqualTo(before.get(id));
          assertThat(exitReasonOf(before.get(id))).isIn(ExitReason.SHUTDOWN, ExitReason.KILLED);
        }
        assertKilledReported(reports, "b");
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U14: rest_for_one stops the later children in reverse order and restarts the dead one and those")
  void restForOne(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = start(Supervisor.restForOne().withIntensity(5, Duration.ofSeconds(5)), inbox, "a", "b", "c", "d");
        events(inbox, 4);
        Map<Object, Pid> before = pids(sup);
        Proc.exit(before.get("b"), ExitReason.KILL);
        assertThat(describe(events(inbox, 5))).containsExactly(
            "stop:d:shutdown", "stop:c:shutdown", "start:b", "start:c", "start:d");
        Map<Object, Pid> after = pids(sup);
        assertThat(after.get("a")).as("the earlier sibling keeps its pid").isEqualTo(before.get("a"));
        for (String id : List.of("b", "c", "d")) {
          assertThat(after.get(id)).as("pid of %s", id).isNotEqualTo(before.get(id));
        }
        assertThat(inbox.flush()).isEmpty();
        // The last child dying restarts only itself.
        Proc.exit(after.get("d"), ExitReason.KILL);
        assertThat(describe(events(inbox, 1))).containsExactly("start:d");
        Map<Object, Pid> last = pids(sup);
        assertThat(last.get("a")).isEqualTo(after.get("a"));
        assertThat(last.get("b")).isEqualTo(after.get("b"));
        assertThat(last.get("c")).isEqualTo(after.get("c"));
        assertKilledReported(reports, "b", "d");
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U14: a temporary bystander stopped by one_for_all is not restarted and its spec is removed")
  void temporaryBystanderOneForAll(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.oneForAll().withIntensity(5, Duration.ofSeconds(5)),
            Worker.spec("a", inbox.pid()),
            Worker.spec("t", inbox.pid()).withRestart(ChildSpec.Restart.TEMPORARY),
            Worker.spec("c", inbox.pid()));
        events(inbox, 3);
        Proc.exit(pids(sup).get("a"), ExitReason.KILL);
        assertThat(describe(events(inbox, 4))).containsExactly(
            "stop:c:shutdown", "stop:t:shutdown", "start:a", "start:c");
        assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("c", "a");
        assertThat(Supervisor.getChildSpec(sup, "t")).isEmpty();
        assertKilledReported(reports, "a");
        assertThat(inbox.flush()).isEmpty();
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U14: a temporary bystander stopped by rest_for_one is not restarted")
  void temporaryBystanderRestForOne(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.restForOne().withIntensity(5, Duration.ofSeconds(5)),
            Worker.spec("a", inbox.pid()),
            Worker.spec("b", inbox.pid()),
            Worker.spec("t", inbox.pid()).withRestart(ChildSpec.Restart.TEMPORARY));
        events(inbox, 3);
        Proc.exit(pids(sup).get("b"), ExitReason.KILL);
        assertThat(describe(events(inbox, 2))).containsExactly("stop:t:shutdown", "start:b");
        assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("b", "a");
        assertKilledReported(reports, "b");
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U14: one_for_all counts one restart for the whole group (intensity 1 survives one crash)")
  void oneForAllCountsOneRestart(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = start(Supervisor.oneForAll().withIntensity(1, Duration.ofSeconds(30)), inbox, "a", "b", "c");
        events(inbox, 3);
        killAndAwaitRestart(sup, "a");
        assertThat(Proc.isAlive(sup)).isTrue();
        assertThat(Supervisor.countChildren(sup).active()).isEqualTo(3);
        assertKilledReported(reports, "a");
        Supervisor.stop(sup);
      });
    }
  }
}
