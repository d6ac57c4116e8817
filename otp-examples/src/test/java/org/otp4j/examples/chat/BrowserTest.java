package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otp4j.core.ExitReason;
import org.otp4j.core.Pid;
import org.otp4j.core.Proc;
import org.otp4j.examples.Chromedriver;
import tools.jackson.databind.JsonNode;

/**
 * The browser client, in real headless Chromium driven by chromedriver ({@link Chromedriver}):
 * two browsers with their own profiles sign up as two users, one sends a message and the other
 * sees it; then the room is killed from the page, and one page's connection process is killed, and
 * the conversation carries on (the page reconnects).
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; {@code .ci/run} installs them.
 * Without them this test is skipped, except under CI, where it fails.
 */
class BrowserTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  ChatServer server;
  Chromedriver driver;
  CrashReports reports;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    driver = Chromedriver.start(dir, WAIT);
    server = ChatServer.start(dir.resolve("data"), Map.of("admins", "alice"));
    reports = CrashReports.capture(server);
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
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

  /** One user's browser: a page of the chat client. */
  final class Browser {
    final Chromedriver.Browser page;

    Browser(String name) throws IOException {
      page = driver.open(name, URI.create("http://127.0.0.1:" + server.port + "/"));
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
      page.resize(width, height);
    }

    void type(String css, String text) throws IOException {
      page.type(css, text);
    }

    void click(String css) throws IOException {
      page.click(css);
    }

    /** The texts {@code css} selects, without the " (you)" the page adds to its own user. */
    List<String> texts(String css) throws IOException {
      return page.texts(css).stream().map(s -> s.replace(" (you)", "")).toList();
    }

    JsonNode script(String script, Object... args) throws IOException {
      return page.script(script, args);
    }

    void quit() {
      page.quit();
    }
  }
}
