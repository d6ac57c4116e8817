package org.otp4j.examples.chat;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
final class Passwords {
  private Passwords() {}

  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ExecutorService POOL;

  static {
    AtomicInteger n = new AtomicInteger();
    POOL = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
        r -> Thread.ofPlatform().name("chat-pbkdf2-" + n.incrementAndGet()).daemon(true).unstarted(r));
  }

  /** A new hash of {@code password} with a fresh salt. */
  static String hash(String password, int iterations) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] hash = offCarrier(() -> derive(password, salt, iterations));
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "pbkdf2-sha256$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }

  /** Whether {@code password} matches a stored hash; compares in constant time. */
  static boolean verify(String password, String stored) {
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
  static void verifyNothing(String password, int iterations) {
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

  private static byte[] offCarrier(java.util.function.Supplier<byte[]> work) {
    return CompletableFuture.supplyAsync(work, POOL).join();
  }
}
