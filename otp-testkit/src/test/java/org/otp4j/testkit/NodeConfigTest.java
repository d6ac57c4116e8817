package org.otp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otp4j.core.ManualClock;
import org.otp4j.core.Node;
import org.otp4j.core.NodeReport;
import org.otp4j.core.Pid;

@DisplayName("OtpExtension.withNodeConfig: the test's node started with settings of the test's own")
class NodeConfigTest {
  /** A report handler of the code under test: keeps what it sees, then hands it on. */
  static final class CountingHandler implements Consumer<NodeReport> {
    static final List<NodeReport> SEEN = new CopyOnWriteArrayList<>();
    private final Consumer<NodeReport> next;

    CountingHandler(Consumer<NodeReport> next) {
      this.next = next;
    }

    @Override
    public void accept(NodeReport report) {
      SEEN.add(report);
      next.accept(report);
    }
  }

  // region: configure
  @RegisterExtension
  static final OtpExtension OTP = OtpExtension.create().withNodeConfig(config -> config
      .withName("billing@test")
      // The handler found in the settings is the kit's capture: keep handing reports on to it.
      .withReportHandler(new CountingHandler(config.reportHandler().orElseThrow())));
  // endregion: configure

  @Test
  @DisplayName("The node has the name the settings give, and a report reaches the test's handler and the kit")
  void nameAndReportHandler(Node node, Reports reports) {
    assertThat(node.name()).isEqualTo("billing@test");
    Pid p = node.spawn(() -> {
      throw new IllegalStateException("seen twice");
    });
    NodeReport crash = reports.expectCrash(p);   // the kit captured it (else this waits and fails)
    assertThat(CountingHandler.SEEN).contains(crash);
  }

  // ---------------------------------------------------------------------------------------
  // test classes the kit must pass or fail, run through the launcher

  static final ManualClock CLOCK = new ManualClock();

  static class OwnClock {
    @RegisterExtension
    static final OtpExtension OTP = OtpExtension.create().withNodeConfig(c -> c.withClock(CLOCK));

    @Test
    void clockParameter(ManualClock clock) {
      assertThat(clock).isSameAs(CLOCK);
    }
  }

  static class NoSettings {
    @RegisterExtension
    static final OtpExtension OTP = OtpExtension.create().withNodeConfig(c -> null);

    @Test
    void neverRuns() {
    }
  }

  static class Chained {
    @RegisterExtension
    static final OtpExtension OTP = OtpExtension.create().withManualClock()
        .withNodeConfig(c -> c.withName("first@test")).withNodeConfig(c -> c.withName(c.name() + "-then"));

    @Test
    void bothApplied(Node node, ManualClock clock) {
      assertThat(node.name()).isEqualTo("first@test-then");
      assertThat(node.config().clock()).containsSame(clock);
    }
  }

  @Test
  @DisplayName("A manual clock set in the settings is the test's ManualClock parameter")
  void ownClock() {
    Launched run = Launched.run(OwnClock.class);
    assertThat(run.passed("clockParameter")).as("%s", run).isTrue();
  }

  @Test
  @DisplayName("Settings are applied in order, after withManualClock's")
  void chained() {
    Launched run = Launched.run(Chained.class);
    assertThat(run.passed("bothApplied")).as("%s", run).isTrue();
  }

  @Test
  @DisplayName("A function that gives no settings fails the test, saying so")
  void noSettings() {
    Launched run = Launched.run(NoSettings.class);
    assertThat(run.failureMessage("neverRuns")).contains("withNodeConfig returned null");
  }
}
