package org.otp4j.examples.gateway;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The arithmetic of a token bucket ({@code burst} tokens, refilled at {@code rate} per second) kept
 * in one {@code long}, so that any number of threads can take tokens from the same bucket with a
 * compare-and-set and no lock or message (the generic cell rate algorithm's form of a token bucket).
 *
 * <p>The number is the instant (in {@link System#nanoTime()} terms) at which the bucket was, or will
 * be, empty, if it refills from then on: at {@code now} it holds {@code (now - empty) * rate} tokens,
 * at most {@code burst}. Taking a token moves that instant one token's time later; a bucket that
 * is full has it {@code burst} tokens' time or more in the past.
 */
final class TokenBucket {
  /** The value of a bucket that a sweep has removed: whoever finds it takes a bucket from the table again. */
  static final long SWEPT = Long.MIN_VALUE;
  /** What {@link #take} returns for a swept bucket. */
  static final long GONE = -1;

  private final long perToken;
  private final long fill;

  /**
   * A bucket shape.
   *
   * @param rate tokens given back per second, more than 0
   * @param burst the most tokens a bucket holds, at least 1
   * @throws IllegalArgumentException if {@code rate} or {@code burst} is out of range
   */
  TokenBucket(double rate, int burst) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("gateway.rateLimit must be a number of requests per second above 0 "
          + "(or 0 for no limit), got " + rate);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("gateway.rateBurst must be at least 1 request, got " + burst);
    }
    this.perToken = Math.max(1, Math.round(1e9 / rate));
    long f;
    try {
      f = Math.multiplyExact(perToken, (long) burst);
    } catch (ArithmeticException e) {
      f = Long.MAX_VALUE / 4; // centuries: a bucket that never fills again within this JVM's life
    }
    this.fill = f;
  }

  /** The value of a new bucket at {@code now}: full. */
  long full(long now) {
    return now - fill;
  }

  /** Whether a bucket whose value is {@code empty} is full at {@code now} (a sweep may drop it). */
  boolean isFull(long empty, long now) {
    return empty != SWEPT && now - empty >= fill;
  }

  /**
   * Takes a token from {@code bucket} at {@code now}: 0 if one was taken, else the nanoseconds until
   * one is back (the bucket unchanged), or {@link #GONE} if a sweep removed the bucket.
   */
  long take(AtomicLong bucket, long now) {
    while (true) {
      long empty = bucket.get();
      if (empty == SWEPT) {
        return GONE;
      }
      long next = Math.max(empty, now - fill) + perToken; // refilled up to the burst, less one token
      if (next - now > 0) {
        return next - now;
      }
      if (bucket.compareAndSet(empty, next)) {
        return 0;
      }
    }
  }

  /** Whole seconds to tell a client to wait ({@code Retry-After}) for {@code nanos}: rounded up, at least 1. */
  static long retryAfterSeconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }
}
