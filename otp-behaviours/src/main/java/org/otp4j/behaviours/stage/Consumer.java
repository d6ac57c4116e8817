package org.otp4j.behaviours.stage;

import java.util.List;

/**
 * A stage that takes events from its producers and emits none (Elixir's {@code :consumer}).
 *
 * @param <S> the state
 * @param <E> the events it takes
 * @see GenStage
 */
public abstract non-sealed class Consumer<S, E> extends GenStage<S, E, Void> {
  /** For subclasses. */
  protected Consumer() {}

  /**
   * Handles {@code events} from the producer of subscription {@code from}. With an automatic
   * subscription, the next demand goes out after this returns; a batch has at most
   * {@code maxDemand - minDemand} events.
   */
  protected abstract CastResult<S, Void> handleEvents(List<E> events, Subscription from, S state) throws Exception;
}
