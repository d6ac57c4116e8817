package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * Restart types against exit reasons: OTP-SEMANTICS U13 (and the child_terminated report of U23).
 * permanent: always restarted; transient: restarted only after an abnormal exit; temporary: never,
 * and its spec is removed.
 */
@ExtendWith(CaptureReports.class)
class SupervisorRestartTypeTest {

  /** How the child ends. */
  enum End {
    NORMAL(ExitReason.NORMAL),
    SHUTDOWN(ExitReason.SHUTDOWN),
    SHUTDOWN_DETAIL(ExitReason.shutdown("done")),
    CRASH(ExitReason.of("crash"));

    final ExitReason reason;

    End(ExitReason reason) {
      this.reason = reason;
    }
  }

  /** A worker that stops with the reason it is cast. */
  static final class Worker extends GenServer<Integer, ExitReason> {
    @Override
    protected Init<Integer> init() {
      return Init.ok(0);
    }

    @Override
    protected CastResult<Integer> handleCast(ExitReason reason, Integer state) {
      return stop(reason, state);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(ChildSpec.Restart.values())
        .flatMap(restart -> Stream.of(End.values()).map(end -> Arguments.of(restart, end)));
  }

  static boolean restarted(ChildSpec.Restart restart, End end) {
    return switch (restart) {
      case PERMANENT -> true;
      case TRANSIENT -> end == End.CRASH;
      case TEMPORARY -> false;
    };
  }

  static boolean reported(ChildSpec.Restart restart, End end) {
    return restart == ChildSpec.Restart.PERMANENT || end == End.CRASH;
  }

  static Optional<Supervisor.Child> child(Pid sup) {
    return Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals("w")).findFirst();
  }

  @ParameterizedTest(name = "{0} child ends {1}")
  @MethodSource("cases")
  @DisplayName("U13: restart type x exit reason")
  void restartDecision(ChildSpec.Restart restart, End end, Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        ChildSpec spec = ChildSpec.worker("w", () -> GenServer.startLink(new Worker())).withRestart(restart);
        Pid sup = Supervisor.startLink(Supervisor.oneForOne().withIntensity(5, Duration.ofSeconds(10)), spec,
            ChildSpec.worker("bystander", () -> GenServer.startLink(new Worker())));
        Pid first = child(sup).orElseThrow().pid();
        GenServer.cast(first, end.reason);
        assertThat(exitReasonOf(first)).isEqualTo(end.reason);
        if (restarted(restart, end)) {
          await().until(() -> child(sup).map(c -> c.pid() != null && !c.pid().equals(first)).orElse(false));
          assertThat(child(sup).orElseThrow().state()).isEqualTo(Supervisor.ChildState.RUNNING);
        } else if (restart == ChildSpec.Restart.TEMPORARY) {
          await().until(() -> child(sup).isEmpty());
          assertThat(Supervisor.getChildSpec(sup, "w")).as("a temporary child's spec is removed").isEmpty();
        } else {
          await().until(() -> child(sup).map(c -> c.pid() == null).orElse(false));
          assertThat(child(sup).orElseThrow().state()).isEqualTo(Supervisor.ChildState.UNDEFINED);
          assertThat(Supervisor.getChildSpec(sup, "w")).as("a transient child's spec is kept").contains(spec);
        }
        List<?> terminated = reports.supervisorReports("child_terminated");
        assertThat(terminated).as("child_terminated reports").hasSize(reported(restart, end) ? 1 : 0);
        assertThat(reports.withLabel("gen_server_terminate")).as("the worker's own report")
            .hasSize(end == End.CRASH ? 1 : 0);
        assertThat(Supervisor.countChildren(sup).active()).isEqualTo(restarted(restart, end) ? 2 : 1);
        assertThat(Proc.isAlive(sup)).isTrue();
        Supervisor.stop(sup);
      });
    }
  }

}
