package org.otp4j.behaviours.stage;

import java.util.Objects;
import java.util.concurrent.Flow;
import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;

/**
 * Bridges between stages and {@link java.util.concurrent.Flow} (Reactive Streams): a producer seen
 * as a {@link Flow.Publisher}, and a {@link Flow.Subscriber} run as a consumer stage.
 *
 * <p>Each Flow subscription is a consumer stage of its own (a process), with a manual subscription
 * to the producer: it calls the subscriber's {@code onSubscribe}, {@code onNext}, {@code onError}
 * and {@code onComplete} from that process, one at a time, and turns {@link Flow.Subscription#request}
 * into demand. A subscriber may request any amount, up to {@link Long#MAX_VALUE} for "everything";
 * the stage keeps at most {@code maxDemand} events asked of the producer at a time, so an unbounded
 * request never reaches the producer as unbounded demand.
 *
 * <p>The producer ending normally, or with a shutdown, completes the subscriber; any other reason is
 * an {@code onError} with a {@link ProducerExitException}. A producer that does not exist is an
 * {@code onError} right after {@code onSubscribe}. Requesting zero or a negative amount is an
 * {@code onError} with an {@link IllegalArgumentException} (rule 3.9), and cancels.
 */
public final class StageFlow {
  private StageFlow() {}

  /** How many events a Flow bridge asks of its producer at a time, unless told otherwise. */
  public static final long DEFAULT_MAX_DEMAND = SubscribeTo.DEFAULT_MAX_DEMAND;

  /**
   * The producer (or producer_consumer) {@code producer} as a publisher: each subscriber gets a
   * subscription of its own to it. With the default demand dispatcher, subscribers share the events;
   * with {@link Dispatcher#broadcast()} each gets every event emitted while it is subscribed.
   */
  public static <E> Flow.Publisher<E> publisher(Address producer) {
    return publisher(SubscribeTo.to(producer));
  }

  /** A publisher whose subscriptions are made with {@code to} (its demand bounds; its cancel mode is ignored). */
  public static <E> Flow.Publisher<E> publisher(SubscribeTo to) {
    Objects.requireNonNull(to, "to");
    return subscriber -> subscribe(subscriber, to);
  }

  /**
   * Runs {@code subscriber} as a consumer stage subscribed with {@code to}, and returns the stage.
   * The stage ends (normally) when the subscriber cancels or the producer ends.
   *
   * @throws NullPointerException if {@code subscriber} is null (rule 1.9)
   */
  public static <E> Pid subscribe(Flow.Subscriber<? super E> subscriber, SubscribeTo to) {
    Objects.requireNonNull(subscriber, "subscriber (Reactive Streams rule 1.9)");
    Objects.requireNonNull(to, "to");
    return GenStage.start(new FlowBridge<E>(subscriber, to));
  }

  /** The error a Flow subscriber gets when its producer exits with a reason that is not orderly. */
  public static final class ProducerExitException extends RuntimeException {
    private final transient ExitReason reason;

    ProducerExitException(Pid producer, ExitReason reason) {
      super("the producer " + producer + " exited with reason " + reason,
          reason instanceof ExitReason.Crash crash ? crash.error() : null);
      this.reason = reason;
    }

    /** The producer's exit reason. */
    public ExitReason reason() {
      return reason;
    }
  }
}
