package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.BehaviourTestKit.WAIT;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.awaitDown;
import static org.otp4j.behaviours.BehaviourTestKit.expect;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.untilUndisturbed;
import static org.otp4j.behaviours.BehaviourTestKit.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitMessage;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/** Restart intensity, its sliding window, and failed restarts: OTP-SEMANTICS U15, U16, U23. */
@ExtendWith(CaptureReports.class)
class SupervisorIntensityTest {

  /** A plain worker process: waits until killed. */
  static Pid worker() {
    return Proc.spawnLink(() -> Proc.receive(m -> false));
  }

  static Pid childPid(Pid sup, Object id) {
    return Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals(id)).findFirst()
        .map(Supervisor.Child::pid).orElse(null);
  }

  /** Kills child {@code id} and waits until the supervisor has restarted it. */
  static void killAndAwaitRestart(Pid sup, Object id) {
    Pid old = childPid(sup, id);
    Proc.exit(old, ExitReason.KILL);
    await().until(() -> {
      Pid now = childPid(sup, id);
      return now != null && !now.equals(old);
    });
  }

  /**
   * Starts a supervisor from a trapping parent process that forwards the supervisor's exit message
   * to the inbox; returns the supervisor.
   */
  static Pid startUnderTrappingParent(Inbox inbox, Supervisor.Flags flags, ChildSpec... children) {
    Proc.spawn(() -> {
      Proc.trapExits(true);
      Pid sup = Supervisor.startLink(flags, children);
      Proc.send(inbox.pid(), sup);
      Proc.send(inbox.pid(), Proc.receive(m -> m instanceof ExitMessage e && e.from().equals(sup)));
    });
    return (Pid) expect(inbox, m -> m instanceof Pid, "the supervisor's pid");
  }

  @Test
  @DisplayName("U15: intensity 3 in 60 s: three restarts are fine, the fourth crash ends the supervisor with shutdown")
  void intensityThreeInSixty(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        // A period much longer than the test, so that the four crashes fall within it however slow
        // the machine (slidingWindow covers the period itself).
        Pid sup = startUnderTrappingParent(inbox, Supervisor.oneForOne().withIntensity(3, Duration.ofSeconds(60)),
            ChildSpec.worker("a", SupervisorIntensityTest::worker),
            ChildSpec.worker("b", SupervisorIntensityTest::worker));
        Ref monitor = inbox.monitor(sup);
        Pid b = childPid(sup, "b");
        for (int i = 1; i <= 3; i++) {
          killAndAwaitRestart(sup, "a");
          assertThat(Proc.isAlive(sup)).as("supervisor after restart %d", i).isTrue();
        }
        Proc.exit(childPid(sup, "a"), ExitReason.KILL);
        assertThat(awaitDown(inbox, monitor)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(expect(inbox, m -> m instanceof ExitMessage, "the parent's exit message"))
            .isEqualTo(new ExitMessage(sup, ExitReason.SHUTDOWN));
        assertThat(exitReasonOf(b)).as("the sibling is stopped with the supervisor").isEqualTo(ExitReason.SHUTDOWN);
        List<Map<String, Object>> gaveUp = reports.supervisorReports("shutdown");
        assertThat(gaveUp).hasSize(1);
        assertThat(gaveUp.getFirst().get("reason")).isEqualTo("reached_max_restart_intensity");
        assertThat(reports.supervisorReports("child_terminated")).hasSize(4);
      });
    }
  }

  @Test
  @DisplayName("U15: intensity 0: the first crash ends the supervisor with shutdown")
  void intensityZero(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = startUnderTrappingParent(inbox, Supervisor.oneForOne().withIntensity(0, Duration.ofSeconds(5)),
            ChildSpec.worker("a", SupervisorIntensityTest::worker));
        Ref monitor = inbox.monitor(sup);
        Pid a = childPid(sup, "a");
        Proc.exit(a, ExitReason.KILL);
        assertThat(awaitDown(inbox, monitor)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(expect(inbox, m -> m instanceof ExitMessage, "the parent's exit message"))
            .isEqualTo(new ExitMessage(sup, ExitReason.SHUTDOWN));
        assertThat(reports.supervisorReports("child_terminated")).singleElement()
            .satisfies(r -> assertThat(r.get("pid")).isEqualTo(a));
        assertThat(reports.supervisorReports("shutdown")).hasSize(1);
      });
    }
  }

  @Test
  @DisplayName("U15: the window slides: with intensity 1 in 1 s, crashes more than 2 s apart never escalate")
  void slidingWindow(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Duration period = Duration.ofSeconds(1);
        Pid sup = Supervisor.startLink(Supervisor.oneForOne().withIntensity(1, period),
            ChildSpec.worker("a", SupervisorIntensityTest::worker));
        Ref monitor = inbox.monitor(sup);
        long spacing = Duration.ofMillis(2100).toNanos();
        long lastCrash = 0;
        for (int i = 1; i <= 3; i++) {
          lastCrash = System.nanoTime();
          killAndAwaitRestart(sup, "a");
          long restarted = System.nanoTime(); // the supervisor has restarted the child by now
          assertThat(Proc.isAlive(sup)).as("supervisor after spaced crash %d", i).isTrue();
          if (i < 3) {
            // Wait for the clock, not for another process: the next crash comes more than 2 s after
            // this restart, however late the supervisor made it.
            await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() - restarted > spacing);
          }
        }
        assertThat(inbox.receive(Duration.ZERO)).isEmpty();
        // Control: a crash right after the last one, within its window, does escalate (intensity is 1).
        // The supervisor restarted the child after lastCrash; if it takes the control crash a whole
        // period after that, restarting again is right, and the control is repeated.
        long[] previousCrash = {lastCrash};
        int[] crashes = {3};
        untilUndisturbed("a crash within the window of the last restart", () -> {
          long crash = System.nanoTime();
          Proc.exit(childPid(sup, "a"), ExitReason.KILL);
          crashes[0]++;
          try {
            Supervisor.whichChildren(sup); // served after the supervisor dealt with the crash
          } catch (CallException gaveUp) {
            return true;
          }
          assertThat(within(previousCrash[0], period))
              .as("the supervisor restarted the child twice within %s", period).isFalse();
          previousCrash[0] = crash;
          return false;
        });
        assertThat(awaitDown(inbox, monitor)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(reports.supervisorReports("child_terminated")).hasSize(crashes[0]);
        assertThat(reports.supervisorReports("shutdown")).hasSize(1);
      });
    }
  }

  @Test
  @DisplayName("U16: a child whose restart keeps failing is retried, each attempt counts: intensity 3 gives 3 start_errors then shutdown")
  void persistentlyFailingRestart(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        AtomicInteger starts = new AtomicInteger();
        Pid sup = startUnderTrappingParent(inbox, Supervisor.oneForOne().withIntensity(3, Duration.ofSeconds(30)),
            ChildSpec.worker("flaky", () -> {
              if (starts.incrementAndGet() > 1) {
                throw new IllegalStateException("cannot start again");
              }
              return worker();
            }));
        Ref monitor = inbox.monitor(sup);
        Proc.exit(childPid(sup, "flaky"), ExitReason.KILL);
        assertThat(awaitDown(inbox, monitor)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(starts).as("start attempts: 1 initial + 3 failed restarts").hasValue(4);
        List<Map<String, Object>> startErrors = reports.supervisorReports("start_error");
        assertThat(startErrors).hasSize(3);
        assertThat(String.valueOf(startErrors.getFirst().get("reason"))).contains("cannot start again");
        assertThat(startErrors.getFirst().get("childId")).isEqualTo("flaky");
        assertThat(reports.supervisorReports("shutdown")).hasSize(1);
        assertThat(reports.supervisorReports("child_terminated")).as("the kill, before the failed restarts").hasSize(1);
      });
    }
  }

  @Test
  @DisplayName("U16: between failed restart attempts the supervisor serves calls: restarting state and API results")
  void restartingState(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        AtomicInteger starts = new AtomicInteger();
        AtomicBoolean healthy = new AtomicBoolean(false);
        Semaphore permits = new Semaphore(0);
        ChildSpec flaky = ChildSpec.worker("flaky", () -> {
          if (starts.incrementAndGet() > 1) {
            // A restart attempt: tell the test, then wait until it lets this attempt finish.
            Proc.send(inbox.pid(), "attempt");
            if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
              throw new IllegalStateException("test did not release the attempt");
            }
            if (!healthy.get()) {
              throw new IllegalStateException("still failing");
            }
          }
          return worker();
        });
        Pid sup = Supervisor.startLink(Supervisor.oneForOne().withIntensity(50, Duration.ofSeconds(30)),
            flaky, ChildSpec.worker("other", SupervisorIntensityTest::worker));
        Proc.exit(childPid(sup, "flaky"), ExitReason.KILL);

        // Each check: wait for an attempt, queue one call behind it, let the attempt fail; the
        // call is served before the retry (which is cast after the failure).
        Supplier<Object> which = () -> Supervisor.whichChildren(sup).stream()
            .filter(c -> c.id().equals("flaky")).findFirst().orElseThrow().state();
        assertThat(duringFailedAttempt(sup, inbox, permits, which)).isEqualTo(Supervisor.ChildState.RESTARTING);
        assertThat(duringFailedAttempt(sup, inbox, permits, () -> Supervisor.restartChild(sup, "flaky")))
            .isEqualTo(new Supervisor.Restarting());
        assertThat(duringFailedAttempt(sup, inbox, permits, () -> Supervisor.deleteChild(sup, "flaky")))
            .isEqualTo(new Supervisor.Restarting());
        assertThat(duringFailedAttempt(sup, inbox, permits, () -> Supervisor.startChild(sup, flaky)))
            .isEqualTo(new Supervisor.AlreadyPresent());
        assertThat(duringFailedAttempt(sup, inbox, permits, () -> Supervisor.countChildren(sup)))
            .isEqualTo(new Supervisor.Counts(2, 1, 0, 2));
        // Now let it recover.
        healthy.set(true);
        expect(inbox, "attempt");
        permits.release();
        await().until(() -> childPid(sup, "flaky") != null);
        assertThat(Supervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(2, 2, 0, 2));
        assertThat(Proc.isAlive(sup)).isTrue();
        assertThat(reports.supervisorReports("child_terminated")).hasSize(1);
        assertThat(reports.supervisorReports("start_error")).as("the five failed attempts").hasSize(5)
            .allSatisfy(r -> assertThat(String.valueOf(r.get("reason"))).contains("still failing"));
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U16: terminateChild while restarting stops the retries; the child is left not running")
  void terminateWhileRestarting(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        AtomicInteger starts = new AtomicInteger();
        Semaphore permits = new Semaphore(0);
        Pid sup = Supervisor.startLink(Supervisor.oneForOne().withIntensity(50, Duration.ofSeconds(30)),
            ChildSpec.worker("flaky", () -> {
              if (starts.incrementAndGet() > 1) {
                Proc.send(inbox.pid(), "attempt");
                permits.tryAcquire(10, TimeUnit.SECONDS);
                throw new IllegalStateException("still failing");
              }
              return worker();
            }));
        Proc.exit(childPid(sup, "flaky"), ExitReason.KILL);
        assertThat(duringFailedAttempt(sup, inbox, permits, () -> Supervisor.terminateChild(sup, "flaky"))).isEqualTo(new Supervisor.Terminated());
        // The retry cast that follows finds the child no longer restarting: no more attempts.
        assertThat(Supervisor.whichChildren(sup).getFirst().state()).isEqualTo(Supervisor.ChildState.UNDEFINED);
        assertThat(inbox.receive(m -> m.equals("attempt"), BehaviourTestKit.QUIET)).isEmpty();
        assertThat(starts).hasValue(2);
        assertThat(reports.supervisorReports("child_terminated")).hasSize(1);
        assertThat(reports.supervisorReports("start_error")).as("the one failed attempt").hasSize(1);
        Supervisor.stop(sup);
      });
    }
  }

  /**
   * Waits for the next restart attempt (blocked in the start function), queues {@code call} from
   * another process behind it, releases the attempt (which fails), and returns the call's result.
   */
  static <T> T duringFailedAttempt(Pid sup, Inbox inbox, Semaphore permits, Supplier<T> call) {
    expect(inbox, "attempt");
    CompletableFuture<T> result = new CompletableFuture<>();
    Proc.spawn(() -> result.complete(call.get()));
    await().until(() -> Proc.info(sup).orElseThrow().mailboxLength() >= 1);
    permits.release();
    return result.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }
}
