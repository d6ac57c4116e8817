package org.otp4j.examples.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Checks of the values a request carries: amounts, account ids, currencies, keys. */
final class Amounts {
  private Amounts() {}

  /** The largest amount one request may move (minor units): 10^15, ten trillion in a 2-decimal currency. */
  static final long MAX_AMOUNT = 1_000_000_000_000_000L;
  /** The largest balance an account may reach, so that sums over many accounts stay within a long. */
  static final long MAX_BALANCE = 100_000_000_000_000_000L;

  static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

  /**
   * The amount in {@code field} of {@code body}: a JSON integer from 1 to {@link #MAX_AMOUNT}.
   *
   * @throws LedgerError 400 {@code invalid_amount} naming what was wrong
   */
  static long amount(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      throw LedgerError.badRequest("invalid_amount", "'" + field + "' is missing: an integer amount in minor units "
          + "(cents), from 1 to " + MAX_AMOUNT);
    }
    if (!n.isIntegralNumber()) {
      throw LedgerError.badRequest("invalid_amount", "'" + field + "' must be an integer number of minor units "
          + "(cents), from 1 to " + MAX_AMOUNT + "; got " + n);
    }
    if (!n.canConvertToLong() || n.bigIntegerValue().compareTo(java.math.BigInteger.valueOf(MAX_AMOUNT)) > 0) {
      throw LedgerError.badRequest("invalid_amount", "'" + field + "' is too large: at most " + MAX_AMOUNT + "; got "
          + n);
    }
    long v = n.longValue();
    if (v <= 0) {
      throw LedgerError.badRequest("invalid_amount", "'" + field + "' must be positive (from 1 to " + MAX_AMOUNT
          + "); got " + v);
    }
    return v;
  }

  /** The account id in {@code field}. */
  static String accountId(JsonNode body, String field) {
    return accountId(text(body, field, "an account id"), field);
  }

  static String accountId(String id, String what) {
    if (id == null || !ACCOUNT_ID.matcher(id).matches()) {
      throw LedgerError.badRequest("invalid_account_id", what + " must be an account id: 1 to 64 letters, digits, "
          + "'_', '.' or '-', starting with a letter or digit; got " + (id == null ? "nothing" : "'" + id + "'"));
    }
    return id;
  }

  /** The text in {@code field}, or an error saying it must be {@code what}. */
  static String text(JsonNode body, String field, String what) {
    JsonNode n = body.get(field);
    if (n == null || !n.isString()) {
      throw LedgerError.badRequest("missing_field", "'" + field + "' must be " + what + " (a JSON string); got "
          + (n == null ? "nothing" : n.toString()));
    }
    return n.asString();
  }

  /** The header that carries a money-moving request's idempotency key. */
  static final String KEY_HEADER = "Idempotency-Key";

  /**
   * The idempotency key of a request that moves or holds money ({@code operation}: a transfer, a
   * deposit, a withdrawal, an authorization, a capture, a void): every one needs a key chosen by
   * its client, so that a retry after a timeout is recognised and not applied twice.
   *
   * @throws LedgerError 400 {@code missing_idempotency_key} if it is null or blank, 400
   *     {@code invalid_idempotency_key} if it is not 1 to 200 printable ASCII characters
   */
  static String key(String key, String operation) {
    if (key == null || key.isBlank()) {
      throw LedgerError.badRequest("missing_idempotency_key", "a " + operation + " needs an " + KEY_HEADER
          + " header (1 to 200 printable ASCII characters, unique per request): a retry sends the same key and "
          + "body and gets the original outcome; got " + (key == null ? "no header" : "a blank one"));
    }
    if (!KEY.matcher(key).matches()) {
      throw LedgerError.badRequest("invalid_idempotency_key", "the " + KEY_HEADER + " header must be 1 to 200 "
          + "printable ASCII characters without spaces; got '" + key + "'");
    }
    return key;
  }

  /** A stable hash of a request's meaning, stored with its idempotency key. */
  static String hash(String... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        d.update(p.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
