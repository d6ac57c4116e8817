package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Routing: the longest matching prefix wins, host and method narrow a route, the prefix is
 * rewritten, header rules apply, request ids are kept or made, and what matches no route gets a
 * JSON 404.
 */
class RoutingTest {
  static UpstreamProcess users;
  static UpstreamProcess orders;
  static GatewayServer gateway;

  @BeforeAll
  static void start() {
    users = Shared.upstream("a");
    orders = Shared.upstream("b");
    gateway = Shared.gateway();
    gateway.configure("""
        {"routes": [
           {"id": "api", "prefix": "/api/", "pool": "users", "rewrite": "/v1/"},
           {"id": "orders", "prefix": "/api/orders/", "pool": "orders", "rewrite": "/", "methods": ["GET"],
            "setHeaders": {"X-Team": "shop"}, "removeHeaders": ["Cookie"]},
           {"id": "admin-host", "prefix": "/", "host": "ops.example", "pool": "orders", "rewrite": "/ops/"}],
         "pools": [{"name": "users", "instances": ["%s"]}, {"name": "orders", "instances": ["%s"]}]}
        """.formatted(users.url(), orders.url()));
  }

  @Test
  void longestPrefixWinsAndThePrefixIsRewritten() {
    JsonNode u = GatewayServer.json(gateway.get("/api/users/7?full=1"));
    assertThat(u.path("instance").asString()).isEqualTo("a");
    assertThat(u.path("path").asString()).isEqualTo("/v1/users/7");
    assertThat(u.path("query").asString()).isEqualTo("full=1");
    JsonNode o = GatewayServer.json(gateway.get("/api/orders/42"));
    assertThat(o.path("instance").asString()).isEqualTo("b");
    assertThat(o.path("path").asString()).isEqualTo("/42");
  }

  @Test
  void methodAndHostNarrowARoute() {
    // POST is not among the orders route's methods: the shorter /api/ route takes it
    HttpResponse<String> post = GatewayServer.send(HttpRequest.newBuilder(gateway.uri("/api/orders/42"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(GatewayServer.json(post).path("instance").asString()).isEqualTo("a");
    assertThat(GatewayServer.json(post).path("body").asInt()).isEqualTo(2);
    // The JDK client does not let us set Host; a raw request does.
    String raw = RawClient.exchange(gateway.port, "GET /status HTTP/1.1\r\nHost: ops.example\r\nConnection: close\r\n\r\n");
    assertThat(raw).startsWith("HTTP/1.1 200").contains("\"path\":\"/ops/status\"");
  }

  @Test
  void headerRulesApplyAndTheRequestIdTravels() {
    HttpResponse<String> r = GatewayServer.send(HttpRequest.newBuilder(gateway.uri("/api/orders/1"))
        .header("Cookie", "secret=1").header("X-Request-Id", "abc-123"));
    JsonNode headers = GatewayServer.json(r).path("headers");
    assertThat(headers.path("x-team").asString()).isEqualTo("shop");
    assertThat(headers.has("cookie")).isFalse();
    assertThat(headers.path("x-request-id").asString()).isEqualTo("abc-123");
    assertThat(headers.path("x-forwarded-for").asString()).isEqualTo("127.0.0.1");
    assertThat(r.headers().firstValue("X-Request-Id")).contains("abc-123");
    // the upstream's Date and Server headers replace the front's own: one of each
    assertThat(r.headers().allValues("Date")).hasSize(1);
    assertThat(r.headers().allValues("Server")).hasSizeLessThanOrEqualTo(1);

    HttpResponse<String> fresh = gateway.get("/api/x");
    String id = fresh.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(id).hasSize(36);
    assertThat(GatewayServer.json(fresh).path("headers").path("x-request-id").asString()).isEqualTo(id);
  }

  @Test
  void noRouteIsAJson404() {
    HttpResponse<String> r = gateway.get("/nowhere");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    JsonNode body = GatewayServer.json(r);
    assertThat(body.path("error").asString()).isEqualTo("no_route");
    assertThat(body.path("message").asString()).contains("GET /nowhere");
    assertThat(body.path("requestId").asString()).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
  }

  @Test
  void aBadConfigurationIsRefusedWithTheReasonAndChangesNothing() {
    HttpResponse<String> r = GatewayServer.send(HttpRequest.newBuilder(gateway.admin("/admin/config"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"routes\": [{\"id\": \"x\", \"prefix\": \"/x\", \"pool\": \"nope\"}]}")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(GatewayServer.json(r).path("message").asString()).contains("pool 'nope'", "not among the pools");
    assertThat(gateway.get("/api/users/1").statusCode()).isEqualTo(200);
  }
}
