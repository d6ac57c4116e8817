package org.otp4j.behaviours;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.otp4j.behaviours.BehaviourTestKit.await;
import static org.otp4j.behaviours.BehaviourTestKit.awaitDown;
import static org.otp4j.behaviours.BehaviourTestKit.exitReasonOf;
import static org.otp4j.behaviours.BehaviourTestKit.staysTrue;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Inbox;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;

/** auto_shutdown and significant children: OTP-SEMANTICS U18 (and U3's bad_combination). */
@ExtendWith(CaptureReports.class)
class AutoShutdownTest {

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

  static ChildSpec worker(String id) {
    return ChildSpec.worker(id, () -> GenServer.startLink(new Worker()));
  }

  static ChildSpec significant(String id, ChildSpec.Restart restart) {
    return worker(id).withRestart(restart).withSignificant(true);
  }

  static Supervisor.Flags flags(Supervisor.AutoShutdown mode) {
    return Supervisor.oneForOne().withIntensity(5, Duration.ofSeconds(10)).withAutoShutdown(mode);
  }

  /** Asserts that {@code crashed} reported its crash, and its supervisor the child's end, and nothing else did. */
  static void assertCrashReported(Reports reports, Pid crashed) {
    assertThat(reports.withLabel("gen_server_terminate")).singleElement()
        .satisfies(r -> assertThat(r.get("server")).isEqualTo(crashed.toString()));
    assertThat(reports.supervisorReports("child_terminated")).singleElement()
        .satisfies(r -> assertThat(r.get("pid")).isEqualTo(crashed));
  }

  static Pid pidOf(Pid sup, Object id) {
    return Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals(id)).findFirst()
        .map(Supervisor.Child::pid).orElse(null);
  }

  @Test
  @DisplayName("U18 any_significant: a transient significant child exiting normal ends the supervisor with shutdown, stopping the others")
  void anySignificantTransientNormal() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(Supervisor.AutoShutdown.ANY_SIGNIFICANT),
            worker("plain"), significant("sig", ChildSpec.Restart.TRANSIENT));
        Ref ref = inbox.monitor(sup);
        Pid plain = pidOf(sup, "plain");
        GenServer.cast(pidOf(sup, "sig"), ExitReason.NORMAL);
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(exitReasonOf(plain)).isEqualTo(ExitReason.SHUTDOWN);
      });
    }
  }

  @Test
  @DisplayName("U18 any_significant: a transient significant child that crashes is restarted; no shutdown")
  void anySignificantTransientCrashRestarts(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(Supervisor.AutoShutdown.ANY_SIGNIFICANT),
            significant("sig", ChildSpec.Restart.TRANSIENT));
        Pid first = pidOf(sup, "sig");
        GenServer.cast(first, ExitReason.of("crash"));
        await().until(() -> pidOf(sup, "sig") != null && !pidOf(sup, "sig").equals(first));
        assertThat(Proc.isAlive(sup)).isTrue();
        assertCrashReported(reports, first);
        Supervisor.stop(sup);
      });
    }
  }

  @ParameterizedTest(name = "exit {0}")
  @EnumSource(value = Reason.class)
  @DisplayName("U18 any_significant: a temporary significant child ends the supervisor whatever its exit reason")
  void anySignificantTemporary(Reason reason, Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(Supervisor.AutoShutdown.ANY_SIGNIFICANT),
            worker("plain"), significant("sig", ChildSpec.Restart.TEMPORARY));
        Ref ref = inbox.monitor(sup);
        Pid sig = pidOf(sup, "sig");
        GenServer.cast(sig, reason.reason);
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
        if (reason == Reason.CRASH) {
          assertCrashReported(reports, sig);
        } else {
          assertThat(reports.withLabel("supervisor_report")).as("reports of an orderly exit").isEmpty();
        }
      });
    }
  }

  enum Reason {
    NORMAL(ExitReason.NORMAL), SHUTDOWN(ExitReason.SHUTDOWN), CRASH(ExitReason.of("crash"));

    final ExitReason reason;

    Reason(ExitReason reason) {
      this.reason = reason;
    }
  }

  @Test
  @DisplayName("U18 all_significant: only when the last significant child has ended is the supervisor shut down")
  void allSignificant() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(Supervisor.AutoShutdown.ALL_SIGNIFICANT),
            worker("plain"), significant("s1", ChildSpec.Restart.TRANSIENT),
            significant("s2", ChildSpec.Restart.TEMPORARY));
        Ref ref = inbox.monitor(sup);
        GenServer.cast(pidOf(sup, "s1"), ExitReason.NORMAL);
        await().until(() -> pidOf(sup, "s1") == null);
        assertThat(Proc.isAlive(sup)).as("one significant child is still running").isTrue();
        GenServer.cast(pidOf(sup, "s2"), ExitReason.SHUTDOWN);
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
      });
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Supervisor.AutoShutdown.class, names = {"ANY_SIGNIFICANT", "ALL_SIGNIFICANT"})
  @DisplayName("U18: terminateChild of a significant child does not trigger auto_shutdown")
  void terminateChildDoesNotTrigger(Supervisor.AutoShutdown mode) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(flags(mode), worker("plain"), significant("sig", ChildSpec.Restart.TRANSIENT),
            significant("tmp", ChildSpec.Restart.TEMPORARY));
        assertThat(Supervisor.terminateChild(sup, "sig")).isEqualTo(new Supervisor.Terminated());
        assertThat(Supervisor.terminateChild(sup, "tmp")).isEqualTo(new Supervisor.Terminated());
        staysTrue(() -> assertThat(Proc.isAlive(sup)).as("supervisor after terminating its significant children").isTrue());
        assertThat(Supervisor.countChildren(sup).active()).isEqualTo(1);
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U18: a significant temporary child stopped as a one_for_all bystander does not trigger auto_shutdown")
  void bystanderDoesNotTrigger(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid sup = Supervisor.startLink(Supervisor.oneForAll().withIntensity(5, Duration.ofSeconds(10))
                .withAutoShutdown(Supervisor.AutoShutdown.ANY_SIGNIFICANT),
            worker("plain"), significant("sig", ChildSpec.Restart.TEMPORARY));
        Pid plain = pidOf(sup, "plain");
        Proc.exit(plain, ExitReason.KILL);
        await().until(() -> pidOf(sup, "plain") != null && !pidOf(sup, "plain").equals(plain));
        staysTrue(() -> assertThat(Proc.isAlive(sup)).isTrue());
        assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("plain");
        assertThat(reports.supervisorReports("child_terminated")).singleElement()
            .satisfies(r -> assertThat(r.get("pid")).isEqualTo(plain));
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U16/U18 all_significant: a significant child that is being restarted still counts as running")
  void restartingSignificantChildStillCounts(Reports reports) {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean healthy = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(0);
        ChildSpec flaky = ChildSpec.worker("flaky", () -> {
          if (starts.incrementAndGet() > 1) {
            Proc.send(inbox.pid(), "attempt");
            permits.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS);
            if (!healthy.get()) {
              throw new IllegalStateException("still failing");
            }
          }
          return GenServer.startLink(new Worker());
        }).withRestart(ChildSpec.Restart.TRANSIENT).withSignificant(true);
        Pid sup = Supervisor.startLink(flags(Supervisor.AutoShutdown.ALL_SIGNIFICANT), flaky,
            significant("other", ChildSpec.Restart.TRANSIENT));
        Ref ref = inbox.monitor(sup);
        Pid other = pidOf(sup, "other"); // before the supervisor gets busy restarting
        Pid firstFlaky = pidOf(sup, "flaky");
        GenServer.cast(firstFlaky, ExitReason.of("crash"));
        BehaviourTestKit.expect(inbox, "attempt");
        // While flaky's restart attempt runs, the other significant child ends normally; its exit
        // is queued before the retry that follows the failed attempt.
        GenServer.cast(other, ExitReason.NORMAL);
        assertThat(exitReasonOf(other)).isEqualTo(ExitReason.NORMAL);
        await().until(() -> Proc.info(sup).orElseThrow().mailboxLength() >= 1);
        permits.release(); // this attempt fails; the retry is queued behind other's exit
        // flaky is restarting, not given up: other's exit must not shut the supervisor down, so a
        // second attempt comes (and succeeds).
        Object next = BehaviourTestKit.expect(inbox, m -> m.equals("attempt") || m instanceof org.otp4j.core.Down,
            "the next restart attempt");
        assertThat(next).as("auto_shutdown while a significant child was restarting").isEqualTo("attempt");
        healthy.set(true);
        permits.release();
        await().until(() -> pidOf(sup, "flaky") != null);
        Supervisor.stop(sup);
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.NORMAL);
        assertCrashReported(reports, firstFlaky);
        assertThat(reports.supervisorReports("start_error")).as("the failed attempt").singleElement()
            .satisfies(r -> assertThat(String.valueOf(r.get("reason"))).contains("still failing"));
      });
    }
  }

  @Test
  @DisplayName("U3/U18: with auto_shutdown never a significant child is rejected, in init and by startChild")
  void neverRejectsSignificant(Reports reports) {
    try (Node node = Node.start()) {
      node.run(() -> {
        StartException e = catchThrowableOfType(StartException.class, () -> Supervisor.startLink(
            flags(Supervisor.AutoShutdown.NEVER), significant("sig", ChildSpec.Restart.TRANSIENT)));
        assertThat(e).isNotNull();
        assertThat(((StartResult.Failed) e.result()).reason().toString())
            .contains("bad_combination").contains("significant");
        assertThat(reports.withLabel("crash_report")).singleElement()
            .satisfies(r -> assertThat(r.get("reason")).isEqualTo(((StartResult.Failed) e.result()).reason()));
        Pid sup = Supervisor.startLink(flags(Supervisor.AutoShutdown.NEVER));
        Supervisor.StartChildResult r = Supervisor.startChild(sup, significant("sig", ChildSpec.Restart.TEMPORARY));
        assertThat(r).isInstanceOf(StartResult.Failed.class);
        assertThat(((StartResult.Failed) r).reason().toString()).contains("bad_combination");
        assertThat(Supervisor.whichChildren(sup)).isEmpty();
        Supervisor.stop(sup);
      });
    }
  }

  @Test
  @DisplayName("U18: auto_shutdown escalates up the tree when the supervisor is itself a significant child")
  void escalatesThroughSignificantSupervisor() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Pid top = Supervisor.startLink(flags(Supervisor.AutoShutdown.ANY_SIGNIFICANT),
            worker("plain"),
            ChildSpec.supervisor("inner", () -> Supervisor.startLink(flags(Supervisor.AutoShutdown.ANY_SIGNIFICANT),
                significant("leaf", ChildSpec.Restart.TRANSIENT)))
                .withRestart(ChildSpec.Restart.TRANSIENT).withSignificant(true));
        Ref ref = inbox.monitor(top);
        Pid inner = pidOf(top, "inner");
        GenServer.cast(pidOf(inner, "leaf"), ExitReason.NORMAL);
        assertThat(exitReasonOf(inner)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(awaitDown(inbox, ref)).isEqualTo(ExitReason.SHUTDOWN);
      });
    }
  }
}
