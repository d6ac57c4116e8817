package org.otp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.testkit.OtpAssertions.assertReceive;
import static org.otp4j.testkit.OtpAssertions.refuteReceive;
import static org.otp4j.testkit.OtpAssertions.self;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Node;
import org.otp4j.core.NodeReport;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** The examples of the guide's chapter on testing and of the kit's Javadoc, run as they are shown. */
@DisplayName("Guide, chapter 13: testing with the kit")
@ExtendWith(OtpExtension.class)
class GuideTest {

  record Ping(Pid from) {}

  record Done(int value) {}

  record Price(String item) {}

  @Test
  @DisplayName("A probe answers a ping")
  void probe(Node node) {
    // region: probe
    Probe probe = Probe.open(node);
    Pid echo = node.spawn(() -> {
      if (Proc.receive() instanceof Ping(Pid from)) {
        Proc.send(from, "pong");
      }
    });
    probe.send(echo, new Ping(probe.pid()));
    assertThat(probe.expectMessage(String.class)).isEqualTo("pong");
    probe.expectNoMessage();
    // endregion: probe
  }

  @Test
  @DisplayName("assertReceive and refuteReceive on the test's own mailbox")
  void assertReceiveExample(Node node) {
    // region: assertReceive
    Pid me = self();
    node.spawn(() -> Proc.send(me, new Done(42)));
    Done done = assertReceive(Done.class);
    assertThat(done.value()).isEqualTo(42);
    refuteReceive(Done.class);   // and no second one within 100 ms
    // endregion: assertReceive
  }

  @Test
  @DisplayName("A crash on purpose is expected, and its report asserted")
  void crash(Node node, Reports reports) {
    // region: crash
    Pid worker = node.spawn(() -> { throw new IllegalStateException("jammed"); });
    NodeReport report = reports.expectCrash(worker);
    assertThat(report.field("reason")).contains("jammed");
    // endregion: crash
  }

  @Test
  @DisplayName("A supervised crash: the server's and the supervisor's reports are expected together")
  void supervisedCrash(Reports reports) {
    // region: supervised
    Pid sup = Supervisor.startLink(Supervisor.oneForOne(),
        ChildSpec.worker("counter", () -> Counter.start(0).pid()));
    Pid first = Supervisor.whichChildren(sup).getFirst().pid();
    Proc.exit(first, org.otp4j.core.ExitReason.of("injected"));
    reports.expectCrash(first);      // its supervisor's child_terminated report names it
    Supervisor.stop(sup);
    // endregion: supervised
  }

  @Test
  @DisplayName("A probe stands in for a server the code under test calls")
  void standIn(Node node, Probe prices) {
    // region: standIn
    Pid me = self();
    node.spawn(() -> Proc.send(me, GenServer.call(prices.pid(), new Price("tea"))));
    Probe.ReceivedCall<Price> call = prices.expectCall(Price.class);
    assertThat(call.request().item()).isEqualTo("tea");
    call.reply(250);
    assertThat(assertReceive(Integer.class)).isEqualTo(250);
    // endregion: standIn
  }

  @Test
  @DisplayName("The counter of the extension's example")
  void counter() {
    ServerRef<Counter.Msg> counter = Counter.start(40);
    assertThat(Counter.bump(counter, 2)).isEqualTo(42);
    GenServer.stop(counter.pid(), org.otp4j.core.ExitReason.NORMAL, Duration.ofSeconds(5));
  }
}
