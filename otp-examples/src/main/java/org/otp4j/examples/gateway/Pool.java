package org.otp4j.examples.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.CallException;
import org.otp4j.core.From;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;

/**
 * The balancer of one upstream pool: picks the instance for each request, by round robin, least
 * outstanding requests or the power of two choices, among the instances that are in the pool now
 * (the {@link Gateway#POOLS} table, which the router changes at runtime), whose health check has
 * not failed and whose breaker is not open. It counts the requests in flight per instance, and
 * holds the pool's retry budget: each first attempt adds {@code retryBudget} to it, each retry
 * takes one, so retries never multiply an overload. It starts with {@link #RESERVE} retries in hand.
 *
 * <p>A restart loses the counts (requests in flight still end, and their {@code Done} finds no
 * count to lower) and the budget starts again from its reserve.
 */
final class Pool extends GenServer<Pool.State, Pool.Msg> {
  /** The most retries the budget saves up. */
  static final double MAX_BUDGET = 10;
  /**
   * The retries a new balancer has in hand: without them, a pool that has seen few requests (just
   * started, or quiet) could retry nothing, however small its budget's share.
   */
  static final double RESERVE = 2;

  sealed interface Msg {
    /** An instance for a request, other than {@code tried}; {@code retry}: a retry, paid from the budget. */
    record Pick(Set<String> tried, boolean retry) implements Msg, Call<Picked> {}

    /** A request to {@code url} ended. */
    record Done(String url) implements Msg {}

    /** The requests in flight per instance, and the budget left. */
    record Stats() implements Msg, Call<Map<String, Object>> {}
  }

  /** What a pick gives: an instance, or why there is none. */
  sealed interface Picked {
    record Instance(String url) implements Picked {}

    record None(String error, String why) implements Picked {}
  }

  static final class State {
    long next;
    final Map<String, Integer> outstanding = new HashMap<>();
    double budget = RESERVE;
  }

  private final Gateway gateway;
  private final String name;

  private Pool(Gateway gateway, String name) {
    this.gateway = gateway;
    this.name = name;
  }

  static ServerRef<Msg> startLink(Gateway gateway, String name) {
    return GenServer.startLink(Gateway.pool(name), new Pool(gateway, name));
  }

  /**
   * Picks an instance of {@code pool} for a request.
   *
   * @throws CallException if the pool's balancer is not running (the pool was just removed, or is restarting)
   */
  static Picked pick(String pool, Set<String> tried, boolean retry) {
    return GenServer.call(Gateway.pool(pool), new Msg.Pick(Set.copyOf(tried), retry), Gateway.INTERNAL_CALL);
  }

  static void done(String pool, String url) {
    GenServer.cast(Gateway.pool(pool), new Msg.Done(url));
  }

  static Map<String, Object> stats(String pool) {
    return GenServer.call(Gateway.pool(pool), new Msg.Stats(), Gateway.INTERNAL_CALL);
  }

  @Override
  protected Init<State> init() {
    return Init.ok(new State());
  }

  @Override
  protected CallResult<State> handleCall(Msg msg, From from, State state) {
    return switch (msg) {
      case Msg.Pick p -> reply(p, pick(p, state), state);
      case Msg.Stats s -> reply(s, Map.of("outstanding", Map.copyOf(state.outstanding),
          "retryBudget", Math.round(state.budget * 100) / 100.0), state);
      case Msg.Done d -> reply(null, state); // a cast, never called
    };
  }

  @Override
  protected CastResult<State> handleCast(Msg msg, State state) {
    if (msg instanceof Msg.Done(String url)) {
      state.outstanding.computeIfPresent(url, (k, n) -> n <= 1 ? null : n - 1);
    }
    return noReply(state);
  }

  private Picked pick(Msg.Pick p, State state) {
    Optional<GatewayConfig.PoolSpec> found = gateway.<String, GatewayConfig.PoolSpec>table(Gateway.POOLS)
        .flatMap(t -> t.get(name));
    if (found.isEmpty()) {
      return new Picked.None("no_pool", "pool '" + name + "' is not configured");
    }
    GatewayConfig.PoolSpec spec = found.get();
    if (p.retry()) {
      if (state.budget < 1) {
        return new Picked.None("retry_budget", "pool '" + name + "' has no retry budget left");
      }
      state.budget -= 1;
    } else {
      state.budget = Math.min(MAX_BUDGET, state.budget + spec.retryBudget());
    }
    Optional<Table<String, Breaker.View>> breakers = gateway.table(Gateway.BREAKERS);
    Optional<Table<String, Boolean>> health = gateway.table(Gateway.HEALTH);
    List<String> candidates = new ArrayList<>();
    int open = 0;
    int unhealthy = 0;
    for (String url : spec.instances()) {
      if (p.tried().contains(url)) {
        continue;
      }
      String key = Gateway.instanceKey(name, url);
      if (health.flatMap(t -> t.get(key)).map(ok -> !ok).orElse(false)) {
        unhealthy++;
        continue;
      }
      if (breakers.flatMap(t -> t.get(key)).map(v -> v.state() == Breaker.State.OPEN).orElse(false)) {
        open++;
        continue;
      }
      candidates.add(url);
    }
    if (candidates.isEmpty()) {
      if (spec.instances().isEmpty()) {
        return new Picked.None("no_instance", "pool '" + name + "' has no instances");
      }
      return open > 0 && unhealthy == 0
          ? new Picked.None("circuit_open", "every instance of pool '" + name + "' left to try has its circuit open")
          : new Picked.None("no_healthy_instance", "pool '" + name + "' has no instance left to try that is healthy "
              + "and closed (" + unhealthy + " unhealthy, " + open + " open, " + p.tried().size() + " tried)");
    }
    String url = switch (spec.balancer()) {
      case ROUND_ROBIN -> candidates.get((int) Math.floorMod(state.next++, (long) candidates.size()));
      case LEAST_OUTSTANDING -> {
        String best = candidates.getFirst();
        for (String c : candidates) {
          if (state.outstanding.getOrDefault(c, 0) < state.outstanding.getOrDefault(best, 0)) {
            best = c;
          }
        }
        yield best;
      }
      case POWER_OF_TWO -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String a = candidates.get(random.nextInt(candidates.size()));
        String b = candidates.get(random.nextInt(candidates.size()));
        yield state.outstanding.getOrDefault(b, 0) < state.outstanding.getOrDefault(a, 0) ? b : a;
      }
    };
    state.outstanding.merge(url, 1, Integer::sum);
    return new Picked.Instance(url);
  }
}
