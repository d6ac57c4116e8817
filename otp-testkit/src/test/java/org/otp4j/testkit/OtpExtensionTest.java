package org.otp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Node;
import org.otp4j.core.NodeReport;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@DisplayName("OtpExtension: a fresh node per test, failing on leaked processes and unexpected crashes")
@ExtendWith(OtpExtension.class)
class OtpExtensionTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final AtomicReference<Node> SEEN = new AtomicReference<>();

  /** A server that crashes on "crash" and otherwise answers its request back. */
  static final class Fragile extends GenServer<String, Object> {
    @Override
    protected Init<String> init() {
      return Init.ok("fine");
    }

    @Override
    protected CallResult<String> handleCall(Object request, org.otp4j.core.From from, String state) {
      if (request.equals("crash")) {
        throw new IllegalStateException("jammed on purpose");
      }
      return reply(request, state);
    }
  }

  // ---------------------------------------------------------------------------------------
  // test classes the kit must pass or fail, run through the launcher

  @ExtendWith(OtpExtension.class)
  static class Leaks {
    @Test
    void leavesAProcess(Node node) {
      Pid idle = node.spawn(Proc::receive);
      Proc.register("lingering", idle);
    }

    @Test
    void stopsWhatItStarts(Node node) {
      Pid idle = node.spawn(Proc::receive);
      Proc.exit(idle, ExitReason.KILL);
    }

    @Test
    void processOnItsWayOut(Node node) {
      node.spawn(() -> Proc.receive(Duration.ofMillis(20)));   // ends well within the grace
    }
  }

  @ExtendWith(OtpExtension.class)
  static class Crashes {
    @Test
    void unexpectedCrash(Node node) {
      Pid p = node.spawn(() -> {
        throw new IllegalStateException("nobody expected this");
      });
      Proc.awaitExit(p, WAIT).orElseThrow();
    }

    @Test
    void expectedCrash(Node node, Reports reports) {
      Pid p = node.spawn(() -> {
        throw new IllegalStateException("expected this");
      });
      NodeReport report = reports.expectCrash(p);
      assertThat(report.label()).isEqualTo("process_crash");
      assertThat(report.field("reason")).contains("expected this");
    }

    @Test
    void supervisedServerCrash(Reports reports) {
      Pid sup = Supervisor.startLink(Supervisor.oneForOne(), ChildSpec.worker("fragile",
          () -> GenServer.startLink(new Fragile()).pid()));
      Pid child = Supervisor.whichChildren(sup).getFirst().pid();
      try {
        GenServer.call(child, "crash");
      } catch (RuntimeException expected) {
        // the call fails with the server's crash
      }
      reports.expectCrash(child);  // the server's terminate report and the supervisor's child_terminated report
      Supervisor.stop(sup);
    }

    @Test
    void unexpectedServerCrash() {
      Pid server = GenServer.start(new Fragile()).pid();
      try {
        GenServer.call(server, "crash");
      } catch (RuntimeException expected) {
        // the call fails with the server's crash
      }
    }

    @Test
    void expectationThatNeverComes(Node node, Reports reports) {
      Pid p = node.spawn(() -> {});
      Proc.awaitExit(p, WAIT).orElseThrow();
      reports.expectCrash(p);
    }
  }

  static class QuickReports {
    @RegisterExtension
    static final OtpExtension OTP = OtpExtension.create().withReportWait(Duration.ofMillis(50));

    @Test
    void expectationThatNeverComes(Node node, Reports reports) {
      reports.expectCrash(node.spawn(() -> {}));
    }
  }

  @ExtendWith(OtpExtension.class)
  static class Isolation {
    @Test
    void first(Node node) {
      SEEN.set(node);
      assertThat(Node.current()).isSameAs(node);
      assertThat(Proc.spawn(() -> {}).node()).isSameAs(node);
    }
  }

  static class NoLeakCheck {
    @RegisterExtension
    static final OtpExtension OTP = OtpExtension.create().withoutLeakCheck();

    @Test
    void leavesAProcess(Node node) {
      node.spawn(Proc::receive);
    }
  }

  // ---------------------------------------------------------------------------------------

  @Test
  @DisplayName("A process still alive after the test fails it, named with its pid, name and what it waits in")
  void leakFails() {
    Launched run = Launched.run(Leaks.class);
    assertThat(run.failureMessage("leavesAProcess"))
        .startsWith("1 process was still alive after the test")
        .containsPattern("<\\d+\\.\\d+\\.\\d+> \\(lingering\\) WAITING in receive");
    assertThat(run.passed("stopsWhatItStarts")).as("%s", run).isTrue();
    assertThat(run.passed("processOnItsWayOut")).as("%s", run).isTrue();
  }

  @Test
  @DisplayName("An unexpected crash fails the test, naming the process and its reason; an expected one passes")
  void unexpectedCrashFails() {
    Launched run = Launched.run(Crashes.class);
    assertThat(run.failureMessage("unexpectedCrash"))
        .startsWith("1 unexpected error report")
        .contains("process_crash pid=<")
        .contains("reason=java.lang.IllegalStateException: nobody expected this");
    assertThat(run.failure("unexpectedCrash").orElseThrow().getSuppressed())
        .singleElement().satisfies(e -> assertThat(e).hasMessage("nobody expected this"));
    assertThat(run.passed("expectedCrash")).as("%s", run).isTrue();
    assertThat(run.passed("supervisedServerCrash")).as("%s", run).isTrue();
    assertThat(run.failureMessage("unexpectedServerCrash"))
        .contains("gen_server_terminate server=<")
        .contains("jammed on purpose");
    assertThat(run.failureMessage("expectationThatNeverComes"))
        .startsWith("expected a report about <")
        .contains("within 5000 ms, but the node reported nothing");
  }

  @Test
  @DisplayName("The wait of an expectation is the extension's report wait")
  void reportWait() {
    Launched run = Launched.run(QuickReports.class);
    assertThat(run.failureMessage("expectationThatNeverComes")).contains("within 50 ms");
  }

  @Test
  @DisplayName("The test runs on its own node, current on the test thread, stopped after the test")
  void nodePerTest(Node node) {
    Launched run = Launched.run(Isolation.class);
    assertThat(run.passed("first")).as("%s", run).isTrue();
    assertThat(SEEN.get()).isNotSameAs(node).isNotSameAs(Node.defaultNode());
    assertThat(SEEN.get().isStopped()).isTrue();
    assertThat(SEEN.get().processCount()).isZero();
  }

  @Test
  @DisplayName("Without the leak check a process left alive is killed with the node, silently")
  void withoutLeakCheck() {
    Launched run = Launched.run(NoLeakCheck.class);
    assertThat(run.passed("leavesAProcess")).as("%s", run).isTrue();
  }

  @Test
  @DisplayName("Bad settings are refused with a message that says what was wrong")
  void badSettings() {
    assertThatThrownBy(() -> OtpExtension.create().withLeakGrace(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leak grace cannot be negative");
    AtomicReference<Throwable> offTest = new AtomicReference<>();
    Thread other = Thread.ofVirtual().start(() -> {   // a thread that is not a test's
      try {
        OtpAssertions.self();
      } catch (Throwable t) {
        offTest.set(t);
      }
    });
    assertThat(joined(other)).isTrue();
    assertThat(offTest.get()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@ExtendWith(OtpExtension.class)");
  }

  private static boolean joined(Thread t) {
    try {
      return t.join(WAIT);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
