package org.otp4j.behaviours.stage;

import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * How a producer shares its events among its consumers (Elixir's {@code GenStage.Dispatcher}
 * implementations), chosen with {@link GenStage.Options#withDispatcher}.
 *
 * <ul>
 *   <li>{@link #demand()}, the default: each event goes to one consumer, the one with the most
 *       outstanding demand;</li>
 *   <li>{@link #broadcast()}: every event goes to every consumer, so the producer runs at the pace
 *       of the slowest; a consumer can take only some with {@link SubscribeTo#withSelector};</li>
 *   <li>{@link #partition(int)}: each event goes to the consumer of its partition, given by a hash
 *       of the event; each consumer subscribes with {@link SubscribeTo#withPartition}.</li>
 * </ul>
 */
public sealed interface Dispatcher {

  /** The default dispatcher: an event to one consumer, the one with the most demand. */
  static Dispatcher demand() {
    return new Demand(false);
  }

  /**
   * Like {@link #demand()}, shuffling the consumers before the first dispatch (Elixir's
   * {@code shuffle_demands_on_first_dispatch}), so that many producers that start together do not all
   * favour the same consumer.
   */
  static Dispatcher demandShuffled() {
    return new Demand(true);
  }

  /** Every event to every consumer (that selects it), at the pace of the slowest consumer. */
  static Dispatcher broadcast() {
    return Broadcast.INSTANCE;
  }

  /**
   * Partitions {@code 0..partitions-1}; an event goes to partition
   * {@code Math.floorMod(event.hashCode(), partitions)}.
   */
  static Dispatcher partition(int partitions) {
    return new Partition(partitions, event -> Math.floorMod(Objects.hashCode(event), partitions));
  }

  /**
   * Partitions {@code 0..partitions-1}; an event goes to the partition {@code hash} returns, or is
   * discarded if it returns {@link #NONE} (Elixir's {@code :none}). Write the lambda's parameter type
   * to choose the events' type: {@code (Order o) -> o.customer() % 4}.
   */
  @SuppressWarnings("unchecked")
  static <E> Dispatcher partition(int partitions, ToIntFunction<? super E> hash) {
    return new Partition(partitions, (ToIntFunction<Object>) Objects.requireNonNull(hash, "hash"));
  }

  /** What a partition hash returns for an event that no partition takes: it is discarded. */
  int NONE = -1;

  /**
   * The demand dispatcher.
   *
   * @param shuffleFirst whether to shuffle the consumers before the first dispatch
   */
  record Demand(boolean shuffleFirst) implements Dispatcher {}

  /** The broadcast dispatcher. */
  enum Broadcast implements Dispatcher {
    /** The only one: it has no options. */
    INSTANCE
  }

  /**
   * The partition dispatcher.
   *
   * @param partitions how many partitions, numbered from 0
   * @param hash an event's partition, or {@link #NONE}
   */
  record Partition(int partitions, ToIntFunction<Object> hash) implements Dispatcher {
    /** Checks the count. */
    public Partition {
      if (partitions < 1) {
        throw new IllegalArgumentException("a partition dispatcher needs at least 1 partition, got " + partitions);
      }
      Objects.requireNonNull(hash, "hash");
    }
  }
}
