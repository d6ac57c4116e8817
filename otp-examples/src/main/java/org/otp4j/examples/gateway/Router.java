package org.otp4j.examples.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.DynamicSupervisor;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.StartOptions;
import org.otp4j.behaviours.StartResult;
import org.otp4j.behaviours.Supervisor;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.otp4j.core.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router: the one writer of the {@link Gateway#ROUTES} and {@link Gateway#POOLS} tables, and
 * the one that starts and stops pools and instances. Request handlers read the tables directly and
 * never wait for it; a configuration is applied in an order that no request can fall into a gap
 * of:
 * <ol>
 *   <li>new instances start (breaker, health check) before their pool lists them;</li>
 *   <li>each pool's new list of instances replaces the old in one write; instances no longer listed
 *       stop after that (a request already sent to one still gets its answer: the upstream call
 *       does not depend on the instance's processes);</li>
 *   <li>new and changed routes are written, one row each, then routes no longer configured are
 *       deleted, then pools no longer used are stopped. A request that read a route whose pool
 *       stopped meanwhile looks its route up again (see {@code Proxy}).</li>
 * </ol>
 * A restarted router applies the configuration last applied again, which finds everything in
 * place and changes nothing.
 */
final class Router extends GenServer<Gateway, Router.Msg> {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);
  private static final String INSTANCE = "instance ";

  sealed interface Msg {
    /** Apply a configuration: what changed, or why it could not be applied. */
    record Apply(GatewayConfig config, String source) implements Msg, Call<Applied> {}
  }

  /** The outcome of applying a configuration. */
  sealed interface Applied {
    record Done(int routes, int pools, int instances) implements Applied {}

    record Failed(String why) implements Applied {}
  }

  private final Gateway gateway;

  private Router(Gateway gateway) {
    this.gateway = gateway;
  }

  static ServerRef<Msg> startLink(Gateway gateway) {
    return GenServer.startLink(Gateway.ROUTER, new Router(gateway));
  }

  /** Applies {@code config}, from {@code source} (for the log); waits as long as the starts take. */
  static Applied apply(GatewayConfig config, String source) {
    return GenServer.call(Gateway.ROUTER, new Msg.Apply(config, source), Duration.ofSeconds(30));
  }

  @Override
  protected Init<Gateway> init() {
    Applied a = applyNow(gateway.config());
    if (a instanceof Applied.Failed(String why)) {
      throw new IllegalStateException("the configuration could not be applied: " + why);
    }
    return Init.ok(gateway);
  }

  @Override
  protected CallResult<Gateway> handleCall(Msg msg, From from, Gateway state) {
    return switch (msg) {
      case Msg.Apply a -> {
        Applied result = applyNow(a.config());
        if (result instanceof Applied.Done d) {
          LOG.info("configuration from {} applied: {} routes, {} pools, {} instances", a.source(), d.routes(), d.pools(),
              d.instances());
          gateway.count("gateway_config_reloads_total{result=\"ok\"}");
        } else {
          gateway.count("gateway_config_reloads_total{result=\"failed\"}");
        }
        yield reply(a, result, state);
      }
    };
  }

  private Applied applyNow(GatewayConfig config) {
    Table<String, GatewayConfig.Route> routes = gateway.<String, GatewayConfig.Route>table(Gateway.ROUTES).orElseThrow();
    Table<String, GatewayConfig.PoolSpec> pools = gateway.<String, GatewayConfig.PoolSpec>table(Gateway.POOLS).orElseThrow();
    int instances = 0;
    for (GatewayConfig.PoolSpec spec : config.pools().values()) {
      Optional<String> failed = reconcile(spec, pools);
      if (failed.isPresent()) {
        return new Applied.Failed(failed.get());
      }
      instances += spec.instances().size();
    }
    for (GatewayConfig.Route r : config.routes()) {
      routes.insert(r.id(), r);
    }
    Set<String> ids = new HashSet<>();
    config.routes().forEach(r -> ids.add(r.id()));
    routes.selectDelete((id, r) -> !ids.contains(id));
    for (Table.Entry<String, GatewayConfig.PoolSpec> e : pools.select((k, v) -> !config.pools().containsKey(k))) {
      // stopped before its row goes: a request still on an old route finds no balancer and reads its route again
      Proc.whereis(Gateway.poolSupervisor(e.key())).ifPresent(p -> DynamicSupervisor.terminateChild(Gateway.POOL_SUPERVISOR, p));
      pools.delete(e.key());
      gateway.table(Gateway.BALANCERS).ifPresent(t -> t.delete(e.key()));
      forgetInstances(e.key(), e.value().instances());
    }
    gateway.applied(config);
    return new Applied.Done(config.routes().size(), config.pools().size(), instances);
  }

  /** Brings one pool to {@code spec}: its supervisor running, its instances started and stopped. */
  private Optional<String> reconcile(GatewayConfig.PoolSpec spec, Table<String, GatewayConfig.PoolSpec> pools) {
    String name = spec.name();
    Optional<GatewayConfig.PoolSpec> old = pools.get(name);
    Optional<Pid> sup = Proc.whereis(Gateway.poolSupervisor(name));
    if (sup.isEmpty()) {
      DynamicSupervisor.StartChildResult r = DynamicSupervisor.startChild(Gateway.POOL_SUPERVISOR,
          ChildSpec.supervisor(name, () -> Supervisor.startLink(Supervisor.of(Supervisor.oneForOne()
              .withIntensity(10, Duration.ofSeconds(10)), ChildSpec.worker("balancer", () -> Pool.startLink(gateway, name))),
              StartOptions.defaults().withName(Gateway.poolSupervisor(name)))));
      if (!(r instanceof StartResult.Started(Pid pid))) {
        return Optional.of("pool '" + name + "' did not start: " + r);
      }
      sup = Optional.of(pid);
    }
    Pid poolSup = sup.get();
    boolean settingsChanged = old.isPresent() && (!old.get().breaker().equals(spec.breaker())
        || !old.get().health().equals(spec.health()));
    Set<String> running = new HashSet<>();
    for (Supervisor.Child c : Supervisor.whichChildren(poolSup)) {
      if (c.id() instanceof String id && id.startsWith(INSTANCE)) {
        running.add(id.substring(INSTANCE.length()));
      }
    }
    if (settingsChanged) { // restart every instance with its new breaker and health settings
      stopInstances(poolSup, name, List.copyOf(running));
      running.clear();
    }
    for (String url : spec.instances()) {
      if (!running.contains(url)) {
        Supervisor.StartChildResult r = Supervisor.startChild(poolSup, instanceSpec(spec, url));
        if (!(r instanceof StartResult.Started)) {
          return Optional.of("instance " + url + " of pool '" + name + "' did not start: " + r);
        }
      }
    }
    pools.insert(name, spec);
    List<String> gone = new ArrayList<>(running);
    gone.removeAll(spec.instances());
    stopInstances(poolSup, name, gone);
    return Optional.empty();
  }

  private ChildSpec instanceSpec(GatewayConfig.PoolSpec spec, String url) {
    String key = Gateway.instanceKey(spec.name(), url);
    List<ChildSpec> children = new ArrayList<>();
    children.add(ChildSpec.worker("breaker", () -> Breaker.startLink(gateway, key, spec.breaker())));
    spec.health().ifPresent(h -> children.add(ChildSpec.worker("health", () -> HealthCheck.startLink(gateway, key, url, h))));
    return ChildSpec.supervisor(INSTANCE + url, () -> Supervisor.startLink(Supervisor.of(Supervisor.oneForAll()
        .withIntensity(10, Duration.ofSeconds(10)), children)));
  }

  private void stopInstances(Pid poolSup, String pool, List<String> urls) {
    for (String url : urls) {
      Supervisor.terminateChild(poolSup, INSTANCE + url);
      Supervisor.deleteChild(poolSup, INSTANCE + url);
    }
    forgetInstances(pool, urls);
  }

  private void forgetInstances(String pool, List<String> urls) {
    for (String url : urls) {
      String key = Gateway.instanceKey(pool, url);
      gateway.table(Gateway.BREAKERS).ifPresent(t -> t.delete(Objects.requireNonNull(key)));
      gateway.table(Gateway.HEALTH).ifPresent(t -> t.delete(key));
    }
  }

  /** The current routes, for the admin API. */
  static List<GatewayConfig.Route> routes(Gateway gateway) {
    return gateway.<String, GatewayConfig.Route>table(Gateway.ROUTES).map(t -> t.stream().map(Table.Entry::value).toList())
        .orElse(List.of());
  }

  /** The current pools, for the admin API. */
  static Map<String, GatewayConfig.PoolSpec> pools(Gateway gateway) {
    return gateway.<String, GatewayConfig.PoolSpec>table(Gateway.POOLS)
        .map(t -> t.stream().collect(java.util.stream.Collectors.toMap(Table.Entry::key, Table.Entry::value)))
        .orElse(Map.of());
  }
}
