package org.otp4j.examples.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.ContentResponse;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;

/**
 * The active health check of one instance: {@code GET path} every interval; after
 * {@code failures} failed checks in a row the instance is marked unhealthy in the
 * {@link Gateway#HEALTH} table (its pool stops picking it), after one good check healthy again.
 * A check waits at most the interval (and 2 s), so a hung instance fails its checks too.
 */
final class HealthCheck extends GenServer<HealthCheck.State, Void> {
  record Tick() {}

  record State(int failuresInRow, boolean healthy) {}

  private final Gateway gateway;
  private final String key;
  private final String url;
  private final GatewayConfig.HealthSpec spec;

  private HealthCheck(Gateway gateway, String key, String url, GatewayConfig.HealthSpec spec) {
    this.gateway = gateway;
    this.key = key;
    this.url = url;
    this.spec = spec;
  }

  static Pid startLink(Gateway gateway, String key, String url, GatewayConfig.HealthSpec spec) {
    return GenServer.startLink(new HealthCheck(gateway, key, url, spec)).pid();
  }

  @Override
  protected Init<State> init() {
    Proc.sendInterval(spec.interval(), Proc.self(), new Tick());
    gateway.<String, Boolean>table(Gateway.HEALTH).ifPresent(t -> t.insert(key, true));
    return Init.ok(new State(0, true));
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    if (!(message instanceof Tick)) {
      return noReply(state);
    }
    Proc.flush(m -> m instanceof Tick); // checks that fell behind are one check
    boolean ok = check();
    State next = ok ? new State(0, true) : new State(state.failuresInRow() + 1,
        state.healthy() && state.failuresInRow() + 1 < spec.failures());
    if (next.healthy() != state.healthy()) {
      gateway.<String, Boolean>table(Gateway.HEALTH).ifPresent(t -> t.insert(key, next.healthy()));
      gateway.count("gateway_health_changes_total{instance=\"" + key + "\",healthy=\"" + next.healthy() + "\"}");
    }
    return noReply(next);
  }

  private boolean check() {
    Duration wait = spec.interval().compareTo(Duration.ofSeconds(2)) < 0 ? spec.interval() : Duration.ofSeconds(2);
    try {
      ContentResponse r = gateway.http().newRequest(URI.create(url + spec.path()))
          .timeout(wait.toMillis(), TimeUnit.MILLISECONDS).send();
      return r.getStatus() >= 200 && r.getStatus() < 300;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
