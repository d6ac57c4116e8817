package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /metrics} in Prometheus' text format, the structured access log, and the admin page. */
class MetricsTest {
  @Test
  void metricsCountRequestsByRouteAndStatusAndShowTheBreakers() {
    GatewayServer gateway = Shared.gateway();
    UpstreamProcess up = Shared.upstream("a");
    gateway.configure("""
        {"routes": [{"id": "m", "prefix": "/m/", "pool": "m"}], "pools": [{"name": "m", "instances": ["%s"]}]}
        """.formatted(up.url()));
    long before = count(metrics(gateway), "gateway_requests_total{route=\"m\",code=\"200\"}");
    for (int i = 0; i < 3; i++) {
      gateway.get("/m/x");
    }
    gateway.get("/none");
    // a request is counted when its answer is on its way: wait for the counts
    org.awaitility.Awaitility.await().atMost(GatewayServer.WAIT).until(() -> {
      String now = metrics(gateway);
      return count(now, "gateway_requests_total{route=\"m\",code=\"200\"}") == before + 3
          && count(now, "gateway_requests_total{route=\"-\",code=\"404\"}") > 0;
    });
    String text = metrics(gateway);
    assertThat(count(text, "gateway_requests_total{route=\"m\",code=\"200\"}")).isEqualTo(before + 3);
    assertThat(text).contains("# TYPE gateway_requests_total counter",
        "gateway_breaker_state{instance=\"m " + up.url() + "\",state=\"closed\"} 1",
        "gateway_breaker_state{instance=\"m " + up.url() + "\",state=\"open\"} 0", "gateway_requests_in_flight ");
    assertThat(text.lines().filter(l -> !l.startsWith("#")))
        .allMatch(l -> l.matches("[a-z_]+(\\{[^}]*\\})? -?[0-9]+"), "a sample line: name{labels} value");
  }

  @Test
  void eachRequestIsOneStructuredAccessLogLine() {
    GatewayServer gateway = Shared.gateway();
    UpstreamProcess up = Shared.upstream("a");
    gateway.configure("""
        {"routes": [{"id": "log", "prefix": "/log/", "pool": "log"}], "pools": [{"name": "log", "instances": ["%s"]}]}
        """.formatted(up.url()));
    try (Captured access = Captured.logger("org.otp4j.examples.gateway.access", Level.INFO)) {
      gateway.send(HttpRequest.newBuilder(gateway.uri("/log/x?q=1")).header("X-Request-Id", "log-1"));
      Map<String, Object> line = access.await(kv -> "log-1".equals(kv.get("requestId")));
      assertThat(line).containsEntry("method", "GET").containsEntry("path", "/log/x").containsEntry("route", "log")
          .containsEntry("instance", up.url()).containsEntry("status", 200).containsEntry("attempts", 1);
      assertThat(access.unclaimed()).isEmpty();
    }
  }

  @Test
  void theAdminPageIsServed() {
    GatewayServer gateway = Shared.gateway();
    HttpResponse<String> page = GatewayServer.send(HttpRequest.newBuilder(gateway.admin("/")));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>otp4j gateway</title>", "/admin/state");
    HttpResponse<String> unknown = GatewayServer.send(HttpRequest.newBuilder(gateway.admin("/admin/nope")));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(GatewayServer.json(unknown).path("message").asString()).contains("GET /admin/state");
  }

  static String metrics(GatewayServer gateway) {
    HttpResponse<String> r = GatewayServer.send(HttpRequest.newBuilder(gateway.admin("/metrics")));
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
    return r.body();
  }

  static long count(String text, String series) {
    return text.lines().filter(l -> l.startsWith(series + " ")).mapToLong(l -> Long.parseLong(l.substring(series.length() + 1)))
        .findFirst().orElse(0);
  }
}
