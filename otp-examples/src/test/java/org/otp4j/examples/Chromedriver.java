package org.otp4j.examples;

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
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Headless Chromium for the examples' browser tests, driven through chromedriver's WebDriver HTTP
 * protocol with the JDK's HttpClient. {@link #start} starts chromedriver; {@link #open} opens a
 * browser with a fresh profile; {@link #close} ends the driver and its browsers.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs them).
 * Without them a browser test is skipped, except under CI (the {@code CI} variable is set), where it
 * fails.
 */
public final class Chromedriver implements AutoCloseable {
  /** How to install what the browser tests need. */
  public static final String INSTALL = "apt-get install -y chromium chromium-driver";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final Process driver;
  private final URI uri;
  private final Path chromium;
  private final Path dir;
  private final Duration wait;
  private final HttpClient http = HttpClient.newHttpClient();

  private Chromedriver(Process driver, URI uri, Path chromium, Path dir, Duration wait) {
    this.driver = driver;
    this.uri = uri;
    this.chromium = chromium;
    this.dir = dir;
    this.wait = wait;
  }

  /**
   * Starts chromedriver, ready for sessions. Skips the calling test when Chromium or chromedriver
   * is missing, and fails it instead under CI.
   *
   * @param dir a folder for the driver's log and the browsers' profiles
   * @param wait how long a step may take (starting a browser gets four times as long)
   */
  public static Chromedriver start(Path dir, Duration wait) throws IOException {
    Path chromium = Files.isExecutable(Path.of("/usr/lib/chromium/chromium"))
        ? Path.of("/usr/lib/chromium/chromium") : Path.of("/usr/bin/chromium");
    requireInstalled(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(chromium), System.getenv("CI") != null);
    // Port 0: chromedriver binds a free port itself and says which (a port probed free here could
    // be taken by another program before chromedriver binds it).
    Path log = dir.resolve("chromedriver.log");
    Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=0")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Pattern started = Pattern.compile("started successfully on port (\\d+)");
      int port = await().atMost(wait).until(() -> {
        Matcher m = started.matcher(Files.readString(log));
        assertThat(driver.isAlive() || m.find(0)).as("chromedriver exited:%n%s", Files.readString(log)).isTrue();
        return m.find(0) ? Integer.parseInt(m.group(1)) : 0;
      }, p -> p > 0);
      Chromedriver d = new Chromedriver(driver, URI.create("http://127.0.0.1:" + port), chromium, dir, wait);
      await().atMost(wait).ignoreExceptions().until(() -> d.get("/status").path("value").path("ready").asBoolean());
      return d;
    } catch (RuntimeException | Error e) {
      driver.destroy();
      throw e;
    }
  }

  /**
   * Lets a browser test go on when the browser is installed; otherwise skips it, or fails it under
   * CI, where a skipped browser test would pass unnoticed.
   */
  static void requireInstalled(boolean installed, boolean underCi) {
    if (!installed && underCi) {
      throw new AssertionError("chromium and chromedriver are missing under CI; .ci/run should have run: " + INSTALL);
    }
    Assumptions.assumeTrue(installed, "headless Chromium is not installed; to run this test: " + INSTALL);
  }

  /**
   * Opens a browser with its own fresh profile on {@code url}.
   *
   * @param name names its profile folder
   * @param url the page to open
   */
  public Browser open(String name, URI url) throws IOException {
    Path profile = Files.createDirectories(dir.resolve("profile-" + name));
    Map<String, Object> options = Map.of("binary", chromium.toString(), "args", List.of("--headless",
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
    // starting a browser is slow on a busy machine: allow it more than a step of the test
    JsonNode created = post("/session", Map.of("capabilities", Map.of("alwaysMatch",
        Map.of("browserName", "chrome", "goog:chromeOptions", options))), wait.multipliedBy(4));
    String session = created.path("value").path("sessionId").asString();
    assertThat(session).as("chromedriver session: %s", created).isNotBlank();
    Browser browser = new Browser(session);
    post("/session/" + session + "/url", Map.of("url", url.toString()), wait);
    return browser;
  }

  /** Ends chromedriver, and with it the browsers it started. */
  @Override
  public void close() {
    driver.destroy();
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri.resolve(path)).timeout(wait).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private JsonNode post(String path, Object body, Duration timeout) throws IOException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri.resolve(path)).timeout(timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode json = JSON.readTree(r.body());
      if (r.statusCode() != 200) {
        throw new AssertionError("WebDriver " + path + " failed: " + r.statusCode() + " " + json);
      }
      return json;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** One browser: a WebDriver session. */
  public final class Browser {
    private final String session;

    private Browser(String session) {
      this.session = session;
    }

    /** Types {@code text} into the element {@code css} selects (found again if the page replaced it). */
    public void type(String css, String text) throws IOException {
      onElement(css, "/value", Map.of("text", text));
    }

    /** Clicks the element {@code css} selects (found again if the page replaced it). */
    public void click(String css) throws IOException {
      onElement(css, "/click", Map.of());
    }

    /**
     * Acts on the element {@code css} selects. A page that redraws itself may replace the element
     * between finding it and acting on it: WebDriver then answers "stale element reference", and
     * the element is found again (up to ten times).
     */
    private void onElement(String css, String action, Map<String, Object> body) throws IOException {
      for (int attempt = 1; ; attempt++) {
        try {
          post("/session/" + session + "/element/" + element(css) + action, body, wait);
          return;
        } catch (AssertionError e) {
          if (attempt == 10 || e.getMessage() == null || !e.getMessage().contains("stale element reference")) {
            throw e;
          }
        }
      }
    }

    /** Resizes the window. */
    public void resize(int width, int height) throws IOException {
      post("/session/" + session + "/window/rect", Map.of("width", width, "height", height), wait);
    }

    private String element(String css) throws IOException {
      JsonNode found = post("/session/" + session + "/element", Map.of("using", "css selector", "value", css), wait);
      String id = found.path("value").path(ELEMENT).asString();
      assertThat(id).as("element %s: %s", css, found).isNotBlank();
      return id;
    }

    /** The trimmed text of every element {@code css} selects, in document order. */
    public List<String> texts(String css) throws IOException {
      JsonNode result = script("return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim());",
          css);
      return StreamSupport.stream(result.spliterator(), false).map(JsonNode::asString).toList();
    }

    /** Runs a script in the page; its result. */
    public JsonNode script(String script, Object... args) throws IOException {
      return post("/session/" + session + "/execute/sync", Map.of("script", script, "args", List.of(args)), wait)
          .path("value");
    }

    /** Closes the browser; a driver already gone is no error (closing the driver ends it anyway). */
    public void quit() {
      try {
        http.send(HttpRequest.newBuilder(uri.resolve("/session/" + session)).DELETE().build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (IOException e) {
        // the driver is destroyed after the test anyway
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
