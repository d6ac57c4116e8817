package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import org.otp4j.examples.ObserverLine;
import tools.jackson.databind.JsonNode;

/**
 * The demo as the README runs it ({@code mvn -Prun verify -Dexample=gateway}: {@code Main gateway},
 * that is {@link GatewayRun}), in this JVM on free ports: every URL it prints works (the routed
 * API round robin over the three upstreams, the admin page, {@code /metrics}, the watched file,
 * each upstream's health and fault URLs, the crash URL it suggests), and stopping the node kills
 * the upstreams.
 */
class GatewayRunTest {
  static final Pattern RUNNING = Pattern.compile("gateway running: (http://\\S+/api/hello) ");
  static final Pattern ADMIN = Pattern.compile("admin page: (\\S+)\\s+metrics: (\\S+)\\s+config \\(watched\\): (\\S+)");
  static final Pattern UPSTREAM = Pattern.compile("upstream (\\w+): (\\S+)\\s+\\(faults: curl '(\\S+)'\\)");
  static final Pattern TRY = Pattern.compile("try: curl -i (\\S+) ; kill an upstream: curl (\\S+) ;");

  @Test
  void everyUrlTheDemoPrintsWorksAndStoppingItKillsTheUpstreams() throws Exception {
    Node node = Node.start(NodeConfig.defaults().withName("gateway-run-test"));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    List<UpstreamProcess> upstreams = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> status = new CompletableFuture<>();
    Thread.ofPlatform().name("gateway-run").start(() -> {
      try {
        status.complete(GatewayRun.serve(node, GatewayApp.descriptor().withEnv("port", 0).withEnv("adminPort", 0),
            new PrintStream(printed, true, StandardCharsets.UTF_8), upstreams));
      } catch (Throwable t) {
        status.completeExceptionally(t);
      }
    });
    try {
      String text = await().atMost(GatewayServer.WAIT.multipliedBy(2))
          .until(() -> printed.toString(StandardCharsets.UTF_8), s -> s.contains("Ctrl-C stops it all") || status.isDone());
      assertThat(status).as("still running: %s", text).isNotDone();

      ObserverLine.assertServes(text, "gateway-run-test");
      Matcher running = find(RUNNING, text);
      String api = running.group(1);
      Set<String> instances = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = get(api);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode echo = GatewayServer.json(r);
        assertThat(echo.path("path").asString()).isEqualTo("/hello");
        assertThat(echo.path("headers").path("x-gateway").asString()).isEqualTo("otp4j");
        instances.add(echo.path("instance").asString());
      }
      assertThat(instances).as("round robin over the three").containsExactlyInAnyOrder("a", "b", "c");

      Matcher admin = find(ADMIN, text);
      HttpResponse<String> page = get(admin.group(1));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).containsIgnoringCase("<html");
      HttpResponse<String> metrics = get(admin.group(2));
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("gateway_requests_total{route=\"api\",code=\"200\"}");
      GatewayConfig watched = GatewayConfig.parse(Files.readString(Path.of(admin.group(3))));
      assertThat(watched.toJson()).contains("\"/api/\"");

      Map<String, String> faultUrls = new LinkedHashMap<>();
      Matcher up = UPSTREAM.matcher(text);
      while (up.find()) {
        assertThat(get(up.group(2) + "/_health").statusCode()).isEqualTo(200);
        faultUrls.put(up.group(1), up.group(3));
      }
      assertThat(faultUrls).containsOnlyKeys("a", "b", "c");
      JsonNode faults = GatewayServer.json(get(faultUrls.get("b")));
      assertThat(faults.path("latencyMs").asLong()).isEqualTo(500);
      assertThat(faults.path("errorRate").asDouble()).isEqualTo(0.5);
      String upstreamB = faultUrls.get("b").substring(0, faultUrls.get("b").indexOf("/_admin/"));
      assertThat(GatewayServer.json(get(upstreamB + "/_admin/reset")).path("latencyMs").asLong()).isZero();

      Matcher tryLine = find(TRY, text);
      assertThat(tryLine.group(1)).isEqualTo(api);
      String crash = tryLine.group(2);
      UpstreamProcess first = upstreams.getFirst();
      assertThat(crash).isEqualTo(first.url() + "/_admin/crash");
      assertThatThrownBy(() -> GatewayServer.HTTP.send(HttpRequest.newBuilder(URI.create(crash))
          .timeout(GatewayServer.WAIT).build(), HttpResponse.BodyHandlers.ofString()))
          .as("the upstream exits mid-request").isInstanceOf(IOException.class);
      await().atMost(GatewayServer.WAIT).until(() -> !first.isAlive());
      for (int i = 0; i < 3; i++) {
        assertThat(get(api).statusCode()).as("retried on another instance").isEqualTo(200);
      }
    } finally {
      node.stop();
    }
    assertThat(status.get(GatewayServer.WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    assertThat(upstreams).hasSize(3).noneMatch(UpstreamProcess::isAlive);
  }

  private static Matcher find(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    assertThat(m.find()).as("%s in:%n%s", pattern, text).isTrue();
    return m;
  }

  private static HttpResponse<String> get(String url) {
    return GatewayServer.send(HttpRequest.newBuilder(URI.create(url)));
  }
}
