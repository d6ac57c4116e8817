package org.otp4j.examples.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.behaviours.Supervisor;

/**
 * The gateway application's top supervisor.
 *
 * <pre>
 * gateway_sup (one_for_one)
 * |-- core      a supervisor (rest_for_one)
 * |   |-- tables    TableKeeper: owns the public tables (routes, pools, breakers, health, metrics)
 * |   |-- pools     DynamicSupervisor: per pool a supervisor (one_for_one)
 * |   |               |-- balancer        Pool: picks instances, counts requests in flight, retry budget
 * |   |               `-- instance URL    a supervisor per instance (one_for_all)
 * |   |                     |-- breaker   Breaker (GenStatem): closed / open / half-open
 * |   |                     `-- health    HealthCheck: GET /_health every interval (if configured)
 * |   |-- router    Router: applies configurations (writes routes and pools, starts and stops pools)
 * |   `-- watcher   ConfigWatcher: applies the configuration file when it changes (if one is given)
 * |-- limiter   Limiter: owns the table of the clients' token buckets, sweeps the idle ones
 * `-- web       WebEndpoint: Jetty, the proxy port and the admin port
 * </pre>
 *
 * <p>In the core, each child depends on those before it, hence rest for one: the tables hold what
 * everyone reads; the router starts pools under {@code pools} and writes the tables; the watcher
 * hands the file to the router. If the tables' keeper dies, the tables go with it and the whole
 * core starts again, the router applying the last configuration anew. A crash of the router
 * restarts the router and the watcher only: the pools and the breakers' states live on.
 *
 * <p>The limiter and the web endpoint depend on no process of the core at start (they find the
 * tables, the router and the pools by name when a request needs them), so they sit beside it, one
 * for one: no crash in the core closes a client's connection, and a crash of the web endpoint
 * leaves the pools and breakers alone. A breaker or a health check restarts with its sibling alone
 * (one for all in its instance), a balancer alone: requests in flight finish on their own (they
 * hold no process), and the next requests find the restarted process by its name.
 */
final class GatewaySupervisor extends Supervisor {
  private final Gateway gateway;

  GatewaySupervisor(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  protected Spec init() {
    List<ChildSpec> core = new ArrayList<>();
    core.add(ChildSpec.worker("tables", TableKeeper::startLink));
    core.add(ChildSpec.supervisor("pools", () -> DynamicSupervisor.startLink(Gateway.POOL_SUPERVISOR,
        DynamicSupervisor.Options.defaults())));
    core.add(ChildSpec.worker("router", () -> Router.startLink(gateway)));
    gateway.settings().configFile().ifPresent(file ->
        core.add(ChildSpec.worker("watcher", () -> ConfigWatcher.startLink(gateway, file))));
    return Spec.of(Supervisor.oneForOne().withIntensity(5, Duration.ofSeconds(10)),
        ChildSpec.supervisor("core", () -> Supervisor.startLink(Supervisor.of(
            Supervisor.restForOne().withIntensity(5, Duration.ofSeconds(10)), core),
            StartOptions.defaults().withName(Gateway.CORE))),
        ChildSpec.worker("limiter", () -> Limiter.startLink(gateway)),
        ChildSpec.worker("web", () -> WebEndpoint.startLink(gateway)));
  }
}
