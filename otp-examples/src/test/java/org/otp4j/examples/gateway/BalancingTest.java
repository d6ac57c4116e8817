package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * How pools spread requests over their instances (round robin, least outstanding, power of two
 * choices), instances joining and leaving at runtime through the admin API, and health checks
 * taking an unhealthy instance out and putting it back.
 */
class BalancingTest {
  static GatewayServer gateway;
  static List<UpstreamProcess> ups;

  @BeforeAll
  static void start() {
    gateway = Shared.gateway();
    ups = List.of(Shared.upstream("a"), Shared.upstream("b"), Shared.upstream("c"));
  }

  static void configure(String balancer, String extra) {
    gateway.configure("""
        {"routes": [{"id": "spread", "prefix": "/spread/", "pool": "spread"}],
         "pools": [{"name": "spread", "balancer": "%s", "instances": [%s] %s}]}
        """.formatted(balancer, String.join(", ", ups.stream().map(u -> "\"" + u.url() + "\"").toList()), extra));
  }

  /** Which instance answered each of {@code n} requests, one after another. */
  static Map<String, Integer> spread(int n) {
    Map<String, Integer> count = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = gateway.get("/spread/x");
      assertThat(r.statusCode()).isEqualTo(200);
      count.merge(GatewayServer.json(r).path("instance").asString(), 1, Integer::sum);
    }
    return count;
  }

  @Test
  void roundRobinTakesEachInTurn() {
    configure("round_robin", "");
    assertThat(spread(30)).isEqualTo(Map.of("a", 10, "b", 10, "c", 10));
  }

  @Test
  void powerOfTwoChoicesUsesEveryInstance() {
    configure("power_of_two", "");
    Map<String, Integer> count = spread(60);
    assertThat(count.keySet()).containsExactly("a", "b", "c");
    assertThat(count.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(60);
  }

  @Test
  void leastOutstandingAvoidsTheBusyInstance() throws Exception {
    configure("least_outstanding", "");
    ups.getFirst().fault("latencyMs=3000");
    // the first request goes to a (all tied, first wins) and stays there for 3 s
    CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> gateway.get("/spread/slow"));
    gateway.awaitState(s -> outstanding(s, ups.getFirst().url()) == 1);
    Map<String, Integer> count = spread(10);
    assertThat(count).doesNotContainKey("a");
    assertThat(count.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    assertThat(GatewayServer.json(slow.get()).path("instance").asString()).isEqualTo("a");
    ups.getFirst().fault("latencyMs=0");
  }

  static int outstanding(JsonNode state, String url) {
    for (JsonNode i : state.path("pools").get(0).path("instances")) {
      if (i.path("url").asString().equals(url)) {
        return i.path("outstanding").asInt();
      }
    }
    return -1;
  }

  @Test
  void instancesJoinAndLeaveAtRuntime() {
    gateway.configure("""
        {"routes": [{"id": "spread", "prefix": "/spread/", "pool": "spread"}],
         "pools": [{"name": "spread", "instances": ["%s"]}]}
        """.formatted(ups.get(0).url()));
    assertThat(spread(4)).isEqualTo(Map.of("a", 4));
    HttpResponse<String> joined = GatewayServer.send(HttpRequest.newBuilder(gateway.admin("/admin/pools/spread/instances"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"url\": \"" + ups.get(1).url() + "\"}")));
    assertThat(joined.statusCode()).isEqualTo(200);
    assertThat(spread(4)).isEqualTo(Map.of("a", 2, "b", 2));
    HttpResponse<String> left = GatewayServer.send(HttpRequest.newBuilder(
        gateway.admin("/admin/pools/spread/instances?url=" + ups.get(0).url())).DELETE());
    assertThat(left.statusCode()).isEqualTo(200);
    assertThat(spread(4)).isEqualTo(Map.of("b", 4));
    assertThat(gateway.state().path("pools").get(0).path("instances")).hasSize(1);
    HttpResponse<String> again = GatewayServer.send(HttpRequest.newBuilder(
        gateway.admin("/admin/pools/spread/instances?url=" + ups.get(0).url())).DELETE());
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(GatewayServer.json(again).path("message").asString()).contains("has no instance " + ups.get(0).url());
  }

  @Test
  void anUnhealthyInstanceIsLeftOutUntilItsCheckPassesAgain() {
    configure("round_robin", ", \"health\": {\"path\": \"/_health\", \"intervalMs\": 100, \"failures\": 2}");
    UpstreamProcess b = ups.get(1);
    b.fault("healthy=false");
    gateway.awaitState(s -> s.path("pools").get(0).path("instances").get(1).path("healthy").asString().equals("false"));
    assertThat(spread(6)).isEqualTo(Map.of("a", 3, "c", 3));
    b.fault("healthy=true");
    gateway.awaitState(s -> s.path("pools").get(0).path("instances").get(1).path("healthy").asString().equals("true"));
    assertThat(spread(6)).containsEntry("b", 2);
  }
}
