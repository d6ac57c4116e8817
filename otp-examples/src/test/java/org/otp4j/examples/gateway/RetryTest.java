package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retries: an idempotent request that fails on one instance is tried on another, a POST never is,
 * and retries stop when the pool's retry budget is spent.
 */
class RetryTest {
  GatewayServer gateway;
  UpstreamProcess good;
  UpstreamProcess bad;

  @BeforeEach
  void start() {
    gateway = Shared.gateway();
    good = Shared.upstream("a");
    bad = Shared.upstream("b");
    bad.fault("errorRate=1");
  }

  void configure(double budget) {
    // the breaker is kept closed (100 failures in a row), so that every request meets the bad instance in turn
    gateway.configure("""
        {"routes": [{"id": "retry", "prefix": "/retry/", "pool": "retry", "retries": 1}],
         "pools": [{"name": "retry", "instances": ["%s", "%s"], "retryBudget": %s,
                    "breaker": {"failures": 100, "failureRate": 1.0, "window": 100}}]}
        """.formatted(good.url(), bad.url(), budget));
  }

  Map<Integer, Integer> statuses(String method, int n) {
    Map<Integer, Integer> count = new HashMap<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = GatewayServer.send(HttpRequest.newBuilder(gateway.uri("/retry/x"))
          .method(method, HttpRequest.BodyPublishers.noBody()));
      count.merge(r.statusCode(), 1, Integer::sum);
    }
    return count;
  }

  @Test
  void getsAreRetriedOnAnotherInstancePostsAreNot() {
    configure(1.0);
    long before = bad.stats().path("requests").asLong();
    long retriesBefore = MetricsTest.count(MetricsTest.metrics(gateway), "gateway_retries_total{pool=\"retry\"}");
    assertThat(statuses("GET", 10)).isEqualTo(Map.of(200, 10));
    long failed = bad.stats().path("requests").asLong() - before;
    assertThat(failed).isPositive();
    // each of those was retried (on the good instance): the answers were all 200, and the retries counted
    org.awaitility.Awaitility.await().atMost(GatewayServer.WAIT).until(() -> MetricsTest.count(
        MetricsTest.metrics(gateway), "gateway_retries_total{pool=\"retry\"}") == retriesBefore + failed);
    assertThat(statuses("POST", 10)).isEqualTo(Map.of(200, 5, 500, 5));
  }

  @Test
  void retriesStopWhenTheBudgetIsSpent() {
    configure(0.0); // nothing but the reserve
    long retriesBefore = MetricsTest.count(MetricsTest.metrics(gateway), "gateway_retries_total{pool=\"retry\"}");
    Map<Integer, Integer> count = statuses("GET", 10);
    assertThat(MetricsTest.count(MetricsTest.metrics(gateway), "gateway_retries_total{pool=\"retry\"}") - retriesBefore)
        .isEqualTo((long) Pool.RESERVE);
    assertThat(count.get(500)).as("failures answered without a retry: %s", count).isPositive();
    assertThat(count.get(200) + count.get(500)).isEqualTo(10);
  }
}
