package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.stage.StageTestKit.exitReason;
import static org.otp4j.behaviours.stage.StageTestKit.expect;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.stage.StageTestKit.Cancelled;
import org.otp4j.behaviours.stage.StageTestKit.Demanded;
import org.otp4j.behaviours.stage.StageTestKit.Numbers;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
@DisplayName("StageFlow: Flow subscribers on stages (Reactive Streams rules cited by number)")
class StageFlowTest extends ProbeTest {
  /** A Flow subscriber that records its signals, in order, for a plain thread to read. */
  static final class Recorder implements Flow.Subscriber<Long> {
    final LinkedBlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      signals.add("subscribed");
    }

    @Override
    public void onNext(Long item) {
      signals.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
      signals.add(throwable);
    }

    @Override
    public void onComplete() {
      signals.add("complete");
    }

    Object next() throws InterruptedException {
      Object s = signals.poll(StageTestKit.WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(s).as("a signal within " + StageTestKit.WAIT).isNotNull();
      return s;
    }

    List<Object> next(int n) throws InterruptedException {
      List<Object> got = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        got.add(next());
      }
      return got;
    }
  }

  @Test
  @DisplayName("1.9, 3.x: onSubscribe first; onNext only as requested; a request of Long.MAX_VALUE reaches the producer "
      + "as bounded demand; cancel ends the subscription at the producer")
  void subscriberAsConsumer() throws Exception {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Recorder recorder = new Recorder();
    Pid stage = StageFlow.subscribe(recorder, SubscribeTo.to(numbers).withMaxDemand(8));
    assertThat(recorder.next()).isEqualTo("subscribed");
    recorder.subscription.request(3);
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(3);
    assertThat(recorder.next(3)).containsExactly(0L, 1L, 2L);
    recorder.subscription.request(Long.MAX_VALUE);
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(8);
    assertThat(recorder.next(8)).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    recorder.subscription.cancel();
    assertThat(expect(probe, Cancelled.class, c -> c.stage().equals(numbers)).cancellation().kind())
        .isEqualTo(GenStage.Cancellation.Kind.CANCEL);
    assertThat(exitReason(stage)).isEqualTo(ExitReason.NORMAL);
    recorder.subscription.request(5); // 3.6: a no-op after cancel
    recorder.subscription.cancel(); // 3.7: so is a second cancel
    // 1.8, 3.12: the stage that signals has exited; what it sent before it saw the cancel was events,
    // and no terminal signal followed the cancel
    assertThat(recorder.signals).allSatisfy(s -> assertThat(s).isInstanceOf(Long.class));
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("1.4, 1.5: a producer that stops normally completes the subscriber; one that crashes is an onError with "
      + "its reason")
  void terminalSignals() throws Exception {
    Pid normal = GenStage.start(new StagePublisherVerification.Range(2));
    Recorder completes = new Recorder();
    StageFlow.<Long>publisher(normal).subscribe(completes);
    assertThat(completes.next()).isEqualTo("subscribed");
    completes.subscription.request(10);
    assertThat(completes.next(3)).containsExactly(0L, 1L, "complete");

    Pid crashing = GenStage.start(new Numbers(probe.pid()));
    Recorder fails = new Recorder();
    StageFlow.<Long>publisher(crashing).subscribe(fails);
    assertThat(fails.next()).isEqualTo("subscribed");
    Proc.exit(crashing, ExitReason.of("boom"));
    assertThat(fails.next()).isInstanceOfSatisfying(StageFlow.ProducerExitException.class,
        e -> assertThat(e.reason()).isEqualTo(ExitReason.of("boom")));
  }

  @Test
  @DisplayName("1.9, 3.9: a null subscriber is refused at once; a non-positive request is an onError with an "
      + "IllegalArgumentException, and cancels")
  void badInput() throws Exception {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Flow.Publisher<Long> publisher = StageFlow.publisher(numbers);
    assertThatThrownBy(() -> publisher.subscribe(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("1.9");
    Recorder recorder = new Recorder();
    publisher.subscribe(recorder);
    assertThat(recorder.next()).isEqualTo("subscribed");
    recorder.subscription.request(0);
    assertThat(recorder.next()).isInstanceOfSatisfying(IllegalArgumentException.class,
        e -> assertThat(e).hasMessageContaining("3.9").hasMessageContaining("got 0"));
    assertThat(expect(probe, Cancelled.class, c -> c.stage().equals(numbers)).cancellation().kind())
        .isEqualTo(GenStage.Cancellation.Kind.CANCEL);
    GenStage.stop(numbers);
  }
}
