package org.otp4j.behaviours.stage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Inbox;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The stages the GenStage tests share, each reporting what it sees to a probe (an {@link Inbox} of
 * the test thread, or a process), and bounded waits. A stage's reports come from its own process, in
 * the order its callbacks ran.
 */
final class StageTestKit {
  private StageTestKit() {}

  static final Duration WAIT = Duration.ofSeconds(5);
  static final Duration QUIET = Duration.ofMillis(300);

  static ConditionFactory await() {
    return Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).pollDelay(Duration.ZERO);
  }

  /** A producer got demand. */
  record Demanded(Pid stage, long demand) {}

  /** A consumer got events. */
  record Got(Pid stage, List<Object> events, Subscription from) {}

  /** A stage's handleCancel ran. */
  record Cancelled(Pid stage, GenStage.Cancellation cancellation, Subscription from) {}

  /** A stage's handleSubscribe ran. */
  record Subscribed(Pid stage, GenStage.Peer peer, Subscription from) {}

  /** Emit these events now (a call to a producer; replies "ok"). */
  record Emit(List<?> events) {}

  /**
   * The numbers from {@code next} on, as many as are asked for, unless {@code limit} is reached;
   * reports each demand. {@link Emit} emits events outside demand.
   */
  static final class Numbers extends Producer<Long, Long> {
    private final Pid probe;
    private final long limit;
    private final GenStage.Options options;

    Numbers(Pid probe) {
      this(probe, Long.MAX_VALUE, GenStage.Options.defaults());
    }

    Numbers(Pid probe, long limit, GenStage.Options options) {
      this.probe = probe;
      this.limit = limit;
      this.options = options;
    }

    @Override
    protected Init<Long> init() {
      return Init.ok(0L, options);
    }

    @Override
    protected CastResult<Long, Long> handleDemand(long demand, Long next) {
      Proc.send(probe, new Demanded(Proc.self(), demand));
      long end = Math.min(limit, next + demand);
      return noReply(LongStream.range(next, end).boxed().toList(), end);
    }

    @Override
    protected CallResult<Long, Long> handleCall(Object request, From from, Long next) throws Exception {
      if (request instanceof Emit(List<?> events)) {
        @SuppressWarnings("unchecked")
        List<Long> numbers = (List<Long>) events;
        return reply("ok", numbers, next);
      }
      return super.handleCall(request, from, next);
    }

    @Override
    protected CastResult<Long, Long> handleCancel(Cancellation cancellation, Subscription from, Long next) {
      Proc.send(probe, new Cancelled(Proc.self(), cancellation, from));
      return noReply(next);
    }

    @Override
    protected SubscribeResult<Long> handleSubscribe(Peer peer, SubscribeTo options, Subscription from, Long next) {
      Proc.send(probe, new Subscribed(Proc.self(), peer, from));
      return automatic(next);
    }
  }

  /**
   * A consumer that reports what it gets, its subscriptions and cancellations; manual if asked, and
   * then it asks for nothing itself. A {@code "crash"} cast makes it throw.
   */
  static final class Collector<E> extends Consumer<List<E>, E> {
    private final Pid probe;
    private final List<SubscribeTo> subscribeTo;
    private final boolean manual;

    Collector(Pid probe, SubscribeTo... subscribeTo) {
      this(probe, false, subscribeTo);
    }

    Collector(Pid probe, boolean manual, SubscribeTo... subscribeTo) {
      this.probe = probe;
      this.manual = manual;
      this.subscribeTo = List.of(subscribeTo);
    }

    @Override
    protected Init<List<E>> init() {
      return Init.ok(new ArrayList<>(), GenStage.Options.defaults().withSubscribeTo(subscribeTo));
    }

    @Override
    protected SubscribeResult<List<E>> handleSubscribe(Peer peer, SubscribeTo options, Subscription from,
        List<E> seen) {
      Proc.send(probe, new Subscribed(Proc.self(), peer, from));
      return manual ? manual(seen) : automatic(seen);
    }

    @Override
    protected CastResult<List<E>, Void> handleEvents(List<E> events, Subscription from, List<E> seen) {
      seen.addAll(events);
      Proc.send(probe, new Got(Proc.self(), List.<Object>copyOf(events), from));
      return noReply(seen);
    }

    @Override
    protected CastResult<List<E>, Void> handleCancel(Cancellation cancellation, Subscription from, List<E> seen) {
      Proc.send(probe, new Cancelled(Proc.self(), cancellation, from));
      return noReply(seen);
    }

    @Override
    protected CastResult<List<E>, Void> handleCast(Object request, List<E> seen) throws Exception {
      if ("crash".equals(request)) {
        throw new IllegalStateException("crash on request");
      }
      return super.handleCast(request, seen);
    }
  }

  /** Receives the next message of type {@code type} from {@code stage} that {@code filter} accepts. */
  static <T> T expect(Inbox probe, Class<T> type, Predicate<T> filter) {
    Object m = probe.receive(x -> type.isInstance(x) && filter.test(type.cast(x)), WAIT)
        .orElseThrow(() -> new AssertionError("expected a " + type.getSimpleName() + " within " + WAIT
            + "; the probe holds " + probe.flush()));
    return type.cast(m);
  }

  /** Collects {@link Got} events from {@code stage} until {@code count} have arrived; returns them in order. */
  static List<Object> events(Inbox probe, Pid stage, int count) {
    List<Object> all = new ArrayList<>();
    while (all.size() < count) {
      all.addAll(expect(probe, Got.class, g -> g.stage().equals(stage)).events());
    }
    return all;
  }

  /** Asserts that nothing matching {@code filter} arrives within {@link #QUIET}. */
  static void expectNone(Inbox probe, Predicate<Object> filter, String what) {
    probe.receive(filter, QUIET).ifPresent(m -> {
      throw new AssertionError("unexpected " + what + ": " + m);
    });
  }

  /** The exit reason of a process that must end promptly. */
  static ExitReason exitReason(Pid pid) {
    return Proc.awaitExit(pid, WAIT).orElseThrow(() -> new AssertionError(pid + " is still alive after " + WAIT));
  }
}
