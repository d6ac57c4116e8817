package org.otp4j.behaviours.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.otp4j.behaviours.stage.StageTestKit.exitReason;
import static org.otp4j.behaviours.stage.StageTestKit.expect;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.BehaviourTestKit.Reports;
import org.otp4j.behaviours.StartException;
import org.otp4j.behaviours.StartResult;
import org.otp4j.behaviours.Sys;
import org.otp4j.behaviours.stage.StageTestKit.Cancelled;
import org.otp4j.behaviours.stage.StageTestKit.Collector;
import org.otp4j.behaviours.stage.StageTestKit.Numbers;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
@DisplayName("GenStage: bad input gets a typed error that says what was wrong")
class GenStageBadInputTest extends ProbeTest {
  @Test
  @DisplayName("demand bounds are checked where they are written: maxDemand at least 1, 0 <= minDemand < maxDemand")
  void demandBounds() {
    SubscribeTo to = SubscribeTo.to(probe.pid());
    assertThatThrownBy(() -> to.withMaxDemand(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDemand must be at least 1, got 0");
    assertThatThrownBy(() -> to.withMaxDemand(-5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got -5");
    assertThatThrownBy(() -> to.withMinDemand(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minDemand must be at least 0 and less than maxDemand (1000), got -1");
    assertThatThrownBy(() -> to.withMaxDemand(10).withMinDemand(10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minDemand must be at least 0 and less than maxDemand (10), got 10");
    assertThatThrownBy(() -> to.withMinDemand(8).withMaxDemand(5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minDemand must be at least 0 and less than maxDemand (5), got 8");
    assertThatThrownBy(() -> to.withPartition(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partition must be at least 0, got -1");
    assertThat(to.withMaxDemand(1).effectiveMinDemand()).isZero();
    assertThat(to.withMaxDemand(9).effectiveMinDemand()).isEqualTo(4);
  }

  @Test
  @DisplayName("asking for negative demand is refused, from a thread or a process; asking for 0 does nothing")
  void negativeDemand() {
    Subscription sub = new Subscription(probe.pid(), Proc.makeRef());
    assertThatThrownBy(() -> GenStage.ask(sub, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("demand must not be negative, got -1");
    assertThat(BehaviourTestKit.inProcess(() -> catchThrowable(() -> GenStage.ask(sub, -3))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("demand must not be negative, got -3");
    GenStage.ask(sub, 0);
    assertThat(probe.receive(StageTestKit.QUIET)).isEmpty();
  }

  @Test
  @DisplayName("options are checked: a negative buffer size, a dispatcher without partitions")
  void badOptionValues() {
    assertThatThrownBy(() -> GenStage.Options.defaults().withBufferSize(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bufferSize must be at least 0 (or Options.UNBOUNDED), got -1");
    assertThatThrownBy(() -> Dispatcher.partition(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a partition dispatcher needs at least 1 partition, got 0");
  }

  @Test
  @DisplayName("subscribing to a consumer fails with NotAProducerException; the target logs it; a permanent "
      + "subscriber then exits with not_a_producer")
  void notAProducer(Reports reports) {
    Pid target = GenStage.start(new Collector<Long>(probe.pid()));
    Pid temporary = GenStage.start(new Collector<Long>(probe.pid()));
    assertThatThrownBy(() -> GenStage.syncSubscribe(temporary, SubscribeTo.to(target).withCancel(CancelMode.TEMPORARY)))
        .isInstanceOfSatisfying(NotAProducerException.class, e -> {
          assertThat(e.reason()).isEqualTo(GenStage.NOT_A_PRODUCER);
          assertThat(e).hasMessageContaining(target + " is a consumer, not a producer");
        });
    assertThat(Sys.getState(temporary)).isInstanceOf(List.class);

    Pid permanent = GenStage.start(new Collector<Long>(probe.pid()));
    assertThat(BehaviourTestKit.inProcess(() -> catchThrowable(() -> GenStage.syncSubscribe(permanent,
        SubscribeTo.to(target))))).isInstanceOf(NotAProducerException.class);
    assertThat(exitReason(permanent)).isEqualTo(GenStage.NOT_A_PRODUCER);
    // the target logs each message of the protocol it does not speak: two subscribes, two asks
    assertThat(reports.awaitLabel("genstage_not_a_producer", 4)).hasSize(4);
    assertThat(reports.awaitLabel("gen_server_terminate", 1)).hasSize(1);
    GenStage.stop(target);
    GenStage.stop(temporary);
  }

  @Test
  @DisplayName("a producer asked to subscribe fails with NotAConsumerException and carries on")
  void notAConsumer(Reports reports) {
    Pid numbers = GenStage.start(new Numbers(probe.pid()));
    Pid other = GenStage.start(new Numbers(probe.pid()));
    assertThatThrownBy(() -> GenStage.syncSubscribe(numbers, SubscribeTo.to(other)))
        .isInstanceOfSatisfying(NotAConsumerException.class,
            e -> assertThat(e).hasMessageContaining(numbers + " is a producer and cannot subscribe"));
    GenStage.asyncSubscribe(numbers, SubscribeTo.to(other));
    assertThat(reports.awaitLabel("genstage_not_a_consumer", 2)).hasSize(2);
    assertThat(Proc.isAlive(numbers)).isTrue();
    GenStage.stop(numbers);
    GenStage.stop(other);
  }

  @Test
  @DisplayName("subscribing to a name nobody holds, or a dead pid, fails with reason noproc; a permanent subscriber "
      + "exits, a temporary one carries on")
  void noSuchProducer(Reports reports) {
    Pid temporary = GenStage.start(new Collector<Long>(probe.pid()));
    assertThatThrownBy(() -> GenStage.syncSubscribe(temporary,
        SubscribeTo.to(Name.local("nobody")).withCancel(CancelMode.TEMPORARY)))
        .isInstanceOfSatisfying(SubscribeException.class, e -> {
          assertThat(e.reason()).isEqualTo(ExitReason.NOPROC);
          assertThat(e).hasMessageContaining("could not subscribe to nobody: it does not exist");
        });
    Pid dead = Node.current().spawn(() -> {});
    exitReason(dead);
    assertThatThrownBy(() -> GenStage.syncSubscribe(temporary, SubscribeTo.to(dead).withCancel(CancelMode.TEMPORARY)))
        .isInstanceOfSatisfying(SubscribeException.class, e -> assertThat(e.reason()).isEqualTo(ExitReason.NOPROC));
    assertThat(Sys.getState(temporary)).isInstanceOf(List.class);

    Pid permanent = GenStage.start(new Collector<Long>(probe.pid()));
    assertThatThrownBy(() -> GenStage.syncSubscribe(permanent, SubscribeTo.to(Name.local("nobody"))))
        .isInstanceOf(SubscribeException.class);
    assertThat(exitReason(permanent)).isEqualTo(ExitReason.NOPROC);
    assertThat(reports.awaitLabel("genstage_subscribe_noproc", 1)).hasSize(1);
    assertThat(reports.awaitLabel("gen_server_terminate", 1)).hasSize(1);
    GenStage.stop(temporary);
  }

  /** A producer whose init subscribes: options that do not fit a producer. */
  static final class SubscribingProducer extends Producer<Void, Long> {
    @Override
    protected Init<Void> init() {
      return Init.ok(null, Options.subscribeTo(SubscribeTo.to(Name.local("elsewhere"))));
    }

    @Override
    protected CastResult<Void, Long> handleDemand(long demand, Void state) {
      return noReply(state);
    }
  }

  /** A consumer with a dispatcher: options that do not fit a consumer. */
  static final class DispatchingConsumer extends Consumer<Void, Long> {
    @Override
    protected Init<Void> init() {
      return Init.ok(null, Options.defaults().withDispatcher(Dispatcher.broadcast()));
    }

    @Override
    protected CastResult<Void, Void> handleEvents(List<Long> events, Subscription from, Void state) {
      return noReply(state);
    }
  }

  @Test
  @DisplayName("GS1: options that do not fit the kind of stage fail its start with {bad_opts, message}")
  void badOptions(Reports reports) {
    assertThatThrownBy(() -> GenStage.start(new SubscribingProducer()))
        .isInstanceOfSatisfying(StartException.class, e -> assertThat(e.result()).isInstanceOfSatisfying(
            StartResult.Failed.class, f -> assertThat(f.reason()).isInstanceOfSatisfying(ExitReason.Custom.class,
                c -> assertThat(c.term()).isInstanceOfSatisfying(GenStage.BadOptions.class,
                    b -> assertThat(b.message()).contains("a producer cannot subscribe")))));
    assertThat(BehaviourTestKit.inProcess(() -> catchThrowable(() -> GenStage.start(new DispatchingConsumer()))))
        .isInstanceOfSatisfying(StartException.class,
            e -> assertThat(e.result().toString()).contains("bad_opts", "a consumer takes only subscribeTo"));
    assertThat(reports.awaitLabel("genstage_bad_opts", 2)).hasSize(2);
    assertThat(reports.awaitLabel("crash_report", 2)).hasSize(2);
  }

  /** A producer whose handleDemand returns null. */
  static final class Careless extends Producer<Void, Long> {
    @Override
    protected Init<Void> init() {
      return Init.ok(null);
    }

    @Override
    protected CastResult<Void, Long> handleDemand(long demand, Void state) {
      return null;
    }
  }

  @Test
  @DisplayName("GS1: a callback that returns null stops the stage with {bad_return_value, null}")
  void nullResult(Reports reports) {
    Pid careless = GenStage.start(new Careless());
    Pid sink = GenStage.start(new Collector<Long>(probe.pid(), SubscribeTo.to(careless).withCancel(CancelMode.TEMPORARY)));
    assertThat(exitReason(careless).toString()).isEqualTo("{bad_return_value,null}");
    assertThat(expect(probe, Cancelled.class, c -> c.stage().equals(sink)).cancellation().reason().toString())
        .isEqualTo("{bad_return_value,null}");
    assertThat(reports.awaitLabel("gen_server_terminate", 1)).hasSize(1);
    GenStage.stop(sink);
  }
}
