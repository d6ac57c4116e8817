package org.otp4j.behaviours.stage;

import org.otp4j.core.internal.ReportLog;
import org.slf4j.event.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.StartException;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.core.Address;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.ExitReason;
import org.otp4j.core.From;
import org.otp4j.core.Name;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * A stage of a demand-driven pipeline, Elixir's {@code GenStage}: producers emit events only when
 * consumers ask for them, so a slow consumer holds back its producers instead of drowning in
 * messages.
 *
 * <!-- snippet: org.otp4j.behaviours.stage.GenStageJavadocTest#pipeline -->
 * {@snippet :
 * // A producer of the numbers from `next` on, as many as are asked for.
 * final class Numbers extends Producer<Long, Long> {
 *   @Override protected Init<Long> init() { return Init.ok(0L); }
 *
 *   @Override protected CastResult<Long, Long> handleDemand(long demand, Long next) {
 *     List<Long> events = LongStream.range(next, next + demand).boxed().toList();
 *     return noReply(events, next + demand);
 *   }
 * }
 *
 * // A consumer that sends what it gets to `sink`, ten at most in flight.
 * final class Sink extends Consumer<Pid, Long> {
 *   private final Pid producer;
 *   private final Pid sink;
 *   Sink(Pid producer, Pid sink) { this.producer = producer; this.sink = sink; }
 *
 *   @Override protected Init<Pid> init() {
 *     return Init.ok(sink, Options.subscribeTo(SubscribeTo.to(producer).withMaxDemand(10)));
 *   }
 *
 *   @Override protected CastResult<Pid, Void> handleEvents(List<Long> events, Subscription from, Pid sink) {
 *     Proc.send(sink, events);
 *     return noReply(sink);
 *   }
 * }
 *
 * Pid numbers = GenStage.startLink(new Numbers());
 * GenStage.startLink(new Sink(numbers, Proc.self()));
 * }
 *
 * <h2>Stages</h2>
 * A stage is a process. Subclass one of the three kinds; only {@code init} and the kind's event
 * callback must be written:
 * <ul>
 *   <li>{@link Producer}: {@link Producer#handleDemand} returns events for the demand that arrived;</li>
 *   <li>{@link Consumer}: {@link Consumer#handleEvents} takes events and returns none;</li>
 *   <li>{@link ProducerConsumer}: its {@link ProducerConsumer#handleEvents} takes events and returns
 *       the events to pass on, when its own consumers ask.</li>
 * </ul>
 * Every kind also has {@link #handleCall}, {@link #handleCast} and {@link #handleInfo}, as a
 * {@link GenServer} has, and each may return events to emit. Events are typed: {@code O} is what a
 * stage emits, {@code I} what it takes ({@link Void} where there is none, so that a consumer cannot
 * emit).
 *
 * <h2>Subscriptions and demand</h2>
 * A consumer subscribes to producers at init ({@link Options#subscribeTo}) or later
 * ({@link #syncSubscribe}, {@link #asyncSubscribe}), each with a {@link SubscribeTo}: at most
 * {@code maxDemand} events in flight, and a new request, for what it has processed, when the events
 * still expected fall to {@code minDemand}. Events beyond what was asked for are an error of the
 * producer's and are logged. {@link #handleSubscribe} may make a subscription manual, so that the
 * consumer asks itself, with {@link #ask}.
 *
 * <h2>Buffering</h2>
 * Events that a producer emits when no consumer asked for them (from {@link #handleCall}, or after
 * a consumer left) wait in its buffer, which holds 10,000 events by default (a producer_consumer's
 * is unbounded), and goes to the next demand first. When the buffer is full, the oldest events are
 * discarded ({@link BufferKeep#LAST}, the default) or the newest ({@link BufferKeep#FIRST}); each
 * discard is counted ({@link #bufferStats}) and logged as a warning, as GenStage logs it, unless
 * {@link #formatDiscarded} says not to.
 *
 * <h2>Failures and cancellation</h2>
 * Each side of a subscription monitors the other. When a producer exits or cancels, each of its
 * consumers runs {@link #handleCancel} and then, by its {@link CancelMode}, exits with the same
 * reason ({@link CancelMode#PERMANENT}, the default), exits unless the reason is normal or a
 * shutdown ({@link CancelMode#TRANSIENT}), or carries on ({@link CancelMode#TEMPORARY}). When a
 * consumer exits or cancels, its producer runs {@link #handleCancel} and carries on; what it had
 * asked for but not received goes to the other consumers.
 *
 * <h2>Supervision</h2>
 * Start the stages of a pipeline under one supervisor, producers first, with
 * {@code ChildSpec.worker("numbers", () -> GenStage.startLink(Name.local("numbers"), new Numbers()))};
 * subscribe by name, so that a restarted producer is found again. With {@code restForOne}, a crashing
 * producer restarts the consumers after it.
 *
 * @param <S> the stage's state
 * @param <I> the events it takes ({@link Void} for a producer)
 * @param <O> the events it emits ({@link Void} for a consumer)
 */
public abstract sealed class GenStage<S, I, O> permits Producer, Consumer, ProducerConsumer {

  /** The default call timeout, 5 seconds, as {@link GenServer}'s. */
  public static final Duration DEFAULT_CALL_TIMEOUT = GenServer.DEFAULT_CALL_TIMEOUT;

  /** The reason of the cancellation a consumer gets when it subscribes to a stage that is not a producer. */
  public static final ExitReason NOT_A_PRODUCER = ExitReason.of("not_a_producer");

  GenStage() {}

  // =====================================================================================
  // client API

  /** Starts a stage, not linked to the caller; returns once its init has returned. */
  public static Pid start(GenStage<?, ?, ?> stage) {
    return start(stage, StartOptions.defaults());
  }

  /** Starts a stage registered under {@code name}, not linked to the caller. */
  public static Pid start(Name name, GenStage<?, ?, ?> stage) {
    return start(stage, StartOptions.defaults().withName(name));
  }

  /**
   * Starts a stage, not linked to the caller.
   *
   * @throws StartException if init returned ignore or stop, threw, gave options that do not fit
   *     the stage (reason {@code {bad_opts, message}}), or if the name is taken
   */
  public static Pid start(GenStage<?, ?, ?> stage, StartOptions options) {
    return GenServer.start(new StageServer<>(stage), options).pid();
  }

  /** Starts a stage linked to the caller; returns once its init has returned. */
  public static Pid startLink(GenStage<?, ?, ?> stage) {
    return startLink(stage, StartOptions.defaults());
  }

  /** Starts a stage registered under {@code name}, linked to the caller. */
  public static Pid startLink(Name name, GenStage<?, ?, ?> stage) {
    return startLink(stage, StartOptions.defaults().withName(name));
  }

  /** Starts a stage linked to the caller; see {@link #start(GenStage, StartOptions)}. */
  public static Pid startLink(GenStage<?, ?, ?> stage, StartOptions options) {
    return GenServer.startLink(new StageServer<>(stage), options).pid();
  }

  /**
   * Subscribes the consumer (or producer_consumer) {@code consumer} to {@code to.producer()}, and
   * returns once the producer has accepted the subscription. Elixir's {@code sync_subscribe} returns
   * when the request is sent; waiting for the producer lets a bad subscription fail here, typed.
   *
   * @return the subscription, as the consumer sees it
   * @throws NotAConsumerException if {@code consumer} is a producer
   * @throws NotAProducerException if the target is a consumer
   * @throws SubscribeException if the producer does not exist, exited, or refused the subscription
   *     (a partition that does not exist or is taken, the same consumer twice on a broadcast)
   * @throws CallException if {@code consumer} does not exist or exits, or if no answer came within
   *     5 seconds (a target that is not a stage at all never answers)
   */
  public static Subscription syncSubscribe(Address consumer, SubscribeTo to) {
    return syncSubscribe(consumer, to, DEFAULT_CALL_TIMEOUT);
  }

  /** {@link #syncSubscribe(Address, SubscribeTo)} waiting up to {@code timeout}. */
  public static Subscription syncSubscribe(Address consumer, SubscribeTo to, Duration timeout) {
    Objects.requireNonNull(to, "to: SubscribeTo.to(producer)");
    Object answer = StageServer.call(consumer, new Protocol.SubscribeRequest(to, true), timeout);
    return switch ((Protocol.SubscribeAnswer) answer) {
      case Protocol.SubscribeAnswer.Subscribed(Subscription subscription) -> subscription;
      case Protocol.SubscribeAnswer.Refused(ExitReason reason) -> throw SubscribeException.of(consumer, to, reason);
    };
  }

  /**
   * Asks {@code consumer} to subscribe to {@code to.producer()} and returns at once (Elixir's
   * {@code async_subscribe}). A refusal reaches the consumer as a cancellation of that subscription,
   * handled by its {@link CancelMode}; a producer asked to subscribe logs an error.
   */
  public static void asyncSubscribe(Address consumer, SubscribeTo to) {
    Objects.requireNonNull(to, "to: SubscribeTo.to(producer)");
    StageServer.cast(consumer, new Protocol.SubscribeRequest(to, false));
  }

  /**
   * Cancels {@code subscription} with {@code reason} and subscribes {@code consumer} to the same
   * producer again with new options {@code to} (Elixir's {@code sync_resubscribe}), returning once the
   * producer has accepted the new subscription. The producer cancels the old one first, so the
   * consumer's {@link #handleCancel} runs for it and its {@link CancelMode} applies: resubscribe a
   * subscription made {@link CancelMode#TEMPORARY} (or transient, with an orderly reason) unless the
   * consumer is meant to exit.
   *
   * @throws IllegalArgumentException if {@code to} names another producer than {@code subscription}'s
   * @throws SubscribeException as {@link #syncSubscribe(Address, SubscribeTo)} (its subclasses too)
   * @throws CallException as {@link #syncSubscribe(Address, SubscribeTo)}
   */
  public static Subscription syncResubscribe(Address consumer, Subscription subscription, ExitReason reason,
      SubscribeTo to) {
    return syncResubscribe(consumer, subscription, reason, to, DEFAULT_CALL_TIMEOUT);
  }

  /** {@link #syncResubscribe(Address, Subscription, ExitReason, SubscribeTo)} waiting up to {@code timeout}. */
  public static Subscription syncResubscribe(Address consumer, Subscription subscription, ExitReason reason,
      SubscribeTo to, Duration timeout) {
    Protocol.Replacing replacing = replacing(subscription, reason, to);
    Object answer = StageServer.call(consumer, new Protocol.SubscribeRequest(to, true, replacing), timeout);
    return switch ((Protocol.SubscribeAnswer) answer) {
      case Protocol.SubscribeAnswer.Subscribed(Subscription fresh) -> fresh;
      case Protocol.SubscribeAnswer.Refused(ExitReason refusal) -> throw SubscribeException.of(consumer, to, refusal);
    };
  }

  /**
   * {@link #syncResubscribe(Address, Subscription, ExitReason, SubscribeTo)} without waiting (Elixir's
   * {@code async_resubscribe}): a refusal reaches the consumer as a cancellation.
   */
  public static void asyncResubscribe(Address consumer, Subscription subscription, ExitReason reason,
      SubscribeTo to) {
    StageServer.cast(consumer, new Protocol.SubscribeRequest(to, false, replacing(subscription, reason, to)));
  }

  private static Protocol.Replacing replacing(Subscription subscription, ExitReason reason, SubscribeTo to) {
    Objects.requireNonNull(subscription, "subscription");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(to, "to: SubscribeTo.to(producer)");
    Address target = to.producer() instanceof org.otp4j.core.ServerRef<?> ref ? ref.address() : to.producer();
    java.util.Optional<Pid> producer = switch (target) {
      case Pid pid -> java.util.Optional.of(pid);
      case Name name -> Proc.whereis(name);
      case org.otp4j.core.ServerRef<?> ref -> java.util.Optional.empty();
    };
    if (producer.isPresent() && !producer.get().equals(subscription.pid())) {
      throw new IllegalArgumentException("a resubscribe goes to the subscription's own producer " + subscription.pid()
          + ", not to " + to.producer() + " (" + producer.get() + "): cancel and subscribe instead");
    }
    return new Protocol.Replacing(subscription.tag(), reason);
  }

  /**
   * Queues {@code message} for the stage's {@link #handleInfo}, behind the events it holds now
   * (Elixir's {@code sync_info}): a producer delivers it once the events in its buffer (and, with a
   * partition dispatcher, in its partitions' queues) have gone to consumers; a producer_consumer,
   * once it has handled the upstream events waiting for demand; a consumer holds no events, so at
   * once. Returns when the message is queued, not when it is handled.
   *
   * @throws CallException if the stage does not exist, exits, or does not answer within 5 seconds
   */
  public static void syncInfo(Address stage, Object message) {
    syncInfo(stage, message, DEFAULT_CALL_TIMEOUT);
  }

  /** {@link #syncInfo(Address, Object)} waiting up to {@code timeout}. */
  public static void syncInfo(Address stage, Object message, Duration timeout) {
    StageServer.call(stage, new Protocol.QueueInfo(Objects.requireNonNull(message, "message")), timeout);
  }

  /** {@link #syncInfo(Address, Object)} without waiting (Elixir's {@code async_info}); never fails. */
  public static void asyncInfo(Address stage, Object message) {
    StageServer.cast(stage, new Protocol.QueueInfo(Objects.requireNonNull(message, "message")));
  }

  /**
   * The events of {@code subscriptions} as a Java stream (Elixir's {@code GenStage.stream}), for a
   * process or a plain thread. Nothing happens until the stream is consumed: then a consumer stage
   * subscribes to every producer in the list, sets their demand mode to
   * {@link DemandMode#FORWARD}, and asks for events as the stream consumes them, never holding more
   * than each subscription's {@code maxDemand}, so a slow reader holds the producers back.
   *
   * <p>The stream ends when every subscription has ended without making it fail. Each subscription's
   * {@link CancelMode} says what its end does, as in Elixir: {@link CancelMode#PERMANENT} (the default)
   * makes the stream throw {@link StageFlow.ProducerExitException} with the producer's reason, whatever
   * it is (even {@code normal}); {@link CancelMode#TRANSIENT} throws unless the reason is orderly;
   * {@link CancelMode#TEMPORARY} never throws. A permanent or transient subscription to a producer that
   * does not exist throws {@link org.otp4j.core.NoProcException}.
   *
   * <p>Close the stream (try-with-resources) when you stop before its end, as with {@code limit}: that
   * cancels the subscriptions. A stream consumed by a process is also cleaned up when that process
   * exits.
   *
   * @throws IllegalArgumentException if {@code subscriptions} is empty
   */
  public static <E> java.util.stream.Stream<E> stream(List<SubscribeTo> subscriptions) {
    Objects.requireNonNull(subscriptions, "subscriptions");
    if (subscriptions.isEmpty()) {
      throw new IllegalArgumentException("GenStage.stream needs at least one subscription");
    }
    subscriptions.forEach(s -> Objects.requireNonNull(s, "a subscription in " + subscriptions));
    return StageStream.of(List.copyOf(subscriptions));
  }

  /** {@link #stream(List)} of these subscriptions. */
  public static <E> java.util.stream.Stream<E> stream(SubscribeTo... subscriptions) {
    return stream(List.of(subscriptions));
  }

  /**
   * Asks the producer of a manual subscription for {@code demand} more events (Elixir's
   * {@code GenStage.ask}). Asking for 0 does nothing. Any process or thread may ask; the events go to
   * the consumer.
   *
   * @throws IllegalArgumentException if {@code demand} is negative
   */
  public static void ask(Subscription subscription, long demand) {
    Objects.requireNonNull(subscription, "subscription");
    if (demand < 0) {
      throw new IllegalArgumentException("demand must not be negative, got " + demand + " for " + subscription);
    }
    if (demand > 0) {
      Proc.send(subscription.pid(), new Protocol.ToProducer(subscription.tag(), new Protocol.Ask(demand)));
    }
  }

  /**
   * Cancels a subscription with {@code reason} (Elixir's {@code GenStage.cancel}): the producer
   * drops it and tells the consumer, which then runs {@link #handleCancel} and acts by its
   * {@link CancelMode} (a permanent consumer exits with {@code reason}). Asynchronous.
   */
  public static void cancel(Subscription subscription, ExitReason reason) {
    Objects.requireNonNull(subscription, "subscription");
    Objects.requireNonNull(reason, "reason");
    Proc.send(subscription.pid(), new Protocol.ToProducer(subscription.tag(), new Protocol.Cancel(reason)));
  }

  /**
   * Calls a stage with a typed request, handled by its {@link #handleCall}, and waits up to 5 seconds.
   *
   * @throws CallException as {@link GenServer#call(org.otp4j.core.ServerRef, Call)} does
   */
  @SuppressWarnings("unchecked")
  public static <R> R call(Address stage, Call<R> request) {
    return (R) call(stage, (Object) request, DEFAULT_CALL_TIMEOUT);
  }

  /** Calls a stage with any request, waiting up to {@code timeout} ({@link Proc#INFINITY} for ever). */
  public static Object call(Address stage, Object request, Duration timeout) {
    return StageServer.call(stage, new Protocol.UserCall(request), timeout);
  }

  /** Sends a stage a request for its {@link #handleCast}; never fails. */
  public static void cast(Address stage, Object request) {
    StageServer.cast(stage, new Protocol.UserCast(request));
  }

  /** Stops a stage with reason {@code normal}, waiting as long as it takes. */
  public static void stop(Address stage) {
    GenServer.stop(stage);
  }

  /** Stops a stage with {@code reason}; see {@link GenServer#stop(Address, ExitReason, Duration)}. */
  public static void stop(Address stage, ExitReason reason, Duration timeout) {
    GenServer.stop(stage, reason, timeout);
  }

  /** The demand mode of a producer. */
  public static DemandMode demand(Address producer) {
    return (DemandMode) StageServer.call(producer, new Protocol.GetDemandMode(), DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Sets the demand mode of a producer (Elixir's {@code GenStage.demand/2}): switching to
   * {@link DemandMode#FORWARD} hands the accumulated demand to {@link Producer#handleDemand} and
   * releases the held events. Asynchronous; a stage that is not a producer logs an error.
   */
  public static void demand(Address producer, DemandMode mode) {
    Objects.requireNonNull(mode, "mode");
    StageServer.cast(producer, new Protocol.SetDemandMode(mode));
  }

  /**
   * The events a producer holds in its buffer and the events it has discarded from it so far
   * (Elixir's {@code estimate_buffered_count}, with the discards, which Elixir only logs).
   */
  public static BufferStats bufferStats(Address producer) {
    return (BufferStats) StageServer.call(producer, new Protocol.GetBufferStats(), DEFAULT_CALL_TIMEOUT);
  }

  /**
   * The exit reason term of a stage whose init gave options that do not fit it (Elixir's
   * {@code {bad_opts, message}}).
   *
   * @param message what is wrong
   */
  public record BadOptions(String message) {
    @Override
    public String toString() {
      return "{bad_opts," + message + "}";
    }
  }

  /**
   * What {@link #bufferStats} returns.
   *
   * @param buffered events waiting in the buffer for demand
   * @param discarded events discarded because the buffer was full, since the stage started
   */
  public record BufferStats(long buffered, long discarded) {}

  // =====================================================================================
  // callbacks

  /**
   * Initialises the stage; runs in the new process before the starter returns.
   *
   * @return {@link Init#ok} with the state and the stage's {@link Options}; {@link Init#ignore()};
   *     or {@link Init#stop}
   */
  protected abstract Init<S> init() throws Exception;

  /**
   * A subscription starts. In a consumer, {@code peer} is {@link Peer#PRODUCER} and the result may
   * be {@link #manual}: the consumer then asks itself, with {@link #ask}. In a producer, {@code peer}
   * is {@link Peer#CONSUMER} and only {@link #automatic} or {@link #stop} fit. The default is
   * automatic.
   *
   * @param options the consumer's subscription options
   */
  protected SubscribeResult<S> handleSubscribe(Peer peer, SubscribeTo options, Subscription from, S state)
      throws Exception {
    return automatic(state);
  }

  /**
   * A subscription ended: cancelled ({@link Cancellation.Kind#CANCEL}) or because the other side
   * exited ({@link Cancellation.Kind#DOWN}). In a consumer, its {@link CancelMode} applies after this
   * returns. The default carries on.
   */
  protected CastResult<S, O> handleCancel(Cancellation cancellation, Subscription from, S state) throws Exception {
    return noReply(state);
  }

  /** Handles a {@link #call}. The default stops with {@code {bad_call, Request}}, as a GenServer's. */
  protected CallResult<S, O> handleCall(Object request, From from, S state) throws Exception {
    return stop(ExitReason.of(new GenServer.BadRequest("bad_call", request)), state);
  }

  /** Handles a {@link #cast}. The default stops with {@code {bad_cast, Request}}. */
  protected CastResult<S, O> handleCast(Object request, S state) throws Exception {
    return stop(ExitReason.of(new GenServer.BadRequest("bad_cast", request)), state);
  }

  /** Handles any other message. The default logs a warning and carries on. */
  protected CastResult<S, O> handleInfo(Object message, S state) throws Exception {
    ReportLog.at(StageServer.LOG, Level.WARN).addKeyValue("label", "genstage_unexpected_message").addKeyValue("stage", Proc.self())
        .addKeyValue("message", message)
        .log("GenStage {} ({}) has no handleInfo for message {}", Proc.self(), getClass().getName(), message);
    return noReply(state);
  }

  /** Runs before the stage terminates, as {@link GenServer}'s terminate does. The default does nothing. */
  protected void terminate(ExitReason reason, S state) throws Exception {}

  /**
   * Whether to log that {@code excess} events were discarded from a full buffer (Elixir's
   * {@code format_discarded}); they are counted either way. The default logs.
   */
  protected boolean formatDiscarded(long excess, S state) {
    return true;
  }

  // =====================================================================================
  // results

  /** Carries on with {@code state}, emitting nothing. */
  protected static <S, O> NoReply<S, O> noReply(S state) {
    return new NoReply<>(List.of(), state);
  }

  /** Emits {@code events} (to the consumers that asked, or into the buffer) and carries on with {@code state}. */
  protected static <S, O> NoReply<S, O> noReply(List<? extends O> events, S state) {
    return new NoReply<>(List.copyOf(events), state);
  }

  /** Replies to a typed request, and carries on with {@code state}. */
  protected static <R, S, O> Reply<S, O> reply(Call<R> request, R value, S state) {
    Objects.requireNonNull(request, "request: the Call being answered");
    return new Reply<>(value, List.of(), state);
  }

  /** Replies to an untyped request, and carries on with {@code state}. */
  protected static <S, O> Reply<S, O> reply(Object reply, S state) {
    return new Reply<>(reply, List.of(), state);
  }

  /** Replies, emits {@code events}, and carries on with {@code state}. */
  protected static <S, O> Reply<S, O> reply(Object reply, List<? extends O> events, S state) {
    return new Reply<>(reply, List.copyOf(events), state);
  }

  /** Terminates with {@code reason} ({@link #terminate} runs first). */
  protected static <S, O> Stop<S, O> stop(ExitReason reason, S state) {
    return new Stop<>(Objects.requireNonNull(reason, "reason"), state);
  }

  /** Runs {@link #terminate}, replies, then terminates with {@code reason}. */
  protected static <S, O> StopReply<S, O> stop(ExitReason reason, Object reply, S state) {
    return new StopReply<>(Objects.requireNonNull(reason, "reason"), reply, state);
  }

  /** From {@link #handleSubscribe}: the stage handles demand for this subscription itself. */
  protected static <S> SubscribeResult<S> automatic(S state) {
    return new Automatic<>(state);
  }

  /** From a consumer's {@link #handleSubscribe}: the consumer asks with {@link #ask}. */
  protected static <S> SubscribeResult<S> manual(S state) {
    return new Manual<>(state);
  }

  /** What every callback that handles a message returns. */
  public sealed interface Result<S, O> permits CallResult, CastResult {
    /** The state to carry on (or terminate) with. */
    S state();
  }

  /** What {@link #handleCall} returns: it may reply. */
  public sealed interface CallResult<S, O> extends Result<S, O> permits Reply, NoReply, Stop, StopReply {}

  /** What the other callbacks return: no reply. */
  public sealed interface CastResult<S, O> extends Result<S, O> permits NoReply, Stop {}

  /** What {@link #handleSubscribe} returns. */
  public sealed interface SubscribeResult<S> permits Automatic, Manual, Stop {}

  /**
   * Emit {@code events} and carry on (a call is answered later through its {@link From}).
   *
   * @param events the events to emit
   * @param state the next state
   */
  public record NoReply<S, O>(List<O> events, S state) implements CallResult<S, O>, CastResult<S, O> {}

  /**
   * Reply, emit {@code events}, carry on.
   *
   * @param reply the reply
   * @param events the events to emit
   * @param state the next state
   */
  public record Reply<S, O>(Object reply, List<O> events, S state) implements CallResult<S, O> {}

  /**
   * Terminate.
   *
   * @param reason the exit reason
   * @param state the state terminate sees
   */
  public record Stop<S, O>(ExitReason reason, S state) implements CallResult<S, O>, CastResult<S, O>,
      SubscribeResult<S> {}

  /**
   * Reply, then terminate.
   *
   * @param reason the exit reason
   * @param reply the reply
   * @param state the state terminate sees
   */
  public record StopReply<S, O>(ExitReason reason, Object reply, S state) implements CallResult<S, O> {}

  /**
   * Demand for this subscription is handled by the stage.
   *
   * @param state the next state
   */
  public record Automatic<S>(S state) implements SubscribeResult<S> {}

  /**
   * Demand for this subscription is asked for by the consumer's own code.
   *
   * @param state the next state
   */
  public record Manual<S>(S state) implements SubscribeResult<S> {}

  /** Which side of a subscription {@link #handleSubscribe} hears from. */
  public enum Peer {
    /** A producer: the stage is the consumer. */
    PRODUCER,
    /** A consumer: the stage is the producer. */
    CONSUMER
  }

  /**
   * Why a subscription ended (Elixir's {@code {:cancel | :down, reason}}).
   *
   * @param kind cancelled, or the other side exited
   * @param reason the reason
   */
  public record Cancellation(Kind kind, ExitReason reason) {
    /** How a subscription ended. */
    public enum Kind {
      /** Cancelled with {@link #cancel}, or refused, by either side. */
      CANCEL,
      /** The other side exited. */
      DOWN
    }
  }

  /**
   * What {@link #init()} returns.
   *
   * @param <S> the stage's state
   */
  public sealed interface Init<S> {
    /**
     * Started.
     *
     * @param state the first state
     * @param options the stage's options
     */
    record Ok<S>(S state, Options options) implements Init<S> {
      /** Checks the options. */
      public Ok {
        Objects.requireNonNull(options, "options: Options.defaults() for none");
      }
    }

    /**
     * Not started: the starter gets {@code ignore}.
     *
     * @param <S> the stage's state
     */
    record Ignore<S>() implements Init<S> {}

    /**
     * Not started: the process exits with {@code reason}.
     *
     * @param reason the reason
     */
    record Stop<S>(ExitReason reason) implements Init<S> {}

    /** Started with {@code state} and the default options. */
    static <S> Init<S> ok(S state) {
      return new Ok<>(state, Options.defaults());
    }

    /** Started with {@code state} and {@code options}. */
    static <S> Init<S> ok(S state, Options options) {
      return new Ok<>(state, options);
    }

    /** Not started; the starter gets ignore. */
    static <S> Init<S> ignore() {
      return new Ignore<>();
    }

    /** Not started; the process exits with {@code reason}. */
    static <S> Init<S> stop(ExitReason reason) {
      return new Stop<>(Objects.requireNonNull(reason, "reason"));
    }
  }

  /**
   * A stage's options (Elixir's options from {@code init}). Null parts take the kind's default.
   * A part that does not fit the kind of stage (a dispatcher for a consumer, a subscription for a
   * producer) stops the start with reason {@code {bad_opts, message}}.
   *
   * @param dispatcher producers and producer_consumers: the dispatcher ({@link Dispatcher#demand()})
   * @param bufferSize producers and producer_consumers: the buffer's size (10,000 for a producer,
   *     unbounded for a producer_consumer)
   * @param bufferKeep producers and producer_consumers: which events a full buffer keeps
   *     ({@link BufferKeep#LAST})
   * @param demand producers: the {@link DemandMode} ({@link DemandMode#FORWARD})
   * @param subscribeTo consumers and producer_consumers: the subscriptions made at init
   */
  public record Options(Dispatcher dispatcher, Long bufferSize, BufferKeep bufferKeep, DemandMode demand,
      List<SubscribeTo> subscribeTo) {

    /** A buffer size that means no bound. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    /** Checks the buffer size and copies the list. */
    public Options {
      if (bufferSize != null && bufferSize < 0) {
        throw new IllegalArgumentException("bufferSize must be at least 0 (or Options.UNBOUNDED), got " + bufferSize);
      }
      subscribeTo = subscribeTo == null ? null : List.copyOf(subscribeTo);
    }

    /** Every part at its default. */
    public static Options defaults() {
      return new Options(null, null, null, null, null);
    }

    /** Subscriptions to make at init, for a consumer or producer_consumer. */
    public static Options subscribeTo(SubscribeTo... subscriptions) {
      return defaults().withSubscribeTo(List.of(subscriptions));
    }

    /** With the subscriptions to make at init. */
    public Options withSubscribeTo(List<SubscribeTo> subscriptions) {
      return new Options(dispatcher, bufferSize, bufferKeep, demand, subscriptions);
    }

    /** With {@code newDispatcher}. */
    public Options withDispatcher(Dispatcher newDispatcher) {
      return new Options(Objects.requireNonNull(newDispatcher, "dispatcher"), bufferSize, bufferKeep, demand,
          subscribeTo);
    }

    /** With a buffer of {@code size} events ({@link #UNBOUNDED} for no bound). */
    public Options withBufferSize(long size) {
      return new Options(dispatcher, size, bufferKeep, demand, subscribeTo);
    }

    /** Keeping {@code keep} when the buffer is full. */
    public Options withBufferKeep(BufferKeep keep) {
      return new Options(dispatcher, bufferSize, Objects.requireNonNull(keep, "bufferKeep"), demand, subscribeTo);
    }

    /** With demand mode {@code mode}. */
    public Options withDemand(DemandMode mode) {
      return new Options(dispatcher, bufferSize, bufferKeep, Objects.requireNonNull(mode, "demand"), subscribeTo);
    }
  }
}
