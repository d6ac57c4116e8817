package org.otp4j.examples.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
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
 * <p>The process owns the balancer's state, a {@link Balance} it makes in its init and puts in the
 * {@link Gateway#BALANCERS} table under the pool's name; request handlers pick and give back on
 * their own threads, with atomic updates of that state, so the balancer is no process every
 * request waits for. A pool whose process is not running (removed by a reload, or restarting) has
 * no balancer to pick from. A restart makes a new state: it loses the counts (requests in flight
 * still end, and give back to the state they took from) and the budget starts again from its
 * reserve.
 */
final class Pool extends GenServer<Pool.Balance, Pool.Msg> {
  /** The most retries the budget saves up. */
  static final double MAX_BUDGET = 10;
  /**
   * The retries a new balancer has in hand: without them, a pool that has seen few requests (just
   * started, or quiet) could retry nothing, however small its budget's share.
   */
  static final double RESERVE = 2;

  sealed interface Msg {
    /** The requests in flight per instance, and the budget left. */
    record Stats() implements Msg, Call<Map<String, Object>> {}
  }

  /** What a pick gives: an instance, or why there is none. */
  sealed interface Picked {
    /** An instance; {@link Pool#done} gives it back when its request ended. */
    record Instance(String url, Balance from) implements Picked {}

    record None(String error, String why) implements Picked {}
  }

  /** The state of one pool's balancer, shared by the requests that pick from it. */
  static final class Balance {
    private final AtomicLong next = new AtomicLong();
    private final ConcurrentHashMap<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    /** The retry budget: a double's bits, changed by compare-and-set. */
    private final AtomicLong budget = new AtomicLong(Double.doubleToLongBits(RESERVE));

    private int outstanding(String url) {
      AtomicInteger n = outstanding.get(url);
      return n == null ? 0 : n.get();
    }

    /** Adds {@code share} to the budget, up to {@link #MAX_BUDGET}. */
    private void earn(double share) {
      budget.getAndUpdate(b -> Double.doubleToLongBits(Math.min(MAX_BUDGET, Double.longBitsToDouble(b) + share)));
    }

    /** Takes one retry from the budget: false if less than one is left. */
    private boolean spend() {
      while (true) {
        long bits = budget.get();
        double b = Double.longBitsToDouble(bits);
        if (b < 1) {
          return false;
        }
        if (budget.compareAndSet(bits, Double.doubleToLongBits(b - 1))) {
          return true;
        }
      }
    }

    /** A request to {@code url} ended. (A counter stays at 0 rather than go: no pick can race its removal.) */
    private void done(String url) {
      AtomicInteger n = outstanding.get(url);
      if (n != null) {
        n.updateAndGet(c -> Math.max(0, c - 1));
      }
    }

    private Map<String, Object> stats() {
      Map<String, Integer> counts = new HashMap<>();
      outstanding.forEach((url, n) -> {
        if (n.get() > 0) {
          counts.put(url, n.get());
        }
      });
      return Map.of("outstanding", Map.copyOf(counts),
          "retryBudget", Math.round(Double.longBitsToDouble(budget.get()) * 100) / 100.0);
    }
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
   * Picks an instance of {@code pool} for a request, other than those {@code tried};
   * {@code retry}: a retry, paid from the budget. On the caller's thread: reads the tables, never
   * waits for a process. A pool whose balancer is not running gives {@code pool_unavailable}.
   */
  static Picked pick(Gateway gateway, String pool, Set<String> tried, boolean retry) {
    Optional<Balance> balance = gateway.<String, Balance>table(Gateway.BALANCERS).flatMap(t -> t.get(pool));
    if (balance.isEmpty() || Proc.whereis(Gateway.pool(pool)).isEmpty()) {
      return new Picked.None("pool_unavailable", "pool '" + pool + "' is not running just now; try again");
    }
    return pick(gateway, pool, balance.get(), tried, retry);
  }

  /** Gives back an instance picked: its request ended. */
  static void done(Picked.Instance picked) {
    picked.from().done(picked.url());
  }

  static Map<String, Object> stats(String pool) {
    return GenServer.call(Gateway.pool(pool), new Msg.Stats(), Gateway.INTERNAL_CALL);
  }

  @Override
  protected Init<Balance> init() {
    Balance balance = new Balance();
    Table<String, Balance> balancers = gateway.<String, Balance>table(Gateway.BALANCERS).orElseThrow(
        () -> new IllegalStateException("the table " + Gateway.BALANCERS + " is not there"));
    balancers.insert(name, balance);
    return Init.ok(balance);
  }

  @Override
  protected CallResult<Balance> handleCall(Msg msg, From from, Balance state) {
    return switch (msg) {
      case Msg.Stats s -> reply(s, state.stats(), state);
    };
  }

  private static Picked pick(Gateway gateway, String name, Balance state, Set<String> tried, boolean retry) {
    Optional<GatewayConfig.PoolSpec> found = gateway.<String, GatewayConfig.PoolSpec>table(Gateway.POOLS)
        .flatMap(t -> t.get(name));
    if (found.isEmpty()) {
      return new Picked.None("no_pool", "pool '" + name + "' is not configured");
    }
    GatewayConfig.PoolSpec spec = found.get();
    if (retry) {
      if (!state.spend()) {
        return new Picked.None("retry_budget", "pool '" + name + "' has no retry budget left");
      }
    } else {
      state.earn(spec.retryBudget());
    }
    Optional<Table<String, Breaker.View>> breakers = gateway.table(Gateway.BREAKERS);
    Optional<Table<String, Boolean>> health = gateway.table(Gateway.HEALTH);
    List<String> candidates = new ArrayList<>(spec.instances().size());
    int open = 0;
    int unhealthy = 0;
    for (String url : spec.instances()) {
      if (tried.contains(url)) {
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
              + "and closed (" + unhealthy + " unhealthy, " + open + " open, " + tried.size() + " tried)");
    }
    String url = switch (spec.balancer()) {
      case ROUND_ROBIN -> candidates.get((int) Math.floorMod(state.next.getAndIncrement(), (long) candidates.size()));
      case LEAST_OUTSTANDING -> {
        String best = candidates.getFirst();
        for (String c : candidates) {
          if (state.outstanding(c) < state.outstanding(best)) {
            best = c;
          }
        }
        yield best;
      }
      case POWER_OF_TWO -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String a = candidates.get(random.nextInt(candidates.size()));
        String b = candidates.get(random.nextInt(candidates.size()));
        yield state.outstanding(b) < state.outstanding(a) ? b : a;
      }
    };
    state.outstanding.computeIfAbsent(url, u -> new AtomicInteger()).incrementAndGet();
    return new Picked.Instance(url, state);
  }
}
