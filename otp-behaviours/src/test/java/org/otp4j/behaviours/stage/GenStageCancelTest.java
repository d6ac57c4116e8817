package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.stage.StageTestKit.events;
import static org.otp4j.behaviours.stage.StageTestKit.exitReason;
import static org.otp4j.behaviours.stage.StageTestKit.expect;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.Sys;
import org.otp4j.behaviours.stage.GenStage.Cancellation;
import org.otp4j.behaviours.stage.StageTestKit.Cancelled;
import org.otp4j.behaviours.stage.StageTestKit.Collector;
import org.otp4j.behaviours.stage.StageTestKit.Got;
import org.otp4j.behaviours.stage.StageTestKit.Numbers;
import org.otp4j.behaviours.stage.StageTestKit.Subscribed;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
@DisplayName("GenStage: cancel modes and crashes along subscriptions (GS4)")
class GenStageCancelTest extends ProbeTest {
  /** Ends {@code producer} the way {@code how} says, and returns its exit reason. */
  private static ExitReason end(Pid producer, String how) {
    switch (how) {
      case "crash" -> Proc.exit(producer, ExitReason.of("boom"));
      case "normal" -> GenStage.stop(producer);
      case "shutdown" -> GenStage.stop(producer, ExitReason.SHUTDOWN, StageTestKit.WAIT);
      default -> throw new IllegalArgumentException(how);
    }
    return exitReason(producer);
  }

  @ParameterizedTest(name = "{0} consumer, producer ends by {1}: the consumer exits? {2}")
  @CsvSource({
      "PERMANENT, crash, true", "PERMANENT, normal, true", "PERMANENT, shutdown, true",
      "TRANSIENT, crash, true", "TRANSIENT, normal, false", "TRANSIENT, shutdown, false",
      "TEMPORARY, crash, false", "TEMPORARY, normal, false", "TEMPORARY, shutdown, false"})
  @DisplayName("GS4: when its producer exits, a consumer runs handleCancel(DOWN, reason), then exits with that reason "
      + "if permanent, if transient unless the reason is normal or shutdown, never if temporary")
  void cancelModes(CancelMode mode, String how, boolean exits, Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withMaxDemand(5).withCancel(mode)));
    events(probe, sink, 5); // subscribed and flowing
    ExitReason reason = end(numbers, how);

    Cancelled cancelled = expect(probe, Cancelled.class, c -> c.stage().equals(sink));
    assertThat(cancelled.cancellation()).isEqualTo(new Cancellation(Cancellation.Kind.DOWN, reason));
    assertThat(cancelled.from().pid()).isEqualTo(numbers);
    if (exits) {
      assertThat(exitReason(sink)).isEqualTo(reason);
      if (!reason.isOrderly()) {
        assertThat(reports.awaitLabel("gen_server_terminate", 1)).singleElement()
            .satisfies(r -> assertThat(r.get("reason")).isEqualTo(reason));
      }
    } else {
      // handleCancel and the decision run in one message: a later answer means the consumer stayed
      assertThat(Sys.getState(sink)).isInstanceOf(List.class);
      assertThat(Proc.isAlive(sink)).isTrue();
      GenStage.stop(sink);
    }
  }

  @Test
  @DisplayName("GS4: a crash travels down a pipeline of permanent subscriptions: producer, producer_consumer, consumer")
  void crashPropagates(Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid doubler = GenStage.start(new GenStageDemandTest.Doubler(numbers));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(doubler).withMaxDemand(3)));
    events(probe, sink, 3);
    Proc.exit(numbers, ExitReason.of("boom"));
    assertThat(exitReason(doubler)).isEqualTo(ExitReason.of("boom"));
    assertThat(exitReason(sink)).isEqualTo(ExitReason.of("boom"));
    assertThat(reports.awaitLabel("gen_server_terminate", 2)).hasSize(2);
  }

  @Test
  @DisplayName("GS4: a consumer that crashes leaves its producer running; the producer runs handleCancel(DOWN) and "
      + "serves the other consumers")
  void consumerCrash(Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid crashing = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withMaxDemand(2)));
    Pid staying = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withMaxDemand(2)));
    expect(probe, Got.class, g -> g.stage().equals(crashing));
    expect(probe, Got.class, g -> g.stage().equals(staying));
    GenStage.cast(crashing, "crash");
    Cancelled cancelled = expect(probe, Cancelled.class, c -> c.stage().equals(numbers));
    assertThat(cancelled.cancellation().kind()).isEqualTo(Cancellation.Kind.DOWN);
    assertThat(cancelled.from().pid()).isEqualTo(crashing);
    assertThat(cancelled.cancellation().reason()).isInstanceOf(ExitReason.Crash.class);
    probe.flush();
    expect(probe, Got.class, g -> g.stage().equals(staying)); // still served
    assertThat(Proc.isAlive(numbers)).isTrue();
    assertThat(reports.awaitLabel("gen_server_terminate", 1)).hasSize(1);
    GenStage.stop(staying);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS4: GenStage.cancel ends a subscription: both sides run handleCancel(CANCEL, reason); a permanent "
      + "consumer then exits with the reason, a temporary one carries on")
  void cancelBySubscription(Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid permanent = GenStage.start(new Collector<Long>(probe.pid(), true, SubscribeTo.to(numbers)));
    Pid temporary = GenStage.start(new Collector<Long>(probe.pid(), true,
        SubscribeTo.to(numbers).withCancel(CancelMode.TEMPORARY)));
    Subscription first = expect(probe, Subscribed.class, s -> s.stage().equals(permanent)).from();
    Subscription second = expect(probe, Subscribed.class, s -> s.stage().equals(temporary)).from();

    GenStage.cancel(second, ExitReason.of("enough"));
    Cancellation expected = new Cancellation(Cancellation.Kind.CANCEL, ExitReason.of("enough"));
    assertThat(expect(probe, Cancelled.class, c -> c.stage().equals(numbers)).cancellation()).isEqualTo(expected);
    assertThat(expect(probe, Cancelled.class, c -> c.stage().equals(temporary)).cancellation()).isEqualTo(expected);
    assertThat(Sys.getState(temporary)).isInstanceOf(List.class);

    GenStage.cancel(first, ExitReason.of("enough"));
    assertThat(expect(probe, Cancelled.class, c -> c.stage().equals(permanent)).cancellation()).isEqualTo(expected);
    assertThat(exitReason(permanent)).isEqualTo(ExitReason.of("enough"));
    assertThat(reports.awaitLabel("gen_server_terminate", 1)).hasSize(1);
    assertThat(Proc.isAlive(numbers)).isTrue();
    GenStage.stop(temporary);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS4: a manual consumer that asks after its producer cancelled gets a cancel back, not a hang")
  void askOnACancelledSubscription() {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), true,
        SubscribeTo.to(numbers).withCancel(CancelMode.TEMPORARY)));
    Subscription sub = expect(probe, Subscribed.class, s -> s.stage().equals(sink)).from();
    GenStage.cancel(sub, ExitReason.NORMAL);
    expect(probe, Cancelled.class, c -> c.stage().equals(sink));
    // the producer no longer knows the tag: it answers the asker (here a process) with a cancellation
    Object answer = org.otp4j.behaviours.BehaviourTestKit.inProcess(() -> {
      GenStage.ask(sub, 1);
      return Proc.receive(StageTestKit.WAIT).orElseThrow();
    });
    assertThat(answer).isInstanceOfSatisfying(Protocol.ToConsumer.class,
        m -> assertThat(m.body()).isEqualTo(new Protocol.Cancelled(ExitReason.of("unknown_subscription"))));
    GenStage.stop(sink);
    GenStage.stop(numbers);
  }
}
