package org.otp4j.behaviours.stage;

/**
 * A stage that emits events when its consumers ask for them (Elixir's {@code :producer}).
 *
 * @param <S> the state
 * @param <E> the events it emits
 * @see GenStage
 */
public abstract non-sealed class Producer<S, E> extends GenStage<S, Void, E> {
  /** For subclasses. */
  protected Producer() {}

  /**
   * Consumers asked for {@code demand} more events (the sum of what arrived, less what the buffer
   * already held). Return any number of events: those beyond the demand wait in the buffer. A producer
   * that has nothing now may return none and emit later, from {@link #handleInfo} or
   * {@link #handleCall}; the demand stays owed.
   */
  protected abstract CastResult<S, E> handleDemand(long demand, S state) throws Exception;
}
