package org.otp4j.core;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * What a timeout is, once for every module: a non-negative {@link Duration}, where
 * {@link #INFINITY} (and any duration too long to count in nanoseconds, about 292 years) means
 * "never", as Erlang's {@code infinity}.
 *
 * <p>Every receive, call, start, stop and behaviour timeout of otp4j goes through these
 * conversions, so a 200-year duration means the same everywhere: it is finite, because it fits in
 * a {@code long} of nanoseconds. (A deadline {@code System.nanoTime() + nanos} may wrap around;
 * compare deadlines only by difference, {@code deadline - System.nanoTime() > 0}, which stays
 * right for any finite timeout.)
 */
public final class Timeouts {
  private Timeouts() {}

  /** A timeout that never expires: {@code receive(filter, INFINITY)} waits forever. */
  public static final Duration INFINITY = ChronoUnit.FOREVER.getDuration();

  /** The longest finite timeout: {@code Long.MAX_VALUE} nanoseconds. */
  private static final Duration MAX_FINITE = Duration.ofNanos(Long.MAX_VALUE);

  /** What {@link #nanos(Duration)} returns for an infinite timeout. */
  public static final long NO_DEADLINE = -1L;

  /** Whether {@code timeout} means "never" ({@link #INFINITY}, or too long to count in nanoseconds). */
  public static boolean isInfinite(Duration timeout) {
    return timeout.compareTo(MAX_FINITE) >= 0;
  }

  /**
   * The timeout in nanoseconds, or {@link #NO_DEADLINE} for an infinite one.
   *
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public static long nanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout: use Duration.ZERO to poll or Proc.INFINITY to wait forever");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("a timeout cannot be negative, got " + timeout
          + "; use Duration.ZERO to poll or Proc.INFINITY to wait forever");
    }
    return isInfinite(timeout) ? NO_DEADLINE : timeout.toNanos();
  }

  /** {@code "infinity"} or the timeout in milliseconds, for messages. */
  public static String describe(Duration timeout) {
    return isInfinite(timeout) ? "infinity" : timeout.toMillis() + " ms";
  }
}
