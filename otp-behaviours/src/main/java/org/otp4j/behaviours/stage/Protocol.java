package org.otp4j.behaviours.stage;

import java.util.List;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Ref;

/**
 * The messages of the stage protocol (Elixir's {@code $gen_producer} and {@code $gen_consumer}
 * messages), and the requests the client functions make of a stage. Every message between stages
 * names the subscription by its tag; {@code from} is the sender, for an answer to a message about a
 * subscription the receiver does not know (null when a plain thread asked).
 */
final class Protocol {
  private Protocol() {}

  // ---------------------------------------------------------------------------------------
  // client requests, through GenServer calls and casts

  /**
   * Subscribe to {@code to.producer()}; {@code sync}: answer with a {@link SubscribeAnswer} once
   * accepted; {@code replacing}: the subscription the producer cancels first (a resubscribe), or null.
   */
  record SubscribeRequest(SubscribeTo to, boolean sync, Replacing replacing) {
    SubscribeRequest(SubscribeTo to, boolean sync) {
      this(to, sync, null);
    }
  }

  /** The subscription a resubscribe cancels, with the reason it gives. */
  record Replacing(Ref tag, ExitReason reason) {}

  /** Queue {@code message} for the stage's handleInfo behind the events it holds now; sync: answer {@code true}. */
  record QueueInfo(Object message) {}

  /** The answer to a synchronous subscribe request. */
  sealed interface SubscribeAnswer {
    /** The producer accepted. */
    record Subscribed(Subscription subscription) implements SubscribeAnswer {}

    /** The producer refused, or does not exist, or the asked stage cannot subscribe. */
    record Refused(ExitReason reason) implements SubscribeAnswer {}
  }

  /** A request for the stage's own handleCall. */
  record UserCall(Object request) {}

  /** A request for the stage's own handleCast. */
  record UserCast(Object request) {}

  record GetDemandMode() {}

  record SetDemandMode(DemandMode mode) {}

  record GetBufferStats() {}

  // ---------------------------------------------------------------------------------------
  // consumer to producer

  /** A message to a producer about subscription {@code tag}. */
  record ToProducer(Ref tag, ProducerMessage body, Pid from) {
    ToProducer(Ref tag, ProducerMessage body) {
      this(tag, body, org.otp4j.core.Proc.isProcess() ? org.otp4j.core.Proc.self() : null);
    }
  }

  /** What a consumer tells a producer. */
  sealed interface ProducerMessage {}

  /** Subscribe {@code consumer} with {@code options}, after cancelling {@code replacing} if not null. */
  record Subscribe(Pid consumer, SubscribeTo options, Replacing replacing) implements ProducerMessage {}

  /** {@code demand} more events. */
  record Ask(long demand) implements ProducerMessage {}

  /** Cancel the subscription. */
  record Cancel(ExitReason reason) implements ProducerMessage {}

  // ---------------------------------------------------------------------------------------
  // producer to consumer

  /** A message to a consumer about subscription {@code tag}. */
  record ToConsumer(Ref tag, ConsumerMessage body, Pid from) {}

  /** What a producer tells a consumer. */
  sealed interface ConsumerMessage {}

  /** The producer accepted the subscription (not in Elixir's protocol: it lets syncSubscribe fail typed). */
  record Accepted() implements ConsumerMessage {}

  /** Events, at most what was asked for. */
  record Events(List<?> events) implements ConsumerMessage {}

  /** The subscription is cancelled, or refused. */
  record Cancelled(ExitReason reason) implements ConsumerMessage {}
}
