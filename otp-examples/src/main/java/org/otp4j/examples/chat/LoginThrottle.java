package org.otp4j.examples.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which logins and signups may have a password hashed: a guard against password guessing and
 * against a flood of logins that would keep real ones waiting for the hashing threads.
 *
 * <ul>
 *   <li><b>Per client address</b>: a token bucket of {@code loginBurst} attempts, refilled at
 *       {@code loginRate} a second. Each login or signup takes one before its hash; a login that
 *       succeeds gives it back, so that people behind one address who type their passwords right
 *       are never held back, while guesses from it are (and so are signups: an address cannot
 *       make accounts faster than {@code loginRate}).</li>
 *   <li><b>Per account</b>: a bucket of {@code accountBurst} wrong passwords, refilled at
 *       {@code accountRate} a second. A login for an account whose bucket is empty is refused
 *       without a hash, whatever the address: guessing one account from many addresses is slow too.
 *       Its owner is refused as well while it lasts, which is the price of the protection.</li>
 * </ul>
 *
 * A refused attempt costs no hash and is answered at once. Each map keeps the most recently used
 * {@value #MAX_KEYS} keys, so a flood of made-up names or addresses cannot grow it without bound.
 *
 * <p>Shared by every connection process of one chat application; its lock is held for a few
 * arithmetic operations, never while blocking.
 */
final class LoginThrottle {
  static final int MAX_KEYS = 50_000;

  private final ChatConfig config;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Bucket> addresses = lru();
  private final Map<String, Bucket> accounts = lru();

  LoginThrottle(ChatConfig config) {
    this.config = config;
  }

  /**
   * Takes an attempt for a login or signup from {@code address} (and, for a login, for
   * {@code account}, null for a signup). Empty if it may go on to its hash; else why not, for the
   * client.
   */
  Optional<String> tryAttempt(String address, String account) {
    long now = System.nanoTime();
    lock.lock();
    try {
      if (account != null) {
        Bucket a = accounts.computeIfAbsent(account, k -> new Bucket(config.accountBurst(), now));
        double wait = a.waitFor(config.accountBurst(), config.accountRate(), now);
        if (wait > 0) {
          return Optional.of("too many wrong passwords for this account; try again in " + seconds(wait) + " s");
        }
      }
      Bucket b = addresses.computeIfAbsent(address, k -> new Bucket(config.loginBurst(), now));
      double wait = b.waitFor(config.loginBurst(), config.loginRate(), now);
      if (wait > 0) {
        return Optional.of("too many login attempts from your address; try again in " + seconds(wait) + " s");
      }
      b.tokens -= 1;
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /** The login succeeded (or was not judged: the server was busy): the address gets its attempt back. */
  void refund(String address) {
    lock.lock();
    try {
      Bucket b = addresses.get(address);
      if (b != null) {
        b.tokens = Math.min(config.loginBurst(), b.tokens + 1);
      }
    } finally {
      lock.unlock();
    }
  }

  /** A wrong password for {@code account}. */
  void failed(String account) {
    long now = System.nanoTime();
    lock.lock();
    try {
      Bucket a = accounts.computeIfAbsent(account, k -> new Bucket(config.accountBurst(), now));
      a.refill(config.accountBurst(), config.accountRate(), now);
      a.tokens -= 1;
    } finally {
      lock.unlock();
    }
  }

  private static long seconds(double wait) {
    return Math.max(1, (long) Math.ceil(wait));
  }

  private static Map<String, Bucket> lru() {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
        return size() > MAX_KEYS;
      }
    };
  }

  /** Tokens, refilled with time; may go below one, never above the capacity. */
  private static final class Bucket {
    double tokens;
    long last;

    Bucket(int capacity, long now) {
      this.tokens = capacity;
      this.last = now;
    }

    void refill(int capacity, double perSecond, long now) {
      tokens = Math.min(capacity, tokens + (now - last) / 1e9 * perSecond);
      last = now;
    }

    /** Seconds until a token is there; 0 if one is there now. */
    double waitFor(int capacity, double perSecond, long now) {
      refill(capacity, perSecond, now);
      return tokens >= 1 ? 0 : (1 - tokens) / perSecond;
    }
  }
}
