package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.TestSupport.assertCrashReport;
import static org.otp4j.core.TestSupport.assertVmErrorReport;
import static org.otp4j.core.TestSupport.awaitProcessCount;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.otp4j.core.TestSupport.Reports;

/**
 * Race hammers around termination: kill racing a normal exit, sends racing a kill, a fatal error
 * racing the node's stop, names freed racing re-registration.
 */
@Tag("stress")
@DisplayName("Stress: kill racing exits and sends; re-registering a name after Down")
class KillRaceStressTest {
  private static final int ROUNDS = 1_000;
  private static final int MAX_JITTER_NANOS = 20_000;

  private static void jitter(Random random) {
    long until = System.nanoTime() + random.nextInt(MAX_JITTER_NANOS);
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }

  @Test
  @DisplayName("P7a/P14/P8: exit(P, kill) racing P's normal exit: one Down and one EXIT, both normal or both killed")
  void killRacingNormalExit() {
    try (Node node = Node.start(); Inbox watcher = node.openInbox(); Inbox linked = node.openInbox()) {
      linked.trapExits(true);
      Random random = new Random(7);
      for (int round = 0; round < ROUNDS; round++) {
        AtomicBoolean go = new AtomicBoolean();
        Pid me = watcher.pid();
        Pid target = node.spawn(() -> {
          Proc.send(me, "spinning");
          while (!go.get()) {
            Thread.onSpinWait();
          }
        });
        assertThat(watcher.receive("spinning"::equals, TestSupport.WAIT)).isPresent();
        Ref ref = watcher.monitor(target);
        linked.link(target);

        go.set(true);
        jitter(random);
        Proc.exit(target, ExitReason.KILL);

        Down down = next(watcher, Down.class);
        assertThat(down.ref()).isSameAs(ref);
        assertThat(down.reason()).as("round %d", round).isIn(ExitReason.NORMAL, ExitReason.KILLED);
        assertThat(exitReason(target)).as("round %d: exit reason", round).isEqualTo(down.reason());
        assertThat(next(linked)).as("round %d: EXIT", round).isEqualTo(new ExitMessage(target, down.reason()));
        awaitProcessCount(node, 2);
        assertThat(watcher.flush()).as("round %d: after the Down", round).isEmpty();
        assertThat(linked.flush()).as("round %d: after the EXIT", round).isEmpty();
      }
    }
  }

  /**
   * A process that hits a VM error makes its node stop (on another thread); the process itself must
   * still end with the error as its reason (P4), not be overtaken by the stop's kill.
   */
  @Test
  @DisplayName("P4: a process that hits an OutOfMemoryError ends with it, even though the node's stop races it")
  void fatalErrorRacingTheNodeStop() throws InterruptedException {
    int killed = 0;
    for (int round = 0; round < ROUNDS; round++) {
      CountDownLatch handled = new CountDownLatch(1);
      OutOfMemoryError oom = new OutOfMemoryError("simulated");
      try (Node node = Node.start(NodeConfig.defaults().withOnFatalError(error -> handled.countDown()));
          Reports reports = Reports.capture(node)) {
        Pid failing = node.spawn(() -> {
          throw oom;
        });
        assertThat(handled.await(TestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        ExitReason reason = exitReason(failing);
        if (!reason.equals(ExitReason.crash(oom))) {
          assertThat(reason).isEqualTo(ExitReason.KILLED);
          killed++;
        }
        // the process's own crash report first, then the report that the node stops
        assertThat(reports.errorsAfterStop()).as("round %d", round).satisfiesExactly(
            r -> assertCrashReport(r, failing, oom),
            r -> assertVmErrorReport(r, failing, oom));
      }
    }
    assertThat(killed).as("rounds (of %d) where the failing process was reported killed instead of its error",
        ROUNDS).isZero();
  }

  @Test
  @DisplayName("P23: re-registering a name on receipt of its holder's Down never conflicts")
  void reRegisterAfterDown() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Registry registry = Registry.unique("stress");
      Name via = Name.via(registry, "key");
      Pid holder = node.spawn(TestSupport::idle);
      Proc.register("svc", holder);
      Proc.register(via, holder);
      for (int round = 0; round < ROUNDS; round++) {
        Ref ref = inbox.monitor(holder);
        Proc.exit(holder, round % 2 == 0 ? ExitReason.KILL : ExitReason.of("crash"));
        assertThat(next(inbox, Down.class).ref()).isSameAs(ref);

        Pid successor = node.spawn(TestSupport::idle);
        Proc.register("svc", successor);
        Proc.register(via, successor);
        assertThat(node.whereis("svc")).as("round %d", round).contains(successor);
        assertThat(registry.whereisName("key")).as("round %d", round).contains(successor);
        holder = successor;
      }
    }
  }

  @Test
  @DisplayName("P19: messages sent right before being killed are never overtaken by the Down")
  void sendsRacingAKill() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Random random = new Random(11);
      for (int round = 0; round < ROUNDS; round++) {
        Pid sender = node.spawn(() -> {
          for (int n = 0; ; n++) {
            Proc.send(me, n);
          }
        });
        Ref ref = inbox.monitor(sender);
        jitter(random);

        Proc.exit(sender, ExitReason.KILL);

        int expected = 0;
        Object m;
        while (!((m = next(inbox)) instanceof Down)) {
          assertThat(m).as("round %d", round).isEqualTo(expected++);
        }
        assertThat(m).isEqualTo(new Down(ref, sender, ExitReason.KILLED));
        awaitProcessCount(node, 1);
        assertThat(inbox.flush()).as("round %d: after the Down", round).isEmpty();
      }
    }
  }
}
