package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.behaviours.stage.StageTestKit.events;
import static org.otp4j.behaviours.stage.StageTestKit.exitReason;
import static org.otp4j.behaviours.stage.StageTestKit.expect;
import static org.otp4j.behaviours.stage.StageTestKit.expectNone;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.Sys;
import org.otp4j.behaviours.stage.StageTestKit.Cancelled;
import org.otp4j.behaviours.stage.StageTestKit.Collector;
import org.otp4j.behaviours.stage.StageTestKit.Demanded;
import org.otp4j.behaviours.stage.StageTestKit.Emit;
import org.otp4j.behaviours.stage.StageTestKit.Got;
import org.otp4j.behaviours.stage.StageTestKit.Numbers;
import org.otp4j.behaviours.stage.StageTestKit.Subscribed;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;

@ExtendWith(CaptureReports.class)
@DisplayName("GenStage dispatchers: demand, broadcast, partition (GS5)")
class DispatcherTest extends ProbeTest {
  private static GenStage.Options with(Dispatcher dispatcher) {
    return GenStage.Options.defaults().withDispatcher(dispatcher);
  }

  private static void emit(Pid producer, Long... events) {
    assertThat(GenStage.call(producer, new Emit(List.of(events)), StageTestKit.WAIT)).isEqualTo("ok");
  }

  /** Takes {@link Got} messages until {@code total} events have arrived, across stages; returns them by stage. */
  private List<Object> gotBy(Pid stage, List<Got> all) {
    List<Object> mine = new ArrayList<>();
    all.stream().filter(g -> g.stage().equals(stage)).forEach(g -> mine.addAll(g.events()));
    return mine;
  }

  private List<Got> collect(int total) {
    List<Got> all = new ArrayList<>();
    int n = 0;
    while (n < total) {
      Got g = expect(probe, Got.class, x -> true);
      all.add(g);
      n += g.events().size();
    }
    return all;
  }

  // ---------------------------------------------------------------------------------------
  // demand

  @Test
  @DisplayName("GS5: the demand dispatcher sends each event to one consumer; together they get every event once")
  void demandSplits() {
    // accumulated demand: both consumers are subscribed before the first event
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 200, GenStage.Options.defaults().withDemand(DemandMode.ACCUMULATE)));
    Pid a = GenStage.start(new Collector<Long>(probe.pid()));
    Pid b = GenStage.start(new Collector<Long>(probe.pid()));
    GenStage.syncSubscribe(a, SubscribeTo.to(numbers).withMaxDemand(10));
    GenStage.syncSubscribe(b, SubscribeTo.to(numbers).withMaxDemand(10));
    GenStage.demand(numbers, DemandMode.FORWARD);
    List<Got> all = collect(200);
    List<Object> fromA = gotBy(a, all);
    List<Object> fromB = gotBy(b, all);
    assertThat(fromA).isNotEmpty();
    assertThat(fromB).isNotEmpty();
    Set<Object> union = new HashSet<>(fromA);
    union.addAll(fromB);
    assertThat(fromA.size() + fromB.size()).isEqualTo(200);
    assertThat(union).isEqualTo(new HashSet<>(LongStream.range(0, 200).boxed().toList()));
    assertThat(fromA).isSorted();
    assertThat(fromB).isSorted();
    GenStage.stop(a);
    GenStage.stop(b);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS5: the demand dispatcher sends to the consumer with the most demand first")
  void demandPrefersTheHungriest() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 0, GenStage.Options.defaults())); // emits only when called
    Pid small = GenStage.start(new Collector<Long>(probe.pid(), true, SubscribeTo.to(numbers)));
    Pid big = GenStage.start(new Collector<Long>(probe.pid(), true, SubscribeTo.to(numbers)));
    Subscription toSmall = expect(probe, Subscribed.class, s -> s.stage().equals(small)).from();
    Subscription toBig = expect(probe, Subscribed.class, s -> s.stage().equals(big)).from();
    GenStage.ask(toSmall, 2);
    expect(probe, Demanded.class, d -> d.demand() == 2);
    GenStage.ask(toBig, 2);
    expect(probe, Demanded.class, d -> d.demand() == 2);
    GenStage.ask(toBig, 1);
    expect(probe, Demanded.class, d -> d.demand() == 1);
    emit(numbers, 1L, 2L, 3L);
    assertThat(expect(probe, Got.class, g -> true)).satisfies(g -> {
      assertThat(g.stage()).isEqualTo(big);
      assertThat(g.events()).containsExactly(1L, 2L, 3L);
    });
    emit(numbers, 4L, 5L, 6L);
    assertThat(expect(probe, Got.class, g -> true)).satisfies(g -> {
      assertThat(g.stage()).isEqualTo(small);
      assertThat(g.events()).containsExactly(4L, 5L);
    });
    assertThat(GenStage.bufferStats(numbers).buffered()).isEqualTo(1);
    GenStage.stop(small);
    GenStage.stop(big);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS5: demand a consumer left behind is not asked for again: the next asks use it up first")
  void demandOfALeaver() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 0, GenStage.Options.defaults()));
    Pid leaver = GenStage.start(new Collector<Long>(probe.pid(), true,
        SubscribeTo.to(numbers).withCancel(CancelMode.TEMPORARY)));
    Pid stayer = GenStage.start(new Collector<Long>(probe.pid(), true, SubscribeTo.to(numbers)));
    Subscription toLeaver = expect(probe, Subscribed.class, s -> s.stage().equals(leaver)).from();
    Subscription toStayer = expect(probe, Subscribed.class, s -> s.stage().equals(stayer)).from();
    GenStage.ask(toLeaver, 5);
    expect(probe, Demanded.class, d -> d.demand() == 5);
    GenStage.cancel(toLeaver, ExitReason.NORMAL);
    expect(probe, Cancelled.class, c -> c.stage().equals(numbers));
    GenStage.ask(toStayer, 3);
    expectNone(probe, m -> m instanceof Demanded, "demand already passed upstream for the consumer that left");
    emit(numbers, 7L, 8L, 9L);
    assertThat(events(probe, stayer, 3)).containsExactly(7L, 8L, 9L);
    GenStage.ask(toStayer, 3); // 2 of the leaver's 5 are still owed upstream
    assertThat(expect(probe, Demanded.class, d -> true).demand()).isEqualTo(1);
    GenStage.stop(leaver);
    GenStage.stop(stayer);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS5: the demand dispatcher warns when a consumer asks for more than the first subscription's maximum")
  void demandWarnsOnMixedMaximums(Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid a = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withMaxDemand(5)));
    expect(probe, Demanded.class, d -> d.demand() == 5);
    Pid b = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withMaxDemand(50)));
    assertThat(reports.awaitLabel("genstage_demand_dispatcher_max_demand", 1)).first()
        .satisfies(r -> assertThat(r.get("@message")).asString().startsWith(
            "GenStage producer DemandDispatcher expects a maximum demand of 5. Using different maximum demands "
                + "will overload greedy consumers. Got demand for 50 events from " + b));
    GenStage.stop(a);
    GenStage.stop(b);
    GenStage.stop(numbers);
    reports.withLabel("genstage_demand_dispatcher_max_demand"); // and the ones that followed, for b's later asks
  }

  // ---------------------------------------------------------------------------------------
  // broadcast

  @Test
  @DisplayName("GS5: the broadcast dispatcher sends every event to every consumer; a selector takes some; "
      + "accumulated demand lets every consumer subscribe before the first event")
  void broadcast() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 20,
        with(Dispatcher.broadcast()).withDemand(DemandMode.ACCUMULATE)));
    Pid a = GenStage.start(new Collector<Long>(probe.pid()));
    Pid b = GenStage.start(new Collector<Long>(probe.pid()));
    Pid evens = GenStage.start(new Collector<Long>(probe.pid()));
    GenStage.syncSubscribe(a, SubscribeTo.to(numbers).withMaxDemand(4));
    GenStage.syncSubscribe(b, SubscribeTo.to(numbers).withMaxDemand(7));
    GenStage.syncSubscribe(evens, SubscribeTo.to(numbers).withMaxDemand(3).withSelector((Long n) -> n % 2 == 0));
    GenStage.demand(numbers, DemandMode.FORWARD);
    List<Long> all = LongStream.range(0, 20).boxed().toList();
    assertThat(events(probe, a, 20)).isEqualTo(all);
    assertThat(events(probe, b, 20)).isEqualTo(all);
    assertThat(events(probe, evens, 10)).isEqualTo(all.stream().filter(n -> n % 2 == 0).toList());
    GenStage.stop(a);
    GenStage.stop(b);
    GenStage.stop(evens);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS5: a broadcast goes at the pace of the slowest consumer")
  void broadcastWaitsForTheSlowest() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), Long.MAX_VALUE, with(Dispatcher.broadcast())));
    Pid slow = GenStage.start(new Collector<Long>(probe.pid(), true, SubscribeTo.to(numbers)));
    Subscription toSlow = expect(probe, Subscribed.class, s -> s.stage().equals(slow)).from();
    Pid fast = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withMaxDemand(10)));
    expect(probe, Subscribed.class, s -> s.stage().equals(fast));
    GenStage.ask(toSlow, 2);
    assertThat(events(probe, slow, 2)).containsExactly(0L, 1L);
    assertThat(events(probe, fast, 2)).containsExactly(0L, 1L);
    expectNone(probe, m -> m instanceof Got, "events beyond what the slowest consumer asked for");
    GenStage.ask(toSlow, 3);
    assertThat(events(probe, slow, 3)).containsExactly(2L, 3L, 4L);
    assertThat(events(probe, fast, 3)).containsExactly(2L, 3L, 4L);
    GenStage.stop(fast);
    GenStage.stop(slow);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS5: the same process subscribing twice to a broadcast is refused with already_subscribed, and keeps "
      + "its first subscription")
  void broadcastTwice(Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 0, with(Dispatcher.broadcast())));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid()));
    GenStage.syncSubscribe(sink, SubscribeTo.to(numbers));
    assertThatThrownBy(() -> GenStage.syncSubscribe(sink, SubscribeTo.to(numbers)))
        .isInstanceOfSatisfying(SubscribeException.class,
            e -> assertThat(e.reason()).isEqualTo(ExitReason.of("already_subscribed")));
    assertThat(reports.awaitLabel("genstage_already_subscribed", 1)).hasSize(1);
    assertThat(Sys.getState(sink)).isInstanceOf(List.class); // a permanent consumer, still running
    emit(numbers, 1L);
    assertThat(events(probe, sink, 1)).containsExactly(1L);
    GenStage.stop(sink);
    GenStage.stop(numbers);
  }

  // ---------------------------------------------------------------------------------------
  // partition

  @Test
  @DisplayName("GS5: the partition dispatcher sends each event to its partition's consumer; NONE discards it")
  void partition() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 0,
        with(Dispatcher.partition(2, (Long n) -> n % 3 == 0 ? Dispatcher.NONE : (int) (n % 2)))));
    Pid even = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withPartition(0).withMaxDemand(4)));
    Pid odd = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withPartition(1).withMaxDemand(4)));
    expect(probe, Demanded.class, d -> d.demand() == 4);
    expect(probe, Demanded.class, d -> d.demand() == 4);
    // a discarded event does not use demand: 12 events fill the 8 asked for
    emit(numbers, 0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    assertThat(events(probe, even, 4)).containsExactly(2L, 4L, 8L, 10L);
    assertThat(events(probe, odd, 4)).containsExactly(1L, 5L, 7L, 11L);
    GenStage.stop(even);
    GenStage.stop(odd);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS5: events of a partition nobody has taken yet wait for its consumer")
  void partitionWaits() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 0, with(Dispatcher.partition(2))));
    Pid first = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withPartition(0)));
    expect(probe, Demanded.class, d -> d.demand() == 1000);
    emit(numbers, 0L, 1L, 2L, 3L); // Long.hashCode: evens to 0, odds to 1
    assertThat(events(probe, first, 2)).containsExactly(0L, 2L);
    Pid second = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withPartition(1)));
    assertThat(events(probe, second, 2)).containsExactly(1L, 3L);
    GenStage.stop(first);
    GenStage.stop(second);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS5: a partition subscription without a partition, with one that does not exist, or with one that is "
      + "taken is refused, named, and the producer carries on")
  void partitionRefusals() {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), 0, with(Dispatcher.partition(2))));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid()));
    Pid other = GenStage.start(new Collector<Long>(probe.pid()));
    SubscribeTo temporary = SubscribeTo.to(numbers).withCancel(CancelMode.TEMPORARY);
    assertThatThrownBy(() -> GenStage.syncSubscribe(sink, temporary)).isInstanceOf(SubscribeException.class)
        .hasMessageContaining("the partition option is required");
    assertThatThrownBy(() -> GenStage.syncSubscribe(sink, temporary.withPartition(2)))
        .isInstanceOf(SubscribeException.class).hasMessageContaining("partition must be one of 0..1, got 2");
    GenStage.syncSubscribe(sink, temporary.withPartition(1));
    assertThatThrownBy(() -> GenStage.syncSubscribe(other, temporary.withPartition(1)))
        .isInstanceOf(SubscribeException.class).hasMessageContaining("the partition 1 is already taken by " + sink);
    GenStage.syncSubscribe(other, temporary.withPartition(0));
    GenStage.stop(sink);
    GenStage.stop(other);
    GenStage.stop(numbers);
  }

  @Test
  @DisplayName("GS5: a hash that names a partition that does not exist crashes the producer, naming the event")
  void unknownPartition(Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid(), Long.MAX_VALUE, with(Dispatcher.partition(2, (Long n) -> 5))));
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(numbers).withPartition(0)
        .withCancel(CancelMode.TEMPORARY)));
    assertThat(exitReason(numbers)).isInstanceOfSatisfying(ExitReason.Crash.class, c -> assertThat(c.error())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("unknown partition 5 computed for GenStage event 0"));
    assertThat(reports.awaitLabel("gen_server_terminate", 1)).hasSize(1);
    GenStage.stop(sink);
  }
}
