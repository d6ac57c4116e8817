package org.otp4j.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.otp4j.core.internal.VirtualClock;

/**
 * A clock that moves only when told: a node started with it ({@link NodeConfig#withClock}) runs its
 * timers and its processes' timeouts on it, so a test makes a 30-minute timeout fire in microseconds
 * by calling {@link #advance}, and nothing fires before.
 *
 * <!-- snippet: org.otp4j.core.ManualClockTest#advance -->
 * {@snippet :
 * ManualClock clock = new ManualClock();
 * try (Node node = Node.start(NodeConfig.defaults().withClock(clock)); Inbox inbox = node.openInbox()) {
 *   node.run(() -> Proc.sendAfter(Duration.ofMinutes(30), inbox.pid(), "wake up"));
 *   clock.advance(Duration.ofMinutes(29));
 *   assertThat(inbox.receive(QUIET)).isEmpty();           // not yet
 *   clock.advance(Duration.ofMinutes(1));
 *   assertThat(inbox.receive(WAIT)).contains("wake up");  // at once, in real time
 * }
 * }
 *
 * <p>What runs on it: {@link Proc#sendAfter}, {@link Proc#startTimer} and {@link Proc#sendInterval}
 * timers (and {@link Proc#readTimer}, {@link Proc#cancelTimer}); the timeout of a receive in a process
 * ({@link Proc#receive(java.util.function.Predicate, Duration)}, {@link Proc#sleep}); the timeout of a
 * call or {@link Proc#awaitExit} made by a process; and with them every behaviour timeout built on
 * these (a GenServer timeout, a call's timeout, GenStatem event, state and generic timeouts).
 *
 * <p>What does not: a plain thread's waits ({@link Inbox#receive(Duration)}, a call from a plain
 * thread, {@link Node#awaitTermination}) stay in real time, since the test thread lives outside the
 * node; so does anything that user code times with the JDK ({@link Thread#sleep}, a
 * {@code CompletableFuture} timeout, {@link System#nanoTime}); the watchdog's runaway threshold; and
 * the wait of a behaviour's start and init handshake when made from a plain thread.
 *
 * <p>{@link #advance} wakes what fell due and returns: the processes woken then run on their own, in
 * real time. A timer that a process sets <em>in reaction</em> to one that fired during an advance
 * counts from the clock's time when it is set, which may already be the end of that advance: advance
 * in steps (and wait for the reaction in between) to walk through a chain of timeouts. Likewise a
 * timer a process has not set yet when the clock advances is not touched by that advance:
 * {@link #awaitPending} waits until the processes under test have set what the test is about to
 * advance past. One clock may drive several nodes.
 */
public final class ManualClock {
  private final VirtualClock engine = new VirtualClock();

  /** A clock at time zero. */
  public ManualClock() {}

  VirtualClock engine() {
    return engine;
  }

  /**
   * Moves the time forward by {@code by}: the timers and timeouts that fall due fire, earliest first,
   * before this returns.
   *
   * @throws IllegalArgumentException if {@code by} is negative (time does not go back)
   */
  public void advance(Duration by) {
    Objects.requireNonNull(by, "by");
    if (by.isNegative()) {
      throw new IllegalArgumentException("a manual clock only moves forward; advance got " + by);
    }
    engine.advance(by.toNanos());
  }

  /** How far the clock has been advanced since it was made. */
  public Duration elapsed() {
    return Duration.ofNanos(engine.nanoTime());
  }

  /** How many timers and timed waits are set on the clock now. */
  public int pending() {
    return engine.pending();
  }

  /** The time until the earliest timer or timed wait set on the clock falls due, if any is set. */
  public Optional<Duration> nextDeadline() {
    long n = engine.untilNext();
    return n < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(n));
  }

  /**
   * Advances the clock to the earliest timer or timed wait set on it, firing it; the time it moved,
   * or empty (and nothing moves) if nothing is set.
   */
  public Optional<Duration> advanceToNext() {
    Optional<Duration> next = nextDeadline();
    next.ifPresent(this::advance);
    return next;
  }

  /**
   * Waits, in real time, until at least {@code count} timers and timed waits are set on the clock:
   * the way to know that the processes under test have armed the timeouts a test is about to advance
   * past.
   *
   * @return true if they were set within {@code timeout}
   */
  public boolean awaitPending(int count, Duration timeout) {
    if (count < 0) {
      throw new IllegalArgumentException("count cannot be negative, got " + count);
    }
    long nanos = Timeouts.nanos(timeout);
    long deadline = System.nanoTime() + nanos;
    while (engine.pending() < count) {
      if (nanos != Timeouts.NO_DEADLINE && System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.onSpinWait();
      Thread.yield();
    }
    return true;
  }

  @Override
  public String toString() {
    return "ManualClock[" + elapsed() + ", " + pending() + " pending]";
  }
}
