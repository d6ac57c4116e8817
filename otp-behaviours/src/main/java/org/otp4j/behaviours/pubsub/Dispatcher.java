package org.otp4j.behaviours.pubsub;

import java.util.List;
import java.util.Optional;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Registry;

/**
 * How a broadcast reaches the subscribers of a topic: Phoenix.PubSub's dispatcher. It is called in
 * the broadcasting thread with the topic's subscriptions (each a pid and the metadata it subscribed
 * with), the process the broadcast is <em>from</em> (empty for a plain broadcast), and the message;
 * it decides whom to send what. A partitioned {@link PubSub} calls it once per partition that has
 * subscribers.
 *
 * <!-- snippet: org.otp4j.behaviours.pubsub.PubSubTest#dispatcher -->
 * {@snippet :
 * // only to the subscribers whose metadata is "loud", and shouted
 * Dispatcher loudOnly = (subscribers, from, message) -> subscribers.stream()
 *     .filter(s -> "loud".equals(s.value()) && !from.equals(Optional.of(s.pid())))
 *     .forEach(s -> Proc.send(s.pid(), message.toString().toUpperCase()));
 * }
 */
@FunctionalInterface
public interface Dispatcher {

  /**
   * Delivers {@code message} to the {@code subscribers} it chooses.
   *
   * @param subscribers the subscriptions of the topic: {@link Registry.Entry#pid()} and the
   *     metadata given to {@link PubSub#subscribe(Topic, Object)} as {@link Registry.Entry#value()}
   * @param from the process not to deliver to ({@code broadcastFrom}), or empty
   * @param message what was broadcast
   */
  void dispatch(List<Registry.Entry> subscribers, Optional<Pid> from, Object message);

  /** Phoenix's default: sends the message to every subscription, except those of {@code from}. */
  Dispatcher DEFAULT = (subscribers, from, message) -> {
    Pid skip = from.orElse(null);
    for (Registry.Entry s : subscribers) {
      if (!s.pid().equals(skip)) {
        Proc.send(s.pid(), message);
      }
    }
  };
}
