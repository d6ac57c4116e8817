package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.stage.StageTestKit.events;
import static org.otp4j.behaviours.stage.StageTestKit.expect;
import static org.otp4j.behaviours.stage.StageTestKit.expectNone;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.stage.StageTestKit.Collector;
import org.otp4j.behaviours.stage.StageTestKit.Demanded;
import org.otp4j.behaviours.stage.StageTestKit.Emit;
import org.otp4j.behaviours.stage.StageTestKit.Numbers;
import org.otp4j.behaviours.stage.StageTestKit.Subscribed;
import org.otp4j.core.From;
import org.otp4j.core.Pid;

@ExtendWith(CaptureReports.class)
@DisplayName("GenStage: the producer's buffer, its overflow, and accumulated demand (GS2, GS3)")
class GenStageBufferTest extends ProbeTest {
  private static void emit(Pid producer, Long... events) {
    assertThat(GenStage.call(producer, new Emit(List.of(events)), StageTestKit.WAIT)).isEqualTo("ok");
  }

  @ParameterizedTest(name = "keep {0}: the buffer holds {1}..{2}")
  @CsvSource({"LAST, 12, 14", "FIRST, 10, 12"})
  @DisplayName("GS2: events beyond demand wait in the buffer; a full buffer keeps the newest or the oldest, counts "
      + "what it discards and logs it as GenStage does; the next demand takes from the buffer first")
  void overflow(BufferKeep keep, long from, long to, Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), Long.MAX_VALUE,
        GenStage.Options.defaults().withBufferSize(3).withBufferKeep(keep)));
    emit(numbers, 10L, 11L, 12L, 13L, 14L);
    assertThat(GenStage.bufferStats(numbers)).isEqualTo(new GenStage.BufferStats(3, 2));
    assertThat(reports.awaitLabel("genstage_discarded", 1)).singleElement().satisfies(r -> {
      assertThat(r.get("@level")).isEqualTo("WARN");
      assertThat(r.get("discarded")).isEqualTo(2L);
      assertThat(r.get("@message")).isEqualTo("GenStage producer " + numbers + " has discarded 2 events from buffer");
    });

    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), true, SubscribeTo.to(numbers)));
    Subscription sub = expect(probe, Subscribed.class, s -> s.stage().equals(sink)).from();
    GenStage.ask(sub, 3);
    assertThat(events(probe, sink, 3)).containsExactly(from, from + 1, to);
    expectNone(probe, m -> m instanceof Demanded, "demand: the buffer covered it");
    GenStage.ask(sub, 1);
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(1);
    assertThat(GenStage.bufferStats(numbers)).isEqualTo(new GenStage.BufferStats(0, 2));
    GenStage.stop(sink);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS2: a buffer of size 0 discards whatever finds no demand, and counts it")
  void noBuffer(Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), Long.MAX_VALUE, GenStage.Options.defaults().withBufferSize(0)));
    emit(numbers, 1L, 2L);
    emit(numbers, 3L);
    assertThat(GenStage.bufferStats(numbers)).isEqualTo(new GenStage.BufferStats(0, 3));
    assertThat(reports.awaitLabel("genstage_discarded", 2)).extracting(r -> r.get("discarded")).containsExactly(2L, 1L);
    GenStage.stop(numbers);
  }

  /** A producer that emits only when called, and does not want its discards logged. */
  static final class Quiet extends Producer<Void, Long> {
    @Override
    protected Init<Void> init() {
      return Init.ok(null, Options.defaults().withBufferSize(1));
    }

    @Override
    protected CastResult<Void, Long> handleDemand(long demand, Void state) {
      return noReply(state);
    }

    @Override
    protected CallResult<Void, Long> handleCall(Object request, From from, Void state) {
      @SuppressWarnings("unchecked")
      List<Long> events = (List<Long>) ((Emit) request).events();
      return reply("ok", events, state);
    }

    @Override
    protected boolean formatDiscarded(long excess, Void state) {
      return false;
    }
  }

  @Test
  @DisplayName("GS2: formatDiscarded returning false silences the log; the discards are still counted")
  void formatDiscarded(Reports reports) {
    Pid quiet = GenStage.start(new Quiet());
    emit(quiet, 1L, 2L, 3L);
    assertThat(GenStage.bufferStats(quiet)).isEqualTo(new GenStage.BufferStats(1, 2));
    assertThat(reports.withLabel("genstage_discarded")).isEmpty();
    GenStage.stop(quiet);
  }

  @Test
  @DisplayName("GS3: a producer in accumulate mode holds demand and events until switched to forward")
  void accumulate() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), Long.MAX_VALUE,
        GenStage.Options.defaults().withDemand(DemandMode.ACCUMULATE)));
    assertThat(GenStage.demand(numbers)).isEqualTo(DemandMode.ACCUMULATE);
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withMaxDemand(4)));
    emit(numbers, 100L); // held too, in its order
    expectNone(probe, m -> m instanceof Demanded || m instanceof StageTestKit.Got, "demand or events while accumulating");
    GenStage.demand(numbers, DemandMode.FORWARD);
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(4);
    assertThat(events(probe, sink, 4)).containsExactly(0L, 1L, 2L, 3L);
    assertThat(GenStage.demand(numbers)).isEqualTo(DemandMode.FORWARD);
    // the held event came after the demand was served, so it waited in the buffer, then went out
    assertThat(events(probe, sink, 1)).containsExactly(100L);
    GenStage.stop(sink);
    GenStage.stop(numbers);
  }
}
