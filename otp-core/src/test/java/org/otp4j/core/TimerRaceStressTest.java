package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.onNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * P26 under races: cancelTimer at about the moment the timer fires. Whatever the interleaving, a
 * cancel that returns the time left means the message never arrives, and an empty result means it
 * arrives exactly once. The fence is a zero-delay timer started after the cancel: all timers of a
 * node run on one scheduler thread, so a firing in progress completes before the fence is sent.
 */
@Tag("stress")
@DisplayName("Stress: cancelTimer racing the timer's expiry")
class TimerRaceStressTest {
  private static final int ROUNDS = 1_000;
  private static final int MAX_NANOS = 200_000;

  @Test
  @DisplayName("P26: cancel racing expiry: time left and no message, or empty and exactly one message")
  void cancelRacingExpiry() {
    Random random = new Random(26);
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      int cancelled = 0;
      for (int round = 0; round < ROUNDS; round++) {
        String tick = "tick " + round;
        Duration delay = Duration.ofNanos(random.nextInt(MAX_NANOS));
        long pause = random.nextInt(MAX_NANOS);
        TimerRef timer = onNode(node, () -> Proc.sendAfter(delay, inbox.pid(), tick));
        long until = System.nanoTime() + pause;
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }

        Optional<Duration> left = Proc.cancelTimer(timer);
        onNode(node, () -> Proc.sendAfter(Duration.ZERO, inbox.pid(), "fence"));

        List<Object> received = new ArrayList<>();
        Object m;
        while (!(m = next(inbox)).equals("fence")) {
          received.add(m);
        }
        if (left.isPresent()) {
          cancelled++;
          assertThat(received).as("round %d: cancelled with %s left", round, left.get()).isEmpty();
        } else {
          assertThat(received).as("round %d: cancel came too late", round).containsExactly(tick);
        }
        assertThat(Proc.readTimer(timer)).isEmpty();
      }
      assertThat(cancelled).as("rounds where the cancel won").isPositive().isLessThan(ROUNDS);
    }
  }
}
