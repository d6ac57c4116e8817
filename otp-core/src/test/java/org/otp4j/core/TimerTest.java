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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Timers. To show that a cancelled timer sends nothing, a later "fence" timer is started to the
 * same receiver: all timers of a node run on one scheduler thread in deadline order, so once the
 * fence has arrived, an earlier timer that was going to fire would have fired.
 *
 * <p>For the same reason, a test that must act before a timer fires (cancel it, register its name)
 * holds that thread meanwhile ({@link #holdTimers}) rather than count on acting within the delay,
 * which a loaded machine does not guarantee.
 */
@DisplayName("Timers (P25-P28)")
class TimerTest {

  /** A hold on a node's timer thread; closing it lets the timers fire again. */
  private interface Hold extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Holds the timer thread of {@code node}: when this returns no timer of the node is firing, and
   * none fires until the hold is closed. It starts a zero-delay timer to a via name whose registry,
   * asked for the name as the timer fires, waits on the timer thread for the release (the timer's
   * message is then dropped: the name is not registered).
   */
  private static Hold holdTimers(Node node) {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    NameRegistry gate = new NameRegistry() {
      @Override
      public boolean registerName(Object key, Pid pid) {
        return false;
      }

      @Override
      public void unregisterName(Object key) {}

      @Override
      public Optional<Pid> whereisName(Object key) {
        holding.countDown();
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the node is stopping
        }
        return Optional.empty();
      }
    };
    onNode(node, () -> Proc.sendAfter(Duration.ZERO, Name.via(gate, "hold"), "held"));
    try {
      assertThat(holding.await(TestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("the timer thread is held").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while holding the timer thread", e);
    }
    return released::countDown;
  }

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
      TimerRef timer;
      Optional<Duration> left;
      Duration elapsed;
      try (Hold _ = holdTimers(node)) { // it cannot fire before the cancel, however slow the test thread
        long start = System.nanoTime();
        timer = onNode(node, () -> Proc.sendAfter(delay, inbox.pid(), "cancelled"));

        left = Proc.cancelTimer(timer);

        elapsed = Duration.ofNanos(System.nanoTime() - start);
      }

      // the delay less the time the cancel came after the start; none if the deadline has passed meanwhile
      Duration leastLeft = delay.compareTo(elapsed) > 0 ? delay.minus(elapsed) : Duration.ZERO;
      assertThat(left).hasValueSatisfying(d -> assertThat(d).isBetween(leastLeft, delay));
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
      long start = System.nanoTime();
      TimerRef timer = onNode(node, () -> Proc.startTimer(delay, inbox.pid(), "later"));

      Optional<Duration> left = Proc.readTimer(timer);

      // the delay less the time the read came after the start
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      assertThat(left).hasValueSatisfying(d -> assertThat(d).isBetween(delay.minus(elapsed), delay));
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
      try (Hold _ = holdTimers(node)) { // it cannot fire before the name is registered
        onNode(node, () -> Proc.sendAfter(Duration.ofMillis(100), name, "for whoever holds the name"));

        Proc.register("late_comer", inbox.pid()); // registered after the timer started
      }

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
      try (Hold _ = holdTimers(node)) { // it cannot fire while the name is still registered
        onNode(node, () -> Proc.sendAfter(Duration.ofMillis(30), Name.local("svc"), "dropped"));
        onNode(node, () -> Proc.unregister("svc"));
      }

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
      Optional<Duration> left;
      try (Hold _ = holdTimers(node)) {
        // No tick is in flight: every tick sent so far is in the mailbox (more of them if the test
        // thread was slow to take the first five).
        assertThat(inbox.flush()).as("ticks before the cancel").allMatch("tick"::equals);
        left = Proc.cancelTimer(timer);
      }
      assertThat(left).hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMillis(10)));
      onNode(node, () -> Proc.sendAfter(Duration.ofMillis(50), inbox.pid(), "fence"));

      assertThat(collectUntilFence(inbox)).as("ticks after the cancel").isEmpty();
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
