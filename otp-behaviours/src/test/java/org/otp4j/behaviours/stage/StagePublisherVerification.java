package org.otp4j.behaviours.stage;

import java.util.List;
import java.util.concurrent.Flow;
import java.util.stream.LongStream;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/**
 * The Reactive Streams TCK's publisher rules, applied to {@link StageFlow#publisher}: each publisher
 * is a fresh producer of {@code elements} numbers that stops normally after the last. A TestNG class,
 * run by {@link StagePublisherTckTest}.
 */
public class StagePublisherVerification extends FlowPublisherVerification<Long> {

  public StagePublisherVerification() {
    super(new TestEnvironment(500), 1_000);
  }

  /** The numbers 0 to {@code count - 1}, as asked for; then it stops, normally. */
  static final class Range extends Producer<Long, Long> {
    private final long count;

    Range(long count) {
      this.count = count;
    }

    @Override
    protected Init<Long> init() {
      return Init.ok(0L);
    }

    @Override
    protected CastResult<Long, Long> handleDemand(long demand, Long next) {
      long end = next + Math.min(demand, count - next);
      if (end == count) {
        Proc.send(Proc.self(), "done"); // after these events have gone out
      }
      List<Long> events = LongStream.range(next, end).boxed().toList();
      return noReply(events, end);
    }

    @Override
    protected CastResult<Long, Long> handleInfo(Object message, Long next) {
      return "done".equals(message) ? stop(ExitReason.NORMAL, next) : noReply(next);
    }
  }

  @Override
  public Flow.Publisher<Long> createFlowPublisher(long elements) {
    Pid producer = GenStage.start(new Range(elements));
    return StageFlow.publisher(SubscribeTo.to(producer).withMaxDemand(16));
  }

  @Override
  public Flow.Publisher<Long> createFailedFlowPublisher() {
    return StageFlow.publisher(Name.local("no-such-producer"));
  }

  @Override
  public long maxElementsFromPublisher() {
    return Long.MAX_VALUE - 1;
  }
}
