package org.otp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.otp4j.core.TestSupport.WAIT;
import static org.otp4j.core.TestSupport.next;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node on a manual clock: its timers and its processes' timeouts fire when the clock is advanced,
 * never before, and with no real waiting. Each "not yet" is checked by a real-time wait of
 * {@link #QUIET}, far beyond what the real timers would need to fire if the clock were ignored.
 */
@DisplayName("Manual clock: timers and timeouts on virtual time")
class ManualClockTest {
  private static final Duration QUIET = Duration.ofMillis(100);

  @Test
  @DisplayName("P25: a 30-minute sendAfter fires when the clock passes 30 minutes, not before")
  void sendAfter() {
    // region: advance
    ManualClock clock = new ManualClock();
    try (Node node = Node.start(NodeConfig.defaults().withClock(clock)); Inbox inbox = node.openInbox()) {
      node.run(() -> Proc.sendAfter(Duration.ofMinutes(30), inbox.pid(), "wake up"));
      clock.advance(Duration.ofMinutes(29));
      assertThat(inbox.receive(QUIET)).isEmpty();           // not yet
      clock.advance(Duration.ofMinutes(1));
      assertThat(inbox.receive(WAIT)).contains("wake up");  // at once, in real time
    }
    // endregion: advance
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  @DisplayName("P27/P28: readTimer and cancelTimer count the time left on the clock; a cancelled timer never fires")
  void readAndCancel() {
    ManualClock clock = new ManualClock();
    try (Node node = Node.start(NodeConfig.defaults().withClock(clock)); Inbox inbox = node.openInbox()) {
      TimerRef t = node.call(() -> Proc.startTimer(Duration.ofHours(2), inbox.pid(), "late"));
      clock.advance(Duration.ofMinutes(30));
      assertThat(node.call(() -> Proc.readTimer(t))).contains(Duration.ofMinutes(90));
      assertThat(clock.pending()).isEqualTo(1);
      assertThat(clock.nextDeadline()).contains(Duration.ofMinutes(90));
      assertThat(node.call(() -> Proc.cancelTimer(t))).contains(Duration.ofMinutes(90));
      assertThat(clock.pending()).isZero();
      clock.advance(Duration.ofHours(5));
      assertThat(inbox.receive(QUIET)).isEmpty();
    }
  }

  @Test
  @DisplayName("P26: an interval timer fires once per period passed, even within a single advance")
  void interval() {
    ManualClock clock = new ManualClock();
    try (Node node = Node.start(NodeConfig.defaults().withClock(clock)); Inbox inbox = node.openInbox()) {
      TimerRef tick = node.call(() -> Proc.sendInterval(Duration.ofSeconds(10), inbox.pid(), "tick"));
      clock.advance(Duration.ofSeconds(35));
      assertThat(inbox.receive(WAIT)).contains("tick");
      assertThat(inbox.receive(WAIT)).contains("tick");
      assertThat(inbox.receive(WAIT)).contains("tick");
      assertThat(inbox.receive(QUIET)).isEmpty();
      assertThat(node.call(() -> Proc.cancelTimer(tick))).contains(Duration.ofSeconds(5));
      clock.advance(Duration.ofMinutes(1));
      assertThat(inbox.receive(QUIET)).isEmpty();
    }
  }

  @Test
  @DisplayName("A process's receive timeout, Proc.sleep and awaitExit run on the clock")
  void receiveTimeout() {
    ManualClock clock = new ManualClock();
    try (Node node = Node.start(NodeConfig.defaults().withClock(clock)); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      node.spawn(() -> {
        Optional<Object> m = Proc.receive(Duration.ofMinutes(10));
        Proc.send(me, m.isEmpty() ? "timed out" : "got " + m.get());
        Proc.sleep(Duration.ofHours(1));
        Proc.send(me, "slept");
        Pid idle = Proc.spawn(Proc::receive);
        Proc.send(me, Proc.awaitExit(idle, Duration.ofDays(1)).isEmpty() ? "still alive" : "exited");
        Proc.exit(idle, ExitReason.KILL);
      });
      assertThat(clock.awaitPending(1, WAIT)).isTrue(); // the receive has set its deadline
      clock.advance(Duration.ofMinutes(9));
      assertThat(inbox.receive(QUIET)).isEmpty();
      clock.advance(Duration.ofMinutes(1));
      assertThat(next(inbox)).isEqualTo("timed out");

      assertThat(clock.awaitPending(1, WAIT)).isTrue();
      clock.advance(Duration.ofMinutes(59));
      assertThat(inbox.receive(QUIET)).isEmpty();
      clock.advance(Duration.ofMinutes(1));
      assertThat(next(inbox)).isEqualTo("slept");

      assertThat(clock.awaitPending(1, WAIT)).isTrue();
      clock.advance(Duration.ofDays(1));
      assertThat(next(inbox)).isEqualTo("still alive");
    }
  }

  @Test
  @DisplayName("A process's call times out on the clock; a plain thread's waits stay in real time")
  void callTimeout() {
    ManualClock clock = new ManualClock();
    try (Node node = Node.start(NodeConfig.defaults().withClock(clock)); Inbox inbox = node.openInbox()) {
      Pid me = inbox.pid();
      Pid silent = node.spawn(TestSupport::idle);
      node.spawn(() -> {
        try {
          Proc.call(silent, from -> "hello?", Duration.ofMinutes(5));
          Proc.send(me, "answered");
        } catch (CallException e) {
          Proc.send(me, e.reason());
        }
      });
      assertThat(clock.awaitPending(1, WAIT)).isTrue();
      assertThat(inbox.receive(QUIET)).isEmpty(); // a real-time wait on a plain thread returns
      clock.advance(Duration.ofMinutes(5));
      assertThat(next(inbox)).isEqualTo(ExitReason.TIMEOUT);
      assertThat(clock.pending()).isZero();
      Proc.exit(silent, ExitReason.KILL);
    }
  }

  @Test
  @DisplayName("advanceToNext jumps to the earliest deadline; time never goes back")
  void advanceToNext() {
    ManualClock clock = new ManualClock();
    assertThat(clock.advanceToNext()).isEmpty();
    try (Node node = Node.start(NodeConfig.defaults().withClock(clock)); Inbox inbox = node.openInbox()) {
      node.run(() -> {
        Proc.sendAfter(Duration.ofSeconds(90), inbox.pid(), "second");
        Proc.sendAfter(Duration.ofSeconds(30), inbox.pid(), "first");
      });
      assertThat(clock.advanceToNext()).contains(Duration.ofSeconds(30));
      assertThat(next(inbox)).isEqualTo("first");
      assertThat(clock.advanceToNext()).contains(Duration.ofSeconds(60));
      assertThat(next(inbox)).isEqualTo("second");
      assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(90));
    }
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only moves forward");
  }
}
