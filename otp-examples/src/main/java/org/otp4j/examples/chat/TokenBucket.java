package org.otp4j.examples.chat;

/**
 * A token bucket: holds at most {@code capacity} tokens, refilled at {@code perSecond}; each frame
 * takes one. A client may send a burst of {@code capacity} frames, then {@code perSecond} on
 * average. Owned by one connection process, so not thread-safe.
 */
final class TokenBucket {
  private final double capacity;
  private final double perNano;
  private double tokens;
  private long last;

  TokenBucket(int capacity, double perSecond) {
    this.capacity = capacity;
    this.perNano = perSecond / 1e9;
    this.tokens = capacity;
    this.last = System.nanoTime();
  }

  /** Takes a token if there is one. */
  boolean tryTake() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
