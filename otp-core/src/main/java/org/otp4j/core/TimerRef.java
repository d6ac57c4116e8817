package org.otp4j.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.otp4j.core.internal.NodeRuntime;
import org.otp4j.core.internal.Timer;

/**
 * A timer started by {@link Proc#sendAfter}, {@link Proc#startTimer} or {@link Proc#sendInterval};
 * cancel it with {@link Proc#cancelTimer} and read it with {@link Proc#readTimer}. All timers of a
 * node share one scheduler thread; a timer costs a small object, not a thread.
 */
public final class TimerRef {
  enum Kind { SEND, TIMEOUT, INTERVAL }

  private final Kind kind;
  private final Timer timer;

  private TimerRef(Kind kind, Timer timer) {
    this.kind = kind;
    this.timer = timer;
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
    TimerRef ref = new TimerRef(kind, new Timer(runtime, target, kind == Kind.INTERVAL ? nanos : 0L));
    try {
      ref.timer.start(nanos, kind == Kind.TIMEOUT ? new TimeoutMessage(ref, message) : message);
    } catch (RejectedExecutionException e) {
      throw new NodeStoppedException(runtime.description());
    }
    return ref;
  }

  Optional<Duration> cancel() {
    return timer.cancel();
  }

  Optional<Duration> read() {
    return timer.read();
  }

  @Override
  public String toString() {
    return "#TimerRef<" + timer + "," + kind + ">";
  }
}
