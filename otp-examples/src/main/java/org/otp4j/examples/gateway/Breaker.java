package org.otp4j.examples.gateway;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Optional;
import org.otp4j.behaviours.GenStatem;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;

/**
 * The circuit breaker of one upstream instance, a state machine:
 *
 * <pre>
 * state      event                                         next state
 * CLOSED     Permit                                        CLOSED (yes)
 * CLOSED     Outcome(failure): failures in a row reach N,  OPEN, state timeout `open`
 *            or the failure rate over the window reaches R
 * CLOSED     Outcome(success or failure below the limits)  CLOSED
 * OPEN       Permit                                        OPEN (no: the request gets a fast 503)
 * OPEN       state timeout                                 HALF_OPEN
 * OPEN       Outcome (of a request let through before)     OPEN (ignored)
 * HALF_OPEN  Permit, fewer than `probes` in flight         HALF_OPEN (yes: a probe)
 * HALF_OPEN  Permit, `probes` in flight                    HALF_OPEN (no)
 * HALF_OPEN  Outcome(success) of a probe                   CLOSED, counts cleared
 * HALF_OPEN  Outcome(failure) of a probe                   OPEN, state timeout `open`
 * any        Outcome(cancelled)                            same (a probe slot given back)
 * </pre>
 *
 * Every transition is written to the {@link Gateway#BREAKERS} table, where the pool's balancer
 * reads it to leave open instances out before it even asks, a request reads whether it may go
 * (closed: yes, open: no) without a message, and the admin page shows it. Only a half-open
 * breaker's {@code Permit} is a call (it counts its probes); outcomes are casts.
 */
final class Breaker extends GenStatem<Breaker.State, Breaker.Data, Breaker.Msg> {

  /** The breaker's states. */
  enum State { CLOSED, OPEN, HALF_OPEN }

  /** The breaker's protocol. */
  sealed interface Msg {
    /** May a request go to the instance now? */
    record Permit() implements Msg, Call<Boolean> {}

    /** How a request that was permitted ended. */
    record Outcome(Verdict verdict) implements Msg {}
  }

  /** How a permitted request ended, for the breaker. */
  enum Verdict { SUCCESS, FAILURE, CANCELLED }

  /** What the table shows of a breaker: its state, its counts, and since when. */
  record View(State state, int failuresInRow, int recentFailures, int recent, int probes, Instant since) {
    String stateName() {
      return state.name().toLowerCase(Locale.ROOT);
    }
  }

  /** The breaker's data: the counts it decides on. */
  static final class Data {
    int failuresInRow;
    final ArrayDeque<Boolean> recent = new ArrayDeque<>(); // true: a failure
    int recentFailures;
    int probes;
  }

  private final Gateway gateway;
  private final String key;
  private final GatewayConfig.BreakerSpec spec;

  private Breaker(Gateway gateway, String key, GatewayConfig.BreakerSpec spec) {
    this.gateway = gateway;
    this.key = key;
    this.spec = spec;
  }

  // =====================================================================================
  // client API

  static ServerRef<Msg> startLink(Gateway gateway, String key, GatewayConfig.BreakerSpec spec) {
    return GenStatem.startLink(Gateway.breaker(key), new Breaker(gateway, key, spec));
  }

  /** What a breaker says to a request. */
  enum Permit {
    /** Go ahead. */
    YES,
    /** The circuit is open, or half-open with every probe slot taken. */
    NO,
    /** The breaker is not running: the instance just left its pool, or the breaker is restarting. */
    GONE,
    /** Half-open: only the breaker can tell, by a call (see {@link #permitNow}). */
    ASK
  }

  /**
   * Whether a request may go to the instance now. Closed and open are read from the breaker's row
   * of {@link Gateway#BREAKERS}, on the request's own thread: the breaker is no process every
   * request waits for. Only a half-open breaker is asked, since its probe slots are counted by it.
   * A breaker that is not running (no row, or no process under its name) is {@link Permit#GONE}.
   */
  static Permit permit(Gateway gateway, String key) {
    Permit now = permitNow(gateway, key);
    if (now != Permit.ASK) {
      return now;
    }
    try {
      return GenStatem.call(Gateway.breaker(key), new Msg.Permit(), Gateway.INTERNAL_CALL) ? Permit.YES : Permit.NO;
    } catch (CallException e) {
      return Permit.GONE;
    }
  }

  /**
   * As {@link #permit}, without waiting for the breaker: from its row only, so a half-open
   * breaker is {@link Permit#ASK} (a thread that must not wait then asks {@link #permit} elsewhere).
   */
  static Permit permitNow(Gateway gateway, String key) {
    Optional<View> view = gateway.<String, View>table(Gateway.BREAKERS).flatMap(t -> t.get(key));
    if (view.isEmpty() || Proc.whereis(Gateway.breaker(key)).isEmpty()) {
      return Permit.GONE;
    }
    return switch (view.get().state()) {
      case CLOSED -> Permit.YES;
      case OPEN -> Permit.NO;
      case HALF_OPEN -> Permit.ASK;
    };
  }

  /** Tells the breaker how a permitted request ended. */
  static void outcome(String key, Verdict verdict) {
    GenStatem.cast(Gateway.breaker(key), new Msg.Outcome(verdict));
  }

  // =====================================================================================
  // callbacks

  @Override
  protected Init<State, Data> init() {
    Data data = new Data();
    publish(State.CLOSED, data);
    return Init.ok(State.CLOSED, data);
  }

  @Override
  protected Result<State, Data> handleEvent(Event<Msg> event, State state, Data data) {
    return switch (event) {
      case Event.Call<Msg>(From from, Msg.Permit p) -> switch (state) {
        case CLOSED -> keepStateAndData(Action.reply(from, p, true));
        case OPEN -> keepStateAndData(Action.reply(from, p, false));
        case HALF_OPEN -> {
          if (data.probes >= spec.probes()) {
            yield keepStateAndData(Action.reply(from, p, false));
          }
          data.probes++;
          publish(state, data);
          yield keepState(data, Action.reply(from, p, true));
        }
      };
      case Event.Cast<Msg>(Msg.Outcome(Verdict verdict)) -> outcome(state, data, verdict);
      case Event.StateTimeout<Msg> t when state == State.OPEN -> to(State.HALF_OPEN, data);
      default -> keepStateAndData();
    };
  }

  private Result<State, Data> outcome(State state, Data data, Verdict verdict) {
    if (verdict == Verdict.CANCELLED) {
      if (state == State.HALF_OPEN && data.probes > 0) {
        data.probes--;
        publish(state, data);
      }
      return keepState(data);
    }
    boolean failed = verdict == Verdict.FAILURE;
    return switch (state) {
      case OPEN -> keepStateAndData(); // a request let through before it opened
      case HALF_OPEN -> {
        data.probes = Math.max(0, data.probes - 1);
        if (failed) {
          yield open(data);
        }
        clear(data);
        yield to(State.CLOSED, data);
      }
      case CLOSED -> {
        data.failuresInRow = failed ? data.failuresInRow + 1 : 0;
        data.recent.addLast(failed);
        data.recentFailures += failed ? 1 : 0;
        if (data.recent.size() > spec.window() && data.recent.removeFirst()) {
          data.recentFailures--;
        }
        boolean rateReached = data.recent.size() >= spec.window()
            && data.recentFailures >= spec.failureRate() * data.recent.size();
        if (data.failuresInRow >= spec.failures() || rateReached) {
          yield open(data);
        }
        publish(state, data);
        yield keepState(data);
      }
    };
  }

  private Result<State, Data> open(Data data) {
    Result<State, Data> r = nextState(State.OPEN, data, Action.stateTimeout(spec.open(), "half-open"));
    transition(State.OPEN, data);
    return r;
  }

  private Result<State, Data> to(State next, Data data) {
    transition(next, data);
    return nextState(next, data);
  }

  private void transition(State next, Data data) {
    publish(next, data);
    gateway.count("gateway_breaker_transitions_total{instance=\"" + key + "\",to=\"" + next.name().toLowerCase(Locale.ROOT)
        + "\"}");
  }

  private static void clear(Data data) {
    data.failuresInRow = 0;
    data.recent.clear();
    data.recentFailures = 0;
    data.probes = 0;
  }

  /** Writes the breaker's row; a row that would not change (a success among successes) is left as it is. */
  private void publish(State state, Data data) {
    gateway.<String, View>table(Gateway.BREAKERS).ifPresent(t -> {
      Optional<View> was = t.get(key).filter(v -> v.state() == state);
      if (was.isPresent() && was.get().failuresInRow() == data.failuresInRow
          && was.get().recentFailures() == data.recentFailures && was.get().recent() == data.recent.size()
          && was.get().probes() == data.probes) {
        return;
      }
      Instant since = was.map(View::since).orElse(Instant.now());
      t.insert(key, new View(state, data.failuresInRow, data.recentFailures, data.recent.size(), data.probes, since));
    });
  }
}
