package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.exitReason;
import static org.otp4j.core.TestSupport.next;
import static org.otp4j.core.TestSupport.onNode;
import static org.otp4j.core.TestSupport.spinUntil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Timers. To show that a cancelled timer sends nothing, a later "fence" timer is started to the
 * same receiver: all timers of a node run on one scheduler thread in deadline order, so once the
 * fence has arrived, an earlier timer that was going to fire would have fired.
 */
@DisplayName("Timers (P25-P28)")
class TimerTest {

  @Test
  @DisplayName("P25: sendAfter delivers the message once the delay has passed")
  void sendAfterDelivers() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      long start = System.nanoTime();
      TimerRef timer = onNode(node, () -> Proc.sendAfter(Duration.ofMillis(50), inbox.pid(), "tick"));

      assertThat(next(inbox)).isEqualTo("tick");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
      assertThat(Proc.readTimer(timer)).isEmpty();
    }
  }

  @Test
  @DisplayName("P25 (13): startTimer delivers TimeoutMessage(timer, msg) carrying the timer it returned")
  void startTimerDeliversATimeoutMessage() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      TimerRef timer = onNode(node, () -> Proc.startTimer(Duration.ofMillis(10), inbox.pid(), "wake up"));

      TimeoutMessage m = next(inbox, TimeoutMessage.class);

      assertThat(m.timer()).isSameAs(timer);
      assertThat(m.message()).isEqualTo("wake up");
    }
  }

  @Test
  @DisplayName("P25: timers started inside a process use its node; a zero delay fires at once")
  void timerFromAProcess() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        Proc.sendAfter(Duration.ZERO, Proc.self(), "now");
        Proc.send(me, Proc.receive());
      });

      assertThat(next(inbox)).isEqualTo("now");
    }
  }

  @Test
  @DisplayName("P26 (13): cancelTimer before the timer fired returns the time left, and nothing arrives")
  void cancelBeforeFiring() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Duration delay = Duration.ofMillis(200);
      TimerRef timer = onNode(node, () -> Proc.sendAfter(delay, inbox.pid(), "cancelled"));

      Optional<Duration> left = Proc.cancelTimer(timer);

      assertThat(left).hasValueSatisfying(d -> assertThat(d).isPositive().isLessThanOrEqualTo(delay));
      assertThat(Proc.readTimer(timer)).isEmpty();
      assertThat(Proc.cancelTimer(timer)).as("a second cancel").isEmpty();
      onNode(node, () -> Proc.sendAfter(delay.plusMillis(50), inbox.pid(), "fence"));
      assertThat(next(inbox)).isEqualTo("fence");
      assertThat(inbox.flush()).isEmpty();
    }
  }

  @Test
  @DisplayName("P26 (13): cancelTimer after the timer fired returns empty, and the message is in the mailbox")
  void cancelAfterFiring() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      TimerRef timer = onNode(node, () -> Proc.sendAfter(Duration.ofMillis(5), inbox.pid(), "fired"));
      spinUntil(() -> Proc.info(inbox.pid()).orElseThrow().mailboxLength() == 1, () -> "the timer to fire");

      assertThat(Proc.cancelTimer(timer)).isEmpty();
      assertThat(inbox.receive(Duration.ZERO)).contains("fired");
    }
  }

  @Test
  @DisplayName("P26: readTimer gives the time left while the timer is active")
  void readTimer() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Duration delay = Duration.ofSeconds(30);
      TimerRef timer = onNode(node, () -> Proc.startTimer(delay, inbox.pid(), "later"));

      assertThat(Proc.readTimer(timer)).hasValueSatisfying(d ->
          assertThat(d).isGreaterThan(Duration.ofSeconds(25)).isLessThanOrEqualTo(delay));
      Proc.cancelTimer(timer);
      assertThat(Proc.readTimer(timer)).isEmpty();
    }
  }

  @Test
  @DisplayName("P27 (13): a timer to a dead pid does not fail and is inactive from the start")
  void timerToADeadPid() {
    try (Node node = Node.start()) {
      Pid dead = node.spawn(() -> {});
      exitReason(dead);

      TimerRef timer = onNode(node, () -> Proc.sendAfter(Duration.ofMillis(10), dead, "nobody"));

      assertThat(Proc.readTimer(timer)).isEmpty();
      assertThat(Proc.cancelTimer(timer)).isEmpty();
    }
  }

  @Test
  @DisplayName("P27: a timer to a pid becomes void when that process dies")
  void timerVoidWhenTheReceiverDies() {
    try (Node node = Node.start()) {
      Pid p = node.spawn(TestSupport::idle);
      TimerRef timer = onNode(node, () -> Proc.sendAfter(Duration.ofSeconds(30), p, "too late"));
      assertThat(Proc.readTimer(timer)).isPresent();

      Proc.exit(p, ExitReason.KILL);
      exitReason(p);

      assertThat(Proc.readTimer(timer)).isEmpty();
      assertThat(Proc.cancelTimer(timer)).isEmpty();
    }
  }

  @Test
  @DisplayName("P27: a timer to a name looks the name up when it fires")
  void timerToANameResolvesAtExpiry() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Name name = Name.local("late_comer");
      onNode(node, () -> Proc.sendAfter(Duration.ofMillis(100), name, "for whoever holds the name"));

      Proc.register("late_comer", inbox.pid()); // registered after the timer started

      assertThat(next(inbox)).isEqualTo("for whoever holds the name");
    }
  }

  @Test
  @DisplayName("P27: a timer to a name that is not registered when it fires is dropped silently")
  void timerToAnUnregisteredName() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid holder = node.spawn(() -> {
        while (true) {
          Proc.send(me, Proc.receive());
        }
      });
      Proc.register("svc", holder);
      onNode(node, () -> Proc.sendAfter(Duration.ofMillis(30), Name.local("svc"), "dropped"));
      onNode(node, () -> Proc.unregister("svc"));

      onNode(node, () -> Proc.sendAfter(Duration.ofMillis(60), holder, "fence"));

      assertThat(next(inbox)).isEqualTo("fence");
      assertThat(inbox.flush()).isEmpty();
      assertThat(Proc.isAlive(holder)).isTrue();
    }
  }

  @Test
  @DisplayName("P28: sendInterval repeats until cancelled; cancel returns the time left to the next tick")
  void sendIntervalUntilCancelled() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      TimerRef timer = onNode(node, () -> Proc.sendInterval(Duration.ofMillis(10), inbox.pid(), "tick"));

      for (int i = 0; i < 5; i++) {
        assertThat(next(inbox)).isEqualTo("tick");
      }
      assertThat(Proc.cancelTimer(timer)).hasValueSatisfying(d ->
          assertThat(d).isLessThanOrEqualTo(Duration.ofMillis(10)));
      onNode(node, () -> Proc.sendAfter(Duration.ofMillis(50), inbox.pid(), "fence"));

      List<Object> rest = collectUntilFence(inbox);
      assertThat(rest).as("ticks after cancel (one may have been in flight)").hasSizeLessThanOrEqualTo(1);
      assertThat(Proc.readTimer(timer)).isEmpty();
    }
  }

  @Test
  @DisplayName("P28: an interval timer to a pid stops when that process dies")
  void sendIntervalStopsWithItsReceiver() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid receiver = node.spawn(() -> {
        while (true) {
          Proc.send(me, Proc.receive());
        }
      });
      TimerRef timer = onNode(node, () -> Proc.sendInterval(Duration.ofMillis(5), receiver, "tick"));
      assertThat(next(inbox)).isEqualTo("tick");

      Proc.exit(receiver, ExitReason.KILL);
      exitReason(receiver);

      assertThat(Proc.readTimer(timer)).isEmpty();
      assertThat(Proc.cancelTimer(timer)).isEmpty();
    }
  }

  @Test
  @DisplayName("Timers: invalid delays are rejected with a message that says what was received")
  void invalidDelays() {
    try (Node node = Node.start(); Inbox inbox = node.openInbox()) {
      assertThatThrownBy(() -> onNode(node, () -> Proc.sendAfter(Duration.ofMillis(-5), inbox.pid(), "x")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("a timer delay must be zero or more, got PT-0.005S");
      assertThatThrownBy(() -> onNode(node, () -> Proc.sendInterval(Duration.ZERO, inbox.pid(), "x")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("a timer delay must be positive, got PT0S");
      assertThatThrownBy(() -> onNode(node, () -> Proc.sendAfter(Duration.ZERO, inbox.pid(), null)))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("a timer message cannot be null");
    }
  }

  @Test
  @DisplayName("Timers: starting a timer on a stopped node throws NodeStoppedException")
  void timerOnAStoppedNode() {
    Node node = Node.start();
    Inbox inbox = node.openInbox();
    node.stop();

    assertThatThrownBy(() -> onNode(node, () -> Proc.sendAfter(Duration.ofMillis(1), inbox.pid(), "x")))
        .isInstanceOf(NodeStoppedException.class)
        .hasMessageContaining("has been stopped");
  }

  private static List<Object> collectUntilFence(Inbox inbox) {
    List<Object> out = new ArrayList<>();
    Object m;
    while (!(m = next(inbox)).equals("fence")) {
      out.add(m);
    }
    return out;
  }
}
