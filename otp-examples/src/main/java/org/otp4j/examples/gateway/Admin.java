package org.otp4j.examples.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.otp4j.core.CallException;
import org.otp4j.core.Table;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin port:
 * <ul>
 *   <li>{@code GET /}: the admin page (routes, instances, breaker states, rates; refreshes itself);</li>
 *   <li>{@code GET /admin/state}: what the page shows, as JSON;</li>
 *   <li>{@code GET /admin/config}, {@code PUT /admin/config}: the configuration, and replacing it;</li>
 *   <li>{@code POST /admin/pools/NAME/instances} with {@code {"url": "http://host:port"}}: an
 *       instance joins a pool; {@code DELETE /admin/pools/NAME/instances?url=...}: it leaves;</li>
 *   <li>{@code GET /metrics}: counters and gauges in Prometheus' text format.</li>
 * </ul>
 * Every change goes through the router, as a whole new configuration, so the admin API, the
 * watched file and a restart all apply configurations the same way.
 */
final class Admin extends Handler.Abstract {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Gateway gateway;
  private final Proxy proxy;
  private final byte[] page;

  Admin(Gateway gateway, Proxy proxy) throws IOException {
    super(InvocationType.BLOCKING);
    this.gateway = gateway;
    this.proxy = proxy;
    try (InputStream in = Admin.class.getResourceAsStream("/gateway/admin.html")) {
      if (in == null) {
        throw new IOException("resource /gateway/admin.html is missing from the class path");
      }
      page = in.readAllBytes();
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    gateway.node().run(() -> {
      try {
        route(request, response, callback, path, method);
      } catch (GatewayConfig.ConfigException e) {
        json(response, callback, 400, Map.of("error", "bad_config", "message", e.getMessage()));
      } catch (CallException e) {
        json(response, callback, 503, Map.of("error", "router_unavailable", "message", "the router did not answer ("
            + e.getMessage() + "); try again"));
      } catch (IOException e) {
        json(response, callback, 400, Map.of("error", "bad_request", "message", e.getMessage()));
      }
    });
    return true;
  }

  private void route(Request request, Response response, Callback callback, String path, String method)
      throws IOException {
    switch (method + " " + path) {
      case "GET /", "GET /index.html" -> send(response, callback, 200, "text/html; charset=utf-8", page);
      case "GET /admin/state" -> json(response, callback, 200, state());
      case "GET /admin/config" -> send(response, callback, 200, "application/json",
          gateway.config().toJson().getBytes(StandardCharsets.UTF_8));
      case "PUT /admin/config" -> applied(response, callback, GatewayConfig.parse(body(request)), "the admin API");
      case "GET /metrics" -> send(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8",
          metrics().getBytes(StandardCharsets.UTF_8));
      default -> {
        String[] parts = path.split("/");
        // /admin/pools/NAME/instances -> "", admin, pools, NAME, instances
        if (parts.length == 5 && parts[1].equals("admin") && parts[2].equals("pools") && parts[4].equals("instances")
            && (method.equals("POST") || method.equals("DELETE"))) {
          String url = method.equals("POST") ? JSON.readTree(body(request)).path("url").asString("")
              : Request.extractQueryParameters(request).getValue("url");
          applied(response, callback, withInstance(parts[3], url, method.equals("POST")), "the admin API");
          return;
        }
        json(response, callback, 404, Map.of("error", "not_found", "message", method + " " + path + " is not part of the "
            + "admin API: GET /, GET /admin/state, GET|PUT /admin/config, POST|DELETE /admin/pools/NAME/instances, "
            + "GET /metrics"));
      }
    }
  }

  private void applied(Response response, Callback callback, GatewayConfig config, String source) {
    switch (Router.apply(config, source)) {
      case Router.Applied.Done d -> json(response, callback, 200, Map.of("applied", true, "routes", d.routes(),
          "pools", d.pools(), "instances", d.instances()));
      case Router.Applied.Failed f -> json(response, callback, 409, Map.of("error", "not_applied", "message", f.why()));
    }
  }

  /** The current configuration with {@code url} added to, or removed from, pool {@code pool}. */
  private GatewayConfig withInstance(String pool, String url, boolean add) {
    GatewayConfig now = gateway.config();
    GatewayConfig.PoolSpec p = now.pools().get(pool);
    if (p == null) {
      throw new GatewayConfig.ConfigException("no pool is named '" + pool + "'; the pools are " + now.pools().keySet());
    }
    if (url == null || url.isEmpty()) {
      throw new GatewayConfig.ConfigException("give the instance's URL: {\"url\": \"http://host:port\"} to add, "
          + "?url=http://host:port to remove");
    }
    List<String> instances = new ArrayList<>(p.instances());
    if (add ? instances.contains(url) : !instances.remove(url)) {
      throw new GatewayConfig.ConfigException("pool '" + pool + "' " + (add ? "already has " : "has no instance ") + url);
    }
    if (add) {
      instances.add(url);
    }
    Map<String, GatewayConfig.PoolSpec> pools = new LinkedHashMap<>(now.pools());
    pools.put(pool, new GatewayConfig.PoolSpec(pool, p.balancer(), instances, p.breaker(), p.health(), p.retryBudget()));
    return new GatewayConfig(now.routes(), pools);
  }

  /** Routes, pools with their instances (breaker, health, requests in flight), and the request counts. */
  Map<String, Object> state() {
    Map<String, Object> out = new LinkedHashMap<>();
    List<Map<String, Object>> routes = new ArrayList<>();
    for (GatewayConfig.Route r : Router.routes(gateway)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", r.id());
      m.put("prefix", r.prefix());
      m.put("host", r.host().orElse(""));
      m.put("methods", r.methods().stream().sorted().toList());
      m.put("pool", r.pool());
      m.put("rewrite", r.rewrite());
      m.put("deadlineMs", r.deadline().toMillis());
      routes.add(m);
    }
    routes.sort((a, b) -> String.valueOf(a.get("id")).compareTo(String.valueOf(b.get("id"))));
    out.put("routes", routes);
    Table<String, Breaker.View> breakers = gateway.<String, Breaker.View>table(Gateway.BREAKERS).orElse(null);
    Table<String, Boolean> health = gateway.<String, Boolean>table(Gateway.HEALTH).orElse(null);
    List<Map<String, Object>> pools = new ArrayList<>();
    for (GatewayConfig.PoolSpec p : new TreeMap<>(Router.pools(gateway)).values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", p.name());
      m.put("balancer", p.balancer().name().toLowerCase(java.util.Locale.ROOT));
      Map<String, Object> stats;
      try {
        stats = Pool.stats(p.name());
      } catch (CallException e) {
        stats = Map.of("outstanding", Map.of(), "retryBudget", 0.0);
      }
      m.put("retryBudget", stats.get("retryBudget"));
      @SuppressWarnings("unchecked")
      Map<String, Integer> outstanding = (Map<String, Integer>) stats.get("outstanding");
      List<Map<String, Object>> instances = new ArrayList<>();
      for (String url : p.instances()) {
        String key = Gateway.instanceKey(p.name(), url);
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("url", url);
        Breaker.View v = breakers == null ? null : breakers.get(key).orElse(null);
        i.put("breaker", v == null ? "unknown" : v.stateName());
        i.put("failuresInRow", v == null ? 0 : v.failuresInRow());
        i.put("recentCalls", v == null ? 0 : v.recent());
        i.put("probes", v == null ? 0 : v.probes());
        i.put("healthy", health == null ? null : health.get(key).orElse(null));
        i.put("outstanding", outstanding.getOrDefault(url, 0));
        instances.add(i);
      }
      m.put("instances", instances);
      pools.add(m);
    }
    out.put("pools", pools);
    out.put("inflight", proxy.inflight());
    Map<String, Long> requests = new TreeMap<>();
    gateway.<String, Long>table(Gateway.METRICS).ifPresent(t -> t.forEach(e -> {
      if (e.key().startsWith("gateway_requests_total")) {
        requests.put(e.key().substring("gateway_requests_total".length()), e.value());
      }
    }));
    out.put("requests", requests);
    return out;
  }

  /** The counters of the metrics table, and gauges for the breakers, health and requests in flight. */
  String metrics() {
    StringBuilder sb = new StringBuilder();
    Map<String, Long> counters = new TreeMap<>();
    gateway.<String, Long>table(Gateway.METRICS).ifPresent(t -> t.forEach(e -> counters.put(e.key(), e.value())));
    String family = "";
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      String name = e.getKey().contains("{") ? e.getKey().substring(0, e.getKey().indexOf('{')) : e.getKey();
      String base = name.replaceAll("_(sum|count)$", "");
      if (!base.equals(family)) {
        family = base;
        sb.append("# TYPE ").append(base).append(base.endsWith("_total") ? " counter\n" : " summary\n");
      }
      sb.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
    }
    sb.append("# TYPE gateway_breaker_state gauge\n");
    gateway.<String, Breaker.View>table(Gateway.BREAKERS).ifPresent(t -> new TreeMap<>(t.stream().collect(
        java.util.stream.Collectors.toMap(Table.Entry::key, Table.Entry::value))).forEach((k, v) -> {
          for (Breaker.State s : Breaker.State.values()) {
            sb.append("gateway_breaker_state{instance=\"").append(k).append("\",state=\"")
                .append(s.name().toLowerCase(java.util.Locale.ROOT)).append("\"} ").append(v.state() == s ? 1 : 0).append('\n');
          }
        }));
    sb.append("# TYPE gateway_instance_healthy gauge\n");
    gateway.<String, Boolean>table(Gateway.HEALTH).ifPresent(t -> new TreeMap<>(t.stream().collect(
        java.util.stream.Collectors.toMap(Table.Entry::key, Table.Entry::value))).forEach((k, v) ->
        sb.append("gateway_instance_healthy{instance=\"").append(k).append("\"} ").append(v ? 1 : 0).append('\n')));
    sb.append("# TYPE gateway_requests_in_flight gauge\n");
    sb.append("gateway_requests_in_flight ").append(proxy.inflight()).append('\n');
    return sb.toString();
  }

  private static String body(Request request) throws IOException {
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] b = in.readNBytes(1 << 20);
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  private static void json(Response response, Callback callback, int status, Object body) {
    send(response, callback, status, "application/json", JSON.writeValueAsBytes(body));
  }

  private static void send(Response response, Callback callback, int status, String type, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
