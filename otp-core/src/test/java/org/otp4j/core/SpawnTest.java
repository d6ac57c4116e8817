package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.assertCrashReport;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.idle;
import static org.otp4j.core.TestSupport.next;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.otp4j.core.TestSupport.Reports;

@DisplayName("Spawning, exit reasons and process identity (P1-P4)")
class SpawnTest {

  @Test
  @DisplayName("P1: spawn returns the pid at once, before the body has run")
  void spawnReturnsBeforeTheBodyRuns() {
    CountDownLatch mayRun = new CountDownLatch(1);
    AtomicBoolean ran = new AtomicBoolean();
    try (Node node = Node.start()) {
      Pid p = node.spawn(() -> {
        mayRun.await();
        ran.set(true);
      });

      assertThat(ran).isFalse();
      assertThat(Proc.isAlive(p)).isTrue();
      mayRun.countDown();
      assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
      assertThat(ran).isTrue();
    }
  }

  @Test
  @DisplayName("P1: a process whose body returns terminates with reason normal")
  void bodyReturningIsANormalExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid p = node.spawn(() -> Proc.receive());
      Ref ref = inbox.monitor(p);
      inbox.send(p, "go");

      assertThat(next(inbox)).isEqualTo(new Down(ref, p, ExitReason.NORMAL));
      assertThat(Proc.isAlive(p)).isFalse();
    }
  }

  static Stream<Arguments> exits() {
    IllegalStateException unchecked = new IllegalStateException("bad state");
    Exception checked = new java.io.IOException("disk gone");
    StackOverflowError error = new StackOverflowError("deep");
    return Stream.of(
        Arguments.of(Named.of("Proc.exit(bye)", (Proc.Body) () -> Proc.exit(ExitReason.of("bye"))),
            ExitReason.of("bye")),
        Arguments.of(Named.of("Proc.exit(shutdown)", (Proc.Body) () -> Proc.exit(ExitReason.SHUTDOWN)),
            ExitReason.SHUTDOWN),
        Arguments.of(Named.of("Proc.exit({shutdown, detail})",
            (Proc.Body) () -> Proc.exit(ExitReason.shutdown("detail"))), ExitReason.shutdown("detail")),
        Arguments.of(Named.of("throw an unchecked exception", (Proc.Body) () -> {
          throw unchecked;
        }), ExitReason.crash(unchecked)),
        Arguments.of(Named.of("throw a checked exception", (Proc.Body) () -> {
          throw checked;
        }), ExitReason.crash(checked)),
        Arguments.of(Named.of("throw an Error", (Proc.Body) () -> {
          throw error;
        }), ExitReason.crash(error)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exits")
  @DisplayName("P4: exit(R) terminates with R, an exception thrown out of the body with that exception "
      + "(and a crash report)")
  void exitReasons(Proc.Body body, ExitReason expected) {
    try (Node node = Node.start(); Reports reports = Reports.capture(node); Inbox inbox = node.openInbox()) {
      Pid p = node.spawn(() -> {
        Proc.receive();
        body.run();
      });
      Ref ref = inbox.monitor(p);
      inbox.send(p, "go");

      assertThat(next(inbox)).isEqualTo(new Down(ref, p, expected));
      assertThat(exitReason(p)).isEqualTo(expected);
      if (expected instanceof ExitReason.Crash crash) {
        assertThat(reports.errorsAfterStop()).satisfiesExactly(r -> assertCrashReport(r, p, crash.error()));
      } else {
        assertThat(reports.errorsAfterStop()).as("an exit(R) is no crash").isEmpty();
      }
    }
  }

  @Test
  @DisplayName("P10: exit/1 raises an exception that the process can catch, which cancels the exit")
  void exitCanBeCaught() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> {
        try {
          Proc.exit(ExitReason.of("bye"));
        } catch (ProcessExit e) {
          Proc.send(me, e.reason());
        }
      });

      assertThat(next(inbox)).isEqualTo(ExitReason.of("bye"));
      assertThat(exitReason(p)).isEqualTo(ExitReason.NORMAL);
    }
  }

  @Test
  @DisplayName("P3: spawnMonitor sets the monitor atomically: a child that exits at once still yields its Down")
  void spawnMonitorSeesAnImmediateExit() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        Proc.SpawnMonitor child = Proc.spawnMonitor(() -> Proc.exit(ExitReason.of("bye")));
        Proc.send(me, child);
        Proc.send(me, Proc.receive());
      });

      Proc.SpawnMonitor child = next(inbox, Proc.SpawnMonitor.class);
      assertThat(next(inbox)).isEqualTo(new Down(child.ref(), child.pid(), ExitReason.of("bye")));
    }
  }

  @Test
  @DisplayName("P3: spawnMonitor from a process is visible in the child's monitoredBy before the child runs")
  void spawnMonitorIsInPlaceBeforeTheChildRuns() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        Proc.SpawnMonitor child = Proc.spawnMonitor(() -> Proc.send(me,
            Proc.info(Proc.self()).orElseThrow().monitoredBy()));
        Proc.send(me, child.pid());
        Proc.send(me, Proc.self());
        idle();
      });

      @SuppressWarnings("unchecked")
      List<Pid> monitoredBy = next(inbox, List.class);
      Pid childPid = next(inbox, Pid.class);
      Pid parent = next(inbox, Pid.class);
      assertThat(childPid).isNotEqualTo(parent);
      assertThat(monitoredBy).containsExactly(parent);
    }
  }

  @Test
  @DisplayName("Identity: a pid prints like <N.M.0> (node index, serial) and its thread carries the same name")
  void pidsPrintLikeErlangAndNameTheirThread() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> Proc.send(me, Thread.currentThread().getName()));

      assertThat(p.toString())
          .matches("<\\d+\\.\\d+\\.0>")
          .isEqualTo("<" + node.index() + "." + p.serial() + ".0>");
      assertThat(next(inbox)).isEqualTo(p.toString());
      assertThat(p.node()).isSameAs(node);
      assertThat(inbox.pid().toString()).isEqualTo("<" + node.index() + "." + inbox.pid().serial() + ".0>");
    }
  }

  @Test
  @DisplayName("Identity: inside a process self() is its pid, isProcess() is true and Node.current() is its node")
  void selfInsideAProcess() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid p = node.spawn(() -> Proc.send(me, new Object[] {Proc.self(), Proc.isProcess(), Node.current()}));

      assertThat((Object[]) next(inbox)).containsExactly(p, true, node);
      assertThat(Proc.isProcess()).isFalse();
    }
  }

  @Test
  @DisplayName("Identity: pids are ordered by node index, then spawn order, and equal only to themselves")
  void pidsAreOrdered() {
    try (Node a = Node.start(); Node b = Node.start()) {
      Pid a1 = a.spawn(TestSupport::idle);
      Pid a2 = a.spawn(TestSupport::idle);
      Pid b1 = b.spawn(TestSupport::idle);

      assertThat(a.index()).isNotEqualTo(b.index());
      assertThat(a1).isLessThan(a2);
      assertThat(a1.compareTo(b1)).isEqualTo(Integer.compare(a.index(), b.index()));
      assertThat(a1).isEqualTo(a1).isNotEqualTo(a2);
    }
  }

  @Test
  @DisplayName("SpawnOptions.withTrapExits(true) starts the process trapping exits")
  void spawnOptionTrapExits() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid trapping = node.spawn(SpawnOptions.defaults().withTrapExits(true),
          () -> Proc.send(me, Proc.trapExits(false)));
      Pid plain = node.spawn(() -> Proc.send(me, Proc.trapExits(true)));

      assertThat(exitReason(trapping)).isEqualTo(ExitReason.NORMAL);
      assertThat(exitReason(plain)).isEqualTo(ExitReason.NORMAL);
      assertThat(inbox.flush()).containsExactlyInAnyOrder(true, false);
    }
  }

  @Test
  @DisplayName("spawn without a body is rejected with a message that says what to pass")
  void spawnNullBody() {
    try (Node node = Node.start()) {
      assertThatThrownBy(() -> node.spawn(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("a process needs a body to run: spawn(() -> ...)");
      assertThat(node.processCount()).isZero();
    }
  }

  static Stream<Arguments> processOnlyOperations() {
    return Stream.of(
        op("self()", ignored -> Proc.self()),
        op("receive", ignored -> Proc.receive()),
        op("receive", ignored -> Proc.receive(Duration.ZERO)),
        op("receive", ignored -> Proc.receive(m -> true, Duration.ZERO)),
        op("receiveAfter", ignored -> Proc.receiveAfter(Ref.make(), m -> true, Duration.ZERO)),
        op("flush", ignored -> Proc.flush()),
        op("link", p -> Proc.link(p)),
        op("unlink", p -> Proc.unlink(p)),
        op("trapExits", ignored -> Proc.trapExits(true)),
        op("monitor", p -> Proc.monitor(p)),
        op("demonitor", ignored -> Proc.demonitor(Ref.make())),
        op("spawnLink", ignored -> Proc.spawnLink(() -> {})),
        op("spawnMonitor", ignored -> Proc.spawnMonitor(() -> {})),
        op("exit", ignored -> Proc.exit(ExitReason.NORMAL)),
        op("Registry.register", ignored -> Registry.unique("r").register("k", "v")),
        op("Registry.unregister", ignored -> Registry.unique("r").unregister("k")));
  }

  private static Arguments op(String operation, ThrowingConsumer<Pid> action) {
    return Arguments.of(operation, Named.of(operation, action));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("processOnlyOperations")
  @DisplayName("Operations that act as the current process throw NotAProcessException on a plain thread")
  void processOnlyOperationsFromAPlainThread(String operation, ThrowingConsumer<Pid> action) {
    try (Node node = Node.start()) {
      Pid p = node.spawn(TestSupport::idle);
      assertThatThrownBy(() -> action.accept(p))
          .isInstanceOf(NotAProcessException.class)
          .hasMessageStartingWith(operation + " can only be called inside a process")
          .hasMessageContaining(Thread.currentThread().getName())
          .hasMessageContaining("open an Inbox");
      assertThat(Proc.isAlive(p)).isTrue();
      assertThat(Proc.info(p).orElseThrow().links()).isEmpty();
      assertThat(Proc.info(p).orElseThrow().monitoredBy()).isEmpty();
    }
  }
}
