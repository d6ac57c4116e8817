package org.otp4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The admin page in real headless Chromium (through chromedriver's WebDriver protocol): it lists
 * the routes and the instances, and follows a breaker that opens while the page is open.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; without them this test is
 * skipped, except under CI, where it fails.
 */
class AdminPageBrowserTest {
  static final String INSTALL = "apt-get install -y chromium chromium-driver";
  static final Duration WAIT = GatewayServer.WAIT;

  @TempDir
  Path dir;
  Process driver;
  URI driverUri;
  String session;

  @AfterEach
  void stop() {
    if (session != null) {
      try {
        GatewayServer.HTTP.send(HttpRequest.newBuilder(driverUri.resolve("/session/" + session)).DELETE().build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (IOException | InterruptedException e) {
        // the driver is destroyed next anyway
      }
    }
    if (driver != null) {
      driver.destroy();
    }
  }

  @Test
  void thePageShowsRoutesInstancesAndABreakerOpening() throws Exception {
    Path chromedriver = Path.of("/usr/bin/chromedriver");
    Path chromium = Files.isExecutable(Path.of("/usr/lib/chromium/chromium"))
        ? Path.of("/usr/lib/chromium/chromium") : Path.of("/usr/bin/chromium");
    boolean installed = Files.isExecutable(chromedriver) && Files.isExecutable(chromium);
    if (!installed && System.getenv("CI") != null) {
      throw new AssertionError("chromium and chromedriver are missing under CI: " + INSTALL);
    }
    Assumptions.assumeTrue(installed, "headless Chromium is not installed; to run this test: " + INSTALL);

    GatewayServer gateway = Shared.gateway();
    UpstreamProcess good = Shared.upstream("a");
    UpstreamProcess bad = Shared.upstream("b");
    gateway.configure("""
        {"routes": [{"id": "page", "prefix": "/page/", "pool": "page", "retries": 0}],
         "pools": [{"name": "page", "instances": ["%s", "%s"],
                    "breaker": {"failures": 1, "openMs": 60000}}]}
        """.formatted(good.url(), bad.url()));

    Path log = dir.resolve("chromedriver.log");
    driver = new ProcessBuilder(chromedriver.toString(), "--port=0").redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    Pattern started = Pattern.compile("started successfully on port (\\d+)");
    int port = await().atMost(WAIT).until(() -> {
      Matcher m = started.matcher(Files.readString(log));
      assertThat(driver.isAlive() || m.find(0)).as("chromedriver exited:%n%s", Files.readString(log)).isTrue();
      return m.find(0) ? Integer.parseInt(m.group(1)) : 0;
    }, p -> p > 0);
    driverUri = URI.create("http://127.0.0.1:" + port);
    Map<String, Object> options = Map.of("binary", chromium.toString(), "args", List.of("--headless", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("profile")));
    JsonNode created = post("/session", Map.of("capabilities", Map.of("alwaysMatch", Map.of("browserName", "chrome",
        "goog:chromeOptions", options))), WAIT.multipliedBy(4));
    session = created.path("value").path("sessionId").asString();
    assertThat(session).as("chromedriver session: %s", created).isNotBlank();
    post("/session/" + session + "/url", Map.of("url", gateway.admin("/").toString()), WAIT);

    await().atMost(WAIT).until(() -> texts("#routes tr[data-route] td").contains("/page/"));
    await().atMost(WAIT).until(() -> breakers().equals(List.of("closed", "closed")));

    bad.fault("errorRate=1");
    // round robin: a then b; b's 500 opens its breaker (failures: 1)
    for (int i = 0; i < 2; i++) {
      gateway.get("/page/x");
    }
    await().atMost(WAIT).until(() -> breakers().equals(List.of("closed", "open")));
    assertThat(texts("#instances tr[data-instance] td:nth-child(3)")).containsExactly(good.url(), bad.url());
    await().atMost(WAIT).until(() -> texts("#rates td").stream().anyMatch(t -> t.contains("route=\"page\",code=\"200\"")));
  }

  List<String> breakers() throws IOException {
    return texts("#instances td[data-breaker]").stream().map(t -> t.replace('-', '_')).toList();
  }

  List<String> texts(String css) throws IOException {
    JsonNode result = post("/session/" + session + "/execute/sync", Map.of("script",
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim());", "args", List.of(css)), WAIT)
        .path("value");
    return StreamSupport.stream(result.spliterator(), false).map(JsonNode::asString).toList();
  }

  JsonNode post(String path, Object body, Duration timeout) throws IOException {
    try {
      HttpResponse<String> r = GatewayServer.HTTP.send(HttpRequest.newBuilder(driverUri.resolve(path)).timeout(timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(GatewayServer.JSON.writeValueAsString(body))).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode json = GatewayServer.JSON.readTree(r.body());
      if (r.statusCode() != 200) {
        throw new AssertionError("WebDriver " + path + " failed: " + r.statusCode() + " " + json);
      }
      return json;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
