package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.stage.StageTestKit.events;
import static org.otp4j.behaviours.stage.StageTestKit.expect;
import static org.otp4j.behaviours.stage.StageTestKit.expectNone;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.stage.StageTestKit.Collector;
import org.otp4j.behaviours.stage.StageTestKit.Demanded;
import org.otp4j.behaviours.stage.StageTestKit.Got;
import org.otp4j.behaviours.stage.StageTestKit.Numbers;
import org.otp4j.behaviours.stage.StageTestKit.Subscribed;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
@DisplayName("GenStage: demand, subscriptions, producer_consumers (GS1, GS2, GS4)")
class GenStageDemandTest extends ProbeTest {
  @Test
  @DisplayName("GS2: a consumer asks maxDemand first, then maxDemand - minDemand each time what it expects falls to "
      + "minDemand; its batches hold at most maxDemand - minDemand events, in order")
  void demandAccounting() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 40, GenStage.Options.defaults()));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(),
        SubscribeTo.to(numbers).withMaxDemand(10).withMinDemand(5)));

    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(10);
    List<Object> all = new ArrayList<>();
    while (all.size() < 40) {
      Got got = expect(probe, Got.class, g -> g.stage().equals(sink));
      assertThat(got.events()).hasSizeLessThanOrEqualTo(5);
      assertThat(got.from().pid()).isEqualTo(numbers);
      all.addAll(got.events());
    }
    assertThat(all).isEqualTo(LongStream.range(0, 40).boxed().toList());
    // 40 events: the first demand of 10, then 6 more of 5 each as batches are handled
    List<Long> later = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      later.add(expect(probe, Demanded.class, d -> true).demand());
    }
    assertThat(later).containsOnly(5L);
    GenStage.stop(sink);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS2: the default subscription asks 1000 and hands batches of at most 500")
  void defaults() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 1000, GenStage.Options.defaults()));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers)));
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(1000);
    Got first = expect(probe, Got.class, g -> g.stage().equals(sink));
    assertThat(first.events()).hasSize(500);
    GenStage.stop(sink);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS1: a producer_consumer passes on what it makes of its events, at the pace its own consumer asks")
  void producerConsumer() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 30, GenStage.Options.defaults()));
    Pid doubler = GenStage.start(new Doubler(numbers));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(doubler).withMaxDemand(4)));
    assertThat(events(probe, sink, 30)).isEqualTo(LongStream.range(0, 30).map(n -> n * 2).boxed().toList());
    GenStage.stop(sink);
    GenStage.stop(doubler);
    GenStage.stop(numbers);
  }

  /** Doubles each number. */
  static final class Doubler extends ProducerConsumer<Void, Long, Long> {
    private final Pid upstream;

    Doubler(Pid upstream) {
      this.upstream = upstream;
    }

    @Override
    protected Init<Void> init() {
      return Init.ok(null, Options.subscribeTo(SubscribeTo.to(upstream).withMaxDemand(6)));
    }

    @Override
    protected CastResult<Void, Long> handleEvents(List<Long> events, Subscription from, Void state) {
      return noReply(events.stream().map(n -> n * 2).toList(), state);
    }
  }

  @Test
  @DisplayName("GS2: a producer_consumer handles upstream events only while its consumers have demand")
  void producerConsumerBackPressure() {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid doubler = GenStage.start(new Doubler(numbers));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), true, SubscribeTo.to(doubler)));
    Subscription sub = expect(probe, Subscribed.class, s -> s.stage().equals(sink)).from();
    // upstream fills the producer_consumer's queue (6), but nothing reaches the manual consumer
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(6);
    expectNone(probe, m -> m instanceof Got || m instanceof Demanded, "events or demand before the consumer asks");
    GenStage.ask(sub, 2);
    assertThat(events(probe, sink, 2)).containsExactly(0L, 2L);
    GenStage.ask(sub, 2);
    assertThat(events(probe, sink, 2)).containsExactly(4L, 6L);
    GenStage.ask(sub, 2);
    assertThat(events(probe, sink, 2)).containsExactly(8L, 10L);
    // six handled: the producer_consumer asked its producer for more
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(3);
    GenStage.stop(sink);
    GenStage.stop(doubler);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS4: a manual subscription gets nothing until the consumer asks, then exactly what it asked for")
  void manualDemand() {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), true, SubscribeTo.to(numbers)));
    Subscription sub = expect(probe, Subscribed.class, s -> s.stage().equals(sink)).from();
    assertThat(sub.pid()).isEqualTo(numbers);
    expectNone(probe, m -> m instanceof Demanded, "demand before the consumer asks");
    GenStage.ask(sub, 3); // from the test's own thread
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(3);
    assertThat(events(probe, sink, 3)).containsExactly(0L, 1L, 2L);
    GenStage.ask(sub, 0); // nothing
    BehaviourTestKit.inProcess(() -> {
      GenStage.ask(sub, 2); // and from a process
      return null;
    });
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(2);
    assertThat(events(probe, sink, 2)).containsExactly(3L, 4L);
    GenStage.stop(sink);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS4: syncSubscribe returns the subscription once the producer accepted it, from a thread or a "
      + "process; asyncSubscribe returns at once")
  void subscribeLater() {
    Pid numbers = GenStage.start(Name.local("numbers"), new Numbers(probe.pid(), 10, GenStage.Options.defaults()));
    Pid first = GenStage.start(new Collector<Long>(probe.pid()));
    Subscription sub = GenStage.syncSubscribe(first, SubscribeTo.to(Name.local("numbers")).withMaxDemand(5));
    assertThat(sub.pid()).isEqualTo(numbers);
    assertThat(expect(probe, Subscribed.class, s -> s.stage().equals(first)).from()).isEqualTo(sub);
    assertThat(events(probe, first, 5)).containsExactly(0L, 1L, 2L, 3L, 4L);

    Pid second = GenStage.start(new Collector<Long>(probe.pid()));
    Subscription fromProcess = BehaviourTestKit.inProcess(() -> GenStage.syncSubscribe(second,
        SubscribeTo.to(numbers).withMaxDemand(5)));
    assertThat(fromProcess.pid()).isEqualTo(numbers);

    Pid third = GenStage.start(new Collector<Long>(probe.pid()));
    GenStage.asyncSubscribe(third, SubscribeTo.to(numbers).withMaxDemand(5));
    assertThat(expect(probe, Subscribed.class, s -> s.stage().equals(third)).from().pid()).isEqualTo(numbers);
    GenStage.stop(first);
    GenStage.stop(second);
    GenStage.stop(third);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS1: calls, casts and infos reach the stage's own callbacks; a call's reply may come with events")
  void callsAndInfos(Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), true, SubscribeTo.to(numbers)));
    Subscription sub = expect(probe, Subscribed.class, s -> s.stage().equals(sink)).from();
    GenStage.ask(sub, 3);
    assertThat(events(probe, sink, 3)).containsExactly(0L, 1L, 2L);
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(3);
    // an Emit call: its events go to the demand that is left, here none, so into the buffer
    assertThat(GenStage.call(numbers, new StageTestKit.Emit(List.of(100L, 101L)), StageTestKit.WAIT)).isEqualTo("ok");
    assertThat(GenStage.bufferStats(numbers)).isEqualTo(new GenStage.BufferStats(2, 0));
    GenStage.ask(sub, 3); // the buffer first, then handleDemand for what is left
    assertThat(events(probe, sink, 3)).containsExactly(100L, 101L, 3L);
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(1);
    Proc.send(numbers, "an info"); // the default handleInfo logs and carries on
    assertThat(GenStage.bufferStats(numbers)).isEqualTo(new GenStage.BufferStats(0, 0));
    assertThat(reports.awaitLabel("genstage_unexpected_message", 1)).singleElement()
        .satisfies(r -> assertThat(r.get("message")).isEqualTo("an info"));
    GenStage.stop(sink);
    GenStage.stop(numbers);
  }
}
