package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.otp4j.core.TestSupport.assertCrashReport;
import static org.otp4j.core.TestSupport.assertVmErrorReport;
import static org.otp4j.core.TestSupport.awaitStatus;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.spinUntil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.otp4j.core.TestSupport.Report;
import org.otp4j.core.TestSupport.Reports;

/**
 * What the JVM cannot do for us: stop a thread. A killed process is dead at once for everyone
 * else; its thread unwinds at its next runtime call. A process that never returns to the runtime
 * is reported as a runaway.
 */
@DisplayName("Kill, zombies, contained failures, runaways")
class KillAndZombieTest {
  private static final Duration RUNAWAY_THRESHOLD = Duration.ofMillis(200);

  /** A process body that computes (never calling the runtime) until {@code release}. */
  private static void spin(AtomicBoolean started, AtomicBoolean release) {
    started.set(true);
    while (!release.get()) {
      Thread.onSpinWait();
    }
  }

  static Stream<Arguments> runtimeCalls() {
    return Stream.of(
        call("send", peer -> Proc.send(peer, "from a zombie")),
        call("receive", peer -> Proc.receive(Duration.ZERO)),
        call("flush", peer -> Proc.flush()),
        call("spawn", peer -> Proc.spawn(() -> Proc.send(peer, "from a zombie's child"))),
        call("spawnLink", peer -> Proc.spawnLink(() -> Proc.send(peer, "from a zombie's child"))),
        call("link", peer -> Proc.link(peer)),
        call("monitor", peer -> Proc.monitor(peer)),
        call("exit", peer -> Proc.exit(peer, ExitReason.of("from a zombie"))),
        call("call", peer -> Proc.call(peer, from -> "from a zombie", Duration.ofSeconds(1))),
        call("sleep", peer -> Proc.sleep(Duration.ofSeconds(1))),
        call("sendAfter", peer -> Proc.sendAfter(Duration.ZERO, peer, "from a zombie's timer")),
        call("startTimer", peer -> Proc.startTimer(Duration.ZERO, peer, "from a zombie's timer")));
  }

  private static Arguments call(String name, ThrowingConsumer<Pid> action) {
    return Arguments.of(Named.of(name, action));
  }

  @ParameterizedTest(name = "next runtime call: {0}")
  @MethodSource("runtimeCalls")
  @DisplayName("Killing a busy process: dead at once for everyone; its next runtime call throws ProcessTerminated")
  void killABusyProcess(ThrowingConsumer<Pid> nextCall) throws Throwable {
    AtomicBoolean started = new AtomicBoolean();
    AtomicBoolean release = new AtomicBoolean();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch unwound = new CountDownLatch(1);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      inbox.trapExits(true);
      Pid me = inbox.pid();
      Pid busy = node.spawn(() -> {
        try {
          spin(started, release);
          nextCall.accept(me);
        } catch (Throwable t) {
          thrown.set(t);
          if (t instanceof Error e) {
            throw e;
          }
          throw (Exception) t;
        } finally {
          unwound.countDown();
        }
      });
      Proc.register("busy", busy);
      inbox.link(busy);
      Ref ref = inbox.monitor(busy);
      spinUntil(started::get, () -> "the busy process to start");

      Proc.exit(busy, ExitReason.KILL);

      // dead at once, although its thread is still computing
      assertThat(Proc.isAlive(busy)).isFalse();
      assertThat(Proc.awaitExit(busy, Duration.ZERO)).contains(ExitReason.KILLED);
      assertThat(Proc.info(busy)).isEmpty();
      assertThat(node.whereis("busy")).isEmpty();
      assertThat(inbox.receive(Duration.ZERO)).contains(new ExitMessage(busy, ExitReason.KILLED));
      assertThat(inbox.receive(Duration.ZERO)).contains(new Down(ref, busy, ExitReason.KILLED));
      assertThat(unwound.getCount()).as("the thread is still running").isEqualTo(1);

      release.set(true);
      assertThat(unwound.await(TestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

      assertThat(thrown.get())
          .as("what the zombie's next runtime call threw")
          .isInstanceOf(ProcessTerminated.class)
          .hasMessage("process " + busy + " has terminated (reason: killed); its thread is unwinding");
      assertThat(exitReason(busy)).isEqualTo(ExitReason.KILLED);
      assertThat(inbox.flush()).as("the zombie had no effect").isEmpty();
      assertThat(Proc.info(me).orElseThrow().links()).isEmpty();
      assertThat(node.stats().spawned()).as("no child was spawned").isEqualTo(1);
    }
  }

  @Test
  @DisplayName("Catching ProcessTerminated does not revive the process: the next runtime call throws again")
  void catchingProcessTerminatedDoesNotRevive() {
    AtomicBoolean started = new AtomicBoolean();
    AtomicBoolean release = new AtomicBoolean();
    AtomicReference<List<String>> caught = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid busy = node.spawn(() -> {
        spin(started, release);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          try {
            Proc.send(me, "attempt " + i);
          } catch (ProcessTerminated e) {
            seen.add(e.getClass().getSimpleName());
          }
        }
        caught.set(seen);
        done.countDown();
      });
      spinUntil(started::get, () -> "the busy process to start");

      Proc.exit(busy, ExitReason.KILL);
      release.set(true);

      spinUntil(() -> done.getCount() == 0, () -> "the zombie to finish");
      assertThat(caught.get()).containsExactly("ProcessTerminated", "ProcessTerminated", "ProcessTerminated");
      assertThat(inbox.flush()).isEmpty();
      assertThat(exitReason(busy)).isEqualTo(ExitReason.KILLED);
    }
  }

  @Test
  @DisplayName("Killing a process parked in receive or blocked in the JDK unwinds its thread at once")
  void killAWaitingProcess() {
    CountDownLatch never = new CountDownLatch(1);
    try (Node node = Node.start()) {
      Pid receiving = node.spawn(TestSupport::idle);
      Pid blocked = node.spawn(never::await);
      spinUntil(() -> Proc.info(blocked).map(i -> i.status() == ProcessStatus.BLOCKED).orElse(false),
          () -> "the process to block on the latch");

      Proc.exit(receiving, ExitReason.KILL);
      Proc.exit(blocked, ExitReason.KILL);

      assertThat(exitReason(receiving)).isEqualTo(ExitReason.KILLED);
      assertThat(exitReason(blocked)).isEqualTo(ExitReason.KILLED);
      node.stop();
      assertThat(node.awaitTermination(TestSupport.WAIT)).as("both threads have ended").isTrue();
    }
  }

  @Test
  @DisplayName("An exception ends only its own process; the node and other processes go on")
  void exceptionIsContained() {
    try (Node node = Node.start(); Reports reports = Reports.capture(node); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid bystander = node.spawn(() -> {
        while (true) {
          Proc.send(me, Proc.receive());
        }
      });
      IllegalStateException error = new IllegalStateException("only me");
      Pid crasher = node.spawn(() -> {
        throw error;
      });

      assertThat(exitReason(crasher)).isEqualTo(ExitReason.crash(error));
      inbox.send(bystander, "still here");
      assertThat(next(inbox)).isEqualTo("still here");
      assertThat(node.isStopped()).isFalse();
      // the crash is counted before the exit is visible
      assertThat(node.stats().crashed()).isEqualTo(1);
      assertThat(reports.errorsAfterStop()).satisfiesExactly(r -> assertCrashReport(r, crasher, error));
    }
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  @Test
  @DisplayName("A StackOverflowError ends only its own process, with the error as its reason")
  void stackOverflowIsContained() {
    try (Node node = Node.start(); Reports reports = Reports.capture(node); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid bystander = node.spawn(() -> {
        while (true) {
          Proc.send(me, Proc.receive());
        }
      });
      Pid deep = node.spawn(() -> recurse(0));

      ExitReason reason = exitReason(deep);

      assertThat(reason).isInstanceOfSatisfying(ExitReason.Crash.class,
          crash -> assertThat(crash.error()).isInstanceOf(StackOverflowError.class));
      inbox.send(bystander, "still here");
      assertThat(next(inbox)).isEqualTo("still here");
      assertThat(node.isStopped()).isFalse();
      // the crash is counted before the exit is visible
      assertThat(node.stats().crashed()).isEqualTo(1);
      Pid after = node.spawn(() -> Proc.send(me, "new processes start"));
      assertThat(next(inbox)).isEqualTo("new processes start");
      exitReason(after);
      assertThat(reports.errorsAfterStop())
          .satisfiesExactly(r -> assertCrashReport(r, deep, ((ExitReason.Crash) reason).error()));
    }
  }

  /**
   * The node stops and its handler is told. (That the failing process itself ends with the error
   * as its reason, not killed by the stop, is hammered in {@link KillRaceStressTest}.)
   */
  @Test
  @DisplayName("A VM error other than StackOverflowError stops the node and calls onFatalError")
  void virtualMachineErrorStopsTheNode() throws InterruptedException {
    AtomicReference<Throwable> reported = new AtomicReference<>();
    CountDownLatch handled = new CountDownLatch(1);
    OutOfMemoryError oom = new OutOfMemoryError("simulated");
    NodeConfig config = NodeConfig.defaults().withOnFatalError(error -> {
      reported.set(error);
      handled.countDown();
    });
    try (Node node = Node.start(config); Reports reports = Reports.capture(node)) {
      Pid bystander = node.spawn(TestSupport::idle);
      Pid failing = node.spawn(() -> {
        throw oom;
      });

      assertThat(handled.await(TestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(reported.get()).isSameAs(oom);
      assertThat(node.isStopped()).isTrue();
      assertThat(exitReason(bystander)).isEqualTo(ExitReason.KILLED);
      assertThat(exitReason(failing)).isIn(ExitReason.crash(oom), ExitReason.KILLED);
      assertThatThrownBy(() -> node.spawn(() -> {})).isInstanceOf(NodeStoppedException.class);
      // the process's own crash report first, then the report that the node stops
      assertThat(reports.errorsAfterStop()).satisfiesExactly(
          r -> assertCrashReport(r, failing, oom),
          r -> assertVmErrorReport(r, failing, oom));
    }
  }

  // ---------------------------------------------------------------------------------------
  // the watchdog

  /**
   * How long a test waits for the watchdog to report a process. The watchdog spaces its scans by a
   * hundred times the wall-clock time the previous scan took, and a scan that reports a process
   * takes its stack trace: on a loaded machine that scan can take a few hundred milliseconds, and the
   * next one then comes tens of seconds later.
   */
  private static final Duration WATCHDOG_WAIT = Duration.ofSeconds(90);

  private static boolean isRunawayReport(Report report, Pid pid) {
    return report.pid().equals(pid.toString()) && report.message().contains(" has run for ");
  }

  /** A runaway report taken while {@code pid} was computing in {@link #spin}: its stack shows it. */
  private static boolean isSpinningReport(Report report, Pid pid) {
    return isRunawayReport(report, pid) && report.message().contains("KillAndZombieTest.spin(");
  }

  /** Asserts that {@code report} is the watchdog's report of {@code pid} computing in {@link #spin}. */
  private static void assertRunawayReport(Report report, Pid pid) {
    assertThat(report.level()).as("level of %s", report).isEqualTo("WARN");
    assertThat(report.keyValues()).as("%s", report).containsEntry("pid", pid.toString()).containsKey("millis");
    assertThat(report.message()).startsWith("Process " + pid + " has run for ")
        .contains("ms without returning to the runtime")
        .contains("KillAndZombieTest.spin(");
  }

  /**
   * Asserts that the reports about {@code pid} are exactly one: its runaway report as it computed in
   * {@link #spin}. A process that waits for a carrier thread (not started yet, or woken) holds none
   * and is not reported however long it waits.
   */
  private static void assertReportedOnceComputing(List<Report> reports, Pid pid) {
    assertThat(reports).as("reports about %s", pid).singleElement().satisfies(r -> assertRunawayReport(r, pid));
  }

  private static boolean isZombieReport(Report report) {
    return report.message().contains(" was terminated (killed) but its thread is still running");
  }

  /** Asserts that {@code report} is the watchdog's report of the killed {@code pid} whose thread still runs. */
  private static void assertZombieReport(Report report, Pid pid) {
    assertThat(report.level()).as("level of %s", report).isEqualTo("WARN");
    assertThat(report.keyValues()).as("%s", report).containsEntry("pid", pid.toString());
    assertThat(report.message()).startsWith("Process " + pid + " was terminated (killed) but its thread is still "
        + "running: the JVM cannot stop it")
        .contains("KillAndZombieTest.spin(");
  }

  @Test
  @DisplayName("Runaway: a process that computes past the threshold is reported; one waiting as long is not")
  void runawayIsReported() {
    AtomicBoolean started = new AtomicBoolean();
    AtomicBoolean release = new AtomicBoolean();
    try (Node node = Node.start(NodeConfig.defaults().withRunawayThreshold(RUNAWAY_THRESHOLD));
        Reports reports = Reports.capture(node)) {
      Pid waiting = node.spawn(TestSupport::idle);
      awaitStatus(waiting, ProcessStatus.WAITING); // from now on it waits in receive, for longer than the threshold
      Pid busy = node.spawn(() -> spin(started, release));
      try {
        // the watchdog marks the process, then counts it, then logs its report: wait for the report
        await().atMost(WATCHDOG_WAIT).pollInterval(Duration.ofMillis(10))
            .until(() -> reports.warnings().stream().anyMatch(r -> isSpinningReport(r, busy)));

        assertThat(Proc.info(busy).orElseThrow().runaway()).isTrue();
        List<Report> warnings = reports.warnings();
        assertReportedOnceComputing(warnings, busy);
        assertThat(node.stats().runaways()).isEqualTo(warnings.size());
        assertThat(Proc.info(waiting).orElseThrow().runaway()).isFalse();
        assertThat(Proc.isAlive(busy)).as("reported, not killed").isTrue();
      } finally {
        release.set(true);
      }
      assertThat(exitReason(busy)).isEqualTo(ExitReason.NORMAL);
      assertThat(reports.errorsAfterStop()).isEmpty();
    }
  }

  /**
   * Every carrier thread is held by a spinner, so a process woken by a message cannot run: it is
   * runnable, outside any wait of the runtime, for as long as the spinners compute. Once each spinner
   * has been reported, the process is woken and the spinners return to the runtime once (a receive that does not wait) and are reported again
   * for the stretch that follows; the watchdog scan that reports them sees the woken process past the
   * threshold too, and must not report it: it waits for a carrier, it does not hold one.
   */
  @Test
  @DisplayName("Runaway: a woken process waiting for a carrier that runaways hold is not reported")
  void wokenProcessWaitingForACarrierIsNoRunaway() {
    int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
        Runtime.getRuntime().availableProcessors());
    AtomicBoolean release = new AtomicBoolean();
    AtomicBoolean rearm = new AtomicBoolean();
    AtomicBoolean woke = new AtomicBoolean();
    try (Node node = Node.start(NodeConfig.defaults().withRunawayThreshold(RUNAWAY_THRESHOLD));
        Reports reports = Reports.capture(node)) {
      Pid sleeper = node.spawn(() -> {
        Proc.receive();
        woke.set(true);
      });
      awaitStatus(sleeper, ProcessStatus.WAITING);
      List<Pid> spinners = new ArrayList<>();
      List<AtomicBoolean> started = new ArrayList<>();
      try {
        for (int i = 0; i < carriers; i++) {
          AtomicBoolean s = new AtomicBoolean();
          started.add(s);
          spinners.add(node.spawn(() -> {
            s.set(true);
            while (!rearm.get()) {
              Thread.onSpinWait();
            }
            Proc.receive(Duration.ZERO); // back in the runtime for a moment, without leaving the carrier
            while (!release.get()) {
              Thread.onSpinWait();
            }
          }));
        }
        for (AtomicBoolean s : started) {
          spinUntil(s::get, () -> "every spinner to hold a carrier");
        }
        await().atMost(WATCHDOG_WAIT).pollInterval(Duration.ofMillis(10)).until(() -> spinners.stream()
            .allMatch(p -> reports.warnings().stream().anyMatch(r -> isRunawayReport(r, p))));
        Proc.send(sleeper, "wake up");
        rearm.set(true);
        // the second report of each spinner is of a stretch that began after the wake
        await().atMost(WATCHDOG_WAIT).pollInterval(Duration.ofMillis(10)).until(() -> spinners.stream()
            .allMatch(p -> reports.warnings().stream().filter(r -> isRunawayReport(r, p)).count() >= 2));

        assertThat(woke).as("the woken process found no carrier").isFalse();
        assertThat(Proc.info(sleeper).orElseThrow().status()).isEqualTo(ProcessStatus.RUNNING);
        assertThat(Proc.info(sleeper).orElseThrow().runaway()).isFalse();
        List<Report> warnings = reports.warnings();
        assertThat(warnings).as("only the spinners were reported")
            .allSatisfy(r -> assertThat(r.pid()).isIn(spinners.stream().map(Pid::toString).toList()));
        assertThat(node.stats().runaways()).isEqualTo(warnings.size());
      } finally {
        rearm.set(true);
        release.set(true);
      }
      assertThat(exitReason(sleeper)).isEqualTo(ExitReason.NORMAL);
      assertThat(woke).isTrue();
      assertThat(reports.errorsAfterStop()).isEmpty();
    }
  }

  /**
   * The kill comes right after the process has started computing. Only if the test thread is held
   * up for as long as the threshold in between (a loaded machine) is the process also reported,
   * rightly, as a runaway before the kill; it is reported as a zombie exactly once either way.
   */
  @Test
  @DisplayName("Runaway: a killed process whose thread keeps computing is reported")
  void zombieIsReportedAsARunaway() {
    AtomicBoolean started = new AtomicBoolean();
    AtomicBoolean release = new AtomicBoolean();
    try (Node node = Node.start(NodeConfig.defaults().withRunawayThreshold(RUNAWAY_THRESHOLD));
        Reports reports = Reports.capture(node)) {
      Pid busy = node.spawn(() -> spin(started, release));
      try {
        spinUntil(started::get, () -> "the busy process to start");
        Proc.exit(busy, ExitReason.KILL);
        assertThat(Proc.isAlive(busy)).isFalse();

        await().atMost(WATCHDOG_WAIT).pollInterval(Duration.ofMillis(10))
            .until(() -> reports.warnings().stream().anyMatch(KillAndZombieTest::isZombieReport));
      } finally {
        release.set(true);
      }
      node.stop();
      assertThat(node.awaitTermination(TestSupport.WAIT)).isTrue();
      List<Report> warnings = reports.warnings();
      assertZombieReport(warnings.getLast(), busy);
      List<Report> beforeTheKill = warnings.subList(0, warnings.size() - 1);
      if (!beforeTheKill.isEmpty()) { // the kill came late
        assertReportedOnceComputing(beforeTheKill, busy);
      }
      assertThat(node.stats().runaways()).isEqualTo(warnings.size());
      assertThat(reports.errors()).isEmpty();
    }
  }

  /**
   * The threshold of the test that a process which keeps returning to the runtime is not reported.
   * The watchdog cannot tell a thread that computes from one that the OS keeps off the CPU, which a
   * loaded machine does for a few hundred milliseconds at times (the client was once reported at
   * 200 ms in its 20 ms of computation): the threshold must be far above such a pause, not only above
   * the computation.
   */
  private static final Duration CALLER_THRESHOLD = Duration.ofSeconds(2);

  /**
   * A client that calls a server in a loop and computes for a short while (well under the
   * threshold) after each reply returns to the runtime at every call, so it is no runaway. Two
   * genuine runaways, started one after the other, show that the watchdog has scanned at least
   * twice while the client ran.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES) // two reports, each within WATCHDOG_WAIT
  @DisplayName("Runaway: a process that returns to the runtime through calls is not reported")
  void processThatCallsIsNoRunaway() {
    AtomicBoolean stopClient = new AtomicBoolean();
    try (Node node = Node.start(NodeConfig.defaults().withRunawayThreshold(CALLER_THRESHOLD));
        Reports reports = Reports.capture(node)) {
      record Ping(From from) {}
      Pid server = node.spawn(() -> {
        while (true) {
          if (Proc.receive() instanceof Ping(From from)) {
            from.reply("pong");
          }
        }
      });
      Pid client = node.spawn(() -> {
        while (!stopClient.get()) {
          Proc.call(server, Ping::new, TestSupport.WAIT);
          long until = System.nanoTime() + Duration.ofMillis(20).toNanos();
          while (System.nanoTime() < until) {
            Thread.onSpinWait(); // a little computation between calls
          }
        }
      });
      List<Pid> controls = new ArrayList<>();
      try {
        for (int control = 0; control < 2; control++) {
          AtomicBoolean started = new AtomicBoolean();
          AtomicBoolean release = new AtomicBoolean();
          Pid runaway = node.spawn(() -> spin(started, release));
          controls.add(runaway);
          try {
            // the watchdog marks the process, then counts it, then logs its report: wait for the report
            await().atMost(WATCHDOG_WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> reports.warnings().stream().anyMatch(r -> isSpinningReport(r, runaway)));
          } finally {
            release.set(true);
          }
          exitReason(runaway);
        }

        assertThat(Proc.info(client).orElseThrow().runaway()).as("the calling client was reported").isFalse();
        List<Report> warnings = reports.warnings();
        assertThat(warnings).as("only the controls were ever reported")
            .allSatisfy(r -> assertThat(r.pid()).isIn(controls.get(0).toString(), controls.get(1).toString()));
        assertReportedOnceComputing(warnings.stream().filter(r -> isRunawayReport(r, controls.get(0))).toList(),
            controls.get(0));
        assertReportedOnceComputing(warnings.stream().filter(r -> isRunawayReport(r, controls.get(1))).toList(),
            controls.get(1));
        assertThat(node.stats().runaways()).isEqualTo(warnings.size());
      } finally {
        stopClient.set(true);
      }
      assertThat(exitReason(client)).isEqualTo(ExitReason.NORMAL);
    }
  }
}
