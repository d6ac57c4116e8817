package org.otp4j.examples.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.otp4j.core.Name;
import org.otp4j.core.Node;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;
import org.otp4j.examples.JettyProcess;

/**
 * What the gateway's processes and its HTTP handlers share: the settings, the names of the
 * processes and tables, the configuration last applied, and the HTTP client to the upstreams.
 * Holds no process and no state of its own but the configuration to apply after a restart.
 *
 * <p>The client to the upstreams is Jetty's, one for the application's life (started with it,
 * stopped by {@link GatewayApp#stop()}), set up as a proxy's: per upstream (a Jetty destination) a
 * pool of up to {@link #CONNECTIONS_PER_UPSTREAM} kept-alive HTTP/1.1 connections; no redirects
 * followed, no cookies kept, no content decoded, no protocol handler (a 401 or a 100-continue goes
 * back to the client as it came), no {@code User-Agent} or {@code Content-Type} of its own. Its
 * response listeners run on the thread that read the response (they never wait: see {@link Proxy}).
 * Its threads are daemons: a gateway whose tree crashed without {@code stop} does not keep a JVM up.
 */
final class Gateway {
  /** The table of routes: route id to {@link GatewayConfig.Route}. Written by the router only. */
  static final String ROUTES = "gateway.routes";
  /** The table of pools: pool name to {@link GatewayConfig.PoolSpec} (its instances). Written by the router only. */
  static final String POOLS = "gateway.pools";
  /** The balancers' states: pool name to its {@link Pool.Balance}. Each row written by its pool's balancer. */
  static final String BALANCERS = "gateway.balancers";
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

  /** The most connections kept to one upstream instance: as many requests to it at once. */
  static final int CONNECTIONS_PER_UPSTREAM = 64;
  /** The most requests waiting for a connection to one upstream instance. */
  static final int QUEUED_PER_UPSTREAM = 4096;
  /** How long a kept-alive connection to an upstream may sit unused before it is closed. */
  static final Duration UPSTREAM_IDLE = Duration.ofSeconds(20);

  private final GatewaySettings settings;
  private final Node node;
  private final AtomicReference<GatewayConfig> config;
  private final HttpClient http;
  private final TokenBucket buckets;

  private Gateway(GatewaySettings settings, Node node, GatewayConfig initial) {
    this.settings = settings;
    this.node = node;
    this.config = new AtomicReference<>(initial);
    this.http = upstreamClient(settings);
    this.buckets = settings.rateLimit() != 0 ? new TokenBucket(settings.rateLimit(), settings.rateBurst()) : null;
  }

  /** A gateway with its upstream client started. */
  static Gateway create(GatewaySettings settings, Node node, GatewayConfig initial) {
    Gateway gateway = new Gateway(settings, node, initial);
    try {
      gateway.http.start();
    } catch (Exception e) {
      throw new IllegalStateException("the gateway's HTTP client to its upstreams did not start: " + e, e);
    }
    return gateway;
  }

  /** Stops the upstream client: requests still in flight fail, its connections close. */
  void close() throws Exception {
    http.stop();
  }

  private static HttpClient upstreamClient(GatewaySettings settings) {
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("gateway-upstream");
    threads.setDaemon(true);
    ClientConnector connector = new ClientConnector();
    connector.setSelectors(1);
    connector.setConnectTimeout(settings.connectTimeout());
    connector.setIdleTimeout(UPSTREAM_IDLE);
    HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
    transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING); // the proxy's listeners never wait
    HttpClient client = new HttpClient(transport);
    client.setExecutor(threads);
    client.setScheduler(new ScheduledExecutorScheduler("gateway-upstream-timer", true));
    client.setMaxConnectionsPerDestination(CONNECTIONS_PER_UPSTREAM);
    client.setMaxRequestsQueuedPerDestination(QUEUED_PER_UPSTREAM);
    client.setIdleTimeout(UPSTREAM_IDLE.toMillis());
    client.setConnectTimeout(settings.connectTimeout().toMillis());
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setUserAgentField(null);
    client.setDefaultRequestContentType(null);
    client.getContentDecoderFactories().clear();
    client.getProtocolHandlers().clear();
    return client;
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
