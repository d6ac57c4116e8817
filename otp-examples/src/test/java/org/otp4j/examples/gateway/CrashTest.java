package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.core.Table;

/**
 * Killing the gateway's own processes: the router, a pool's balancer, an instance's breaker, the
 * tables' keeper. Each is restarted by its supervisor (the report of the kill is asserted), a
 * request in flight at the time is answered, the next requests are served, and nothing is left
 * behind: no request counted in flight, the routes back in their table.
 */
class CrashTest {
  GatewayServer gateway;
  List<UpstreamProcess> ups;

  @BeforeEach
  void start() {
    gateway = Shared.gateway();
    ups = List.of(Shared.upstream("a"), Shared.upstream("b"));
    gateway.configure("""
        {"routes": [{"id": "crash", "prefix": "/crash/", "pool": "crash"}],
         "pools": [{"name": "crash", "instances": ["%s", "%s"]}]}
        """.formatted(ups.get(0).url(), ups.get(1).url()));
  }

  Pid whereis(String name) {
    return gateway.on(() -> Proc.whereis(name)).orElseThrow(() -> new AssertionError(name + " is not running"));
  }

  /** Kills the process registered as {@code name} while a slow request is in flight; returns that request. */
  CompletableFuture<HttpResponse<String>> killDuringARequest(String name, Captured reports) {
    ups.forEach(u -> u.fault("latencyMs=800"));
    CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> gateway.get("/crash/slow"));
    await().atMost(GatewayServer.WAIT).until(() -> ups.stream().mapToLong(u -> u.stats().path("inflight").asLong()).sum() == 1);
    Pid victim = whereis(name);
    gateway.node.run(() -> Proc.exit(victim, ExitReason.KILL));
    reports.awaitKilled(victim);
    await().atMost(GatewayServer.WAIT).until(() -> gateway.on(() -> Proc.whereis(name)).filter(p -> !p.equals(victim))
        .isPresent());
    ups.forEach(u -> u.fault("latencyMs=0"));
    return inFlight;
  }

  void servedAndNothingLeft(CompletableFuture<HttpResponse<String>> inFlight) throws Exception {
    assertThat(inFlight.get().statusCode()).isEqualTo(200);
    for (int i = 0; i < 4; i++) {
      assertThat(gateway.get("/crash/after").statusCode()).isEqualTo(200);
    }
    // the last outcomes reach the balancer and the breakers as casts, after the answers
    gateway.awaitState(s -> s.path("inflight").asLong() == 0 && java.util.stream.StreamSupport.stream(
        s.path("pools").get(0).path("instances").spliterator(), false)
        .allMatch(i -> i.path("outstanding").asInt() == 0 && i.path("breaker").asString().equals("closed")));
  }

  @Test
  void theRouterIsRestartedAndTheRoutesStay() throws Exception {
    try (Captured reports = Captured.logger(Captured.REPORTS)) {
      servedAndNothingLeft(killDuringARequest("gateway.router", reports));
      gateway.configure("""
          {"routes": [{"id": "crash2", "prefix": "/crash/", "pool": "crash"}],
           "pools": [{"name": "crash", "instances": ["%s"]}]}
          """.formatted(ups.get(0).url()));
      assertThat(gateway.state().path("routes").get(0).path("id").asString()).isEqualTo("crash2");
      assertThat(reports.unclaimed()).isEmpty();
    }
  }

  @Test
  void aBalancerIsRestartedAndItsCountsStartAfresh() throws Exception {
    try (Captured reports = Captured.logger(Captured.REPORTS)) {
      servedAndNothingLeft(killDuringARequest("gateway.pool.crash", reports));
      assertThat(reports.unclaimed()).isEmpty();
    }
  }

  @Test
  void aBreakerIsRestartedClosed() throws Exception {
    try (Captured reports = Captured.logger(Captured.REPORTS)) {
      String key = "gateway.breaker." + Gateway.instanceKey("crash", ups.get(0).url());
      servedAndNothingLeft(killDuringARequest(key, reports));
      assertThat(reports.unclaimed()).isEmpty();
    }
  }

  @Test
  void theTablesKeeperTakesTheCoreDownAndUpAndTheConfigurationIsAppliedAgain() throws Exception {
    try (Captured reports = Captured.logger(Captured.REPORTS)) {
      Pid keeper = gateway.on(() -> Table.whereis(Gateway.ROUTES).map(t -> t.info().owner())).orElseThrow();
      Pid router = whereis("gateway.router");
      gateway.node.run(() -> Proc.exit(keeper, ExitReason.KILL));
      reports.awaitKilled(keeper);
      await().atMost(GatewayServer.WAIT).until(() -> gateway.on(() -> Proc.whereis("gateway.router"))
          .filter(p -> !p.equals(router)).isPresent());
      Optional<Pid> newKeeper = gateway.on(() -> Table.whereis(Gateway.ROUTES).map(t -> t.info().owner()));
      assertThat(newKeeper).isPresent().get().isNotEqualTo(keeper);
      servedAndNothingLeft(CompletableFuture.completedFuture(gateway.get("/crash/again")));
      assertThat(reports.unclaimed()).isEmpty();
    }
  }
}
