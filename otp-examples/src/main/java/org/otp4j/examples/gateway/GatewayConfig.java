package org.otp4j.examples.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway's routes and upstream pools, as given in JSON (a watched file or the admin API):
 *
 * <pre>{@code
 * {"routes": [{"id": "api", "prefix": "/api/", "pool": "api", "rewrite": "/", "methods": ["GET", "POST"],
 *              "host": "example.com", "deadlineMs": 2000, "retries": 1,
 *              "setHeaders": {"X-Via": "gateway"}, "removeHeaders": ["Cookie"]}],
 *  "pools": [{"name": "api", "balancer": "round_robin", "instances": ["http://127.0.0.1:9001"],
 *             "breaker": {"failures": 5, "failureRate": 0.5, "window": 20, "openMs": 5000, "probes": 1},
 *             "health": {"path": "/_health", "intervalMs": 1000, "failures": 2},
 *             "retryBudget": 0.2}]}
 * }</pre>
 *
 * Only {@code id}, {@code prefix} and {@code pool} of a route, and {@code name} of a pool, are
 * required; {@link #parse} names every mistake it finds ({@link ConfigException}).
 *
 * @param routes the routes, tried longest prefix first
 * @param pools the pools, by name
 */
public record GatewayConfig(List<Route> routes, Map<String, PoolSpec> pools) {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The configuration, checked: every route names a pool that exists. */
  public GatewayConfig {
    routes = List.copyOf(routes);
    pools = Map.copyOf(pools);
    Set<String> ids = new HashSet<>();
    for (Route r : routes) {
      if (!ids.add(r.id())) {
        throw new ConfigException("two routes have the id '" + r.id() + "'; give each route its own id");
      }
      if (!pools.containsKey(r.pool())) {
        throw new ConfigException("route '" + r.id() + "' sends to pool '" + r.pool() + "', which is not among the pools "
            + pools.keySet() + "; add it to \"pools\" or fix the name");
      }
    }
  }

  /** No routes, no pools. */
  public static GatewayConfig empty() {
    return new GatewayConfig(List.of(), Map.of());
  }

  /** How a pool picks an instance for a request. */
  public enum Balancer {
    /** Each instance in turn. */
    ROUND_ROBIN,
    /** The instance with the fewest requests in flight (the first of those tied). */
    LEAST_OUTSTANDING,
    /** Two instances at random, the one of them with fewer requests in flight. */
    POWER_OF_TWO
  }

  /**
   * A route: requests whose path starts with {@code prefix} (and whose host and method match, if
   * given) go to {@code pool}, with the prefix replaced by {@code rewrite}.
   *
   * @param id its name, in logs and metrics
   * @param prefix the path prefix it matches, starting with {@code /}
   * @param host the {@code Host} it matches (without port), if any
   * @param methods the methods it matches; empty: all
   * @param pool the pool it sends to
   * @param rewrite what replaces the prefix in the upstream path
   * @param deadline how long a request may take in all, retries included
   * @param retries how many more instances an idempotent request may try after a failure
   * @param setHeaders headers set on the upstream request
   * @param removeHeaders headers removed from the upstream request
   */
  public record Route(String id, String prefix, Optional<String> host, Set<String> methods, String pool, String rewrite,
                      Duration deadline, int retries, Map<String, String> setHeaders, Set<String> removeHeaders) {
    /** A route, checked. */
    public Route {
      if (!prefix.startsWith("/")) {
        throw new ConfigException("route '" + id + "': prefix must start with '/', got '" + prefix + "'");
      }
      if (prefix.startsWith("/_gateway")) {
        throw new ConfigException("route '" + id + "': the prefix /_gateway is the gateway's own; choose another");
      }
      if (!rewrite.startsWith("/")) {
        throw new ConfigException("route '" + id + "': rewrite must start with '/', got '" + rewrite + "'");
      }
      if (deadline.isNegative() || deadline.isZero()) {
        throw new ConfigException("route '" + id + "': deadlineMs must be positive, got " + deadline.toMillis());
      }
      if (retries < 0) {
        throw new ConfigException("route '" + id + "': retries must be 0 or more, got " + retries);
      }
      methods = Set.copyOf(methods);
      setHeaders = Map.copyOf(setHeaders);
      removeHeaders = Set.copyOf(removeHeaders);
    }

    /** Whether this route takes a request for {@code path} with {@code method} on {@code hostHeader}. */
    public boolean matches(String method, String hostHeader, String path) {
      return path.startsWith(prefix) && (methods.isEmpty() || methods.contains(method))
          && host.map(h -> h.equalsIgnoreCase(hostHeader)).orElse(true);
    }

    /** The upstream path for {@code path}: the prefix replaced by the rewrite. */
    public String rewritePath(String path) {
      String rest = path.substring(prefix.length());
      return rewrite.endsWith("/") && rest.startsWith("/") ? rewrite + rest.substring(1) : rewrite + rest;
    }
  }

  /**
   * A pool of upstream instances.
   *
   * @param name its name
   * @param balancer how it picks an instance
   * @param instances the instances' base URLs ({@code http://host:port})
   * @param breaker the circuit breaker of each instance
   * @param health the active health check of each instance, if any
   * @param retryBudget retries allowed per request (0.2: at most one retry for five requests)
   */
  public record PoolSpec(String name, Balancer balancer, List<String> instances, BreakerSpec breaker,
                         Optional<HealthSpec> health, double retryBudget) {
    /** A pool, checked. */
    public PoolSpec {
      instances = List.copyOf(instances);
      if (new HashSet<>(instances).size() != instances.size()) {
        throw new ConfigException("pool '" + name + "' lists an instance twice: " + instances);
      }
      for (String i : instances) {
        URI u;
        try {
          u = URI.create(i);
        } catch (IllegalArgumentException e) {
          throw new ConfigException("pool '" + name + "': instance '" + i + "' is not a URL like http://host:port");
        }
        if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0
            || (u.getPath() != null && !u.getPath().isEmpty())) {
          throw new ConfigException("pool '" + name + "': instance '" + i + "' is not a URL like http://host:port");
        }
      }
      if (retryBudget < 0) {
        throw new ConfigException("pool '" + name + "': retryBudget must be 0 or more, got " + retryBudget);
      }
    }
  }

  /**
   * When an instance's breaker opens and for how long.
   *
   * @param failures consecutive failures that open it
   * @param failureRate share of failures among the last {@code window} calls that opens it
   * @param window how many recent calls the rate is taken over (and the least before it counts)
   * @param open how long it stays open before letting probes through (half-open)
   * @param probes how many requests at once may probe a half-open instance
   */
  public record BreakerSpec(int failures, double failureRate, int window, Duration open, int probes) {
    /** The defaults: 5 failures in a row, or half of the last 20 calls; open 5 s; 1 probe. */
    public static final BreakerSpec DEFAULTS = new BreakerSpec(5, 0.5, 20, Duration.ofSeconds(5), 1);

    /** A breaker's settings, checked. */
    public BreakerSpec {
      if (failures < 1 || window < 1 || probes < 1 || failureRate <= 0 || failureRate > 1 || open.isNegative()
          || open.isZero()) {
        throw new ConfigException("breaker: failures, window and probes must be at least 1, failureRate in (0, 1] and "
            + "openMs positive; got failures=" + failures + ", failureRate=" + failureRate + ", window=" + window
            + ", openMs=" + open.toMillis() + ", probes=" + probes);
      }
    }
  }

  /**
   * An active health check: {@code GET path} on each instance every {@code interval}.
   *
   * @param path the path asked
   * @param interval how often
   * @param failures failed checks in a row that take the instance out of its pool (one success brings it back)
   */
  public record HealthSpec(String path, Duration interval, int failures) {
    /** A health check's settings, checked. */
    public HealthSpec {
      if (!path.startsWith("/") || interval.isNegative() || interval.isZero() || failures < 1) {
        throw new ConfigException("health: path must start with '/', intervalMs be positive and failures at least 1; "
            + "got path=" + path + ", intervalMs=" + interval.toMillis() + ", failures=" + failures);
      }
    }
  }

  // =====================================================================================
  // JSON

  /**
   * Reads a configuration from JSON.
   *
   * @throws ConfigException naming what is wrong, if it is not valid JSON or not a valid configuration
   */
  public static GatewayConfig parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new ConfigException("the configuration is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException("the configuration must be a JSON object {\"routes\": [...], \"pools\": [...]}");
    }
    Map<String, PoolSpec> pools = new LinkedHashMap<>();
    for (JsonNode p : array(root, "pools", "the configuration")) {
      PoolSpec spec = pool(p);
      if (pools.put(spec.name(), spec) != null) {
        throw new ConfigException("two pools are named '" + spec.name() + "'");
      }
    }
    List<Route> routes = new ArrayList<>();
    for (JsonNode r : array(root, "routes", "the configuration")) {
      routes.add(route(r));
    }
    return new GatewayConfig(routes, pools);
  }

  private static Route route(JsonNode r) {
    String id = text(r, "id", "a route", null);
    String what = "route '" + id + "'";
    Set<String> methods = new HashSet<>();
    for (JsonNode m : array(r, "methods", what)) {
      methods.add(m.asString().toUpperCase(Locale.ROOT));
    }
    Map<String, String> set = new LinkedHashMap<>();
    JsonNode sh = r.path("setHeaders");
    if (!sh.isMissingNode() && !sh.isNull()) {
      if (!sh.isObject()) {
        throw new ConfigException(what + ": setHeaders must be an object of header names to values");
      }
      sh.properties().forEach(e -> set.put(e.getKey(), e.getValue().asString()));
    }
    Set<String> remove = new HashSet<>();
    for (JsonNode h : array(r, "removeHeaders", what)) {
      remove.add(h.asString().toLowerCase(Locale.ROOT));
    }
    String host = text(r, "host", what, "");
    return new Route(id, text(r, "prefix", what, null), host.isEmpty() ? Optional.empty() : Optional.of(host), methods,
        text(r, "pool", what, null), text(r, "rewrite", what, "/"),
        Duration.ofMillis(number(r, "deadlineMs", what, 10_000)), (int) number(r, "retries", what, 1), set, remove);
  }

  private static PoolSpec pool(JsonNode p) {
    String name = text(p, "name", "a pool", null);
    String what = "pool '" + name + "'";
    String b = text(p, "balancer", what, "round_robin");
    Balancer balancer;
    try {
      balancer = Balancer.valueOf(b.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(what + ": balancer must be round_robin, least_outstanding or power_of_two, got '" + b + "'");
    }
    List<String> instances = new ArrayList<>();
    for (JsonNode i : array(p, "instances", what)) {
      instances.add(i.asString());
    }
    BreakerSpec d = BreakerSpec.DEFAULTS;
    JsonNode br = p.path("breaker");
    BreakerSpec breaker = br.isObject() ? new BreakerSpec((int) number(br, "failures", what, d.failures()),
        decimal(br, "failureRate", what, d.failureRate()), (int) number(br, "window", what, d.window()),
        Duration.ofMillis(number(br, "openMs", what, d.open().toMillis())), (int) number(br, "probes", what, d.probes()))
        : d;
    JsonNode h = p.path("health");
    Optional<HealthSpec> health = h.isObject() ? Optional.of(new HealthSpec(text(h, "path", what, "/_health"),
        Duration.ofMillis(number(h, "intervalMs", what, 1000)), (int) number(h, "failures", what, 2))) : Optional.empty();
    return new PoolSpec(name, balancer, instances, breaker, health, decimal(p, "retryBudget", what, 0.2));
  }

  private static Iterable<JsonNode> array(JsonNode n, String field, String what) {
    JsonNode a = n.path(field);
    if (a.isMissingNode() || a.isNull()) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new ConfigException(what + ": \"" + field + "\" must be an array, got " + a);
    }
    return a;
  }

  private static String text(JsonNode n, String field, String what, String orElse) {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      if (orElse == null) {
        throw new ConfigException(what + " has no \"" + field + "\" (it is required): " + n);
      }
      return orElse;
    }
    if (!v.isString()) {
      throw new ConfigException(what + ": \"" + field + "\" must be a string, got " + v);
    }
    return v.asString();
  }

  private static long number(JsonNode n, String field, String what, long orElse) {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return orElse;
    }
    if (!v.isIntegralNumber()) {
      throw new ConfigException(what + ": \"" + field + "\" must be a whole number, got " + v);
    }
    return v.asLong();
  }

  private static double decimal(JsonNode n, String field, String what, double orElse) {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return orElse;
    }
    if (!v.isNumber()) {
      throw new ConfigException(what + ": \"" + field + "\" must be a number, got " + v);
    }
    return v.asDouble();
  }

  /** This configuration as JSON, in the form {@link #parse} reads. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode rs = root.putArray("routes");
    for (Route r : routes) {
      ObjectNode o = rs.addObject();
      o.put("id", r.id()).put("prefix", r.prefix()).put("pool", r.pool()).put("rewrite", r.rewrite());
      r.host().ifPresent(h -> o.put("host", h));
      ArrayNode m = o.putArray("methods");
      r.methods().stream().sorted().forEach(m::add);
      o.put("deadlineMs", r.deadline().toMillis()).put("retries", r.retries());
      ObjectNode sh = o.putObject("setHeaders");
      r.setHeaders().forEach(sh::put);
      ArrayNode rh = o.putArray("removeHeaders");
      r.removeHeaders().stream().sorted().forEach(rh::add);
    }
    ArrayNode ps = root.putArray("pools");
    for (PoolSpec p : pools.values()) {
      ObjectNode o = ps.addObject();
      o.put("name", p.name()).put("balancer", p.balancer().name().toLowerCase(Locale.ROOT));
      ArrayNode is = o.putArray("instances");
      p.instances().forEach(is::add);
      BreakerSpec b = p.breaker();
      o.putObject("breaker").put("failures", b.failures()).put("failureRate", b.failureRate()).put("window", b.window())
          .put("openMs", b.open().toMillis()).put("probes", b.probes());
      p.health().ifPresent(h -> o.putObject("health").put("path", h.path()).put("intervalMs", h.interval().toMillis())
          .put("failures", h.failures()));
      o.put("retryBudget", p.retryBudget());
    }
    return root.toPrettyString();
  }

  /** A configuration that is not valid; the message says what is wrong and how to fix it. */
  public static final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A configuration error with its explanation. */
    public ConfigException(String message) {
      super(message);
    }
  }
}
