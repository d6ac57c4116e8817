package org.otp4j.behaviours.stage;

import java.util.Objects;
import java.util.function.Predicate;
import org.otp4j.core.Address;

/**
 * A subscription a consumer asks for: the producer, how much demand to keep outstanding, and what to
 * do if the producer goes away (Elixir's {@code {producer, opts}} in {@code :subscribe_to} and
 * {@code sync_subscribe}).
 *
 * <p>An automatic subscription asks for {@code maxDemand} events at once, and asks again, for what it
 * has processed, each time the events still expected fall to {@code minDemand}: the producer never
 * has more than {@code maxDemand} events in flight to this consumer. Values are checked as they are
 * set, so a bad one fails where it is written:
 * {@code SubscribeTo.to(producer).withMaxDemand(10).withMinDemand(5).withCancel(CancelMode.TRANSIENT)}.
 *
 * @param producer the producer or producer_consumer to subscribe to (a pid, a name, a typed ref)
 * @param maxDemand the most events in flight (default 1000)
 * @param minDemand when to ask again; null for {@code maxDemand / 2}
 * @param cancel what the consumer does if the producer cancels or exits
 * @param selector for a producer with {@link Dispatcher#broadcast()}: which events this consumer
 *     wants (null: all)
 * @param partition for a producer with a {@link Dispatcher#partition} dispatcher: the partition this
 *     consumer takes (null: none)
 */
public record SubscribeTo(Address producer, long maxDemand, Long minDemand, CancelMode cancel,
    Predicate<Object> selector, Integer partition) {

  /** Elixir's default {@code max_demand}. */
  public static final long DEFAULT_MAX_DEMAND = 1000;

  /** Checks every part: see {@link #withMaxDemand} and {@link #withMinDemand} for the rules. */
  public SubscribeTo {
    Objects.requireNonNull(producer, "producer: the stage to subscribe to");
    Objects.requireNonNull(cancel, "cancel: CancelMode.PERMANENT, TRANSIENT or TEMPORARY");
    if (maxDemand < 1) {
      throw new IllegalArgumentException("maxDemand must be at least 1, got " + maxDemand);
    }
    if (minDemand != null && (minDemand < 0 || minDemand >= maxDemand)) {
      throw new IllegalArgumentException("minDemand must be at least 0 and less than maxDemand (" + maxDemand
          + "), got " + minDemand);
    }
    if (partition != null && partition < 0) {
      throw new IllegalArgumentException("partition must be at least 0, got " + partition);
    }
  }

  /** A subscription to {@code producer} with Elixir's defaults: max 1000, min 500, permanent. */
  public static SubscribeTo to(Address producer) {
    return new SubscribeTo(producer, DEFAULT_MAX_DEMAND, null, CancelMode.PERMANENT, null, null);
  }

  /**
   * With at most {@code max} events in flight.
   *
   * @throws IllegalArgumentException if {@code max} is less than 1, or not greater than a minimum
   *     already set
   */
  public SubscribeTo withMaxDemand(long max) {
    return new SubscribeTo(producer, max, minDemand, cancel, selector, partition);
  }

  /**
   * Asking again when the events still expected fall to {@code min}.
   *
   * @throws IllegalArgumentException if {@code min} is negative or not less than the maximum
   */
  public SubscribeTo withMinDemand(long min) {
    return new SubscribeTo(producer, maxDemand, min, cancel, selector, partition);
  }

  /** With cancel mode {@code mode}. */
  public SubscribeTo withCancel(CancelMode mode) {
    return new SubscribeTo(producer, maxDemand, minDemand, mode, selector, partition);
  }

  /**
   * Taking only the events {@code wanted} accepts, from a producer with a broadcast dispatcher (the
   * others still count as delivered, so they do not hold back the other consumers). Write the
   * lambda's parameter type to choose the events' type: {@code (String line) -> line.startsWith("#")}.
   */
  @SuppressWarnings("unchecked")
  public <E> SubscribeTo withSelector(Predicate<? super E> wanted) {
    Objects.requireNonNull(wanted, "selector");
    return new SubscribeTo(producer, maxDemand, minDemand, cancel, (Predicate<Object>) wanted, partition);
  }

  /** Taking partition {@code number} of a producer with a partition dispatcher. */
  public SubscribeTo withPartition(int number) {
    return new SubscribeTo(producer, maxDemand, minDemand, cancel, selector, number);
  }

  /** The effective minimum demand: the one set, or half the maximum. */
  public long effectiveMinDemand() {
    return minDemand != null ? minDemand : maxDemand / 2;
  }
}
