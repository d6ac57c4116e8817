package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.stage.StageTestKit.expect;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.stage.StageTestKit.Cancelled;
import org.otp4j.behaviours.stage.StageTestKit.Collector;
import org.otp4j.behaviours.stage.StageTestKit.Demanded;
import org.otp4j.behaviours.stage.StageTestKit.Emit;
import org.otp4j.behaviours.stage.StageTestKit.Numbers;
import org.otp4j.behaviours.stage.StageTestKit.Subscribed;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** GSTAGE: {@code sync_info}/{@code async_info}, {@code sync_resubscribe} and {@code GenStage.stream}. */
@ExtendWith(CaptureReports.class)
@DisplayName("GenStage: infos behind buffered events, resubscribe, and stages as Java streams")
class GenStageInfoStreamTest extends ProbeTest {
  /** What a stage's handleInfo saw: the message, and how many events {@code counter} had by then. */
  record InfoSeen(Object message, long counted) {}

  /** Asks the stage that gets it to report how many events {@code counter} has handled. */
  record CountAt(Pid counter) {}

  /** A producer that emits only on {@link Emit}; on {@link CountAt} it asks the consumer its count. */
  static final class Emitter extends Producer<Void, Long> {
    private final Pid probe;
    private final GenStage.Options options;

    Emitter(Pid probe, GenStage.Options options) {
      this.probe = probe;
      this.options = options;
    }

    @Override
    protected Init<Void> init() {
      return Init.ok(null, options);
    }

    @Override
    protected CastResult<Void, Long> handleDemand(long demand, Void state) {
      return noReply(state);
    }

    @Override
    protected CallResult<Void, Long> handleCall(Object request, From from, Void state) throws Exception {
      if (request instanceof Emit(List<?> events)) {
        @SuppressWarnings("unchecked")
        List<Long> numbers = (List<Long>) events;
        return reply("ok", numbers, state);
      }
      return super.handleCall(request, from, state);
    }

    @Override
    protected CastResult<Void, Long> handleInfo(Object message, Void state) {
      long counted = message instanceof CountAt(Pid counter) ? (Long) GenStage.call(counter, "count", StageTestKit.WAIT) : -1;
      Proc.send(probe, new InfoSeen(message, counted));
      return noReply(state);
    }
  }

  /** A consumer that counts its events (the call {@code "count"}) and reports its infos. */
  static final class Counter extends Consumer<Long, Long> {
    private final Pid probe;
    private final boolean manual;

    Counter(Pid probe, boolean manual) {
      this.probe = probe;
      this.manual = manual;
    }

    @Override
    protected Init<Long> init() {
      return Init.ok(0L);
    }

    @Override
    protected SubscribeResult<Long> handleSubscribe(Peer peer, SubscribeTo options, Subscription from, Long count) {
      return manual ? manual(count) : automatic(count);
    }

    @Override
    protected CastResult<Long, Void> handleEvents(List<Long> events, Subscription from, Long count) {
      return noReply(count + events.size());
    }

    @Override
    protected CallResult<Long, Void> handleCall(Object request, From from, Long count) throws Exception {
      return "count".equals(request) ? reply(count, count) : super.handleCall(request, from, count);
    }

    @Override
    protected CastResult<Long, Void> handleInfo(Object message, Long count) {
      Proc.send(probe, new InfoSeen(message, count));
      return noReply(count);
    }
  }

  /** Emits {@code 0..count-1} on its first demand, then stops with reason normal. */
  static final class Finite extends Producer<Void, Long> {
    private final long count;

    Finite(long count) {
      this.count = count;
    }

    @Override
    protected Init<Void> init() {
      return Init.ok(null);
    }

    @Override
    protected CastResult<Void, Long> handleDemand(long demand, Void state) {
      Proc.send(Proc.self(), "done");
      return noReply(LongStream.range(0, count).boxed().toList(), state);
    }

    @Override
    protected CastResult<Void, Long> handleInfo(Object message, Void state) {
      return "done".equals(message) ? stop(ExitReason.NORMAL, state) : noReply(state);
    }
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  @Test
  @DisplayName("a producer's info waits behind the events in its buffer, and reaches handleInfo once they are sent")
  void producerInfoFollowsBufferedEvents() {
    Pid producer = GenStage.start(new Emitter(probe.pid(), GenStage.Options.defaults()));
    Pid counter = GenStage.start(new Counter(probe.pid(), false));
    GenStage.call(producer, new Emit(range(0, 5)), StageTestKit.WAIT); // nobody asked: buffered
    assertThat(GenStage.bufferStats(producer).buffered()).isEqualTo(5);
    GenStage.syncInfo(producer, new CountAt(counter));
    GenStage.syncSubscribe(counter, SubscribeTo.to(producer));
    // The info comes after the five events were sent, so the counter, asked next, has them all.
    assertThat(expect(probe, InfoSeen.class, s -> true).counted()).isEqualTo(5);
    GenStage.stop(counter);
    GenStage.stop(producer);
  }

  @Test
  @DisplayName("with an empty buffer the info is handled at once; asyncInfo from a plain thread does the same")
  void infoWithNothingBuffered() {
    Pid producer = GenStage.start(new Emitter(probe.pid(), GenStage.Options.defaults()));
    GenStage.asyncInfo(producer, "now");
    assertThat(expect(probe, InfoSeen.class, s -> true).message()).isEqualTo("now");
    GenStage.stop(producer);
  }

  @Test
  @DisplayName("a consumer holds no events: its info is handled at once")
  void consumerInfo() {
    Pid counter = GenStage.start(new Counter(probe.pid(), false));
    GenStage.syncInfo(counter, "hello");
    assertThat(expect(probe, InfoSeen.class, s -> true)).isEqualTo(new InfoSeen("hello", 0L));
    GenStage.stop(counter);
  }

  @Test
  @DisplayName("with a partition dispatcher the info waits behind the events queued in the partitions")
  void partitionInfo() {
    Pid producer = GenStage.start(new Emitter(probe.pid(), GenStage.Options.defaults()
        .withDispatcher(Dispatcher.partition(2, e -> (int) ((Long) e % 2)))));
    Pid even = GenStage.start(new Counter(probe.pid(), true));
    Pid odd = GenStage.start(new Counter(probe.pid(), true));
    Subscription evens = GenStage.syncSubscribe(even, SubscribeTo.to(producer).withPartition(0));
    Subscription odds = GenStage.syncSubscribe(odd, SubscribeTo.to(producer).withPartition(1));
    GenStage.ask(evens, 1);
    GenStage.ask(odds, 10);
    GenStage.call(producer, new Emit(List.of(0L, 2L, 4L, 6L)), StageTestKit.WAIT); // 0 sent; 2, 4, 6 queued
    GenStage.syncInfo(producer, new CountAt(even));
    StageTestKit.expectNone(probe, m -> m instanceof InfoSeen, "the info before the queued events are sent");
    GenStage.ask(evens, 3);
    assertThat(expect(probe, InfoSeen.class, s -> true).counted()).isEqualTo(4);
    GenStage.stop(even);
    GenStage.stop(odd);
    GenStage.stop(producer);
  }

  @Test
  @DisplayName("resubscribe cancels the old subscription with the reason given and subscribes again with new options")
  void resubscribe() {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid collector = GenStage.start(new Collector<Long>(probe.pid(),
        SubscribeTo.to(numbers).withMaxDemand(10).withCancel(CancelMode.TEMPORARY)));
    Subscription old = expect(probe, Subscribed.class, s -> s.stage().equals(collector)).from();
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(10);

    Subscription fresh = GenStage.syncResubscribe(collector, old, ExitReason.of("resize"),
        SubscribeTo.to(numbers).withMaxDemand(2));

    assertThat(fresh.tag()).isNotEqualTo(old.tag());
    assertThat(fresh.pid()).isEqualTo(numbers);
    Cancelled atProducer = expect(probe, Cancelled.class, c -> c.stage().equals(numbers));
    assertThat(atProducer.cancellation().reason()).isEqualTo(ExitReason.of("resize"));
    Cancelled atConsumer = expect(probe, Cancelled.class, c -> c.stage().equals(collector));
    assertThat(atConsumer.from().tag()).isEqualTo(old.tag());
    // The old subscription asked 10, then 5 at a time; the new one asks 2 first.
    expect(probe, Demanded.class, d -> d.demand() == 2);
    assertThat(Proc.isAlive(collector)).isTrue(); // temporary: the cancellation did not stop it
    GenStage.stop(collector);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("resubscribe names the subscription's own producer; another one is refused, typed")
  void resubscribeElsewhereIsRefused() {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid other = GenStage.start(new Numbers(probe.pid()));
    Pid collector = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers)));
    Subscription old = expect(probe, Subscribed.class, s -> s.stage().equals(collector)).from();
    assertThatThrownBy(() -> GenStage.syncResubscribe(collector, old, ExitReason.NORMAL, SubscribeTo.to(other)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("own producer");
    GenStage.stop(collector);
    GenStage.stop(numbers);
    GenStage.stop(other);
  }

  @Test
  @DisplayName("a stream from a plain thread reads the producer's events, asking for at most maxDemand at a time; "
      + "closing it cancels the subscription")
  void streamFromAThread() {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    // region: stream
    List<Long> first;
    try (Stream<Long> events = GenStage.stream(SubscribeTo.to(numbers).withMaxDemand(10))) {
      first = events.limit(25).toList();
    }
    // endregion: stream
    assertThat(first).isEqualTo(range(0, 25));
    Cancelled cancelled = expect(probe, Cancelled.class, c -> c.stage().equals(numbers));
    assertThat(cancelled.cancellation().reason()).isEqualTo(ExitReason.NORMAL);
    List<Object> demands = new ArrayList<>();
    probe.flush().forEach(m -> {
      if (m instanceof Demanded d) {
        demands.add(d.demand());
      }
    });
    assertThat(demands).isNotEmpty().allSatisfy(d -> assertThat((Long) d).isBetween(1L, 10L));
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("a stream read by a process is cancelled when that process exits, closed or not")
  void streamInAProcess() {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid probePid = probe.pid();
    Proc.spawn(() -> {
      Stream<Long> events = GenStage.stream(SubscribeTo.to(numbers).withMaxDemand(4));
      Proc.send(probePid, events.limit(3).toList()); // not closed: the process just ends
    });
    assertThat(expect(probe, List.class, l -> true)).isEqualTo(range(0, 3));
    expect(probe, Cancelled.class, c -> c.stage().equals(numbers));
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("transient: a producer that ends normally ends the stream; permanent: its end is an exception, even "
      + "normal")
  void streamEnds() {
    Pid transientOne = GenStage.start(new Finite(5));
    assertThat(GenStage.<Long>stream(SubscribeTo.to(transientOne).withCancel(CancelMode.TRANSIENT)).toList())
        .isEqualTo(range(0, 5));

    Pid permanentOne = GenStage.start(new Finite(3));
    Iterator<Long> it = GenStage.<Long>stream(SubscribeTo.to(permanentOne)).iterator();
    List<Long> read = new ArrayList<>();
    assertThatThrownBy(() -> it.forEachRemaining(read::add))
        .isInstanceOfSatisfying(StageFlow.ProducerExitException.class,
            e -> assertThat(e.reason()).isEqualTo(ExitReason.NORMAL));
    assertThat(read).isEqualTo(range(0, 3));
  }

  @Test
  @DisplayName("a stream of several producers ends when the last one has ended")
  void streamOfTwo() {
    Pid a = GenStage.start(new Finite(3));
    Pid b = GenStage.start(new Finite(4));
    List<Long> all = GenStage.<Long>stream(SubscribeTo.to(a).withCancel(CancelMode.TEMPORARY),
        SubscribeTo.to(b).withCancel(CancelMode.TRANSIENT)).toList();
    assertThat(all).hasSize(7).containsAll(range(0, 4));
  }

  @Test
  @DisplayName("a missing producer: a permanent subscription throws, typed; a temporary one is an empty stream")
  void streamOfNobody() {
    Name nobody = Name.local("stream-test-nobody");
    assertThatThrownBy(() -> GenStage.stream(SubscribeTo.to(nobody)).toList())
        .isInstanceOfSatisfying(SubscribeException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC))
        .hasMessageContaining("stream-test-nobody");
    assertThat(GenStage.stream(SubscribeTo.to(nobody).withCancel(CancelMode.TEMPORARY)).toList()).isEmpty();
    assertThatThrownBy(() -> GenStage.stream(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
