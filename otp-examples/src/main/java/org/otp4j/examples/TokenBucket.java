package org.otp4j.examples;

/**
 * A token bucket: holds at most {@code capacity} tokens, refilled at {@code perSecond}; each frame
 * (or message) takes one. A client may send a burst of {@code capacity}, then {@code perSecond} on
 * average. Owned by one process, so not thread-safe.
 */
public final class TokenBucket {
  private final double capacity;
  private final double perNano;
  private double tokens;
  private long last;

  /**
   * A full bucket.
   *
   * @param capacity the most tokens it holds: the largest burst
   * @param perSecond how many tokens it gains per second
   */
  public TokenBucket(int capacity, double perSecond) {
    this.capacity = capacity;
    this.perNano = perSecond / 1e9;
    this.tokens = capacity;
    this.last = System.nanoTime();
  }

  /** Takes a token if there is one: true if the frame may pass. */
  public boolean tryTake() {
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
