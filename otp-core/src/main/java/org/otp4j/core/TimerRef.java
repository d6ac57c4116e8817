package org.otp4j.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.otp4j.core.internal.Kernel;
import org.otp4j.core.internal.NodeRuntime;
import org.otp4j.core.internal.ProcessImpl;

/**
 * A timer started by {@link Proc#sendAfter}, {@link Proc#startTimer} or {@link Proc#sendInterval}.
 * All timers of a node share one scheduler thread; a timer costs a small object, not a thread.
 *
 * <p>States: ACTIVE until it fires (one-shot timers become FIRED) or is cancelled (CANCELLED); the
 * transitions happen once, by compare-and-set, so {@link Proc#cancelTimer} tells reliably whether it
 * stopped the timer before it fired.
 */
public final class TimerRef {
  enum Kind { SEND, TIMEOUT, INTERVAL }

  private static final int ACTIVE = 0;
  private static final int FIRED = 1;
  private static final int CANCELLED = 2;

  private final NodeRuntime runtime;
  private final Address target;
  private final Object message;
  private final Kind kind;
  private final long periodNanos;
  private final AtomicInteger state = new AtomicInteger(ACTIVE);
  private volatile long deadline;
  private volatile ScheduledFuture<?> future;

  private TimerRef(NodeRuntime runtime, Address target, Object message, Kind kind, long periodNanos) {
    this.runtime = runtime;
    this.target = target;
    this.message = message;
    this.kind = kind;
    this.periodNanos = periodNanos;
  }

  static TimerRef start(NodeRuntime runtime, Duration delay, Address target, Object message, Kind kind) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(target, "cannot start a timer to a null address");
    Objects.requireNonNull(message, "a timer message cannot be null");
    if (delay.isNegative() || (kind == Kind.INTERVAL && delay.isZero())) {
      throw new IllegalArgumentException("a timer delay must be " + (kind == Kind.INTERVAL ? "positive" : "zero or more")
          + ", got " + delay);
    }
    long nanos = delay.toNanos();
    TimerRef timer = new TimerRef(runtime, target, message, kind, nanos);
    timer.deadline = System.nanoTime() + nanos;
    try {
      timer.future = kind == Kind.INTERVAL
          ? runtime.timers().scheduleAtFixedRate(timer::fire, nanos, nanos, TimeUnit.NANOSECONDS)
          : runtime.timers().schedule(timer::fire, nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      throw new NodeStoppedException(runtime.node());
    }
    return timer;
  }

  private void fire() {
    if (kind != Kind.INTERVAL && !state.compareAndSet(ACTIVE, FIRED)) {
      return;
    }
    if (kind == Kind.INTERVAL && state.get() != ACTIVE) {
      return;
    }
    ProcessImpl p = Kernel.resolve(runtime, target);
    if (p == null || !p.isAlive()) {
      if (kind == Kind.INTERVAL && target instanceof Pid) {
        stop();
      }
      return; // a name not registered now, or a dead receiver: the message is dropped
    }
    try {
      Kernel.send(null, p, kind == Kind.TIMEOUT ? new TimeoutMessage(this, message) : message);
    } catch (RuntimeException e) {
      // a full bounded mailbox with the REJECT policy: the message is dropped and counted there
    }
    if (kind == Kind.INTERVAL) {
      deadline = System.nanoTime() + periodNanos;
    }
  }

  private void stop() {
    if (state.compareAndSet(ACTIVE, CANCELLED)) {
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  Optional<Duration> cancel() {
    long left = deadline - System.nanoTime();
    if (!state.compareAndSet(ACTIVE, CANCELLED)) {
      return Optional.empty();
    }
    ScheduledFuture<?> f = future;
    if (f != null) {
      f.cancel(false);
    }
    if (target instanceof Pid pid && !Proc.isAlive(pid)) {
      return Optional.empty(); // it was void already: its receiver had terminated
    }
    return Optional.of(Duration.ofNanos(Math.max(0, left)));
  }

  Optional<Duration> read() {
    if (state.get() != ACTIVE) {
      return Optional.empty();
    }
    if (target instanceof Pid pid && !Proc.isAlive(pid)) {
      return Optional.empty(); // a timer to a pid is void once that process has terminated
    }
    long left = deadline - System.nanoTime();
    return Optional.of(Duration.ofNanos(Math.max(0, left)));
  }

  @Override
  public String toString() {
    return "#TimerRef<" + Integer.toHexString(System.identityHashCode(this)) + "," + kind + "," + target + ">";
  }
}
