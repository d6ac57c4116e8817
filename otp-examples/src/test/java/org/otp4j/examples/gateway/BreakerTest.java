package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The circuit breaker of an instance, against a real upstream process that is killed and started
 * again: it opens within its threshold, answers fast 503s without touching the upstream while open,
 * lets a bounded number of probes through when half-open, and closes again on a probe's success.
 */
class BreakerTest {
  static int configured;
  UpstreamProcess up;
  GatewayServer gateway;
  String pool;

  /** A pool of its own for each test: its breaker starts closed, with no history. */
  @BeforeEach
  void start() {
    up = Shared.upstream("solo");
    gateway = Shared.gateway();
    pool = "solo" + configured++;
    gateway.configure("""
        {"routes": [{"id": "solo", "prefix": "/solo/", "pool": "%s", "retries": 0, "deadlineMs": 10000}],
         "pools": [{"name": "%s", "instances": ["%s"],
                    "breaker": {"failures": 3, "failureRate": 0.5, "window": 4, "openMs": 2000, "probes": 1}}]}
        """.formatted(pool, pool, up.url()));
  }

  String breaker() {
    return gateway.breaker(pool, up.url());
  }

  /**
   * Waits until the breaker's state, as the admin API shows it, is {@code state}: a request's
   * outcome reaches the breaker as a cast, after the answer may have reached the client.
   */
  void awaitBreaker(String state) {
    gateway.awaitState(s -> breaker().equals(state));
  }

  @Test
  void opensOnAKilledUpstreamAnswersFast503sAndRecoversThroughHalfOpen() {
    assertThat(gateway.get("/solo/a").statusCode()).isEqualTo(200);
    up.kill();
    for (int i = 0; i < 3; i++) { // the threshold: 3 failures in a row
      HttpResponse<String> r = gateway.get("/solo/a");
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(GatewayServer.json(r).path("error").asString()).isEqualTo("upstream_error");
    }
    awaitBreaker("open");
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = gateway.get("/solo/a");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(GatewayServer.json(r).path("error").asString()).isEqualTo("circuit_open");
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
    }
    up.restart();
    gateway.awaitState(s -> breaker().equals("half_open"));
    HttpResponse<String> probe = gateway.get("/solo/a");
    assertThat(probe.statusCode()).isEqualTo(200);
    awaitBreaker("closed");
    assertThat(gateway.get("/solo/b").statusCode()).isEqualTo(200);
  }

  @Test
  void whileOpenTheUpstreamIsNotTouchedAndAFailedProbeOpensItAgain() {
    up.fault("errorRate=1");
    long before = up.stats().path("requests").asLong();
    for (int i = 0; i < 3; i++) {
      assertThat(gateway.get("/solo/a").statusCode()).isEqualTo(500); // the upstream's own answer, passed on
    }
    assertThat(up.stats().path("requests").asLong()).isEqualTo(before + 3);
    awaitBreaker("open");
    long seen = up.stats().path("requests").asLong();
    for (int i = 0; i < 5; i++) {
      assertThat(gateway.get("/solo/a").statusCode()).isEqualTo(503);
    }
    assertThat(up.stats().path("requests").asLong()).isEqualTo(seen);
    gateway.awaitState(s -> breaker().equals("half_open"));
    assertThat(gateway.get("/solo/a").statusCode()).isEqualTo(500); // the probe fails
    awaitBreaker("open");
    assertThat(up.stats().path("requests").asLong()).isEqualTo(seen + 1);
    up.fault("errorRate=0");
    gateway.awaitState(s -> breaker().equals("half_open"));
    assertThat(gateway.get("/solo/a").statusCode()).isEqualTo(200);
    awaitBreaker("closed");
  }

  @Test
  void halfOpenLetsOneProbeThroughAtATime() throws Exception {
    up.kill();
    for (int i = 0; i < 3; i++) {
      gateway.get("/solo/a");
    }
    awaitBreaker("open");
    up.restart();
    up.fault("latencyMs=1500");
    gateway.awaitState(s -> breaker().equals("half_open"));
    CompletableFuture<HttpResponse<String>> probe = CompletableFuture.supplyAsync(() -> gateway.get("/solo/slow"));
    gateway.awaitState(s -> s.path("pools").get(0).path("instances").get(0).path("probes").asInt() == 1);
    HttpResponse<String> second = gateway.get("/solo/a");
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(GatewayServer.json(second).path("error").asString()).isEqualTo("circuit_open");
    assertThat(probe.get().statusCode()).isEqualTo(200);
    awaitBreaker("closed");
  }

  @Test
  void aFailureRateOverTheWindowOpensItEvenWithoutFailuresInARow() {
    // success, failure, success, failure: 2 of the last 4 (the window) is the rate 0.5
    for (int i = 0; i < 4; i++) {
      up.fault("errorRate=" + (i % 2));
      gateway.get("/solo/a");
      int calls = i + 1;
      String expected = i < 3 ? "closed" : "open";
      gateway.awaitState(s -> {
        JsonNode instance = s.path("pools").get(0).path("instances").get(0);
        return instance.path("recentCalls").asInt() == calls && instance.path("breaker").asString().equals(expected);
      });
      assertThat(gateway.state().path("pools").get(0).path("instances").get(0).path("failuresInRow").asInt())
          .isLessThan(2);
    }
  }
}
