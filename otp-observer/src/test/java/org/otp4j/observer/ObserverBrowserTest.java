package org.otp4j.observer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.core.Node;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.testkit.OtpExtension;
import org.otp4j.testkit.Reports;
import tools.jackson.databind.JsonNode;

/**
 * The observer's page in real headless Chromium, driven by chromedriver over WebDriver's HTTP
 * protocol with the JDK's HttpClient: it opens the page with the token, sees the supervision tree,
 * the charts and the process table, sorts and searches it, opens a worker, kills it from the page
 * and sees its supervisor's new worker in the tree and the report in the feed. Screenshots are left
 * in {@code target/observer-load.png} and {@code target/observer-screenshot.png}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}. Without them this test is skipped,
 * except under CI (the environment variable {@code CI} is set), where it fails.
 */
class ObserverBrowserTest {
  @RegisterExtension
  static final OtpExtension OTP = OtpExtension.create().withNodeConfig(Shop.NODE);

  static final String INSTALL = "apt-get install -y chromium chromium-driver";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

  @TempDir
  Path dir;
  Shop shop;
  Observer observer;
  Process driver;
  URI driverUri;
  Path chromium;
  String session;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start(Node node) throws Exception {
    Path chromedriver = Path.of("/usr/bin/chromedriver");
    chromium = Files.isExecutable(Path.of("/usr/lib/chromium/chromium"))
        ? Path.of("/usr/lib/chromium/chromium") : Path.of("/usr/bin/chromium");
    boolean installed = Files.isExecutable(chromedriver) && Files.isExecutable(chromium);
    if (!installed && System.getenv("CI") != null) {
      throw new AssertionError("chromium and chromedriver are missing under CI; install them: " + INSTALL);
    }
    Assumptions.assumeTrue(installed, "headless Chromium is not installed; to run this test: " + INSTALL);
    shop = new Shop(node);
    observer = Observer.start(node);
    // Port 0: chromedriver binds a free port itself and says which.
    Path log = dir.resolve("chromedriver.log");
    driver = new ProcessBuilder(chromedriver.toString(), "--port=0")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Pattern started = Pattern.compile("started successfully on port (\\d+)");
    int port = await().atMost(WAIT).until(() -> {
      Matcher m = started.matcher(Files.readString(log));
      assertThat(driver.isAlive() || m.find(0)).as("chromedriver exited:%n%s", Files.readString(log)).isTrue();
      return m.find(0) ? Integer.parseInt(m.group(1)) : 0;
    }, p -> p > 0);
    driverUri = URI.create("http://127.0.0.1:" + port);
    await().atMost(WAIT).ignoreExceptions().until(() -> get("/status").path("value").path("ready").asBoolean());
  }

  @AfterEach
  void stop() {
    if (session != null) {
      try {
        http.send(HttpRequest.newBuilder(driverUri.resolve("/session/" + session)).DELETE().build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (IOException | InterruptedException e) {
        // the driver is destroyed next anyway
      }
    }
    if (driver != null) {
      driver.destroy();
    }
    if (observer != null) {
      observer.close();
    }
    if (shop != null) {
      shop.close();
    }
  }

  @Test
  void seesTheTreeAndTheTableThenKillsAWorkerFromThePageAndSeesItRestarted(Reports reports) throws Exception {
    Path profile = Files.createDirectories(dir.resolve("profile"));
    Map<String, Object> options = Map.of("binary", chromium.toString(), "args", List.of("--headless",
        "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,900",
        "--user-data-dir=" + profile));
    JsonNode created = post("/session", Map.of("capabilities", Map.of("alwaysMatch",
        Map.of("browserName", "chrome", "goog:chromeOptions", options))), WAIT.multipliedBy(4));
    session = created.path("value").path("sessionId").asString();
    assertThat(session).as("chromedriver session: %s", created).isNotBlank();
    post("/session/" + session + "/url", Map.of("url", observer.url().toString()));

    // the load tab: the node's name, its cards and charts drawn from at least two samples
    await().atMost(WAIT).until(() -> texts("#node-name").equals(List.of("shop")));
    await().atMost(WAIT).until(() -> script("return observer.state.history.length;").asInt() >= 2);
    await().atMost(WAIT).until(() -> script("const c = document.getElementById('chart-processes');"
        + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        + " return d.some(x => x !== 0);").asBoolean());
    assertThat(texts("#overview .card .k")).contains("processes", "messages/s", "queued messages", "heap used");
    screenshot(Path.of("target", "observer-load.png"));

    // the applications tab: the real tree
    click(".tab[data-tab=apps]");
    Pid clerk = shop.child("clerk");
    await().atMost(WAIT).until(() -> attributes("#trees .node-label", "childId"),
        ids -> ids.containsAll(List.of("cashier", "clerk", "stock", "shelf")));
    assertThat(attributes("#trees .node-label[data-child-id=clerk]", "pid")).containsExactly(clerk.toString());

    // the processes tab: sorted by mailbox (a click on its header), then searched
    click(".tab[data-tab=procs]");
    await().atMost(WAIT).until(() -> texts("#proc-table tbody td.pid").contains(shop.stuffed.toString()));
    click("#proc-table th[data-sort=mailbox]");
    await().atMost(WAIT).until(() -> firstOrEmpty(texts("#proc-table tbody td.pid")).equals(shop.stuffed.toString()));
    assertThat(firstOrEmpty(texts("#proc-table tbody td.mailbox"))).isEqualTo(String.valueOf(Shop.STUFFED_MESSAGES));
    type("#search", "cashier");
    await().atMost(WAIT).until(() -> texts("#proc-table tbody td.name").equals(List.of(Shop.CASHIER)));

    // a worker's page, and its kill from the page
    click(".tab[data-tab=apps]");
    click("#trees .node-label[data-child-id=clerk]");
    await().atMost(WAIT).until(() -> texts("#detail-title").equals(List.of(clerk.toString())));
    await().atMost(WAIT).until(() -> texts("#detail-status").equals(List.of("WAITING")));
    click("#kill-btn");
    await().atMost(WAIT).until(() -> firstOrEmpty(texts("#detail-message")).equals("sent exit signal kill to " + clerk));
    await().atMost(WAIT).until(() -> texts("#detail-status").equals(List.of("not alive")));
    await().atMost(WAIT).until(() -> {
      List<String> now = attributes("#trees .node-label[data-child-id=clerk]", "pid");
      return now.size() == 1 && !now.getFirst().equals(clerk.toString())
          && now.getFirst().equals(shop.child("clerk").toString());
    });
    assertThat(shop.node.call(() -> Proc.isAlive(clerk))).isFalse();
    // the dead worker's page keeps what the feed said about it
    await().atMost(WAIT).until(() -> texts("#detail-reports li[data-label=supervisor_report]").stream()
        .anyMatch(t -> t.contains("killed")));
    screenshot(Path.of("target", "observer-screenshot.png"));

    // the reports tab shows the supervisor's report about the killed worker
    click(".tab[data-tab=reports]");
    await().atMost(WAIT).until(() -> texts("#report-list li[data-label=supervisor_report] .report-head").stream()
        .anyMatch(t -> t.contains(clerk.toString())));
    reports.expectCrash(clerk);   // the kit fails the test on any other error report
  }

  static String firstOrEmpty(List<String> list) {
    return list.isEmpty() ? "" : list.getFirst();
  }

  /**
   * Clicks the element {@code css} selects. The page re-renders its live parts (the trees, the
   * table) every refresh, so an element found may be replaced before the click reaches it: then it
   * is found again, as WebDriver's "stale element reference" asks.
   */
  void click(String css) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        post("/session/" + session + "/element/" + element(css) + "/click", Map.of());
        return;
      } catch (AssertionError e) {
        if (attempt == 10 || e.getMessage() == null || !e.getMessage().contains("stale element reference")) {
          throw e;
        }
      }
    }
  }

  void type(String css, String text) throws IOException {
    post("/session/" + session + "/element/" + element(css) + "/value", Map.of("text", text));
  }

  String element(String css) throws IOException {
    JsonNode found = post("/session/" + session + "/element", Map.of("using", "css selector", "value", css));
    String id = found.path("value").path(ELEMENT).asString();
    assertThat(id).as("element %s: %s", css, found).isNotBlank();
    return id;
  }

  List<String> texts(String css) throws IOException {
    return strings(script("return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim());", css));
  }

  List<String> attributes(String css, String data) throws IOException {
    return strings(script("return [...document.querySelectorAll(arguments[0])].map(e => e.dataset[arguments[1]]);",
        css, data));
  }

  static List<String> strings(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asString).toList();
  }

  JsonNode script(String script, Object... args) throws IOException {
    return post("/session/" + session + "/execute/sync", Map.of("script", script, "args", List.of(args)))
        .path("value");
  }

  void screenshot(Path file) throws IOException, InterruptedException {
    String png = get("/session/" + session + "/screenshot").path("value").asString();
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(png));
    assertThat(Files.size(file)).isPositive();
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(driverUri.resolve(path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
    return Http.JSON.readTree(r.body());
  }

  JsonNode post(String path, Object body) throws IOException {
    return post(path, body, WAIT);
  }

  JsonNode post(String path, Object body, Duration timeout) throws IOException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(driverUri.resolve(path)).timeout(timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(Http.JSON.writeValueAsString(body))).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode json = Http.JSON.readTree(r.body());
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
