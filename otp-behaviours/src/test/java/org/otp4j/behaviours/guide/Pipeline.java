package org.otp4j.behaviours.guide;

import java.util.List;
import java.util.stream.LongStream;
import org.otp4j.behaviours.stage.Consumer;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.Producer;
import org.otp4j.behaviours.stage.ProducerConsumer;
import org.otp4j.behaviours.stage.SubscribeTo;
import org.otp4j.behaviours.stage.Subscription;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Chapter 11: a three-stage pipeline, producer to producer_consumer to consumer. */
final class Pipeline {
  private Pipeline() {}

  // region: pipeline
  /** Emits the numbers from 0 on, exactly as many as its consumers ask for. */
  static final class Counter extends Producer<Long, Long> {
    @Override
    protected Init<Long> init() {
      return Init.ok(0L);
    }

    @Override
    protected CastResult<Long, Long> handleDemand(long demand, Long next) {
      List<Long> events = LongStream.range(next, next + demand).boxed().toList();
      return noReply(events, next + demand);
    }
  }

  /** Squares what it takes, at the pace its own consumers ask. */
  static final class Squarer extends ProducerConsumer<Void, Long, Long> {
    @Override
    protected Init<Void> init() {
      return Init.ok(null, Options.subscribeTo(SubscribeTo.to(Name.local("counter"))));
    }

    @Override
    protected CastResult<Void, Long> handleEvents(List<Long> events, Subscription from, Void state) {
      return noReply(events.stream().map(n -> n * n).toList(), state);
    }
  }

  /** Sends each batch it takes to {@code listener}. */
  static final class Printer extends Consumer<Pid, Long> {
    private final Pid listener;

    Printer(Pid listener) {
      this.listener = listener;
    }

    @Override
    protected Init<Pid> init() {
      return Init.ok(listener, Options.subscribeTo(SubscribeTo.to(Name.local("squarer")).withMaxDemand(10)));
    }

    @Override
    protected CastResult<Pid, Void> handleEvents(List<Long> events, Subscription from, Pid listener) {
      Proc.send(listener, events);
      return noReply(listener);
    }
  }

  static void start(Pid listener) {
    GenStage.startLink(Name.local("counter"), new Counter());
    GenStage.startLink(Name.local("squarer"), new Squarer());
    GenStage.startLink(Name.local("printer"), new Printer(listener));
  }
  // endregion: pipeline
}
