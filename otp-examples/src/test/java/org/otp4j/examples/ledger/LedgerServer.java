package org.otp4j.examples.ledger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.otp4j.behaviours.AppDescriptor;
import org.otp4j.behaviours.Application;
import org.otp4j.core.Node;
import org.otp4j.core.NodeConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A ledger application running on its own node for one test (a free port, the test's data folder),
 * and a small JSON client for its API. {@link #close()} stops the node as Ctrl-C would.
 */
final class LedgerServer implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  final Node node;
  final int port;

  private LedgerServer(Node node, int port) {
    this.node = node;
    this.port = port;
  }

  /** An answer: status and JSON body. */
  record Reply(int status, JsonNode body) {
    String error() {
      return body.path("error").asString();
    }
  }

  /** Starts the application with the test defaults, then {@code env} on top. */
  static LedgerServer start(Path dataDir, Map<String, Object> env) {
    Node node = Node.start(NodeConfig.defaults().withName("ledger-test"));
    AtomicReference<Integer> port = new AtomicReference<>();
    try {
      node.run(() -> {
        AppDescriptor d = LedgerApp.descriptor()
            .withEnv("port", 0)
            .withEnv("host", "127.0.0.1")
            .withEnv("dataDir", dataDir.toString());
        for (Map.Entry<String, Object> e : env.entrySet()) {
          d = d.withEnv(e.getKey(), e.getValue());
        }
        Application.load(d);
        Application.ensureAllStarted(LedgerApp.NAME, Application.Type.TEMPORARY);
        port.set(LedgerApp.port());
      });
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return new LedgerServer(node, port.get());
  }

  static LedgerServer start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  Ledger ledger() {
    return LedgerApp.ledgerOn(node).orElseThrow(() -> new AssertionError("no ledger runs on " + node));
  }

  /** Runs {@code code} with this server's node as the current one. */
  <T> T on(Supplier<T> code) {
    AtomicReference<T> out = new AtomicReference<>();
    node.run(() -> out.set(code.get()));
    return out.get();
  }

  Reply get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  Reply post(String path, String body) {
    return post(path, body, null);
  }

  Reply post(String path, String body, String key) {
    return send(postRequest(port, path, body, key));
  }

  /** Opens an account and deposits {@code deposit} into it. */
  void open(String id, String currency, long overdraft, long deposit) {
    Reply r = post("/accounts", "{\"id\":\"" + id + "\",\"currency\":\"" + currency + "\",\"overdraft\":" + overdraft
        + "}");
    if (r.status() != 201) {
      throw new AssertionError("open " + id + ": " + r);
    }
    if (deposit > 0) {
      Reply d = post("/accounts/" + id + "/deposit", "{\"amount\":" + deposit + "}", "open-" + id);
      if (d.status() != 200) {
        throw new AssertionError("deposit into " + id + ": " + d);
      }
    }
  }

  long balance(String id) {
    return get("/accounts/" + id).body().path("balance").asLong();
  }

  Reply transfer(String key, String from, String to, long amount) {
    return post("/transfers", "{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":" + amount + "}", key);
  }

  static HttpRequest postRequest(int port, String path, String body, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Idempotency-Key", key);
    }
    return b.build();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  static Reply send(HttpRequest request) {
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body().isEmpty() || !r.headers().firstValue("Content-Type").orElse("").contains("json")
          ? JSON.createObjectNode().put("text", r.body()) : JSON.readTree(r.body());
      return new Reply(r.statusCode(), body);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() {
    node.stop();
    if (!node.awaitTermination(WAIT)) {
      throw new AssertionError("the ledger node did not stop within " + WAIT + "; still running: " + node.processes());
    }
  }
}
