package org.otp4j.examples.chat;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The browser client, in real headless Chromium driven by chromedriver over WebDriver's HTTP
 * protocol (with the JDK's HttpClient): two browsers with their own profiles sign up as two users,
 * one sends a message and the other sees it; then the room is killed from the page, and one
 * page's connection process is killed, and the conversation carries on (the page reconnects).
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; {@code .ci/run} installs them.
 * Without them this test is skipped, except under CI, where it fails.
 */
class BrowserTest {
  static final String INSTALL = "apt-get install -y chromium chromium-driver";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

  @TempDir
  Path dir;
  ChatServer server;
  Process driver;
  URI driverUri;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    Path chromedriver = Path.of("/usr/bin/chromedriver");
    Path chromium = Files.isExecutable(Path.of("/usr/lib/chromium/chromium"))
        ? Path.of("/usr/lib/chromium/chromium") : Path.of("/usr/bin/chromium");
    boolean installed = Files.isExecutable(chromedriver) && Files.isExecutable(chromium);
    if (!installed && System.getenv("CI") != null) {
      throw new AssertionError("chromium and chromedriver are missing under CI; .ci/run should have run: " + INSTALL);
    }
    Assumptions.assumeTrue(installed, "headless Chromium is not installed; to run this test: " + INSTALL);
    server = ChatServer.start(dir.resolve("data"), Map.of("admins", "alice"));
    reports = CrashReports.capture(server);
    // Port 0: chromedriver binds a free port itself and says which (a port probed free here could
    // be taken by another program before chromedriver binds it).
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
    this.chromium = chromium;
  }

  Path chromium;
  CrashReports reports;

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.destroy();
    }
    if (reports != null) {
      reports.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void twoBrowsersChatThroughARoomKillAndAReconnect() throws Exception {
    Browser alice = new Browser("alice");
    Browser bob = new Browser("bob");
    try {
      alice.signUp("alice");
      bob.signUp("bob");
      // both land in #lobby; each sees the other online
      await().atMost(WAIT).until(() -> alice.texts("#members li").contains("bob"));
      await().atMost(WAIT).until(() -> bob.texts("#members li").contains("alice"));

      alice.type("#text", "hello from a real browser");
      alice.click("#send-btn");

      await().atMost(WAIT).until(() -> bob.texts("#messages .msg .text").contains("hello from a real browser"));
      await().atMost(WAIT).until(() -> alice.texts("#messages .msg .meta").stream().anyMatch(m -> m.startsWith("#1 ")));
      assertThat(bob.texts("#messages .msg .from")).contains("alice");

      // kill the room from the page: the supervisor restarts it and the conversation goes on
      Chat chat = server.chat();
      Pid lobby = chat.rooms().whereisName("lobby").orElseThrow();
      alice.type("#text", "/kill-room lobby");
      alice.click("#send-btn");
      await().atMost(WAIT).until(() -> alice.texts("#messages .msg.notice .text").stream()
          .anyMatch(t -> t.startsWith("killed room process " + lobby + ";")));
      reports.awaitKilled(server.chat().roomSupervisorName("lobby"), lobby);
      bob.type("#text", "and after the kill");
      bob.click("#send-btn");
      await().atMost(WAIT).until(() -> alice.texts("#messages .msg .text").contains("and after the kill"));
      assertThat(alice.texts("#messages .msg .meta")).anyMatch(m -> m.startsWith("#2 "));

      // kill alice's connection process: her page reconnects, logs in with its token, rejoins
      // the lobby since its last seq, and gets what was said meanwhile
      Pid connection = server.connections("alice").getFirst();
      Proc.exit(connection, ExitReason.KILL);
      reports.awaitKilled(Chat.CONNECTIONS, connection);
      bob.type("#text", "while alice was away");
      bob.click("#send-btn");
      await().atMost(WAIT).until(() -> alice.texts("#messages .msg .text").contains("while alice was away"));
      assertThat(server.connections("alice")).as("alice's connections").hasSize(1).doesNotContain(connection);
      assertThat(alice.texts("#status")).containsExactly("online");

      // a phone-sized window, and a 300-character word: it wraps, and everything stays on screen
      bob.resize(400, 760);
      alice.type("#text", "w".repeat(300));
      alice.click("#send-btn");
      await().atMost(WAIT).until(() -> bob.texts("#messages .msg .text").contains("w".repeat(300)));
      assertThat(bob.script("return window.innerWidth;").asInt()).as("the window's width").isLessThanOrEqualTo(400);
      assertThat(bob.script("return document.documentElement.scrollWidth <= window.innerWidth;").asBoolean())
          .as("no sideways scrolling at 400 px").isTrue();
      for (String css : List.of("#text", "#send-btn", "#logout-btn", "#members", "#rooms")) {
        assertThat(bob.script("const r = document.querySelector(arguments[0]).getBoundingClientRect();"
            + " return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth;", css).asBoolean())
            .as("%s is within the 400 px window", css).isTrue();
      }
      // bob's list of who is here follows presence: alice's page reconnected, she is still here
      assertThat(bob.texts("#members li")).contains("alice", "bob");
      assertThat(bob.texts("#online-count")).containsExactly("(2)");

      // the page has an icon
      assertThat(bob.script("return document.querySelector('link[rel=icon]').href;").asString()).endsWith("/favicon.svg");
      HttpResponse<String> icon = http.send(HttpRequest.newBuilder(server.http("/favicon.svg")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(icon.statusCode()).isEqualTo(200);
      assertThat(icon.headers().firstValue("content-type")).contains("image/svg+xml");
      assertThat(icon.body()).startsWith("<svg");
      assertThat(reports.unclaimed()).as("nothing else crashed").isEmpty();
    } finally {
      alice.quit();
      bob.quit();
    }
  }

  /** One browser: a WebDriver session with its own fresh profile. */
  final class Browser {
    final String session;

    Browser(String name) throws IOException {
      Path profile = Files.createDirectories(dir.resolve("profile-" + name));
      Map<String, Object> options = Map.of("binary", chromium.toString(), "args", List.of("--headless",
          "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
      // starting a browser is slow on a busy machine: allow it more than a step of the test
      JsonNode created = post("/session", Map.of("capabilities", Map.of("alwaysMatch",
          Map.of("browserName", "chrome", "goog:chromeOptions", options))), WAIT.multipliedBy(4));
      session = created.path("value").path("sessionId").asString();
      assertThat(session).as("chromedriver session: %s", created).isNotBlank();
      post("/session/" + session + "/url", Map.of("url", "http://127.0.0.1:" + server.port + "/"));
    }

    void signUp(String user) throws IOException {
      // the page sends nothing until its socket is open (a frame sent earlier would be dropped)
      await().atMost(WAIT).until(() -> script(
          "return typeof chat !== 'undefined' && chat.ws !== null && chat.ws.readyState === WebSocket.OPEN;")
          .asBoolean());
      type("#user", user);
      type("#password", "secret-" + user);
      click("#signup-btn");
      await().atMost(WAIT).until(() -> texts("#me").contains(user));
    }

    void resize(int width, int height) throws IOException {
      post("/session/" + session + "/window/rect", Map.of("width", width, "height", height));
    }

    void type(String css, String text) throws IOException {
      post("/session/" + session + "/element/" + element(css) + "/value", Map.of("text", text));
    }

    void click(String css) throws IOException {
      post("/session/" + session + "/element/" + element(css) + "/click", Map.of());
    }

    String element(String css) throws IOException {
      JsonNode found = post("/session/" + session + "/element", Map.of("using", "css selector", "value", css));
      String id = found.path("value").path(ELEMENT).asString();
      assertThat(id).as("element %s: %s", css, found).isNotBlank();
      return id;
    }

    List<String> texts(String css) throws IOException {
      JsonNode result = script("return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim());",
          css);
      return java.util.stream.StreamSupport.stream(result.spliterator(), false)
          .map(JsonNode::asString).map(s -> s.replace(" (you)", "")).toList();
    }

    /** Runs a script in the page; its result. */
    JsonNode script(String script, Object... args) throws IOException {
      return post("/session/" + session + "/execute/sync", Map.of("script", script, "args", List.of(args)))
          .path("value");
    }

    void quit() {
      try {
        http.send(HttpRequest.newBuilder(driverUri.resolve("/session/" + session)).DELETE().build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (IOException | InterruptedException e) {
        // the driver is destroyed after the test anyway
      }
    }
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(driverUri.resolve(path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  JsonNode post(String path, Object body) throws IOException {
    return post(path, body, WAIT);
  }

  JsonNode post(String path, Object body, Duration timeout) throws IOException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(driverUri.resolve(path)).timeout(timeout)
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
}
