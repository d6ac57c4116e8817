package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.otp4j.behaviours.BehaviourTestKit;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** The example of {@link GenStage}'s Javadoc, run. */
@DisplayName("GenStage's Javadoc example runs")
class GenStageJavadocTest {

  @Test
  @DisplayName("a producer of numbers and a consumer with ten at most in flight")
  void pipeline() {
    List<Long> received = BehaviourTestKit.inProcess(() -> {
      Proc.trapExits(true); // the stages are linked to this process; it ends them when it is done
      // region: pipeline
      // A producer of the numbers from `next` on, as many as are asked for.
      final class Numbers extends Producer<Long, Long> {
        @Override protected Init<Long> init() { return Init.ok(0L); }

        @Override protected CastResult<Long, Long> handleDemand(long demand, Long next) {
          List<Long> events = LongStream.range(next, next + demand).boxed().toList();
          return noReply(events, next + demand);
        }
      }

      // A consumer that sends what it gets to `sink`, ten at most in flight.
      final class Sink extends Consumer<Pid, Long> {
        private final Pid producer;
        private final Pid sink;
        Sink(Pid producer, Pid sink) { this.producer = producer; this.sink = sink; }

        @Override protected Init<Pid> init() {
          return Init.ok(sink, Options.subscribeTo(SubscribeTo.to(producer).withMaxDemand(10)));
        }

        @Override protected CastResult<Pid, Void> handleEvents(List<Long> events, Subscription from, Pid sink) {
          Proc.send(sink, events);
          return noReply(sink);
        }
      }

      Pid numbers = GenStage.startLink(new Numbers());
      GenStage.startLink(new Sink(numbers, Proc.self()));
      // endregion: pipeline
      List<Long> all = new ArrayList<>();
      while (all.size() < 30) {
        @SuppressWarnings("unchecked")
        List<Long> batch = (List<Long>) Proc.receive(m -> m instanceof List<?>, StageTestKit.WAIT).orElseThrow();
        assertThat(batch).hasSizeLessThanOrEqualTo(5);
        all.addAll(batch);
      }
      GenStage.stop(numbers, ExitReason.SHUTDOWN, StageTestKit.WAIT); // the consumer follows: permanent
      return all.subList(0, 30);
    });
    assertThat(received).isEqualTo(LongStream.range(0, 30).boxed().toList());
  }
}
