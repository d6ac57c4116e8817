package org.otp4j.examples.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.Supervisor;

/**
 * The gateway application's top supervisor.
 *
 * <pre>
 * gateway_sup (rest_for_one)
 * |-- tables    TableKeeper: owns the public tables (routes, pools, breakers, health, metrics)
 * |-- limiter   Limiter: a token bucket per client
 * |-- pools     DynamicSupervisor: per pool a supervisor (one_for_one)
 * |               |-- balancer        Pool: picks instances, counts requests in flight, retry budget
 * |               `-- instance URL    a supervisor per instance (one_for_all)
 * |                     |-- breaker   Breaker (GenStatem): closed / open / half-open
 * |                     `-- health    HealthCheck: GET /_health every interval (if configured)
 * |-- router    Router: applies configurations (writes routes and pools, starts and stops pools)
 * |-- watcher   ConfigWatcher: applies the configuration file when it changes (if one is given)
 * `-- web       WebEndpoint: Jetty, the proxy port and the admin port
 * </pre>
 *
 * <p>Rest for one, because each child depends on those before it: the tables hold what everyone
 * reads; the router starts pools under {@code pools} and writes the tables; the watcher and the
 * admin API hand configurations to the router. If the tables' keeper dies, the tables go with it
 * and everything after it starts again, the router applying the last configuration anew. A crash of
 * the router, watcher or web endpoint restarts those after it only; the pools and the breakers'
 * states live on. A breaker or a health check restarts with its sibling alone (one for all in its
 * instance), a balancer alone: requests in flight finish on their own (they hold no process), and
 * the next requests find the restarted process by its name.
 */
final class GatewaySupervisor extends Supervisor {
  private final Gateway gateway;

  GatewaySupervisor(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  protected Spec init() {
    List<ChildSpec> children = new ArrayList<>();
    children.add(ChildSpec.worker("tables", TableKeeper::startLink));
    children.add(ChildSpec.worker("limiter", () -> Limiter.startLink(gateway.settings())));
    children.add(ChildSpec.supervisor("pools", () -> DynamicSupervisor.startLink(Gateway.POOL_SUPERVISOR,
        DynamicSupervisor.Options.defaults())));
    children.add(ChildSpec.worker("router", () -> Router.startLink(gateway)));
    gateway.settings().configFile().ifPresent(file ->
        children.add(ChildSpec.worker("watcher", () -> ConfigWatcher.startLink(gateway, file))));
    children.add(ChildSpec.worker("web", () -> WebEndpoint.startLink(gateway)));
    return Spec.of(Supervisor.restForOne().withIntensity(5, Duration.ofSeconds(10)), children);
  }
}
