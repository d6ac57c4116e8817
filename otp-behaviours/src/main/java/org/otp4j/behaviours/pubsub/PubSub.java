package org.otp4j.behaviours.pubsub;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.otp4j.core.NotAProcessException;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Registry;

/**
 * Topic-based publish and subscribe between processes: Phoenix.PubSub, on a {@link Registry} with
 * duplicate keys. A process subscribes to topics; anyone, process or plain thread, broadcasts to a
 * topic, and every subscriber receives the message in its mailbox.
 *
 * <!-- snippet: org.otp4j.behaviours.pubsub.PubSubTest#overview -->
 * {@snippet :
 * PubSub pubsub = PubSub.create("prices");
 * Topic<PriceChanged> eur = Topic.of("prices:EUR");
 * Pid subscriber = Proc.spawn(() -> {
 *   pubsub.subscribe(eur);
 *   Proc.send(me, "subscribed");
 *   PriceChanged change = (PriceChanged) Proc.receive();
 *   Proc.send(me, change.symbol() + " " + change.cents());
 * });
 * inbox.receive(Duration.ofSeconds(5));                  // "subscribed"
 * pubsub.broadcast(eur, new PriceChanged("EUR", 108));   // javac checks: a PriceChanged
 * }
 *
 * <h2>Subscriptions</h2>
 * {@link #subscribe} registers the calling process under the topic; a subscription lasts until
 * {@link #unsubscribe} or until the process terminates: the registry removes a process's entries
 * before its exit signals go out, so a broadcast never reaches a subscriber whose end has been
 * reported. A process that subscribes twice receives each message twice, as in Phoenix. Only a
 * process can subscribe ({@link NotAProcessException} otherwise): a plain thread that wants messages
 * spawns a process for it.
 *
 * <h2>Broadcasts</h2>
 * {@link #broadcast} sends to every subscriber of the topic; {@link #broadcastFrom} to every one
 * except the given process (a client that sent the change and need not hear it back). Each has a form
 * that takes a {@link Dispatcher}, which decides whom to send what; the default sends the message as
 * it is. Messages from one broadcaster arrive in the order they were broadcast. A broadcast to a
 * topic nobody subscribes to does nothing.
 *
 * <h2>Local and cluster-wide</h2>
 * A pubsub is local to its node for now: {@link #broadcast} and {@link #localBroadcast} reach the
 * same subscribers. With distribution, {@code broadcast} will reach every node's subscribers and
 * {@code localBroadcast} only this node's, as in Phoenix; write code with the one you mean.
 *
 * <h2>Not a process</h2>
 * A pubsub is a registry, a concurrent data structure: it needs no supervision and is ready when
 * created. Keep it in a field where the code that uses it can reach it, as Phoenix code names its
 * pubsub.
 */
public final class PubSub {
  private final Registry registry;

  private PubSub(Registry registry) {
    this.registry = registry;
  }

  /** A pubsub named {@code name} (used in error messages), on an unpartitioned registry. */
  public static PubSub create(String name) {
    return create(name, 1);
  }

  /**
   * A pubsub whose registry has {@code partitions} partitions: a topic with many subscribers that
   * come and go often is cheaper to change, and each broadcast calls the dispatcher once per
   * partition (see {@link Registry}).
   *
   * @throws IllegalArgumentException if {@code partitions} is less than 1
   */
  public static PubSub create(String name, int partitions) {
    Objects.requireNonNull(name, "name: a pubsub needs a name, used in its error messages");
    return new PubSub(Registry.duplicate(name, Registry.Options.defaults().withPartitions(partitions)));
  }

  /** The name given at creation. */
  public String name() {
    return registry.name();
  }

  // ---------------------------------------------------------------------------------------
  // subscriptions: the calling process

  /**
   * Subscribes the calling process to {@code topic}.
   *
   * @throws NotAProcessException from a plain thread
   */
  public void subscribe(Topic<?> topic) {
    subscribe(topic, null);
  }

  /**
   * Subscribes the calling process to {@code topic} with {@code metadata}, which a
   * {@link Dispatcher} sees (Phoenix's {@code metadata:} option).
   *
   * @throws NotAProcessException from a plain thread
   */
  public void subscribe(Topic<?> topic, Object metadata) {
    Object key = key(topic);
    requireProcess("PubSub.subscribe");
    registry.register(key, metadata);
  }

  /**
   * Removes every subscription of the calling process to {@code topic}; nothing happens if it has
   * none.
   *
   * @throws NotAProcessException from a plain thread
   */
  public void unsubscribe(Topic<?> topic) {
    Object key = key(topic);
    requireProcess("PubSub.unsubscribe");
    registry.unregister(key);
  }

  /** The processes subscribed to {@code topic}, once per subscription. */
  public List<Pid> subscribers(Topic<?> topic) {
    return registry.lookup(key(topic)).stream().map(Registry.Entry::pid).toList();
  }

  /** The topics {@code pid} is subscribed to, once per subscription. */
  public List<Topic<?>> topics(Pid pid) {
    return registry.keys(Objects.requireNonNull(pid, "pid")).stream().<Topic<?>>map(k -> Topic.of((String) k)).toList();
  }

  // ---------------------------------------------------------------------------------------
  // broadcasts: from any thread

  /** Sends {@code message} to every subscriber of {@code topic} (cluster-wide once distributed). */
  public <M> void broadcast(Topic<M> topic, M message) {
    dispatch(topic, Optional.empty(), message, Dispatcher.DEFAULT);
  }

  /** Delivers {@code message} to the subscribers of {@code topic} through {@code dispatcher}. */
  public <M> void broadcast(Topic<M> topic, M message, Dispatcher dispatcher) {
    dispatch(topic, Optional.empty(), message, dispatcher);
  }

  /** Sends {@code message} to every subscriber of {@code topic} except {@code from}. */
  public <M> void broadcastFrom(Pid from, Topic<M> topic, M message) {
    dispatch(topic, Optional.of(requireFrom(from)), message, Dispatcher.DEFAULT);
  }

  /** Delivers {@code message} through {@code dispatcher}, told to leave {@code from} out. */
  public <M> void broadcastFrom(Pid from, Topic<M> topic, M message, Dispatcher dispatcher) {
    dispatch(topic, Optional.of(requireFrom(from)), message, dispatcher);
  }

  /** Sends {@code message} to the subscribers of {@code topic} on this node only. */
  public <M> void localBroadcast(Topic<M> topic, M message) {
    dispatch(topic, Optional.empty(), message, Dispatcher.DEFAULT);
  }

  /** Delivers {@code message} through {@code dispatcher} to the subscribers on this node only. */
  public <M> void localBroadcast(Topic<M> topic, M message, Dispatcher dispatcher) {
    dispatch(topic, Optional.empty(), message, dispatcher);
  }

  /** Sends {@code message} to the subscribers of {@code topic} on this node only, except {@code from}. */
  public <M> void localBroadcastFrom(Pid from, Topic<M> topic, M message) {
    dispatch(topic, Optional.of(requireFrom(from)), message, Dispatcher.DEFAULT);
  }

  private void dispatch(Topic<?> topic, Optional<Pid> from, Object message, Dispatcher dispatcher) {
    Object key = key(topic);
    Objects.requireNonNull(message, () -> "cannot broadcast null on topic " + topic + " of pubsub '" + name()
        + "': a message is any non-null object");
    Objects.requireNonNull(dispatcher, "dispatcher: use Dispatcher.DEFAULT to send the message as it is");
    registry.dispatch(key, subscribers -> dispatcher.dispatch(subscribers, from, message));
  }

  private Object key(Topic<?> topic) {
    return Objects.requireNonNull(topic, () -> "pubsub '" + name() + "': the topic cannot be null; "
        + "name one with Topic.of(\"room:42\")").name();
  }

  private static void requireProcess(String operation) {
    if (!Proc.isProcess()) {
      throw new NotAProcessException(operation + " (subscriptions belong to processes)");
    }
  }

  private static Pid requireFrom(Pid from) {
    return Objects.requireNonNull(from, "from: the process that must not receive the broadcast "
        + "(use broadcast to reach every subscriber)");
  }

  @Override
  public String toString() {
    return "PubSub[" + name() + "]";
  }
}
