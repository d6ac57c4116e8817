package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.stage.StageTestKit.exitReason;
import static org.otp4j.behaviours.stage.StageTestKit.expect;
import static org.otp4j.behaviours.stage.StageTestKit.expectNone;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.StartResult;
import org.otp4j.behaviours.stage.StageTestKit.Numbers;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
@DisplayName("ConsumerSupervisor: a process per event, as many at once as the demand allows")
class ConsumerSupervisorTest extends ProbeTest {
  /** A worker started for an event. */
  record Working(long event, Pid worker) {}

  /** A worker: says it started, then waits to be told to finish ("done") or to crash ("crash"). */
  static void work(long n, Pid probe) {
    Proc.send(probe, new Working(n, Proc.self()));
    Object order = Proc.receive(m -> m.equals("done") || m.equals("crash"));
    if (order.equals("crash")) {
      throw new IllegalStateException("worker for " + n + " crashed");
    }
  }

  /** The node's reports of the workers' crashes, once there are {@code count}. */
  private static java.util.List<ch.qos.logback.classic.spi.ILoggingEvent> nodeReports(Reports reports, int count) {
    StageTestKit.await().until(() -> reports.events(Reports.NODE).size() >= count);
    return reports.events(Reports.NODE);
  }

  private Working working(long event) {
    return expect(this.probe, Working.class, w -> w.event() == event);
  }

  @Test
  @DisplayName("at most maxDemand children run at once; as they finish, the supervisor asks for more")
  void boundsChildren() {
    Pid probe = this.probe.pid();
    Pid numbers = GenStage.start(new Numbers(probe, 5, GenStage.Options.defaults()));
    // region: consumer-supervisor
    Pid sup = ConsumerSupervisor.start(
        ConsumerSupervisor.child((Long n) -> Proc.spawnLink(() -> work(n, probe))),
        SubscribeTo.to(numbers).withMaxDemand(2));
    // endregion: consumer-supervisor
    Working first = working(0);
    Working second = working(1);
    expectNone(this.probe, m -> m instanceof Working, "a third worker while two run");
    assertThat(ConsumerSupervisor.whichChildren(sup)).containsExactlyInAnyOrder(first.worker(), second.worker());
    Proc.send(first.worker(), "done"); // minDemand 1: one finished child is enough to ask again
    Working third = working(2);
    assertThat(ConsumerSupervisor.countChildren(sup)).isEqualTo(2);
    Proc.send(second.worker(), "done");
    Proc.send(third.worker(), "done");
    Proc.send(working(3).worker(), "done");
    Proc.send(working(4).worker(), "done");
    StageTestKit.await().until(() -> ConsumerSupervisor.countChildren(sup) == 0);
    GenStage.stop(sup);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("a temporary child that crashes is not restarted, and is reported; a transient one is restarted with its "
      + "event")
  void restarts(Reports reports) {
    Pid probe = this.probe.pid();
    Pid numbers = GenStage.start(new Numbers(probe, 1, GenStage.Options.defaults()));
    Pid temporary = ConsumerSupervisor.start(ConsumerSupervisor.child((Long n) -> Proc.spawnLink(() -> work(n, probe))),
        SubscribeTo.to(numbers).withMaxDemand(1));
    Proc.send(working(0).worker(), "crash");
    expectNone(this.probe, m -> m instanceof Working, "a restart of a temporary child");
    assertThat(reports.awaitLabel("supervisor_report", 1)).hasSize(1);
    GenStage.stop(temporary);

    Pid more = GenStage.start(new Numbers(probe, 1, GenStage.Options.defaults()));
    Pid transientSup = ConsumerSupervisor.start(ConsumerSupervisor.child((Long n) -> Proc.spawnLink(() -> work(n, probe)))
        .withRestart(ChildSpec.Restart.TRANSIENT), SubscribeTo.to(more).withMaxDemand(1));
    Proc.send(working(0).worker(), "crash");
    Working again = working(0); // the same event, a new worker
    Proc.send(again.worker(), "done");
    StageTestKit.await().until(() -> ConsumerSupervisor.countChildren(transientSup) == 0);
    assertThat(reports.awaitLabel("supervisor_report", 2)).hasSize(2);
    assertThat(nodeReports(reports, 2)).allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("crashed"));
    GenStage.stop(transientSup);
    GenStage.stop(numbers);
    GenStage.stop(more);
  }

  @Test
  @DisplayName("a transient child that keeps crashing beyond the restart intensity shuts the supervisor down")
  void intensity(Reports reports) {
    Pid probe = this.probe.pid();
    Pid numbers = GenStage.start(new Numbers(probe, 1, GenStage.Options.defaults()));
    Pid sup = ConsumerSupervisor.start(ConsumerSupervisor.child((Long n) -> Proc.spawnLink(() -> work(n, probe)))
        .withRestart(ChildSpec.Restart.TRANSIENT), SubscribeTo.to(numbers).withMaxDemand(1)
        .withCancel(CancelMode.TEMPORARY));
    for (int i = 0; i < 4; i++) {
      Proc.send(working(0).worker(), "crash");
    }
    assertThat(exitReason(sup)).isEqualTo(ExitReason.SHUTDOWN);
    assertThat(reports.awaitLabel("supervisor_report", 4)).hasSize(4);
    assertThat(nodeReports(reports, 4)).hasSize(4);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("a start that ignores or fails counts as a finished child; a failure is logged")
  void failedStarts(Reports reports) {
    Pid probe = this.probe.pid();
    Pid numbers = GenStage.start(new Numbers(probe, 3, GenStage.Options.defaults()));
    Pid sup = ConsumerSupervisor.start(ConsumerSupervisor.child((Long n) -> switch (n.intValue()) {
      case 0 -> StartResult.ignore();
      case 1 -> StartResult.error(ExitReason.of("no"));
      default -> Proc.spawnLink(() -> work(n, probe));
    }), SubscribeTo.to(numbers).withMaxDemand(1));
    Proc.send(working(2).worker(), "done"); // 0 and 1 did not hold their slot
    assertThat(reports.awaitLabel("consumer_supervisor_start_error", 1)).singleElement()
        .satisfies(r -> assertThat(r.get("reason")).isEqualTo(ExitReason.of("no")));
    GenStage.stop(sup);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("stopping the supervisor shuts its children down")
  void shutdown() {
    Pid probe = this.probe.pid();
    Pid numbers = GenStage.start(new Numbers(probe, 2, GenStage.Options.defaults()));
    Pid sup = ConsumerSupervisor.start(ConsumerSupervisor.child((Long n) -> Proc.spawnLink(() -> work(n, probe))),
        SubscribeTo.to(numbers).withMaxDemand(2));
    Working a = working(0);
    Working b = working(1);
    GenStage.stop(sup);
    assertThat(exitReason(a.worker())).isEqualTo(ExitReason.SHUTDOWN);
    assertThat(exitReason(b.worker())).isEqualTo(ExitReason.SHUTDOWN);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("a permanent child is refused: its work is never done")
  void noPermanentChildren() {
    assertThatThrownBy(() -> ConsumerSupervisor.child((Long n) -> null).withRestart(ChildSpec.Restart.PERMANENT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be permanent");
  }
}
