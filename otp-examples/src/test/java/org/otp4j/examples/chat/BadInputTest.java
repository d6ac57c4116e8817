package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Malformed, unknown, oversized and flooding input: error frames, and the limits. */
class BadInputTest {
  @TempDir
  Path dir;
  ChatServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void malformedFramesGetAnErrorAndTheConnectionStaysUp() {
    server = ChatServer.start(dir);
    try (TestClient c = TestClient.signedUp(server, "alice")) {
      c.sendRaw("{not json");
      assertThat(c.takeError("bad_json").path("message").asString()).contains("not valid JSON");
      c.sendRaw("[1,2,3]");
      c.takeError("bad_frame");
      c.sendRaw("{\"kind\":\"ping\"}");
      assertThat(c.takeError("missing_field").path("message").asString()).contains("no \"type\"");
      c.send("type", "dance");
      assertThat(c.takeError("unknown_type").path("message").asString()).contains("'dance'", "signup", "join");
      c.send("type", "join", "room", 42);
      assertThat(c.takeError("bad_field").path("message").asString()).contains("\"room\" must be a string");
      c.send("type", "join");
      assertThat(c.takeError("missing_field").path("message").asString()).contains("needs a string \"room\"");
      c.send("type", "history", "room", "lobby", "since", -1);
      c.takeError("bad_field");
      c.send("type", "ping");
      c.take("pong");
    }
  }

  @Test
  void oversizedFramesAndMessagesAreRefused() {
    server = ChatServer.start(dir, Map.of("maxFrameBytes", 1024, "maxMessageChars", 100));
    try (TestClient c = TestClient.signedUp(server, "alice")) {
      c.send("type", "join", "room", "lobby");
      c.take("joined");
      c.send("type", "send", "room", "lobby", "clientId", "big", "text", "x".repeat(5000));
      assertThat(c.takeError("too_large").path("message").asString()).contains("at most 1024 bytes");
      c.send("type", "send", "room", "lobby", "clientId", "long", "text", "y".repeat(101));
      assertThat(c.takeError("too_large").path("message").asString()).contains("at most 100 characters");
      c.send("type", "send", "room", "lobby", "clientId", "ok", "text", "fits");
      assertThat(c.take("ack").path("seq").asLong()).isEqualTo(1);
    }
  }

  @Test
  void aFloodIsRateLimitedThenDisconnected() {
    // 5 frames at once, then 1 a second; more than 30 refused within 10 s closes the connection
    server = ChatServer.start(dir, Map.of("rateBurst", 5, "rateLimit", 1.0, "floodLimit", 30));
    long start = System.nanoTime(); // before the connection (and its token bucket) exists
    try (TestClient c = TestClient.connect(server)) {
      for (int i = 0; i < 20; i++) { // a burst, sent without waiting for the answers
        c.send("type", "ping");
      }
      List<JsonNode> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        answers.add(c.take(BadInputTest::isAnswer, TestClient.WAIT, "answer"));
      }
      assertThat(answers.subList(0, 5)).as("the burst").allMatch(a -> a.path("type").asString().equals("pong"));
      // Then frames as fast as they are answered, until the server hangs up. Each is sent once
      // the previous one is answered: a client that is still sending when the server closes may
      // have its send fail, or its connection reset before it reads the close frame.
      JsonNode answer;
      do {
        c.sendRaw("{\"type\":\"ping\"}");
        answer = c.take(BadInputTest::isAnswer, TestClient.WAIT, "answer");
        answers.add(answer);
        assertThat(answers).as("frames answered without being disconnected").hasSizeLessThan(1000);
      } while (!answer.path("code").asString().equals("flooding"));
      assertThat(c.awaitClose()).as("close code (policy violation) and reason").isEqualTo(Map.entry(1008, "flooding"));
      JsonNode firstRefusal = answers.stream().filter(a -> a.path("type").asString().equals("error")).findFirst()
          .orElseThrow();
      assertThat(firstRefusal.path("code").asString()).isEqualTo("rate_limited");
      assertThat(firstRefusal.path("message").asString()).contains("at most 5 at once");
      double seconds = (System.nanoTime() - start) / 1e9;
      long pongs = c.frames().stream().filter(f -> f.path("type").asString().equals("pong")).count();
      long refused = c.frames().stream().filter(f -> f.path("code").asString().equals("rate_limited")).count();
      // the burst of 5, plus at most the 1 a second refilled while the flood lasted
      assertThat(pongs).isBetween(5L, 5L + (long) Math.floor(seconds));
      // each refused frame but the last was answered: more than 30 refused, the 31st disconnects
      assertThat(refused).isGreaterThanOrEqualTo(30L);
      assertThat(c.frames().getLast().path("code").asString()).isEqualTo("flooding");
    }
  }

  @Test
  void framesRefusedUnreadStillGetTheirRefBack() {
    // one frame at once and (almost) none after: the second frame is refused by the rate limit
    server = ChatServer.start(dir, Map.of("maxFrameBytes", 1024, "rateBurst", 2, "rateLimit", 0.001));
    try (TestClient c = TestClient.connect(server)) {
      c.sendRaw("{\"type\":\"ping\",\"pad\":{\"ref\":\"nested, not this one\"},\"text\":\""
          + "x".repeat(2000) + "\",\"ref\":\"big-1\"}");
      JsonNode tooLarge = c.takeError("too_large");
      assertThat(tooLarge.path("ref").asString()).isEqualTo("big-1");
      c.send("type", "ping", "ref", "p-1");
      assertThat(c.take("pong").path("ref").asString()).isEqualTo("p-1");
      c.send("type", "ping", "ref", 7);
      JsonNode limited = c.takeError("rate_limited");
      assertThat(limited.path("ref").asString()).isEqualTo("7");
      c.sendRaw("not json at all");
      assertThat(c.takeError("rate_limited").has("ref")).isFalse();
    }
  }

  /** The server's answer to a frame: a pong, or an error (here, refused). */
  private static boolean isAnswer(JsonNode f) {
    return f.path("type").asString().equals("pong") || f.path("type").asString().equals("error");
  }
}
