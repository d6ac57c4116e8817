package org.otp4j.examples.gateway;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;
import org.otp4j.examples.JettyProcess;

/**
 * What the gateway's processes and its HTTP handlers share: the settings, the names of the
 * processes and tables, the configuration last applied, and the HTTP client to the upstreams.
 * Holds no process and no state of its own but the configuration to apply after a restart.
 */
final class Gateway {
  /** The table of routes: route id to {@link GatewayConfig.Route}. Written by the router only. */
  static final String ROUTES = "gateway.routes";
  /** The table of pools: pool name to {@link GatewayConfig.PoolSpec} (its instances). Written by the router only. */
  static final String POOLS = "gateway.pools";
  /** The breakers' states: instance key to {@link Breaker.View}. Each row written by its breaker. */
  static final String BREAKERS = "gateway.breakers";
  /** The health checks' verdicts: instance key to {@code Boolean}. Each row written by its health check. */
  static final String HEALTH = "gateway.health";
  /** Counters for {@code /metrics}: metric line (name and labels) to a count. */
  static final String METRICS = "gateway.metrics";

  static final Name CORE = Name.local("gateway.core");
  static final Name POOL_SUPERVISOR = Name.local("gateway.pools");
  static final ServerRef<Router.Msg> ROUTER = ServerRef.local("gateway.router");
  static final ServerRef<Void> LIMITER = ServerRef.local("gateway.limiter");
  static final ServerRef<JettyProcess.Request> WEB = ServerRef.local("gateway.web");

  private final GatewaySettings settings;
  private final Node node;
  private final AtomicReference<GatewayConfig> config;
  private final HttpClient http;
  private final TokenBucket buckets;

  private Gateway(GatewaySettings settings, Node node, GatewayConfig initial) {
    this.settings = settings;
    this.node = node;
    this.config = new AtomicReference<>(initial);
    this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
        .executor(Executors.newVirtualThreadPerTaskExecutor()).version(HttpClient.Version.HTTP_1_1).build();
    this.buckets = settings.rateLimit() != 0 ? new TokenBucket(settings.rateLimit(), settings.rateBurst()) : null;
  }

  static Gateway create(GatewaySettings settings, Node node, GatewayConfig initial) {
    return new Gateway(settings, node, initial);
  }

  GatewaySettings settings() {
    return settings;
  }

  Node node() {
    return node;
  }

  HttpClient http() {
    return http;
  }

  /** The shape of the clients' token buckets (null when {@code rateLimit} is 0: no limit). */
  TokenBucket buckets() {
    return buckets;
  }

  /** The configuration last applied (what a restarted router applies again). */
  GatewayConfig config() {
    return config.get();
  }

  void applied(GatewayConfig now) {
    config.set(now);
  }

  static Name poolSupervisor(String pool) {
    return Name.local("gateway.pool-sup." + pool);
  }

  static ServerRef<Pool.Msg> pool(String pool) {
    return ServerRef.local("gateway.pool." + pool);
  }

  static ServerRef<Breaker.Msg> breaker(String instanceKey) {
    return ServerRef.local("gateway.breaker." + instanceKey);
  }

  /** The key of an instance in the tables: its pool and its URL. */
  static String instanceKey(String pool, String url) {
    return pool + " " + url;
  }

  /** The table named {@code name} on this gateway's node, if its keeper is running. */
  <K, V> Optional<Table<K, V>> table(String name) {
    return Table.whereis(node, name);
  }

  /** Adds one to a counter of {@code /metrics}. */
  void count(String metric) {
    this.<String, Long>table(METRICS).ifPresent(t -> t.updateCounter(metric, 1, 0));
  }

  /** Adds {@code by} to a counter of {@code /metrics}. */
  void count(String metric, long by) {
    this.<String, Long>table(METRICS).ifPresent(t -> t.updateCounter(metric, by, 0));
  }

  /** How long to wait for one of the gateway's own processes to answer a request handler. */
  static final Duration INTERNAL_CALL = Duration.ofSeconds(2);
}
