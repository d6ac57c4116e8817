package org.otp4j.examples.gateway;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A gateway application on its own node for one test: free ports, no rate limit unless asked,
 * then {@code env} on top. {@link #close()} stops the node as Ctrl-C would.
 */
final class GatewayServer implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(WAIT).version(HttpClient.Version.HTTP_1_1).build();

  final Node node;
  final int port;
  final int adminPort;

  private GatewayServer(Node node, int port, int adminPort) {
    this.node = node;
    this.port = port;
    this.adminPort = adminPort;
  }

  static GatewayServer start(Map<String, Object> env) {
    Node node = Node.start(NodeConfig.defaults().withName("gateway-test"));
    int[] ports = new int[2];
    try {
      node.run(() -> {
        AppDescriptor d = GatewayApp.descriptor().withEnv("port", 0).withEnv("adminPort", 0).withEnv("host", "127.0.0.1")
            .withEnv("rateLimit", 0.0);
        for (Map.Entry<String, Object> e : env.entrySet()) {
          d = d.withEnv(e.getKey(), e.getValue());
        }
        Application.load(d);
        Application.ensureAllStarted(GatewayApp.NAME, Application.Type.TEMPORARY);
        int[] p = GatewayApp.ports();
        ports[0] = p[0];
        ports[1] = p[1];
      });
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return new GatewayServer(node, ports[0], ports[1]);
  }

  /** Applies {@code json} through the admin API; fails the test if it was not applied. */
  void configure(String json) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(admin("/admin/config")).PUT(HttpRequest.BodyPublishers.ofString(json)));
    if (r.statusCode() != 200) {
      throw new AssertionError("the configuration was not applied: " + r.statusCode() + " " + r.body());
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  URI admin(String path) {
    return URI.create("http://127.0.0.1:" + adminPort + path);
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)));
  }

  static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("the request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  /** The admin API's state. */
  JsonNode state() {
    return json(send(HttpRequest.newBuilder(admin("/admin/state"))));
  }

  /** The state of the breaker of {@code url} in {@code pool}, as the admin API shows it. */
  String breaker(String pool, String url) {
    for (JsonNode p : state().path("pools")) {
      if (p.path("name").asString().equals(pool)) {
        for (JsonNode i : p.path("instances")) {
          if (i.path("url").asString().equals(url)) {
            return i.path("breaker").asString();
          }
        }
      }
    }
    return "absent";
  }

  /** Waits until the admin state satisfies {@code condition}. */
  void awaitState(Predicate<JsonNode> condition) {
    await().atMost(WAIT).until(() -> condition.test(state()));
  }

  <T> T on(Supplier<T> code) {
    AtomicReference<T> out = new AtomicReference<>();
    node.run(() -> out.set(code.get()));
    return out.get();
  }

  @Override
  public void close() {
    node.stop();
    if (!node.awaitTermination(WAIT)) {
      throw new AssertionError("the gateway node did not stop within " + WAIT + "; still running: " + node.processes());
    }
  }
}
