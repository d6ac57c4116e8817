package org.otp4j.behaviours.stage;

import java.util.List;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The running state of a {@link Dispatcher} in one producer (Elixir's dispatcher callbacks). Each
 * method that changes the consumers' demand returns the demand to pass upstream: to the producer's
 * {@code handleDemand}, or a producer_consumer's counter.
 */
abstract class DispatchEngine {
  final Pid self;

  DispatchEngine(Pid self) {
    this.self = self;
  }

  static DispatchEngine of(Dispatcher dispatcher, Pid self) {
    return switch (dispatcher) {
      case Dispatcher.Demand d -> new DemandDispatch(self, d.shuffleFirst());
      case Dispatcher.Broadcast b -> new BroadcastDispatch(self);
      case Dispatcher.Partition p -> new PartitionDispatch(self, p.partitions(), p.hash());
    };
  }

  /** A consumer subscribed; throws {@link Refused} to cancel the subscription instead. */
  abstract long subscribe(SubscribeTo options, Subscription consumer);

  /** A consumer's subscription ended. */
  abstract long cancel(Subscription consumer);

  /** A consumer asked for {@code counter} more events. */
  abstract long ask(long counter, Subscription consumer);

  /** Sends what the demand allows; returns the events that must wait in the buffer. */
  abstract List<Object> dispatch(List<Object> events);

  /**
   * Delivers {@code message} to the stage's own {@code handleInfo} once the events this dispatcher
   * holds back now have gone to their consumers (Elixir's dispatcher {@code info}); this one holds
   * none, so at once.
   */
  void info(Object message) {
    Proc.send(self, message);
  }

  /** Sends {@code events} to a consumer. */
  final void send(Subscription consumer, List<Object> events) {
    Proc.send(consumer.pid(), new Protocol.ToConsumer(consumer.tag(), new Protocol.Events(List.copyOf(events)), self));
  }

  /** A dispatcher refuses a subscription: the producer cancels it with {@code reason}. */
  static final class Refused extends RuntimeException {
    final transient ExitReason reason;

    Refused(ExitReason reason) {
      super(String.valueOf(reason), null, false, false);
      this.reason = reason;
    }
  }
}
