package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading while frames keep coming is disconnected once its queue of unsent
 * frames is full, with close code 1008 (policy violation) and a reason that says why.
 */
class SlowConsumerTest {
  @TempDir
  Path dir;

  @Test
  void aClientThatDoesNotReadIsDroppedWithPolicyViolationAndTheReason() {
    // big direct messages (they are not stored, so they come fast), and a short queue
    try (ChatServer server = ChatServer.start(dir, Map.of("maxQueuedFrames", 16, "maxFrameBytes", 65_536,
            "maxMessageChars", 60_000, "rateBurst", 100_000, "rateLimit", 100_000.0, "floodLimit", 100_000));
        TestClient slow = TestClient.signedUp(server, "slow");
        TestClient sender = TestClient.signedUp(server, "sender")) {
      slow.pause();
      String text = "x".repeat(50_000);
      // until the server gives up on the slow client: its TCP buffers fill, then its queue
      int sent = 0;
      while (!server.connections("slow").isEmpty()) {
        sender.send("type", "dm", "to", "slow", "text", text, "ref", "d" + sent);
        sender.take(f -> f.path("ref").asString().startsWith("d"), TestClient.WAIT, "dm answer");
        sent++;
        assertThat(sent).as("direct messages sent without the slow client being dropped").isLessThan(5_000);
      }
      slow.resume();
      assertThat(slow.awaitClose()).isEqualTo(Map.entry(1008, "too slow: more than 16 frames waiting to be sent"));
    }
  }
}
