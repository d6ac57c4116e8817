package org.otp4j.behaviours.stage;

import org.otp4j.core.internal.ReportLog;
import org.slf4j.event.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.internal.Bridge;
import org.otp4j.core.Address;
import org.otp4j.core.Down;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Ref;
import org.otp4j.core.ServerRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of one stage: a {@link GenServer} whose state is the user's stage state, as Elixir's
 * GenStage is a {@code gen_server}. The start handshake, calls, system messages, terminate and crash
 * reports are the GenServer's; this class adds the stage protocol.
 *
 * <h2>Implementation notes</h2>
 * The stage's bookkeeping (subscriptions, dispatcher, buffer) lives in fields: the object belongs to
 * its process. The user's state is kept in {@link #state} while a GenServer callback runs, and given
 * back to the GenServer at its end. A user callback that returns stop, deep inside a dispatch,
 * unwinds with {@link StopStage} to the GenServer callback, which returns the GenServer's stop.
 *
 * <p>Each subscription's tag is the monitor the consumer set on its producer; the producer monitors
 * the consumer in turn. A producer_consumer handles upstream events only while its own consumers have
 * demand ({@link #pcCounter}): the rest wait in {@link #pcQueue}, with cancellations in their order.
 */
final class StageServer<S, I, O> extends GenServer<S, Object> {
  static final Logger LOG = LoggerFactory.getLogger(GenStage.class);

  private enum Kind { PRODUCER, CONSUMER, PRODUCER_CONSUMER }

  /** A consumer, seen from its producer. */
  private record ConsumerLink(Pid pid, Ref monitor) {}

  /** A producer, seen from its consumer; the demand fields are for automatic subscriptions. */
  private static final class ProducerLink {
    final Pid pid;
    final CancelMode cancel;
    final boolean manual;
    final long min;
    final long max;
    long demand;

    ProducerLink(Pid pid, CancelMode cancel, boolean manual, long min, long max) {
      this.pid = pid;
      this.cancel = cancel;
      this.manual = manual;
      this.min = min;
      this.max = max;
      this.demand = max;
    }
  }

  /** Held events of a producer_consumer, or a cancellation in their order. */
  private record PendingEvents(List<?> events, Ref tag, Pid producer) {}

  private record PendingCancel(CancelMode mode, GenStage.Cancellation cancellation, Subscription from) {}

  /** An info held in a producer_consumer's queue, behind the events before it. */
  private record PendingInfo(Object message) {}

  /** Held work of a producer in {@link DemandMode#ACCUMULATE}. */
  private record HeldDemand(long demand) {}

  private record HeldInfo(Object message) {}

  private record HeldEvents(List<Object> events) {}

  /** One batch for handleEvents, and the demand to ask for after it. */
  private record Batch(List<?> events, long ask) {}

  /** A stop from deep inside the stage's own code. */
  private static final class StopStage extends RuntimeException {
    final transient ExitReason reason;

    StopStage(ExitReason reason) {
      super(String.valueOf(reason), null, false, false);
      this.reason = reason;
    }
  }

  private final GenStage<S, I, O> stage;
  private final Kind kind;
  private S state;
  private Pid self;

  // producer side
  private DispatchEngine dispatcher;
  private Buffer buffer;
  private long discarded;
  private final Map<Ref, ConsumerLink> consumers = new HashMap<>();
  private final Map<Ref, Ref> consumerMonitors = new HashMap<>();
  /** Null while forwarding demand; the held demand and events while accumulating. */
  private List<Object> held;

  // consumer side
  private final Map<Ref, ProducerLink> producers = new HashMap<>();
  private final Map<Ref, From> pendingSubscribes = new HashMap<>();

  // producer_consumer
  private final ArrayDeque<Object> pcQueue = new ArrayDeque<>();
  private long pcCounter;

  StageServer(GenStage<S, I, O> stage) {
    Bridge.nameBehaviour(this, "GenStage");
    this.stage = java.util.Objects.requireNonNull(stage, "stage");
    this.kind = switch (stage) {
      case Producer<?, ?> p -> Kind.PRODUCER;
      case Consumer<?, ?> c -> Kind.CONSUMER;
      case ProducerConsumer<?, ?, ?> pc -> Kind.PRODUCER_CONSUMER;
    };
  }

  // =====================================================================================
  // client side helpers

  static Object call(Address stage, Object request, Duration timeout) {
    return switch (stage) {
      case Pid pid -> GenServer.call(pid, request, timeout);
      case Name name -> GenServer.call(name, request, timeout);
      case ServerRef<?> ref -> call(ref.address(), request, timeout);
    };
  }

  static void cast(Address stage, Object request) {
    switch (stage) {
      case Pid pid -> GenServer.cast(pid, request);
      case Name name -> GenServer.cast(name, request);
      case ServerRef<?> ref -> cast(ref.address(), request);
    }
  }

  /** Demand arithmetic that saturates: a consumer may ask for "everything" more than once. */
  static long plus(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  // =====================================================================================
  // GenServer callbacks

  @Override
  protected Init<S> init() throws Exception {
    self = Proc.self();
    GenStage.Init<S> init = stage.init();
    switch (init) {
      case null -> {
        return Init.stop(ExitReason.of(new BadReturn(null)));
      }
      case GenStage.Init.Ignore<S> ignore -> {
        return Init.ignore();
      }
      case GenStage.Init.Stop<S> stop -> {
        return Init.stop(stop.reason());
      }
      case GenStage.Init.Ok<S> ok -> {
        state = ok.state();
        String bad = configure(ok.options());
        if (bad != null) {
          ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_bad_opts").addKeyValue("stage", self).addKeyValue("message", bad)
              .log("GenStage {} ({}) has bad options: {}", self, stage.getClass().getName(), bad);
          return Init.stop(ExitReason.of(new GenStage.BadOptions(bad)));
        }
        try {
          for (SubscribeTo to : subscriptionsAtInit(ok.options())) {
            subscribe(to, null, null);
          }
        } catch (StopStage s) {
          return Init.stop(s.reason);
        }
        return Init.ok(state);
      }
    }
  }

  /** Applies the options; returns what is wrong with them, or null. */
  private String configure(GenStage.Options options) {
    if (kind == Kind.CONSUMER) {
      if (options.dispatcher() != null || options.bufferSize() != null || options.bufferKeep() != null
          || options.demand() != null) {
        return "a consumer takes only subscribeTo; got " + options;
      }
      return null;
    }
    if (kind == Kind.PRODUCER && options.subscribeTo() != null) {
      return "a producer cannot subscribe to other stages; got subscribeTo " + options.subscribeTo()
          + " (make it a ProducerConsumer)";
    }
    if (kind == Kind.PRODUCER_CONSUMER && options.demand() != null) {
      return "demand mode is for producers only; got " + options.demand();
    }
    Dispatcher d = options.dispatcher() != null ? options.dispatcher() : Dispatcher.demand();
    dispatcher = DispatchEngine.of(d, self);
    long size = options.bufferSize() != null ? options.bufferSize()
        : kind == Kind.PRODUCER ? 10_000 : GenStage.Options.UNBOUNDED;
    buffer = new Buffer(size, options.bufferKeep() != null ? options.bufferKeep() : BufferKeep.LAST);
    if (options.demand() == DemandMode.ACCUMULATE) {
      held = new ArrayList<>();
    }
    return null;
  }

  private static List<SubscribeTo> subscriptionsAtInit(GenStage.Options options) {
    return options.subscribeTo() == null ? List.of() : options.subscribeTo();
  }

  @Override
  protected CallResult<S> handleCall(Object request, From from, S current) throws Exception {
    return withState(current, () -> {
      switch (request) {
        case Protocol.SubscribeRequest r -> {
          if (kind == Kind.PRODUCER) {
            notAConsumer(r.to());
            return reply(new Protocol.SubscribeAnswer.Refused(NotAConsumerException.REASON), state);
          }
          subscribe(r.to(), from, r.replacing());
          return noReply(state);
        }
        case Protocol.QueueInfo info -> {
          queueInfo(info.message());
          return reply(Boolean.TRUE, state);
        }
        case Protocol.UserCall call -> {
          return callResult(stage.handleCall(call.request(), from, state), from);
        }
        case Protocol.GetDemandMode g -> {
          return reply(held == null ? DemandMode.FORWARD : DemandMode.ACCUMULATE, state);
        }
        case Protocol.GetBufferStats g -> {
          if (kind == Kind.CONSUMER) {
            ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_not_a_producer").addKeyValue("stage", self)
                .log("Buffered count can only be requested for producers, GenStage {} is a consumer", self);
            return reply(new GenStage.BufferStats(0, 0), state);
          }
          return reply(new GenStage.BufferStats(buffer.size(), discarded), state);
        }
        default -> {
          return stop(ExitReason.of(new BadRequest("bad_call", request)), state);
        }
      }
    });
  }

  @Override
  protected CastResult<S> handleCast(Object request, S current) throws Exception {
    return withState(current, () -> {
      switch (request) {
        case Protocol.SubscribeRequest r -> {
          if (kind == Kind.PRODUCER) {
            notAConsumer(r.to());
          } else {
            subscribe(r.to(), null, r.replacing());
          }
        }
        case Protocol.QueueInfo info -> queueInfo(info.message());
        case Protocol.UserCast cast -> apply(stage.handleCast(cast.request(), state));
        case Protocol.SetDemandMode mode -> setDemandMode(mode.mode());
        default -> {
          return stop(ExitReason.of(new BadRequest("bad_cast", request)), state);
        }
      }
      return noReply(state);
    });
  }

  @Override
  protected CastResult<S> handleInfo(Object message, S current) throws Exception {
    return withState(current, () -> {
      switch (message) {
        case Protocol.ToProducer m -> toProducer(m);
        case Protocol.ToConsumer m -> toConsumer(m);
        case Down down when producers.containsKey(down.ref()) ->
            consumerCancel(down.ref(), GenStage.Cancellation.Kind.DOWN, down.reason());
        case Down down when consumerMonitors.containsKey(down.ref()) ->
            producerCancel(consumerMonitors.get(down.ref()), GenStage.Cancellation.Kind.DOWN, down.reason());
        default -> apply(stage.handleInfo(message, state));
      }
      return noReply(state);
    });
  }

  /**
   * Runs the stage's handling of one message with the GenServer's {@code current} state; a stop from
   * deep inside ({@link StopStage}) becomes the GenServer's stop.
   */
  @SuppressWarnings("unchecked")
  private <R extends Result<S>> R withState(S current, UserCallback<R> handling) throws Exception {
    state = current;
    try {
      return handling.call();
    } catch (StopStage s) {
      return (R) stop(s.reason, state);
    }
  }

  @Override
  protected void terminate(ExitReason reason, S current) throws Exception {
    stage.terminate(reason, current);
  }

  // =====================================================================================
  // results of the user's callbacks

  private CallResult<S> callResult(GenStage.CallResult<S, O> result, From from) {
    switch (result) {
      case GenStage.Reply<S, O> r -> {
        state = r.state();
        dispatch(r.events());
        return reply(r.reply(), state);
      }
      case GenStage.NoReply<S, O> r -> {
        apply(r);
        return noReply(state);
      }
      case GenStage.Stop<S, O> r -> {
        return stop(r.reason(), r.state());
      }
      case GenStage.StopReply<S, O> r -> {
        return stop(r.reason(), r.reply(), r.state());
      }
      case null -> {
        return stop(ExitReason.of(new BadReturn(null)), state);
      }
    }
  }

  /** Takes a callback's result: the state, the events to emit, or a stop. */
  private void apply(GenStage.CastResult<S, O> result) {
    switch (result) {
      case GenStage.NoReply<S, O> r -> {
        state = r.state();
        dispatch(r.events());
      }
      case GenStage.Stop<S, O> r -> {
        state = r.state();
        throw new StopStage(r.reason());
      }
      case null -> throw new StopStage(ExitReason.of(new BadReturn(null)));
    }
  }

  /**
   * Runs a user callback from code that cannot declare what it throws; what it throws goes out
   * unchanged, to the GenServer's guard, and becomes the stage's exit reason.
   */
  private static <T> T run(UserCallback<T> callback) {
    try {
      return callback.call();
    } catch (Exception e) {
      throw StageServer.<RuntimeException>rethrow(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <X extends Throwable> X rethrow(Throwable t) throws X {
    throw (X) t;
  }

  @FunctionalInterface
  private interface UserCallback<T> {
    T call() throws Exception;
  }

  // =====================================================================================
  // producer side

  private void toProducer(Protocol.ToProducer m) {
    if (kind == Kind.CONSUMER) {
      ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_not_a_producer").addKeyValue("stage", self).addKeyValue("message", m)
          .log("GenStage consumer {} ({}) received a producer message: {}", self, stage.getClass().getName(), m);
      if (m.body() instanceof Protocol.Subscribe s) {
        Proc.send(s.consumer(), new Protocol.ToConsumer(m.tag(), new Protocol.Cancelled(GenStage.NOT_A_PRODUCER), self));
      }
      return;
    }
    switch (m.body()) {
      case Protocol.Subscribe s -> {
        Subscription consumer = new Subscription(s.consumer(), m.tag());
        if (consumers.containsKey(m.tag())) {
          ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_duplicated_subscription").addKeyValue("stage", self)
              .log("GenStage producer {} received duplicated subscription from: {}", self, consumer);
          Proc.send(s.consumer(), new Protocol.ToConsumer(m.tag(),
              new Protocol.Cancelled(ExitReason.of("duplicated_subscription")), self));
          return;
        }
        if (s.replacing() != null) {
          producerCancel(s.replacing().tag(), GenStage.Cancellation.Kind.CANCEL, s.replacing().reason());
        }
        Ref monitor = Proc.monitor(s.consumer());
        consumers.put(m.tag(), new ConsumerLink(s.consumer(), monitor));
        consumerMonitors.put(monitor, m.tag());
        producerSubscribe(s.options(), consumer);
      }
      case Protocol.Ask ask -> {
        ConsumerLink link = consumers.get(m.tag());
        if (link == null) {
          if (m.from() != null) {
            Proc.send(m.from(), new Protocol.ToConsumer(m.tag(),
                new Protocol.Cancelled(ExitReason.of("unknown_subscription")), self));
          }
          return;
        }
        afterDispatcher(dispatcher.ask(ask.demand(), new Subscription(link.pid(), m.tag())));
      }
      case Protocol.Cancel cancel -> producerCancel(m.tag(), GenStage.Cancellation.Kind.CANCEL, cancel.reason());
    }
  }

  private void producerSubscribe(SubscribeTo options, Subscription consumer) {
    GenStage.SubscribeResult<S> result = run(() -> stage.handleSubscribe(GenStage.Peer.CONSUMER, options, consumer, state));
    switch (result) {
      case GenStage.Automatic<S> a -> state = a.state();
      case GenStage.Stop<S, ?> stop -> {
        state = stop.state();
        throw new StopStage(stop.reason());
      }
      case GenStage.Manual<S> manual -> throw new StopStage(ExitReason.of(new BadReturn(manual)));
      case null -> throw new StopStage(ExitReason.of(new BadReturn(null)));
    }
    long demand;
    try {
      demand = dispatcher.subscribe(options, consumer);
    } catch (DispatchEngine.Refused refused) {
      producerCancel(consumer.tag(), GenStage.Cancellation.Kind.CANCEL, refused.reason, false);
      return;
    }
    Proc.send(consumer.pid(), new Protocol.ToConsumer(consumer.tag(), new Protocol.Accepted(), self));
    afterDispatcher(demand);
  }

  private void producerCancel(Ref tag, GenStage.Cancellation.Kind how, ExitReason reason) {
    producerCancel(tag, how, reason, true);
  }

  /** Ends a consumer's subscription; {@code dispatched}: the dispatcher knows it (it did not refuse it). */
  private void producerCancel(Ref tag, GenStage.Cancellation.Kind how, ExitReason reason, boolean dispatched) {
    ConsumerLink link = consumers.remove(tag);
    if (link == null) {
      return;
    }
    Proc.demonitorFlush(link.monitor());
    consumerMonitors.remove(link.monitor());
    Proc.send(link.pid(), new Protocol.ToConsumer(tag, new Protocol.Cancelled(reason), self));
    Subscription consumer = new Subscription(link.pid(), tag);
    apply(run(() -> stage.handleCancel(new GenStage.Cancellation(how, reason), consumer, state)));
    // The dispatcher after the callback: it may make demand, and the stage must already know the
    // consumer is gone.
    if (dispatched) {
      afterDispatcher(dispatcher.cancel(consumer));
    }
  }

  /** New demand from the dispatcher: to the buffer first, then to handleDemand or the held events. */
  private void afterDispatcher(long counter) {
    if (kind == Kind.PRODUCER_CONSUMER) {
      pcCounter = plus(pcCounter, counter);
      takeFromBuffer(pcCounter);
      takePcEvents();
    } else {
      takeFromBufferOrHandleDemand(counter);
    }
  }

  private void takeFromBufferOrHandleDemand(long counter) {
    long left = takeFromBuffer(counter);
    if (left == 0) {
      return;
    }
    if (held != null) {
      held.add(new HeldDemand(left));
      return;
    }
    @SuppressWarnings("unchecked")
    Producer<S, O> producer = (Producer<S, O>) (GenStage<S, ?, O>) stage;
    apply(run(() -> producer.handleDemand(left, state)));
  }

  /** Dispatches up to {@code counter} buffered events; returns the demand left. */
  private long takeFromBuffer(long counter) {
    while (counter > 0 && !buffer.isEmpty()) {
      List<Object> taken = buffer.take(counter);
      counter -= taken.size();
      dispatch(taken);
      buffer.takeInfos().forEach(dispatcher::info);
    }
    return counter;
  }

  /**
   * Elixir's {@code sync_info}: a consumer has nothing buffered, so the message is due at once; a
   * producer queues it behind its buffered (or held) events, a producer_consumer behind the upstream
   * events it has not handled yet.
   */
  private void queueInfo(Object message) {
    switch (kind) {
      case CONSUMER -> Proc.send(self, message);
      case PRODUCER_CONSUMER -> {
        if (pcQueue.isEmpty()) {
          bufferOrDispatchInfo(message);
        } else {
          pcQueue.add(new PendingInfo(message));
        }
      }
      case PRODUCER -> {
        if (held != null && !held.isEmpty()) {
          held.add(new HeldInfo(message));
        } else {
          bufferOrDispatchInfo(message);
        }
      }
    }
  }

  private void bufferOrDispatchInfo(Object message) {
    if (!buffer.storeInfo(message)) {
      dispatcher.info(message);
    }
  }

  /** Emits events: to the dispatcher, the excess to the buffer. */
  private void dispatch(List<?> events) {
    if (events.isEmpty()) {
      return;
    }
    if (kind == Kind.CONSUMER) {
      ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_consumer_dispatch").addKeyValue("stage", self)
          .log("GenStage consumer {} cannot dispatch events (an empty list must be returned): {}", self, events);
      return;
    }
    @SuppressWarnings("unchecked")
    List<Object> all = (List<Object>) events;
    if (kind == Kind.PRODUCER && held != null) {
      held.add(new HeldEvents(all));
      return;
    }
    List<Object> later = dispatcher.dispatch(all);
    if (kind == Kind.PRODUCER_CONSUMER) {
      pcCounter = Math.max(0, pcCounter - (all.size() - later.size()));
    }
    if (!later.isEmpty()) {
      long excess = buffer.store(later);
      buffer.takeInfos().forEach(dispatcher::info); // the events before them were discarded
      if (excess > 0) {
        discarded += excess;
        if (stage.formatDiscarded(excess, state)) {
          ReportLog.at(LOG, Level.WARN).addKeyValue("label", "genstage_discarded").addKeyValue("stage", self)
              .addKeyValue("discarded", excess)
              .log("GenStage producer {} has discarded {} events from buffer", self, excess);
        }
      }
    }
  }

  private void setDemandMode(DemandMode mode) {
    if (kind != Kind.PRODUCER) {
      if (kind == Kind.PRODUCER_CONSUMER && mode == DemandMode.FORWARD) {
        return; // the only mode of a producer_consumer
      }
      ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_not_a_producer").addKeyValue("stage", self)
          .log("Demand mode can only be set for producers, GenStage {} is a {}", self, kind);
      return;
    }
    if (mode == DemandMode.ACCUMULATE) {
      if (held == null) {
        held = new ArrayList<>();
      }
      return;
    }
    List<Object> work = held;
    held = null;
    if (work != null) {
      for (Object w : work) {
        switch (w) {
          case HeldDemand d -> takeFromBufferOrHandleDemand(d.demand());
          case HeldEvents e -> dispatch(e.events());
          case HeldInfo i -> bufferOrDispatchInfo(i.message());
          default -> throw new IllegalStateException("held " + w);
        }
      }
    }
  }

  private void notAConsumer(SubscribeTo to) {
    ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_not_a_consumer").addKeyValue("stage", self)
        .log("GenStage producer {} cannot be subscribed to another stage: {}", self, to.producer());
  }

  // =====================================================================================
  // consumer side

  /**
   * Subscribes to {@code to.producer()}; with {@code from}, answers it once the producer accepts; with
   * {@code replacing}, the producer first cancels that subscription (Elixir's resubscribe).
   */
  private void subscribe(SubscribeTo to, From from, Protocol.Replacing replacing) {
    Address target = to.producer() instanceof ServerRef<?> ref ? ref.address() : to.producer();
    Optional<Pid> producer = switch (target) {
      case Pid pid -> Optional.of(pid);
      case Name name -> Proc.whereis(name);
      case ServerRef<?> ref -> throw new IllegalStateException("a typed ref wraps a pid or a name: " + ref);
    };
    if (producer.isEmpty()) {
      if (from != null) {
        from.reply(new Protocol.SubscribeAnswer.Refused(ExitReason.NOPROC));
      }
      if (to.cancel() != CancelMode.TEMPORARY) {
        ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_subscribe_noproc").addKeyValue("stage", self)
            .addKeyValue("producer", to.producer())
            .log("GenStage consumer {} was not able to subscribe to the process {} because that process is not alive",
                self, to.producer());
        throw new StopStage(ExitReason.NOPROC);
      }
      return;
    }
    Pid pid = producer.get();
    Ref tag = Proc.monitor(pid);
    Proc.send(pid, new Protocol.ToProducer(tag, new Protocol.Subscribe(self, to, replacing), self));
    if (from != null) {
      pendingSubscribes.put(tag, from);
    }
    Subscription subscription = new Subscription(pid, tag);
    GenStage.SubscribeResult<S> result = run(() -> stage.handleSubscribe(GenStage.Peer.PRODUCER, to, subscription, state));
    switch (result) {
      case GenStage.Automatic<S> a -> {
        state = a.state();
        producers.put(tag, new ProducerLink(pid, to.cancel(), false, to.effectiveMinDemand(), to.maxDemand()));
        GenStage.ask(subscription, to.maxDemand());
      }
      case GenStage.Manual<S> m -> {
        state = m.state();
        producers.put(tag, new ProducerLink(pid, to.cancel(), true, to.effectiveMinDemand(), to.maxDemand()));
      }
      case GenStage.Stop<S, ?> stop -> {
        state = stop.state();
        throw new StopStage(stop.reason());
      }
      case null -> throw new StopStage(ExitReason.of(new BadReturn(null)));
    }
  }

  private void toConsumer(Protocol.ToConsumer m) {
    if (kind == Kind.PRODUCER) {
      ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_not_a_consumer").addKeyValue("stage", self).addKeyValue("message", m)
          .log("GenStage producer {} received a consumer message: {}", self, m);
      return;
    }
    switch (m.body()) {
      case Protocol.Accepted a -> {
        From waiting = pendingSubscribes.remove(m.tag());
        if (waiting != null) {
          waiting.reply(new Protocol.SubscribeAnswer.Subscribed(new Subscription(m.from(), m.tag())));
        }
      }
      case Protocol.Events e -> {
        ProducerLink link = producers.get(m.tag());
        if (link == null) {
          Proc.send(m.from(), new Protocol.ToProducer(m.tag(),
              new Protocol.Cancel(ExitReason.of("unknown_subscription")), self));
          return;
        }
        if (kind == Kind.PRODUCER_CONSUMER) {
          pcQueue.add(new PendingEvents(e.events(), m.tag(), link.pid));
          takePcEvents();
        } else {
          Subscription from = new Subscription(link.pid, m.tag());
          handleBatches(receive(link, from, e.events()), from);
        }
      }
      case Protocol.Cancelled c -> consumerCancel(m.tag(), GenStage.Cancellation.Kind.CANCEL, c.reason());
    }
  }

  /**
   * Splits events into batches of at most {@code max - min}, each with the demand to ask for after it:
   * when what is still expected falls to {@code min}, ask for what brings it back to {@code max}.
   */
  private List<Batch> receive(ProducerLink link, Subscription from, List<?> events) {
    if (link.manual) {
      return List.of(new Batch(events, 0));
    }
    List<Batch> batches = new ArrayList<>();
    long expected = link.demand; // what the producer still owes, to spot an excess
    long demand = link.demand;
    int at = 0;
    while (at < events.size()) {
      int size = (int) Math.min(link.max - link.min, events.size() - at);
      List<?> batch = events.subList(at, at + size);
      at += size;
      long counted = size;
      if (expected - size < 0) {
        ReportLog.at(LOG, Level.ERROR).addKeyValue("label", "genstage_excess_events").addKeyValue("stage", self)
            .addKeyValue("excess", size - expected).addKeyValue("producer", from.pid())
            .log("GenStage consumer {} has received {} events in excess from: {}", self, size - expected, from);
        counted = expected;
        expected = 0;
      } else {
        expected -= size;
      }
      long ask = 0;
      long left = demand - counted;
      if (left <= link.min) {
        ask = link.max - left;
        demand = link.max;
      } else {
        demand = left;
      }
      batches.add(new Batch(batch, ask));
    }
    link.demand = demand;
    return batches;
  }

  private void handleBatches(List<Batch> batches, Subscription from) {
    for (Batch batch : batches) {
      @SuppressWarnings("unchecked")
      List<I> events = (List<I>) batch.events();
      apply(handleEvents(events, from));
      if (batch.ask() > 0) {
        GenStage.ask(from, batch.ask());
      }
    }
  }

  @SuppressWarnings("unchecked")
  private GenStage.CastResult<S, O> handleEvents(List<I> events, Subscription from) {
    GenStage<S, ?, ?> any = stage;
    return switch (any) {
      case Consumer<?, ?> c -> (GenStage.CastResult<S, O>) (GenStage.CastResult<S, ?>)
          run(() -> ((Consumer<S, I>) c).handleEvents(events, from, state));
      case ProducerConsumer<?, ?, ?> pc -> run(() -> ((ProducerConsumer<S, I, O>) pc).handleEvents(events, from, state));
      case Producer<?, ?> p -> throw new IllegalStateException("a producer has no handleEvents");
    };
  }

  private void consumerCancel(Ref tag, GenStage.Cancellation.Kind how, ExitReason reason) {
    ProducerLink link = producers.remove(tag);
    if (link == null) {
      return;
    }
    Proc.demonitorFlush(tag);
    From waiting = pendingSubscribes.remove(tag);
    if (waiting != null) {
      waiting.reply(new Protocol.SubscribeAnswer.Refused(reason));
    }
    Subscription from = new Subscription(link.pid, tag);
    GenStage.Cancellation cancellation = new GenStage.Cancellation(how, reason);
    if (kind == Kind.PRODUCER_CONSUMER && !pcQueue.isEmpty()) {
      pcQueue.add(new PendingCancel(link.cancel, cancellation, from)); // after the events already held
      return;
    }
    invokeCancel(link.cancel, cancellation, from);
  }

  private void invokeCancel(CancelMode mode, GenStage.Cancellation cancellation, Subscription from) {
    apply(run(() -> stage.handleCancel(cancellation, from, state)));
    ExitReason reason = cancellation.reason();
    boolean exits = mode == CancelMode.PERMANENT || (mode == CancelMode.TRANSIENT && !reason.isOrderly());
    if (exits && !reason.equals(BroadcastDispatch.ALREADY_SUBSCRIBED)) {
      ReportLog.at(LOG, Level.INFO).addKeyValue("label", "genstage_consumer_stopping").addKeyValue("stage", self)
          .addKeyValue("producer", from.pid()).addKeyValue("reason", reason)
          .log("GenStage consumer {} is stopping after receiving cancel from producer {} with reason: {}",
              self, from.pid(), reason);
      throw new StopStage(reason);
    }
  }

  // =====================================================================================
  // producer_consumer

  private void takePcEvents() {
    while (pcCounter > 0 && !pcQueue.isEmpty()) {
      switch (pcQueue.pollFirst()) {
        case PendingEvents e -> {
          ProducerLink link = producers.get(e.tag());
          Subscription from = new Subscription(e.producer(), e.tag());
          if (link != null) {
            handleBatches(receive(link, from, e.events()), from);
          } else {
            handleBatches(List.of(new Batch(e.events(), 0)), from); // held, and the producer has gone since
          }
        }
        case PendingCancel c -> invokeCancel(c.mode(), c.cancellation(), c.from());
        case PendingInfo i -> bufferOrDispatchInfo(i.message());
        default -> throw new IllegalStateException("unexpected entry in the queue");
      }
    }
  }

  /** The exit reason term of a callback that returned null or a result that does not fit. */
  record BadReturn(Object value) {
    @Override
    public String toString() {
      return "{bad_return_value," + value + "}";
    }
  }
}
