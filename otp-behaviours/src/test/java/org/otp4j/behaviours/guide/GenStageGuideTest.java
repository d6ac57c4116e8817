package org.otp4j.behaviours.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.behaviours.BehaviourTestKit.inProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.otp4j.behaviours.BehaviourTestKit.CaptureReports;
import org.otp4j.behaviours.stage.CancelMode;
import org.otp4j.behaviours.stage.ConsumerSupervisor;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.SubscribeTo;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

@ExtendWith(CaptureReports.class)
@DisplayName("Guide, chapter 11: GenStage")
class GenStageGuideTest {

  @Test
  @DisplayName("the pipeline squares the numbers in order, in batches of at most maxDemand - minDemand")
  void pipeline() {
    List<Long> squares = inProcess(() -> {
      Proc.trapExits(true);
      Pipeline.start(Proc.self());
      List<Long> all = new ArrayList<>();
      while (all.size() < 50) {
        @SuppressWarnings("unchecked")
        List<Long> batch = (List<Long>) Proc.receive(m -> m instanceof List<?>, GuideTestKit.WAIT).orElseThrow();
        assertThat(batch).hasSizeLessThanOrEqualTo(5);
        all.addAll(batch);
      }
      Pid printer = Proc.whereis(Name.local("printer")).orElseThrow();
      GenStage.stop(Name.local("counter"), ExitReason.SHUTDOWN, GuideTestKit.WAIT);
      assertThat(GuideTestKit.exitReason(printer)).isEqualTo(ExitReason.SHUTDOWN); // the crash travels down
      return all.subList(0, 50);
    });
    assertThat(squares).isEqualTo(LongStream.range(0, 50).map(n -> n * n).boxed().toList());
  }

  @Test
  @DisplayName("a queue: offered jobs wait in the producer's buffer; a manual consumer takes them one at a time")
  void queueAndManualDemand() {
    inProcess(() -> {
      Pid jobs = GenStage.startLink(new Stages.Jobs());
      Stages.Jobs.offer(jobs, "a", "b");
      assertThat(GenStage.bufferStats(jobs).buffered()).isEqualTo(2);
      GenStage.startLink(new Stages.OneAtATime(jobs, Proc.self()));
      Stages.Jobs.offer(jobs, "c");
      for (String job : List.of("a", "b", "c")) {
        assertThat(Proc.receive(m -> m instanceof String, GuideTestKit.WAIT)).contains("done " + job);
      }
      assertThat(GenStage.bufferStats(jobs).buffered()).isZero();
      return null;
    });
  }

  @Test
  @DisplayName("options: subscription bounds, broadcast with a selector, partitions")
  void options() {
    inProcess(() -> {
      SubscribeTo to = Stages.subscriptions(Proc.self()).getFirst();
      assertThat(to.maxDemand()).isEqualTo(100);
      assertThat(to.effectiveMinDemand()).isEqualTo(50);
      assertThat(to.cancel()).isEqualTo(CancelMode.TRANSIENT);
      assertThat(Stages.errorsOnly(Proc.self()).selector().test("ERROR disk full")).isTrue();
      assertThat(Stages.errorsOnly(Proc.self()).selector().test("INFO fine")).isFalse();

      Pid logs = GenStage.startLink(new Stages.Jobs(Stages.broadcastOptions()));
      Pid all = GenStage.startLink(new Collect(Proc.self(), "all"));
      Pid errors = GenStage.startLink(new Collect(Proc.self(), "errors"));
      GenStage.syncSubscribe(all, SubscribeTo.to(logs));
      GenStage.syncSubscribe(errors, Stages.errorsOnly(logs));
      Stages.Jobs.offer(logs, "INFO up", "ERROR disk full");
      GenStage.demand(logs, org.otp4j.behaviours.stage.DemandMode.FORWARD);
      assertThat(Proc.receive(m -> m instanceof Got g && g.who().equals("errors"), GuideTestKit.WAIT))
          .contains(new Got("errors", List.of("ERROR disk full")));
      assertThat(Proc.receive(m -> m instanceof Got g && g.who().equals("all"), GuideTestKit.WAIT))
          .contains(new Got("all", List.of("INFO up", "ERROR disk full")));

      Pid users = GenStage.startLink(new Stages.Jobs(Stages.partitioned()));
      int partition = Math.floorMod("ada".hashCode(), 4);
      Pid ada = GenStage.startLink(new Collect(Proc.self(), "partition"));
      GenStage.syncSubscribe(ada, SubscribeTo.to(users).withPartition(partition));
      Stages.Jobs.offer(users, "ada");
      assertThat(Proc.receive(m -> m instanceof Got, GuideTestKit.WAIT)).contains(new Got("partition", List.of("ada")));
      return null;
    });
  }

  /** What a {@link Collect} got. */
  record Got(String who, List<String> events) {}

  /** Reports each batch it gets. */
  static final class Collect extends org.otp4j.behaviours.stage.Consumer<Void, String> {
    private final Pid listener;
    private final String who;

    Collect(Pid listener, String who) {
      this.listener = listener;
      this.who = who;
    }

    @Override
    protected Init<Void> init() {
      return Init.ok(null);
    }

    @Override
    protected CastResult<Void, Void> handleEvents(List<String> events, org.otp4j.behaviours.stage.Subscription from,
        Void state) {
      Proc.send(listener, new Got(who, events));
      return noReply(state);
    }
  }

  @Test
  @DisplayName("a consumer supervisor starts a worker per job, at most maxDemand at once")
  void consumerSupervisor() {
    inProcess(() -> {
      Pid jobs = GenStage.startLink(new Stages.Jobs());
      Pid workers = Stages.workers(jobs, Proc.self());
      Stages.Jobs.offer(jobs, "x", "y");
      assertThat(List.of(Proc.receive(m -> m instanceof String, GuideTestKit.WAIT).orElseThrow(),
          Proc.receive(m -> m instanceof String, GuideTestKit.WAIT).orElseThrow()))
          .containsExactlyInAnyOrder("worked on x", "worked on y");
      GuideTestKit.await().until(() -> ConsumerSupervisor.countChildren(workers) == 0);
      return null;
    });
  }

  @Test
  @DisplayName("a producer as a Flow.Publisher, read by a plain Java subscriber")
  void flow() throws Exception {
    List<Object> seen = new CopyOnWriteArrayList<>();
    CountDownLatch three = new CountDownLatch(3);
    Pid counter = GenStage.start(new Pipeline.Counter());
    Flow.Publisher<Long> publisher = Stages.publisher(counter);
    publisher.subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(3);
      }

      @Override
      public void onNext(Long item) {
        seen.add(item);
        three.countDown();
      }

      @Override
      public void onError(Throwable throwable) {
        seen.add(throwable);
      }

      @Override
      public void onComplete() {
        seen.add("complete");
      }
    });
    assertThat(three.await(GuideTestKit.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(seen).containsExactly(0L, 1L, 2L);
    GenStage.stop(counter);
  }
}
