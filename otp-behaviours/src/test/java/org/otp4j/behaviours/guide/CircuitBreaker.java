package org.otp4j.behaviours.guide;

import java.time.Duration;
import java.util.function.Supplier;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.ServerRef;

/**
 * A circuit breaker in front of an unreliable service, in handle-event-function mode: CLOSED lets
 * calls through and counts consecutive failures; OPEN refuses calls until its state timeout; HALF_OPEN
 * lets one trial call through.
 */
public final class CircuitBreaker extends GenStatem<CircuitBreaker.State, CircuitBreaker.Data, CircuitBreaker.Msg> {

  public enum State { CLOSED, OPEN, HALF_OPEN }

  /**
   * @param failures consecutive failures so far
   * @param threshold failures that open the circuit
   * @param resetTimeout how long it stays open
   * @param trialRunning whether the half-open trial call is out
   */
  public record Data(int failures, int threshold, Duration resetTimeout, boolean trialRunning) {
    Data withFailures(int n) {
      return new Data(n, threshold, resetTimeout, trialRunning);
    }

    Data withTrial(boolean running) {
      return new Data(failures, threshold, resetTimeout, running);
    }
  }

  /** Thrown by {@link #call} when the circuit refuses the call. */
  public static final class OpenCircuitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OpenCircuitException() {
      super("the circuit is open: the service is failing, try again later");
    }
  }

  // region: breaker-protocol
  /** The protocol: two calls, each naming its reply's type, and a cast. */
  public sealed interface Msg {
    /** May I call the service? */
    record Ask() implements Msg, Call<Boolean> {}

    /** How the call went. */
    record Outcome(boolean success) implements Msg {}

    /** Where is the circuit? */
    record WhatState() implements Msg, Call<State> {}
  }
  // endregion: breaker-protocol

  private final int threshold;
  private final Duration resetTimeout;

  private CircuitBreaker(int threshold, Duration resetTimeout) {
    this.threshold = threshold;
    this.resetTimeout = resetTimeout;
  }

  // region: breaker-client
  public static ServerRef<Msg> startLink(int threshold, Duration resetTimeout) {
    return GenStatem.startLink(new CircuitBreaker(threshold, resetTimeout));
  }

  /** Runs {@code service} in the caller if the circuit allows it, and tells the breaker how it went. */
  public static <T> T callThrough(ServerRef<Msg> breaker, Supplier<T> service) {
    // GenStatem.call waits for ever unless given a timeout; a stuck breaker must not hang its callers
    boolean allowed = GenStatem.call(breaker, new Msg.Ask(), Duration.ofSeconds(5));
    if (!allowed) {
      throw new OpenCircuitException();
    }
    try {
      T result = service.get();
      GenStatem.cast(breaker, new Msg.Outcome(true));
      return result;
    } catch (RuntimeException e) {
      GenStatem.cast(breaker, new Msg.Outcome(false));
      throw e;
    }
  }
  // endregion: breaker-client

  public static State state(ServerRef<Msg> breaker) {
    return GenStatem.call(breaker, new Msg.WhatState(), Duration.ofSeconds(5));
  }

  @Override
  protected Init<State, Data> init() {
    return Init.ok(State.CLOSED, new Data(0, threshold, resetTimeout, false));
  }

  // region: breaker-events
  @Override
  protected Result<State, Data> handleEvent(Event<Msg> event, State state, Data data) {
    if (event instanceof Event.Call(From from, Msg.WhatState q)) {
      return keepStateAndData(Action.reply(from, q, state)); // the same answer in every state
    }
    return switch (state) {
      case CLOSED -> switch (event) {
        case Event.Call(From from, Msg.Ask ask) -> keepStateAndData(Action.reply(from, ask, true));
        case Event.Cast(Msg.Outcome(boolean success)) when success -> keepState(data.withFailures(0));
        case Event.Cast(Msg.Outcome failed) -> data.failures() + 1 >= data.threshold()
            ? nextState(State.OPEN, data.withFailures(0), Action.stateTimeout(data.resetTimeout(), "reset"))
            : keepState(data.withFailures(data.failures() + 1));
        default -> keepStateAndData();
      };
      case OPEN -> switch (event) {
        case Event.Call(From from, Msg.Ask ask) -> keepStateAndData(Action.reply(from, ask, false));
        case Event.StateTimeout<Msg> reset -> nextState(State.HALF_OPEN, data.withTrial(false));
        default -> keepStateAndData();
      };
      case HALF_OPEN -> switch (event) {
        case Event.Call(From from, Msg.Ask ask) when !data.trialRunning() ->
            keepState(data.withTrial(true), Action.reply(from, ask, true));
        case Event.Call(From from, Msg.Ask ask) -> keepStateAndData(Action.reply(from, ask, false));
        case Event.Cast(Msg.Outcome(boolean success)) when success -> nextState(State.CLOSED, data.withTrial(false));
        case Event.Cast(Msg.Outcome failed) ->
            nextState(State.OPEN, data.withTrial(false), Action.stateTimeout(data.resetTimeout(), "reset"));
        default -> keepStateAndData();
      };
    };
  }
  // endregion: breaker-events
}
