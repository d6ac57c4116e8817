package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.BehaviourTestKit.awaitDown;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.expectNone;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/** How a supervisor stops one child: OTP-SEMANTICS U10 (brutal kill), U11 (timeout, then kill), U12 (infinity). */
@ExtendWith(CaptureReports.class)
class SupervisorShutdownTest {

  static final Duration SHUTDOWN_TIMEOUT = Duration.ofMillis(200);

  record Terminated(String id, ExitReason reason) {}

  /** A GenServer worker that traps exits (so it runs terminate on shutdown) and reports terminate. */
  static final class Worker extends GenServer<String, String> {
    private final String id;
    private final Pid observer;
    private final boolean trap;

    Worker(String id, Pid observer, boolean trap) {
      this.id = id;
      this.observer = observer;
      this.trap = trap;
    }

    @Override
    protected Init<String> init() {
      Proc.trapExits(trap);
      return Init.ok(id);
    }

    @Override
    protected void terminate(ExitReason reason, String state) {
      Proc.send(observer, new Terminated(id, reason));
    }
  }

  /** A raw process that traps exits and ignores every exit signal: only a kill ends it. */
  static Pid stubborn(Pid observer) {
    return BehaviourTestKit.spawnLinkTrapping(() -> {
      for (;;) {
        if (Proc.receive() instanceof ExitMessage exit) {
          Proc.send(observer, "ignored " + exit.reason());
        }
      }
    });
  }

  static Pid childPid(Pid sup, Object id) {
    return Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals(id)).findFirst()
        .map(Supervisor.Child::pid).orElseThrow();
  }

  @Test
  @DisplayName("U11: a child that ignores shutdown is killed after the timeout: terminateChild takes >= the timeout, child ends killed")
  void timeoutEscalatesToKill(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
            ChildSpec.worker("stubborn", () -> stubborn(inbox.pid()))
                .withShutdown(ChildSpec.Shutdown.timeout(SHUTDOWN_TIMEOUT)));
        Pid child = childPid(sup, "stubborn");
        Ref ref = inbox.monitor(child);
        long start = System.nanoTime();
        assertThat(Supervisor.terminateChild(sup, "stubborn")).isEqualTo(new Supervisor.Terminated());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("terminateChild of a child that ignores shutdown").isGreaterThanOrEqualTo(SHUTDOWN_TIMEOUT);
        expect(inbox, "ignored shutdown");
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.KILLED);
        List<Map<String, Object>> errors = reports.supervisorReports("shutdown_error");
        assertThat(errors).hasSize(1);
        assertThat(errors.getFirst().get("reason")).isEqualTo(ExitReason.KILLED);
        assertThat(errors.getFirst().get("childId")).isEqualTo("stubborn");
        assertThat(Supervisor.whichChildren(sup).getFirst().state()).isEqualTo(Supervisor.ChildState.UNDEFINED);
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U11/G23: a trapping child exits shutdown cleanly: terminate(shutdown) runs, no report, no waiting for the timeout")
  void cleanShutdown(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
            ChildSpec.worker("w", () -> GenServer.startLink(new Worker("w", inbox.pid(), true)))
                .withShutdown(ChildSpec.Shutdown.timeout(Duration.ofSeconds(30))));
        Pid child = childPid(sup, "w");
        Ref ref = inbox.monitor(child);
        assertThat(Supervisor.terminateChild(sup, "w")).isEqualTo(new Supervisor.Terminated());
        // Returned long before 30 s; terminate has already run.
        assertThat(inbox.receive(m -> m instanceof Terminated, Duration.ZERO))
            .contains(new Terminated("w", ExitReason.SHUTDOWN));
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(reports.withLabel("supervisor_report")).isEmpty();
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U11/G23: a child that does not trap exits dies of the shutdown signal at once, terminate not called")
  void nonTrappingChild(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
            ChildSpec.worker("w", () -> GenServer.startLink(new Worker("w", inbox.pid(), false))));
        Pid child = childPid(sup, "w");
        Ref ref = inbox.monitor(child);
        assertThat(Supervisor.terminateChild(sup, "w")).isEqualTo(new Supervisor.Terminated());
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
        expectNone(inbox, m -> m instanceof Terminated, "terminate of a non-trapping child");
        assertThat(reports.withLabel("supervisor_report")).isEmpty();
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U10: brutal kill: the child is killed at once, even when trapping; terminate never runs; no report")
  void brutalKill(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
            ChildSpec.worker("w", () -> GenServer.startLink(new Worker("w", inbox.pid(), true)))
                .withShutdown(ChildSpec.Shutdown.brutalKill()),
            ChildSpec.worker("s", () -> stubborn(inbox.pid())).withShutdown(ChildSpec.Shutdown.brutalKill()));
        Pid w = childPid(sup, "w");
        Pid s = childPid(sup, "s");
        Ref rw = inbox.monitor(w);
        Ref rs = inbox.monitor(s);
        assertThat(Supervisor.terminateChild(sup, "w")).isEqualTo(new Supervisor.Terminated());
        assertThat(awaitDown(inbox, rw)).isEqualTo(ExitReason.KILLED);
        assertThat(Supervisor.terminateChild(sup, "s")).isEqualTo(new Supervisor.Terminated());
        assertThat(awaitDown(inbox, rs)).isEqualTo(ExitReason.KILLED);
        expectNone(inbox, m -> m instanceof Terminated || m instanceof String, "terminate or an ignored signal");
        assertThat(reports.withLabel("supervisor_report")).isEmpty();
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U12: a supervisor child (shutdown infinity) is waited for while it stops its own children first")
  void infinityForSupervisorChild() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid top = Supervisor.startLink(Supervisor.oneForOne(),
            ChildSpec.worker("first", () -> GenServer.startLink(new Worker("first", inbox.pid(), true))),
            ChildSpec.supervisor("inner", () -> Supervisor.startLink(Supervisor.oneForOne(),
                ChildSpec.worker("x", () -> GenServer.startLink(new Worker("x", inbox.pid(), true))),
                ChildSpec.worker("y", () -> GenServer.startLink(new Worker("y", inbox.pid(), true))))));
        assertThat(Supervisor.getChildSpec(top, "inner").orElseThrow().shutdown())
            .isEqualTo(ChildSpec.Shutdown.infinity());
        Pid inner = childPid(top, "inner");
        Ref ref = inbox.monitor(inner);
        Supervisor.stop(top);
        // Reverse order: inner (which stops y then x), then first.
        List<Object> order = List.of(
            expect(inbox, m -> m instanceof Terminated, "terminate 1"),
            expect(inbox, m -> m instanceof Terminated, "terminate 2"),
            expect(inbox, m -> m instanceof Terminated, "terminate 3"));
        assertThat(order).containsExactly(
            new Terminated("y", ExitReason.SHUTDOWN), new Terminated("x", ExitReason.SHUTDOWN),
            new Terminated("first", ExitReason.SHUTDOWN));
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
      });
    }
  }

  @Test
  @DisplayName("U12: a child that unlinked itself from the supervisor is still stopped (the supervisor monitors it)")
  void childThatUnlinked() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.oneForOne(), ChildSpec.worker("loner", () -> Proc.spawnLink(() -> {
          Proc.receive(m -> m.equals("unlink"));
          Proc.unlink(Proc.info(Proc.self()).orElseThrow().links().getFirst());
          Proc.send(inbox.pid(), "unlinked");
          Proc.receive(m -> false);
        })));
        Pid child = childPid(sup, "loner");
        inbox.send(child, "unlink");
        expect(inbox, "unlinked");
        Ref ref = inbox.monitor(child);
        assertThat(Supervisor.terminateChild(sup, "loner")).isEqualTo(new Supervisor.Terminated());
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U6/U11: Supervisor.stop waits for a stubborn child (killed after its timeout) and leaves nothing running")
  void stopWithStubbornChild(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        int baseline = node.processCount();
        Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
            ChildSpec.worker("a", () -> GenServer.startLink(new Worker("a", inbox.pid(), true))),
            ChildSpec.worker("stubborn", () -> stubborn(inbox.pid()))
                .withShutdown(ChildSpec.Shutdown.timeout(SHUTDOWN_TIMEOUT)));
        Pid stubborn = childPid(sup, "stubborn");
        long start = System.nanoTime();
        Supervisor.stop(sup);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(SHUTDOWN_TIMEOUT);
        assertThat(exitReasonOf(stubborn)).isEqualTo(ExitReason.KILLED);
        expect(inbox, new Terminated("a", ExitReason.SHUTDOWN));
        BehaviourTestKit.await().until(() -> node.processCount() == baseline);
        assertThat(reports.supervisorReports("shutdown_error")).singleElement().satisfies(r -> {
          assertThat(r.get("childId")).isEqualTo("stubborn");
          assertThat(r.get("reason")).isEqualTo(ExitReason.KILLED);
        });
      });
    }
  }
}
