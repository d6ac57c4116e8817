package org.otp4j.behaviours.stage;

import java.util.List;
import java.util.concurrent.Flow;
import org.otp4j.core.Address;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Name;
import org.otp4j.core.NoProcException;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/**
 * A consumer stage that drives one {@link Flow.Subscriber}: see {@link StageFlow}. Every call to the
 * subscriber is made from this stage's process, so they are serial (rule 1.3).
 *
 * <p>{@code requested} is what the subscriber asked for and has not received; {@code inFlight}, what
 * this stage asked of the producer and has not received. It keeps {@code inFlight} at
 * {@code min(requested, maxDemand)}.
 */
final class FlowBridge<E> extends Consumer<Void, E> {
  /** From the subscription: more demand. */
  private record Request(long n) {}

  /** From the subscription: cancel. */
  private record CancelRequest() {}

  /** Sent to itself when the producer is missing: signal the error after onSubscribe. */
  private record Missing() {}

  private final Flow.Subscriber<? super E> subscriber;
  private final SubscribeTo to;
  private Subscription upstream;
  private long requested;
  private long inFlight;
  private boolean done;

  FlowBridge(Flow.Subscriber<? super E> subscriber, SubscribeTo to) {
    this.subscriber = subscriber;
    this.to = to.withCancel(CancelMode.TEMPORARY);
  }

  @Override
  protected Init<Void> init() {
    Pid self = Proc.self();
    Address target = to.producer() instanceof ServerRef<?> ref ? ref.address() : to.producer();
    boolean missing = target instanceof Name name && Proc.whereis(name).isEmpty();
    if (missing) {
      subscriber.onSubscribe(subscription(self));
      Proc.send(self, new Missing());
      return Init.ok(null);
    }
    return Init.ok(null, Options.subscribeTo(to));
  }

  private Flow.Subscription subscription(Pid self) {
    return new Flow.Subscription() {
      @Override
      public void request(long n) {
        Proc.send(self, new Request(n));
      }

      @Override
      public void cancel() {
        Proc.send(self, new CancelRequest());
      }
    };
  }

  @Override
  protected SubscribeResult<Void> handleSubscribe(Peer peer, SubscribeTo options, Subscription from, Void state) {
    upstream = from;
    subscriber.onSubscribe(subscription(Proc.self()));
    return manual(state);
  }

  @Override
  protected CastResult<Void, Void> handleEvents(List<E> events, Subscription from, Void state) {
    inFlight -= events.size();
    requested -= events.size();
    for (E event : events) {
      if (done) {
        break; // cancelled meanwhile: nothing more is signalled (rule 3.6)
      }
      subscriber.onNext(event);
    }
    topUp();
    return noReply(state);
  }

  @Override
  protected CastResult<Void, Void> handleCancel(Cancellation cancellation, Subscription from, Void state) {
    if (!done) {
      done = true;
      ExitReason reason = cancellation.reason();
      if (reason.isOrderly()) {
        subscriber.onComplete();
      } else if (reason == ExitReason.NOPROC) {
        subscriber.onError(new NoProcException(from.pid(), "StageFlow.subscribe"));
      } else {
        subscriber.onError(new StageFlow.ProducerExitException(from.pid(), reason));
      }
    }
    return stop(ExitReason.NORMAL, state);
  }

  @Override
  protected CastResult<Void, Void> handleInfo(Object message, Void state) throws Exception {
    switch (message) {
      case Request(long n) when done -> {
        return noReply(state);
      }
      case Request(long n) when n <= 0 -> {
        done = true;
        if (upstream != null) {
          GenStage.cancel(upstream, ExitReason.NORMAL);
        }
        subscriber.onError(new IllegalArgumentException("Reactive Streams rule 3.9: a request must be positive, got "
            + n));
        return stop(ExitReason.NORMAL, state);
      }
      case Request(long n) -> {
        requested = StageServer.plus(requested, n);
        topUp();
        return noReply(state);
      }
      case CancelRequest c -> {
        done = true;
        if (upstream != null) {
          GenStage.cancel(upstream, ExitReason.NORMAL);
        }
        return stop(ExitReason.NORMAL, state);
      }
      case Missing m -> {
        done = true;
        Pid nobody = Proc.self();
        subscriber.onError(new NoProcException(nobody, "StageFlow.subscribe: no process is registered as "
            + to.producer()));
        return stop(ExitReason.NORMAL, state);
      }
      default -> {
        return super.handleInfo(message, state);
      }
    }
  }

  /** Asks the producer for what the subscriber wants, at most {@code maxDemand} in flight. */
  private void topUp() {
    if (done || upstream == null) {
      return;
    }
    long want = Math.min(requested, to.maxDemand()) - inFlight;
    if (want > 0) {
      inFlight += want;
      GenStage.ask(upstream, want);
    }
  }
}
