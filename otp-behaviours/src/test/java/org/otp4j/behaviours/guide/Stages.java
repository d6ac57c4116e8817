package org.otp4j.behaviours.guide;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.stage.BufferKeep;
import org.otp4j.behaviours.stage.CancelMode;
import org.otp4j.behaviours.stage.Consumer;
import org.otp4j.behaviours.stage.ConsumerSupervisor;
import org.otp4j.behaviours.stage.DemandMode;
import org.otp4j.behaviours.stage.Dispatcher;
import org.otp4j.behaviours.stage.GenStage;
import org.otp4j.behaviours.stage.Producer;
import org.otp4j.behaviours.stage.StageFlow;
import org.otp4j.behaviours.stage.SubscribeTo;
import org.otp4j.behaviours.stage.Subscription;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/** Chapter 11: the pieces of GenStage, one at a time. */
final class Stages {
  private Stages() {}

  /** A producer that emits what it is given by {@link #offer}, as demand allows; the rest waits in its buffer. */
  // region: queue
  static final class Jobs extends Producer<Void, String> {
    record Offer(List<String> jobs) {}

    private final Options options;

    Jobs() {
      this(Options.defaults().withBufferSize(1_000).withBufferKeep(BufferKeep.FIRST));
    }

    Jobs(Options options) {
      this.options = options;
    }

    static void offer(Pid jobs, String... more) {
      GenStage.call(jobs, new Offer(List.of(more)), GenStage.DEFAULT_CALL_TIMEOUT);
    }

    @Override
    protected Init<Void> init() {
      return Init.ok(null, options);
    }

    @Override
    protected CastResult<Void, String> handleDemand(long demand, Void state) {
      return noReply(state); // nothing to make: the jobs come from offer, and wait in the buffer
    }

    @Override
    protected CallResult<Void, String> handleCall(Object request, From from, Void state) {
      Offer offer = (Offer) request;
      return reply("ok", offer.jobs(), state);
    }
  }
  // endregion: queue

  /** A consumer that asks for its jobs one at a time. */
  // region: manual
  static final class OneAtATime extends Consumer<Subscription, String> {
    private final Pid jobs;
    private final Pid listener;

    OneAtATime(Pid jobs, Pid listener) {
      this.jobs = jobs;
      this.listener = listener;
    }

    @Override
    protected Init<Subscription> init() {
      return Init.ok(null, Options.subscribeTo(SubscribeTo.to(jobs)));
    }

    @Override
    protected SubscribeResult<Subscription> handleSubscribe(Peer peer, SubscribeTo options, Subscription from,
        Subscription none) {
      GenStage.ask(from, 1); // the first one
      return manual(from);
    }

    @Override
    protected CastResult<Subscription, Void> handleEvents(List<String> events, Subscription from, Subscription sub) {
      Proc.send(listener, "done " + events.getFirst());
      GenStage.ask(sub, 1); // and the next
      return noReply(sub);
    }
  }
  // endregion: manual

  static List<SubscribeTo> subscriptions(Pid producer) {
    List<SubscribeTo> all = new ArrayList<>();
    // region: subscribe-to
    SubscribeTo to = SubscribeTo.to(producer)
        .withMaxDemand(100)                 // at most 100 events in flight
        .withMinDemand(50)                  // ask again when 50 are left to come
        .withCancel(CancelMode.TRANSIENT);  // exit if the producer crashes, not if it stops normally
    // endregion: subscribe-to
    all.add(to);
    return all;
  }

  static GenStage.Options broadcastOptions() {
    // region: broadcast
    GenStage.Options options = GenStage.Options.defaults()
        .withDispatcher(Dispatcher.broadcast())
        .withDemand(DemandMode.ACCUMULATE); // hold everything until every consumer has subscribed
    // endregion: broadcast
    return options;
  }

  static SubscribeTo errorsOnly(Pid logs) {
    // region: selector
    SubscribeTo errors = SubscribeTo.to(logs).withSelector((String line) -> line.startsWith("ERROR"));
    // endregion: selector
    return errors;
  }

  static GenStage.Options partitioned() {
    // region: partition
    GenStage.Options options = GenStage.Options.defaults()
        .withDispatcher(Dispatcher.partition(4, (String user) -> Math.floorMod(user.hashCode(), 4)));
    // endregion: partition
    return options;
  }

  static Pid workers(Pid jobs, Pid listener) {
    // region: consumer-supervisor
    ConsumerSupervisor.Child<String> child = ConsumerSupervisor.child((String job) ->
        Proc.spawnLink(() -> Proc.send(listener, "worked on " + job)));
    Pid workers = ConsumerSupervisor.startLink(child.withRestart(ChildSpec.Restart.TRANSIENT),
        SubscribeTo.to(jobs).withMaxDemand(8)); // at most 8 jobs at once
    // endregion: consumer-supervisor
    return workers;
  }

  static <T> Flow.Publisher<T> publisher(Pid producer) {
    // region: flow
    Flow.Publisher<T> publisher = StageFlow.publisher(SubscribeTo.to(producer).withMaxDemand(64));
    // endregion: flow
    return publisher;
  }
}
