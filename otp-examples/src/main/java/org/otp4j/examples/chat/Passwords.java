package org.otp4j.examples.chat;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted, slow password hashes from the JDK: PBKDF2 with HMAC-SHA256, a random 16-byte salt per
 * password, stored as {@code pbkdf2-sha256$iterations$salt$hash} so the iteration count can grow
 * later without breaking old hashes.
 *
 * <p>A hash takes tens to hundreds of milliseconds of CPU on purpose. Computed on a process's
 * virtual thread, it would hold one of the few carrier threads all that time, so it runs on a small
 * pool of platform threads and the calling process waits on the result.
 *
 * <p>The pool's queue is bounded: a hash that finds {@code hashQueue} others waiting is refused at
 * once ({@link Busy}) rather than queued behind them, so that the wait for a hash, and with it a
 * login's latency, stays bounded however many logins arrive. Which logins get that far is
 * {@link LoginThrottle}'s decision.
 */
final class Passwords {
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** No hashing thread will be free soon: the caller is told to try again. */
  static final class Busy extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Busy(int waiting) {
      super(waiting + " password checks are waiting already", null, false, false);
    }
  }

  private final ThreadPoolExecutor pool;
  private final int queue;
  private final AtomicLong computed = new AtomicLong();

  /** A pool of half the machine's cores (at least one) and a queue of at most {@code queue} hashes. */
  Passwords(int queue) {
    this(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), queue);
  }

  Passwords(int threads, int queue) {
    AtomicInteger n = new AtomicInteger();
    this.queue = queue;
    this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
        r -> Thread.ofPlatform().name("chat-pbkdf2-" + n.incrementAndGet()).daemon(true).unstarted(r));
    pool.allowCoreThreadTimeOut(true); // idle threads go: nothing to stop when the application stops
  }

  /** How many hashes wait for a thread. */
  int queued() {
    return pool.getQueue().size();
  }

  /** How many hashes were computed so far (tests count them). */
  long computed() {
    return computed.get();
  }

  /** A new hash of {@code password} with a fresh salt. */
  String hash(String password, int iterations) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] hash = offCarrier(() -> derive(password, salt, iterations));
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "pbkdf2-sha256$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }

  /** Whether {@code password} matches a stored hash; compares in constant time. */
  boolean verify(String password, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
      return false;
    }
    int iterations = Integer.parseInt(parts[1]);
    byte[] salt = Base64.getDecoder().decode(parts[2]);
    byte[] expected = Base64.getDecoder().decode(parts[3]);
    byte[] actual = offCarrier(() -> derive(password, salt, iterations));
    return MessageDigest.isEqual(expected, actual);
  }

  /** Spends the time a verification would, for an unknown user: timing does not tell who exists. */
  void verifyNothing(String password, int iterations) {
    offCarrier(() -> derive(password, new byte[16], iterations));
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is missing from this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }

  /** Runs a hash on the pool and waits for it; refused at once if the queue is full. */
  private byte[] offCarrier(Supplier<byte[]> work) {
    CompletableFuture<byte[]> result;
    try {
      result = CompletableFuture.supplyAsync(() -> {
        computed.incrementAndGet();
        return work.get();
      }, pool);
    } catch (RejectedExecutionException e) {
      throw new Busy(queue);
    }
    return result.join();
  }
}
