package org.otp4j.examples.gateway;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/**
 * Per-client rate limiting: a token bucket per client address ({@code rateBurst} tokens, refilled
 * at {@code rateLimit} per second); a request takes a token or gets 429 with {@code Retry-After},
 * the seconds until a token is back. Buckets that are full again are swept away every minute.
 */
final class Limiter extends GenServer<Limiter.State, Limiter.Msg> {
  sealed interface Msg {
    /** Take a token for {@code client}: how many seconds to wait, 0 if one was taken. */
    record Take(String client) implements Msg, Call<Long> {}
  }

  record Sweep() {}

  static final class Bucket {
    double tokens;
    long last;
  }

  static final class State {
    final Map<String, Bucket> buckets = new HashMap<>();
  }

  private final double rate;
  private final int burst;

  private Limiter(double rate, int burst) {
    this.rate = rate;
    this.burst = burst;
  }

  static ServerRef<Msg> startLink(GatewaySettings settings) {
    return GenServer.startLink(Gateway.LIMITER, new Limiter(settings.rateLimit(), settings.rateBurst()));
  }

  /**
   * Takes a token for {@code client}: 0 if it may go on, else the seconds to wait. A limiter that is
   * not running (restarting) lets the request through: the limit protects the upstreams, and a
   * moment without it costs less than refusing everyone.
   */
  static long take(String client) {
    try {
      return GenServer.call(Gateway.LIMITER, new Msg.Take(client), Gateway.INTERNAL_CALL);
    } catch (CallException e) {
      return 0;
    }
  }

  @Override
  protected Init<State> init() {
    Proc.sendInterval(Duration.ofMinutes(1), Proc.self(), new Sweep());
    return Init.ok(new State());
  }

  @Override
  protected CallResult<State> handleCall(Msg msg, From from, State state) {
    return switch (msg) {
      case Msg.Take t -> {
        long now = System.nanoTime();
        Bucket b = state.buckets.computeIfAbsent(t.client(), k -> {
          Bucket n = new Bucket();
          n.tokens = burst;
          n.last = now;
          return n;
        });
        b.tokens = Math.min(burst, b.tokens + (now - b.last) / 1e9 * rate);
        b.last = now;
        if (b.tokens >= 1) {
          b.tokens -= 1;
          yield reply(t, 0L, state);
        }
        yield reply(t, Math.max(1L, (long) Math.ceil((1 - b.tokens) / rate)), state);
      }
    };
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    if (message instanceof Sweep) {
      long now = System.nanoTime();
      state.buckets.values().removeIf(b -> b.tokens + (now - b.last) / 1e9 * rate >= burst);
    }
    return noReply(state);
  }
}
