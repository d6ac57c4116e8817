package org.otp4j.core.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.otp4j.core.Address;
import org.otp4j.core.Pid;

/**
 * The engine of one timer ({@code org.otp4j.core.TimerRef} is its face): a message sent to an
 * address once after a delay, or at every interval. All timers of a node share its one scheduler
 * thread; a timer costs a small object and a scheduled task, not a thread.
 *
 * <p>States, changed by compare-and-set only, so a cancel tells reliably whether it stopped the
 * timer before it fired:
 * <pre>
 *   state      event                              next state
 *   ACTIVE     a one-shot timer fires              FIRED
 *   ACTIVE     cancel, or an interval's receiver   CANCELLED
 *              is found dead when it fires
 * </pre>
 */
public final class Timer {
  private static final int ACTIVE = 0;
  private static final int FIRED = 1;
  private static final int CANCELLED = 2;

  private final NodeRuntime runtime;
  private final Address target;
  private Object message; // set before scheduling, read by the scheduler thread after
  private final long periodNanos; // 0 for a one-shot timer
  private final AtomicInteger state = new AtomicInteger(ACTIVE);
  private volatile long deadline;
  private volatile ScheduledFuture<?> future;
  /** Its place on the node's manual clock, when the node runs on one. */
  private volatile VirtualClock.Entry entry;

  /** A timer to {@code target} that sends once, or every {@code periodNanos} if that is positive; see {@link #start}. */
  public Timer(NodeRuntime runtime, Address target, long periodNanos) {
    this.runtime = runtime;
    this.target = target;
    this.periodNanos = periodNanos;
  }

  /**
   * Schedules {@code message} after {@code delayNanos} (and then at every period). The timer exists
   * before it is scheduled, so a message that names it may be handled before this returns.
   *
   * @throws RejectedExecutionException if the node has stopped
   */
  public void start(long delayNanos, Object message) {
    this.message = message;
    VirtualClock clock = runtime.virtualClock();
    if (clock != null) {
      if (runtime.isStopping()) {
        throw new RejectedExecutionException("node stopped");
      }
      deadline = clock.nanoTime() + delayNanos;
      entry = clock.runAt(deadline, this::fireVirtual);
      return;
    }
    deadline = System.nanoTime() + delayNanos;
    future = isInterval()
        ? runtime.timers().scheduleAtFixedRate(this::fire, delayNanos, periodNanos, TimeUnit.NANOSECONDS)
        : runtime.timers().schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** Fires on the manual clock's advancing thread; an interval timer sets its next turn. */
  private void fireVirtual() {
    fire();
    if (isInterval() && state.get() == ACTIVE && !runtime.isStopping()) {
      VirtualClock clock = runtime.virtualClock();
      long next = deadline; // fire() set it one period on, from the clock's time
      entry = clock.runAt(next, this::fireVirtual);
      if (state.get() != ACTIVE) {
        clock.remove(entry); // cancelled meanwhile
      }
    }
  }

  private boolean isInterval() {
    return periodNanos != 0L;
  }

  private void fire() {
    if (isInterval() ? state.get() != ACTIVE : !state.compareAndSet(ACTIVE, FIRED)) {
      return;
    }
    ProcessImpl p = Kernel.resolve(runtime, target);
    if (p == null || !p.isAlive()) {
      if (isInterval() && Kernel.pidOf(target) != null) {
        stop();
      }
      return; // a name not registered now, or a dead receiver: the message is dropped
    }
    try {
      Kernel.send(null, p, message);
    } catch (RuntimeException e) {
      // a full bounded mailbox with the REJECT policy: the message is dropped and counted there
    }
    if (isInterval()) {
      deadline = runtime.nanoTime() + periodNanos;
    }
  }

  private void stop() {
    if (state.compareAndSet(ACTIVE, CANCELLED)) {
      cancelFuture();
    }
  }

  private void cancelFuture() {
    ScheduledFuture<?> f = future;
    if (f != null) {
      f.cancel(false);
    }
    VirtualClock.Entry e = entry;
    if (e != null) {
      runtime.virtualClock().remove(e);
    }
  }

  /** Cancels the timer: the time that was left, or empty if it was no longer active. */
  public Optional<Duration> cancel() {
    long left = deadline - runtime.nanoTime();
    if (!state.compareAndSet(ACTIVE, CANCELLED)) {
      return Optional.empty();
    }
    cancelFuture();
    if (receiverGone()) {
      return Optional.empty(); // it was void already: its receiver had terminated
    }
    return Optional.of(Duration.ofNanos(Math.max(0, left)));
  }

  /** The time left, or empty if the timer is no longer active. */
  public Optional<Duration> read() {
    if (state.get() != ACTIVE || receiverGone()) {
      return Optional.empty(); // a timer to a pid is void once that process has terminated
    }
    long left = deadline - runtime.nanoTime();
    return Optional.of(Duration.ofNanos(Math.max(0, left)));
  }

  private boolean receiverGone() {
    Pid pid = Kernel.pidOf(target);
    return pid != null && !Kernel.process(pid).isAlive();
  }

  @Override
  public String toString() {
    return Integer.toHexString(System.identityHashCode(this)) + "," + (isInterval() ? "INTERVAL" : "ONCE") + ","
        + target;
  }
}
