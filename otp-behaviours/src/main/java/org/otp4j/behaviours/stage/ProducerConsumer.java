package org.otp4j.behaviours.stage;

import java.util.List;

/**
 * A stage that takes events from its producers and emits events to its consumers (Elixir's
 * {@code :producer_consumer}). Events from upstream are handled only while its own consumers have
 * demand, so back-pressure passes through it.
 *
 * @param <S> the state
 * @param <I> the events it takes
 * @param <O> the events it emits
 * @see GenStage
 */
public abstract non-sealed class ProducerConsumer<S, I, O> extends GenStage<S, I, O> {
  /** For subclasses. */
  protected ProducerConsumer() {}

  /** Handles {@code events} from the producer of subscription {@code from}; returns the events to emit. */
  protected abstract CastResult<S, O> handleEvents(List<I> events, Subscription from, S state) throws Exception;
}
